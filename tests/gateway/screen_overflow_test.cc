// The engine's last line of defence against a catalogue defect: a screen
// longer than its limit (160 GSM-7 characters, 80 UTF-16 units in UCS-2) is
// cut to the limit at run time and counted in shg_screen_overflow_total.
// The real gateway (Beast server on 127.0.0.1 port 0, a temporary SQLite
// file with the demo data) runs on a copy of config/lang whose templates
// were made too long, and is played over loopback HTTP in the Africa's
// Talking format.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "domain/demo.h"
#include "domain/store/store.h"
#include "gateway/app.h"
#include "tests/support/http_client.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

using testing::HttpClient;
using testing::HttpResult;

const std::string kPepper = "screen-overflow-test-pepper-0123456789";

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Too long on purpose: 31 + 8 * 28 = 255 characters, all GSM-7.
const std::string kLongNotRegistered =
    "This number is not registered. " + Repeat("Ask your group facilitator. ", 8);
// 36 + 6 * 30 characters once {name} and {group} are filled for Amina.
const std::string kLongWelcomeEn =
    "Welcome {name} ({group}). " + Repeat("Your savings are safe with us. ", 6) + "Enter PIN:";
// U+2713 (check mark) is outside the GSM 7-bit alphabet: the screen goes
// as UCS-2, whose limit is 80 units.
const std::string kLongWelcomeSw =
    "\u2713 Karibu {name} ({group}). " + Repeat("Akiba yako iko salama. ", 6) + "Ingiza PIN:";

// The first `n` code points of UTF-8 `s`.
std::string FirstCodePoints(const std::string& s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == n) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Copies `from` to `to`, replacing the template of each `key = "..."` line
// whose key is in `replace`; every key must be found.
void CopyCatalogue(const std::string& from, const std::string& to,
                   const std::vector<std::pair<std::string, std::string>>& replace) {
  std::ifstream in(from);
  ASSERT_TRUE(in.good()) << from;
  std::ofstream out(to);
  std::vector<bool> found(replace.size(), false);
  std::string line;
  while (std::getline(in, line)) {
    for (size_t i = 0; i < replace.size(); ++i) {
      if (line.rfind(replace[i].first + " = \"", 0) == 0) {
        line = replace[i].first + " = \"" + replace[i].second + "\"";
        found[i] = true;
      }
    }
    out << line << '\n';
  }
  for (size_t i = 0; i < replace.size(); ++i) {
    EXPECT_TRUE(found[i]) << replace[i].first << " not in " << from;
  }
}

class ScreenOverflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = ::testing::TempDir() + "/overflow_" + std::to_string(::getpid()) + "_" +
           std::to_string(n++);
    const std::string lang = dir_ + "/lang";
    std::filesystem::create_directories(lang);
    const std::string real = std::string(SHG_SOURCE_DIR) + "/config/lang";
    ASSERT_NO_FATAL_FAILURE(CopyCatalogue(real + "/en.toml", lang + "/en.toml",
                                          {{"not_registered", kLongNotRegistered},
                                           {"welcome_pin", kLongWelcomeEn}}));
    ASSERT_NO_FATAL_FAILURE(
        CopyCatalogue(real + "/sw.toml", lang + "/sw.toml", {{"welcome_pin", kLongWelcomeSw}}));

    config::Settings settings;
    test_db_.Configure(settings);
    settings.listen_host = "127.0.0.1";
    settings.listen_port = 0;
    settings.catalogue_dir = lang;
    config::ChannelSettings at;
    at.id = "at-ke";
    at.type = "africastalking";
    at.service_code = "*384*7#";
    at.country = "KE";
    settings.channels = {at};
    {
      store::StoreOptions so = test_db_.Options();
      auto store = store::Store::Open(so);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      PinHasher pins(kPepper);
      ASSERT_TRUE(LoadDemo(**store, pins, 30, gateway::SystemNow() - 86400).ok());
    }
    auto app = gateway::App::Create(settings, kPepper);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResult Step(const std::string& session, const std::string& phone, const std::string& text) {
    return client_.PostForm(base_ + "/channels/at-ke/ussd",
                            {{"sessionId", session}, {"serviceCode", "*384*7#"},
                             {"phoneNumber", phone}, {"networkCode", "63902"}, {"text", text}});
  }

  // The counter's value for at-ke; 0 when the series does not exist yet.
  int Overflows() {
    const std::string body = client_.Get(base_ + "/metrics").body;
    const std::string series = "shg_screen_overflow_total{channel=\"at-ke\"} ";
    size_t at = body.find(series);
    if (at == std::string::npos) return 0;
    return std::stoi(body.substr(at + series.size()));
  }

  std::string dir_;

  shg::testing::TestDatabase test_db_;
  std::unique_ptr<gateway::App> app_;
  std::string base_;
  HttpClient client_;
};

struct OverflowCase {
  const char* name;
  std::string phone;
  std::string prefix;  // "CON " or "END " (Africa's Talking)
  std::string screen;  // the whole screen as the template makes it
  size_t limit;        // code points kept
};

TEST_F(ScreenOverflowTest, OverLongScreenIsCutToTheLimitAndCounted) {
  const std::vector<OverflowCase> cases = {
      {"end_screen_gsm7", "+254799999999", "END ", kLongNotRegistered, 160},
      {"con_screen_gsm7", "+254700000001", "CON ",
       "Welcome Amina (Upendo Women Group). " + Repeat("Your savings are safe with us. ", 6) +
           "Enter PIN:",
       160},
      {"con_screen_ucs2", "+254700000006", "CON ",
       "\u2713 Karibu Halima (Upendo Women Group). " + Repeat("Akiba yako iko salama. ", 6) +
           "Ingiza PIN:",
       80},
  };
  ASSERT_EQ(Overflows(), 0);
  int counted = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_GT(CodePoints(c.screen), c.limit) << "the case must overflow";
    const std::string session = std::string("ATUid_overflow_") + c.name;
    HttpResult r = Step(session, c.phone, "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, c.prefix + FirstCodePoints(c.screen, c.limit));
    EXPECT_EQ(CodePoints(r.body) - c.prefix.size(), c.limit);
    EXPECT_EQ(Overflows(), ++counted);
    // An operator retry replays the stored (cut) answer: not cut, nor counted, again.
    EXPECT_EQ(Step(session, c.phone, "").body, r.body);
    EXPECT_EQ(Overflows(), counted);
  }
  // A screen that fits is neither cut nor counted.
  HttpResult menu = Step("ATUid_overflow_con_screen_gsm7", "+254700000001", "2580");
  EXPECT_EQ(menu.body.rfind("CON 1. My balance\n2. Save", 0), 0u) << menu.body;
  EXPECT_EQ(Overflows(), counted);
}

}  // namespace
}  // namespace shg
