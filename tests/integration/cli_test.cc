// The admin commands staff use until the staff API exists, run through the
// real command-line entry point against a temporary database file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "domain/messages.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/cli/commands.h"

namespace shg {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    db_ = ::testing::TempDir() + "/cli_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".db";
    ::setenv("SHG_PIN_PEPPER", "cli-test-pepper-0123456789abcdef", 1);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_ + suffix);
  }

  int Run(std::initializer_list<std::string> args) {
    std::vector<std::string> all = {"shg-gateway"};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--db");
    all.push_back(db_);
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    return cli::Main(static_cast<int>(argv.size()), argv.data());
  }

  std::string db_;
};

TEST_F(CliTest, StaffRegisterAGroupAndTrainAMember) {
  EXPECT_EQ(Run({"migrate"}), 0);
  EXPECT_EQ(Run({"add-group", "--name", "Baraka Group", "--country", "KE", "--currency", "KES"}), 0);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "Esther Wairimu",
                 "--role", "treasurer", "--language", "sw"}),
            0);
  EXPECT_EQ(Run({"add-training-module", "--id", "s1-a", "--step", "1", "--title", "Group dynamics"}), 0);
  EXPECT_EQ(Run({"add-training-module", "--id", "s2-a", "--step", "2", "--title", "Business"}), 0);
  EXPECT_EQ(Run({"record-training", "--member", "1", "--module", "s1-a"}), 0);
  EXPECT_EQ(Run({"record-training", "--member", "1", "--module", "s2-a"}), 0);
  EXPECT_EQ(Run({"reset-pin", "--member", "1"}), 0);
  EXPECT_EQ(Run({"check-ledger"}), 0);

  store::StoreOptions so;
  so.path = db_;
  auto store = store::Store::Open(so);
  ASSERT_TRUE(store.ok());
  PinHasher pins("cli-test-pepper-0123456789abcdef");
  DomainContext ctx{&pins, 3, 0};
  Services svc((*store)->Reader(), ctx);
  auto members = svc.MembersByPhone("+254711222333");
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  const Member& m = members->front();
  EXPECT_EQ(m.name, "Esther Wairimu");
  EXPECT_EQ(m.role, Role::kTreasurer);
  EXPECT_EQ(m.language, "sw");
  EXPECT_TRUE(m.pin_must_change);
  EXPECT_TRUE(*svc.CompletedTraining(m.id));
}

TEST_F(CliTest, BadInputIsAUsageErrorAndChangesNothing) {
  EXPECT_EQ(Run({"migrate"}), 0);
  EXPECT_EQ(Run({"add-group", "--name", "Baraka Group"}), 2);  // no country/currency
  EXPECT_EQ(Run({"add-group", "--name", "B", "--country", "KE", "--currency", "KES"}), 0);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "12", "--name", "X"}), 2);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "X", "--role", "boss"}), 2);
  EXPECT_EQ(Run({"add-training-module", "--id", "m", "--step", "9", "--title", "t"}), 2);
  EXPECT_EQ(Run({"frobnicate"}), 2);
  EXPECT_NE(Run({"add-member", "--group", "42", "--phone", "0711222333", "--name", "X"}), 0);

  store::StoreOptions so;
  so.path = db_;
  auto store = store::Store::Open(so);
  ASSERT_TRUE(store.ok());
  auto& st = (*store)->Reader().Prepare("SELECT count(*) FROM members");
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Int(0), 0);
}

// reset-pin sends the one-time PIN by SMS through the outbox (never shown
// to staff when a channel can send), and the outbox commands let staff see,
// cancel and retry what is queued.
TEST_F(CliTest, ResetPinQueuesTheOneTimePinBySmsAndOutboxCommandsManageIt) {
  const std::string config = db_ + ".toml";
  {
    std::ofstream f(config);
    f << "[dialogs]\ncatalogue_dir = \"" << SHG_SOURCE_DIR << "/config/lang\"\n"
      << "[[channels]]\nid = \"at-ke\"\ntype = \"africastalking\"\nservice_code = \"*384*7#\"\n"
      << "username = \"sandbox\"\nsecret = \"k\"\napi_base_url = \"http://127.0.0.1:9\"\n";
  }
  auto run = [&](std::initializer_list<std::string> args) {
    std::vector<std::string> all(args);
    all.push_back("--config");
    all.push_back(config);
    std::vector<std::string> with_db = {"shg-gateway"};
    with_db.insert(with_db.end(), all.begin(), all.end());
    with_db.push_back("--db");
    with_db.push_back(db_);
    std::vector<char*> argv;
    for (auto& a : with_db) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    int rc = cli::Main(static_cast<int>(argv.size()), argv.data());
    return std::make_pair(rc, ::testing::internal::GetCapturedStdout());
  };
  ASSERT_EQ(run({"add-group", "--name", "B", "--country", "KE", "--currency", "KES"}).first, 0);
  ASSERT_EQ(run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "Esther",
                 "--language", "sw"}).first, 0);
  auto [rc, out] = run({"reset-pin", "--member", "1"});
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("sent by SMS to +2547****2333"), std::string::npos) << out;

  std::string otp;
  {
    store::StoreOptions so;
    so.path = db_;
    auto store = store::Store::Open(so);
    ASSERT_TRUE(store.ok());
    Messages m((*store)->Reader(), 0);
    auto queued = m.List("queued", 10);
    ASSERT_TRUE(queued.ok());
    ASSERT_EQ(queued->size(), 1u);
    const OutboundMessage& msg = queued->front();
    EXPECT_EQ(msg.kind, "pin_reset");
    EXPECT_TRUE(msg.sensitive);
    EXPECT_EQ(msg.phone, "+254711222333");
    EXPECT_EQ(msg.body.rfind("PIN yako ya muda ni ", 0), 0u) << msg.body;  // her language
    otp = msg.body.substr(20, 4);
  }
  EXPECT_EQ(out.find(otp), std::string::npos) << "staff never see the one-time PIN";

  auto list = run({"outbox", "list", "--status", "queued"});
  EXPECT_EQ(list.first, 0);
  EXPECT_NE(list.second.find("at-ke\t+2547****2333\tpin_reset\tqueued"), std::string::npos)
      << list.second;
  EXPECT_EQ(list.second.find(otp), std::string::npos);
  EXPECT_EQ(run({"outbox", "cancel", "--id", "1"}).first, 0);
  auto show = run({"outbox", "show", "--id", "1"});
  EXPECT_NE(show.second.find("cancelled"), std::string::npos) << show.second;
  EXPECT_EQ(show.second.find(otp), std::string::npos) << "a cancelled one-time PIN is redacted";
  EXPECT_NE(run({"outbox", "retry", "--id", "1"}).first, 0) << "a redacted PIN is never re-sent";
  EXPECT_EQ(run({"outbox", "cancel", "--id", "1"}).first, 1);  // already cancelled
  EXPECT_EQ(run({"outbox", "frob"}).first, 2);
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace shg
