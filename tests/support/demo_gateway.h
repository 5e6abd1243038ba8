// A real gateway::App for end-to-end tests of the staff side: a test
// database (testing::TestDatabase: a SQLite file, or PostgreSQL for the
// "pg/" runs) holding the demo data (domain/demo.h, 30 members, loaded a
// day before the App's clock), a temporary folder, the App started on
// 127.0.0.1 port 0 with a Kenyan sending channel that reaches nobody (SMS
// stay queued: retries are a minute apart), an injectable clock (now_),
// and the App's reader connection (db_) for the tests' own counts.
//
// Header-only: the test binaries that use it link shg_gateway (the support
// library does not). A fixture inherits it next to its ::testing::Test
// base and calls StartDemoGateway() in SetUp and StopDemoGateway() in
// TearDown; fatal failures are reported through gtest (check
// HasFatalFailure() after the start).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "domain/demo.h"
#include "domain/pin.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "tests/support/test_db.h"

namespace shg::testing {

class DemoGateway {
 protected:
  // `name` prefixes the temporary folder; `pepper` is the PIN pepper.
  void StartDemoGateway(const std::string& name, const std::string& pepper) {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    std::filesystem::create_directories(dir_);
    test_db_.Configure(settings_);
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.catalogue_dir = std::string(SHG_SOURCE_DIR) + "/config/lang";
    settings_.staff_session_idle_s = 600;
    settings_.staff_session_absolute_s = 8 * 3600;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.country = "KE";
    at.callback_key = "cbkey";
    at.api_base_url = "http://127.0.0.1:9";
    at.username = "sandbox";
    at.secret = "at-key";
    at.sender = "22384";
    at.service_code = "*384*7#";
    settings_.channels = {at};
    settings_.outbox.retry_base_ms = 60000;
    now_ = gateway::SystemNow();
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(pepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, now_ - 86400).ok());
    }
    auto app = gateway::App::Create(settings_, pepper, [this] { return now_.load(); });
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
    db_ = &app_->store().Reader();
  }

  void StopDemoGateway() {
    db_ = nullptr;
    if (app_) app_->Stop();
    app_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  config::Settings settings_;
  std::string dir_, base_;
  shg::testing::TestDatabase test_db_;
  std::atomic<int64_t> now_{0};
  std::unique_ptr<gateway::App> app_;
  store::Connection* db_ = nullptr;  // the test thread's reader of the app's store
};

}  // namespace shg::testing
