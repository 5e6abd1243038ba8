#include "config/settings.h"

#include "config/programme.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace shg::config {
namespace {

const std::string kSourceDir = SHG_SOURCE_DIR;

// Every field but the channels, so one check covers the whole struct.
void ExpectSameScalars(const Settings& got, const Settings& want) {
  EXPECT_EQ(got.listen_host, want.listen_host);
  EXPECT_EQ(got.listen_port, want.listen_port);
  EXPECT_EQ(got.threads, want.threads);
  EXPECT_EQ(got.body_limit, want.body_limit);
  EXPECT_EQ(got.read_timeout_ms, want.read_timeout_ms);
  EXPECT_EQ(got.write_timeout_ms, want.write_timeout_ms);
  EXPECT_EQ(got.api_requests_per_minute, want.api_requests_per_minute);
  EXPECT_EQ(got.staff_session_idle_s, want.staff_session_idle_s);
  EXPECT_EQ(got.staff_session_absolute_s, want.staff_session_absolute_s);
  EXPECT_EQ(got.staff_cookie_secure, want.staff_cookie_secure);
  EXPECT_EQ(got.db_path, want.db_path);
  EXPECT_EQ(got.synchronous, want.synchronous);
  EXPECT_EQ(got.max_batch, want.max_batch);
  EXPECT_EQ(got.pepper_file, want.pepper_file);
  EXPECT_EQ(got.pepper_env, want.pepper_env);
  EXPECT_EQ(got.max_pin_failures, want.max_pin_failures);
  EXPECT_EQ(got.session_timeout_s, want.session_timeout_s);
  EXPECT_EQ(got.resume_window_s, want.resume_window_s);
  EXPECT_EQ(got.catalogue_dir, want.catalogue_dir);
  EXPECT_EQ(got.languages, want.languages);
  EXPECT_EQ(got.default_language, want.default_language);
  EXPECT_EQ(got.max_amount_units, want.max_amount_units);
  EXPECT_EQ(got.outbox.workers, want.outbox.workers);
  EXPECT_EQ(got.outbox.max_attempts, want.outbox.max_attempts);
  EXPECT_EQ(got.outbox.retry_base_ms, want.outbox.retry_base_ms);
  EXPECT_EQ(got.outbox.retry_max_ms, want.outbox.retry_max_ms);
  EXPECT_EQ(got.outbox.lease_s, want.outbox.lease_s);
  EXPECT_EQ(got.outbox.poll_ms, want.outbox.poll_ms);
  EXPECT_EQ(got.loans.savings_multiple, want.loans.savings_multiple);
  EXPECT_EQ(got.loans.min_months, want.loans.min_months);
  EXPECT_EQ(got.loans.min_confirmed_savings, want.loans.min_confirmed_savings);
  EXPECT_EQ(got.loans.grace_days, want.loans.grace_days);
  EXPECT_EQ(got.loans.request_expiry_days, want.loans.request_expiry_days);
  EXPECT_EQ(got.loans.claim_match_window_days, want.loans.claim_match_window_days);
  EXPECT_EQ(got.loans.allow_topup, want.loans.allow_topup);
  EXPECT_EQ(got.loans.group_loans, want.loans.group_loans);
  EXPECT_EQ(got.loans.group_loan_max_term_months, want.loans.group_loan_max_term_months);
  EXPECT_EQ(got.loans.group_loan_flat_rate_bp, want.loans.group_loan_flat_rate_bp);
  EXPECT_EQ(got.loans.partner_replay_window_s, want.loans.partner_replay_window_s);
  EXPECT_EQ(got.loan_purposes, want.loan_purposes);
  EXPECT_EQ(got.mfi_partners.size(), want.mfi_partners.size());
  ASSERT_EQ(got.fine_kinds.size(), want.fine_kinds.size());
  for (size_t i = 0; i < got.fine_kinds.size(); ++i) {
    EXPECT_EQ(got.fine_kinds[i].id, want.fine_kinds[i].id);
    EXPECT_EQ(got.fine_kinds[i].amount_units, want.fine_kinds[i].amount_units);
  }
}

// The example's one channel: every channel key at its default.
void ExpectExampleChannel(const Settings& s) {
  ASSERT_EQ(s.channels.size(), 1u);
  const ChannelSettings& c = s.channels[0];
  const ChannelSettings d;
  EXPECT_EQ(c.id, "at-ke");
  EXPECT_EQ(c.type, "africastalking");
  EXPECT_EQ(c.service_code, "*384*7#");
  EXPECT_EQ(c.country, d.country);
  EXPECT_EQ(c.callback_key, "");
  EXPECT_EQ(c.username, d.username);
  EXPECT_EQ(c.secret, d.secret);
  EXPECT_EQ(c.api_base_url, d.api_base_url);
  EXPECT_EQ(c.sandbox, d.sandbox);
  EXPECT_EQ(c.sender, d.sender);
  EXPECT_EQ(c.kannel_global_sender, d.kannel_global_sender);
  EXPECT_EQ(c.public_base_url, d.public_base_url);
  EXPECT_EQ(c.sms_via, d.sms_via);
  EXPECT_EQ(c.send_rate_per_s, d.send_rate_per_s);
  EXPECT_EQ(c.connect_timeout_ms, d.connect_timeout_ms);
  EXPECT_EQ(c.send_timeout_ms, d.send_timeout_ms);
  EXPECT_FALSE(c.sends());
}

// The demo's channels all send to the local fake provider.
void ExpectDemoChannels(const Settings& s) {
  ASSERT_EQ(s.channels.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"at-ke", "africastalking"}, {"twilio-demo", "twilio"}, {"kannel-demo", "kannel"},
      {"hubtel-demo", "hubtel"}};
  for (size_t i = 0; i < want.size(); ++i) {
    const ChannelSettings& c = s.channels[i];
    EXPECT_EQ(c.id, want[i].first);
    EXPECT_EQ(c.type, want[i].second);
    EXPECT_TRUE(c.sends()) << c.id;
    EXPECT_EQ(c.api_base_url, "http://127.0.0.1:9090/" + c.id);
  }
  EXPECT_EQ(s.channels[0].service_code, "*384*7#");
  EXPECT_EQ(s.channels[3].service_code, "*713*7#");
}

// A file under the test's temporary directory, removed when destroyed.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(::testing::TempDir() + "shg_settings_" + std::to_string(getpid()) + "_" + name) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SettingsTest, ExampleFileDocumentsTheDefaults) {
  Result<Settings> s = LoadSettings(kSourceDir + "/config/gateway.example.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectSameScalars(*s, Settings{});
  ExpectExampleChannel(*s);
}

TEST(SettingsTest, DemoFileDiffersFromTheExampleInItsPathsAndChannels) {
  Result<Settings> s = LoadSettings(kSourceDir + "/config/demo.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Settings want;
  want.db_path = "demo/shg-demo.db";
  want.pepper_file = "demo/pepper";
  want.mfi_partners.push_back(MfiPartnerSettings{});  // the demo partner
  want.loans.group_loans = true;  // the demo's Upendo lends from its fund
  ExpectSameScalars(*s, want);
  ExpectDemoChannels(*s);
  ASSERT_EQ(s->mfi_partners.size(), 1u);
  EXPECT_EQ(s->mfi_partners[0].id, "imara");
  EXPECT_EQ(s->mfi_partners[0].api_base_url, "http://127.0.0.1:9090/mfi/imara");
}

TEST(SettingsTest, EmptyDocumentGivesDefaults) {
  Result<Settings> s = ParseSettings("");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectSameScalars(*s, Settings{});
  EXPECT_TRUE(s->channels.empty());
}

TEST(SettingsTest, Overrides) {
  ::setenv("SHG_SETTINGS_TEST_TOKEN", "token-from-env", 1);
  Result<Settings> s = ParseSettings(R"(
[server]
listen = "0.0.0.0:9090"
threads = 8
body_limit = 4096
read_timeout_ms = 5000
write_timeout_ms = 2000

[store]
path = "/var/lib/shg/gw.db"
synchronous = "NORMAL"
max_batch = 64

[security]
pepper_file = "/etc/shg/pepper"
pepper_env = "MY_PEPPER"
max_pin_failures = 5

[dialogs]
session_timeout_s = 120
resume_window_s = 0
catalogue_dir = "/etc/shg/lang"
languages = ["sw", "en", "lg"]
default_language = "sw"

[limits]
max_amount_units = 50000

[outbox]
workers = 16
max_attempts = 5
retry_base_ms = 500
retry_max_ms = 60000
lease_s = 30
poll_ms = 100

[[channels]]
id = "at-ug"
type = "africastalking"
service_code = "*284*12#"
country = "UG"
callback_key = "s3cret"
username = "shg-ug"
secret = "api-key"
sandbox = true
sender = "SHG"
send_rate_per_s = 2.5
connect_timeout_ms = 1000
send_timeout_ms = 4000

[[channels]]
id = "at-ke-2"
type = "africastalking"
service_code = "*483#"
sms_via = "tw"

[[channels]]
id = "tw"
type = "twilio"
username = "AC123"
secret_env = "SHG_SETTINGS_TEST_TOKEN"
sender = "+15005550006"
public_base_url = "https://gw.example.org/shg"
api_base_url = "http://127.0.0.1:9090/tw"
)");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->listen_host, "0.0.0.0");
  EXPECT_EQ(s->listen_port, 9090);
  EXPECT_EQ(s->threads, 8);
  EXPECT_EQ(s->body_limit, 4096u);
  EXPECT_EQ(s->read_timeout_ms, 5000);
  EXPECT_EQ(s->write_timeout_ms, 2000);
  EXPECT_EQ(s->db_path, "/var/lib/shg/gw.db");
  EXPECT_EQ(s->synchronous, "NORMAL");
  EXPECT_EQ(s->max_batch, 64);
  EXPECT_EQ(s->pepper_file, "/etc/shg/pepper");
  EXPECT_EQ(s->pepper_env, "MY_PEPPER");
  EXPECT_EQ(s->max_pin_failures, 5);
  EXPECT_EQ(s->session_timeout_s, 120);
  EXPECT_EQ(s->resume_window_s, 0);
  EXPECT_EQ(s->catalogue_dir, "/etc/shg/lang");
  EXPECT_EQ(s->languages, (std::vector<std::string>{"sw", "en", "lg"}));
  EXPECT_EQ(s->default_language, "sw");
  EXPECT_EQ(s->max_amount_units, 50000);
  ASSERT_EQ(s->channels.size(), 3u);
  EXPECT_EQ(s->channels[0].id, "at-ug");
  EXPECT_EQ(s->channels[0].service_code, "*284*12#");
  EXPECT_EQ(s->channels[0].country, "UG");
  EXPECT_EQ(s->channels[0].callback_key, "s3cret");
  EXPECT_EQ(s->channels[0].username, "shg-ug");
  EXPECT_EQ(s->channels[0].secret, "api-key");
  EXPECT_TRUE(s->channels[0].sandbox);
  EXPECT_EQ(s->channels[0].sender, "SHG");
  EXPECT_EQ(s->channels[0].send_rate_per_s, 2.5);
  EXPECT_EQ(s->channels[0].connect_timeout_ms, 1000);
  EXPECT_EQ(s->channels[0].send_timeout_ms, 4000);
  EXPECT_TRUE(s->channels[0].sends());
  EXPECT_EQ(s->channels[1].id, "at-ke-2");
  EXPECT_EQ(s->channels[1].country, "KE") << "default country";
  EXPECT_EQ(s->channels[1].callback_key, "");
  EXPECT_EQ(s->channels[1].sms_via, "tw");
  EXPECT_FALSE(s->channels[1].sends());
  EXPECT_EQ(s->channels[2].secret, "token-from-env");
  EXPECT_EQ(s->channels[2].public_base_url, "https://gw.example.org/shg");
  EXPECT_EQ(s->channels[2].api_base_url, "http://127.0.0.1:9090/tw");
  EXPECT_EQ(s->outbox.workers, 16);
  EXPECT_EQ(s->outbox.max_attempts, 5);
  EXPECT_EQ(s->outbox.retry_base_ms, 500);
  EXPECT_EQ(s->outbox.retry_max_ms, 60000);
  EXPECT_EQ(s->outbox.lease_s, 30);
  EXPECT_EQ(s->outbox.poll_ms, 100);
}

TEST(SettingsTest, LoansPurposesAndPartners) {
  ::setenv("SHG_SETTINGS_TEST_MFI", "0123456789abcdef-partner-key", 1);
  Result<Settings> s = ParseSettings(R"(
[loans]
savings_multiple = 4
min_months = 6
group_loan_max_term_months = 2
claim_match_window_days = 3

[[loan_purposes]]
id = "bakery"
[[loan_purposes]]
id = "tailoring"

[[mfi_partners]]
id = "imara"
name = "Imara Microfinance"
api_base_url = "https://api.imara.example"
secret_env = "SHG_SETTINGS_TEST_MFI"
terms_months = [6, 12]
interest_rule = "flat"
annual_rate_bp = 2400

[[mfi_partners]]
id = "no-api"
name = "Paper MFI"
)");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->loans.savings_multiple, 4);
  EXPECT_EQ(s->loans.min_months, 6);
  EXPECT_EQ(s->loans.group_loan_max_term_months, 2);
  EXPECT_EQ(s->loans.grace_days, 7) << "default kept";
  EXPECT_EQ(s->loans.claim_match_window_days, 3);
  EXPECT_EQ(s->loan_purposes, (std::vector<std::string>{"bakery", "tailoring"}));
  ASSERT_EQ(s->mfi_partners.size(), 2u);
  EXPECT_EQ(s->mfi_partners[0].secret, "0123456789abcdef-partner-key");
  EXPECT_EQ(s->mfi_partners[0].terms_months, (std::vector<int>{6, 12}));
  EXPECT_EQ(s->mfi_partners[0].interest_rule, "flat");
  EXPECT_EQ(s->mfi_partners[0].annual_rate_bp, 2400);
  EXPECT_EQ(s->mfi_partners[1].api_base_url, "");
  EXPECT_EQ(s->mfi_partners[1].interest_rule, "declining");

  struct Bad {
    const char* toml;
    const char* want;
  };
  const Bad bad[] = {
      {"[loans]\nsavings_multiple = 0\n", "loans.savings_multiple (line 2): must be between 1"},
      {"[loans]\nclaim_match_window_days = 91\n",
       "loans.claim_match_window_days (line 2): must be between 0"},
      {"[[loan_purposes]]\nid = \"Bakery\"\n", "loan_purposes[0].id (line 2): must use only a-z and '_'"},
      {"[[loan_purposes]]\nid = \"a\"\n[[loan_purposes]]\nid = \"a\"\n", "duplicate purpose 'a'"},
      {"[[mfi_partners]]\nid = \"x\"\n", "missing required key 'name'"},
      {"[[mfi_partners]]\nid = \"x\"\nname = \"X\"\napi_base_url = \"https://x\"\nsecret = \"short\"\n",
       "needs a secret of at least 16 bytes"},
      {"[[mfi_partners]]\nid = \"x\"\nname = \"X\"\ninterest_rule = \"compound\"\n",
       "must be flat or declining"},
      {"[[mfi_partners]]\nid = \"x\"\nname = \"X\"\nmin_amount_units = 5\nmax_amount_units = 4\n",
       "min_amount_units is above max_amount_units"},
      {"[[mfi_partners]]\nid = \"x\"\nname = \"X\"\nterms_months = [0]\n",
       "mfi_partners[0].terms_months[0]"},
      {"[[mfi_partners]]\nid = \"x\"\nname = \"X\"\nmax_amount_units = 100000001\n",
       "mfi_partners[0].max_amount_units (line 4): must be at most 100000000"},
      {"[[mfi_partners]]\nid = \"x\"\nname = \"X\"\nmin_amount_units = 100000001\n",
       "mfi_partners[0].min_amount_units (line 4): must be at most 100000000"},
  };
  for (const Bad& b : bad) {
    Result<Settings> r = ParseSettings(b.toml);
    ASSERT_FALSE(r.ok()) << b.toml;
    EXPECT_NE(r.status().message().find(b.want), std::string::npos)
        << r.status().message() << "\nwanted: " << b.want;
  }
}

// [[fine_kinds]] (issue 11): the demo's late KES 50 and absent KES 100 are
// the defaults; a list replaces them; ids and amounts are checked.
TEST(SettingsTest, FineKinds) {
  const Settings defaults;
  ASSERT_EQ(defaults.fine_kinds.size(), 2u);
  EXPECT_EQ(defaults.fine_kinds[0].id, "late");
  EXPECT_EQ(defaults.fine_kinds[0].amount_units, 50);
  EXPECT_EQ(defaults.fine_kinds[1].id, "absent");
  EXPECT_EQ(defaults.fine_kinds[1].amount_units, 100);

  Result<Settings> s = ParseSettings(
      "[[fine_kinds]]\nid = \"no_uniform\"\namount = 20\n"
      "[[fine_kinds]]\nid = \"late2\"\namount = 100000000\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->fine_kinds.size(), 2u);
  EXPECT_EQ(s->fine_kinds[0].id, "no_uniform");
  EXPECT_EQ(s->fine_kinds[0].amount_units, 20);
  EXPECT_EQ(s->fine_kinds[1].id, "late2");
  EXPECT_EQ(s->fine_kinds[1].amount_units, 100'000'000);

  std::string thirteen;
  for (int i = 0; i < 13; ++i) {
    thirteen += "[[fine_kinds]]\nid = \"k" + std::to_string(i) + "\"\namount = 1\n";
  }
  struct Bad {
    std::string toml;
    const char* want;
  };
  const Bad bad[] = {
      {"[[fine_kinds]]\nid = \"Late\"\namount = 50\n",
       "fine_kinds[0].id (line 2): must use only a-z, 0-9 and '_', got 'Late'"},
      {"[[fine_kinds]]\nid = \"a-b\"\namount = 50\n", "must use only a-z, 0-9 and '_'"},
      {"[[fine_kinds]]\nid = \"\"\namount = 50\n", "fine_kinds[0].id (line 2)"},
      {"[[fine_kinds]]\nid = \"" + std::string(33, 'a') + "\"\namount = 50\n",
       "must be at most 32 characters"},
      {"[[fine_kinds]]\nid = \"late\"\namount = 50\n[[fine_kinds]]\nid = \"late\"\namount = 5\n",
       "duplicate fine kind 'late'"},
      {"[[fine_kinds]]\nid = \"late\"\n", "fine_kinds[0] (line 1): missing required key 'amount'"},
      {"[[fine_kinds]]\namount = 50\n", "missing required key 'id'"},
      {"[[fine_kinds]]\nid = \"late\"\namount = 0\n",
       "fine_kinds[0].amount (line 3): must be between 1"},
      {"[[fine_kinds]]\nid = \"late\"\namount = 100000001\n",
       "fine_kinds[0].amount (line 3): must be at most 100000000"},
      {"[[fine_kinds]]\nid = \"late\"\namount = \"50\"\n", "expected an integer, got a string"},
      {"[[fine_kinds]]\nid = \"late\"\namount = 50\nlabel = \"Late\"\n",
       "fine_kinds[0].label (line 4): unknown key"},
      {thirteen, "fine_kinds[12]"},
  };
  for (const Bad& b : bad) {
    Result<Settings> r = ParseSettings(b.toml);
    ASSERT_FALSE(r.ok()) << b.toml;
    EXPECT_NE(r.status().message().find(b.want), std::string::npos)
        << r.status().message() << "\nwanted: " << b.want;
  }
}

// The amount cap is what every screen fits (tests/dialogs/screens_test.cc
// renders them all at kMaxAmountUnitsCap): the cap itself is accepted.
TEST(SettingsTest, AmountLimitsUpToTheScreenCapAreAccepted) {
  EXPECT_EQ(kMaxAmountUnitsCap, 100'000'000);
  Result<Settings> s = ParseSettings(
      "[limits]\nmax_amount_units = 100000000\n"
      "[[mfi_partners]]\nid = \"x\"\nname = \"X\"\nmin_amount_units = 100000000\n"
      "max_amount_units = 100000000\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->max_amount_units, kMaxAmountUnitsCap);
  ASSERT_EQ(s->mfi_partners.size(), 1u);
  EXPECT_EQ(s->mfi_partners[0].max_amount_units, kMaxAmountUnitsCap);
}

TEST(SettingsTest, PartialSectionKeepsOtherDefaults) {
  Result<Settings> s = ParseSettings("[server]\nthreads = 4\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Settings want;
  want.threads = 4;
  ExpectSameScalars(*s, want);
}

TEST(SettingsTest, ListenForms) {
  struct Case {
    const char* listen;
    const char* want_host;
    uint16_t want_port;
  };
  const Case cases[] = {
      {"127.0.0.1:8080", "127.0.0.1", 8080}, {"0.0.0.0:80", "0.0.0.0", 80},
      {"localhost:0", "localhost", 0},       {"[::1]:8443", "::1", 8443},
      {"[::]:65535", "::", 65535},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.listen);
    Result<Settings> s = ParseSettings(std::string("[server]\nlisten = \"") + c.listen + "\"\n");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->listen_host, c.want_host);
    EXPECT_EQ(s->listen_port, c.want_port);
  }
}

TEST(SettingsTest, CurrenciesMatchingTheBuiltInTableAreAccepted) {
  Result<Settings> s = ParseSettings(
      "[[currencies]]\ncode = \"UGX\"\nexponent = 0\n"
      "[[currencies]]\ncode = \"INR\"\nexponent = 2\n");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
}

constexpr char kChannel[] =
    "[[channels]]\nid = \"at-ke\"\ntype = \"africastalking\"\nservice_code = \"*384*7#\"\n";

// Internal group loans (issue 11) start: the switch is read, and the loan
// programme the domain runs with carries it.
TEST(SettingsTest, GroupLoansTrueIsAccepted) {
  Result<Settings> s = ParseSettings("[loans]\ngroup_loans = true\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->loans.group_loans);
  EXPECT_TRUE(LoanProgrammeFrom(*s).group_loans);
  Result<Settings> off = ParseSettings("[loans]\ngroup_loans = false\n");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(LoanProgrammeFrom(*off).group_loans);
  EXPECT_FALSE(LoanProgrammeFrom(*ParseSettings("")).group_loans);
}

TEST(SettingsTest, RejectsInvalidDocuments) {
  struct Case {
    const char* name;
    std::string toml;
    std::string want_in_message;  // names the key and the problem
  };
  const Case cases[] = {
      // Syntax and structure.
      {"syntax error", "[server]\nthreads = \n", "<config>:2:"},
      {"section not a table", "server = 3\n", "server (line 1): expected a table, got an integer"},
      {"unknown top-level key", "[serverr]\nthreads = 2\n", "serverr (line 1): unknown key"},
      {"unknown server key", "[server]\nthread = 2\n", "server.thread (line 2): unknown key"},
      {"unknown root value", "debug = true\n", "debug (line 1): unknown key"},
      {"group loans not a bool", "[loans]\ngroup_loans = 1\n", "loans.group_loans (line 2):"},
      // [server]
      {"listen without port", "[server]\nlisten = \"127.0.0.1\"\n",
       "server.listen (line 2): expected HOST:PORT"},
      {"listen without host", "[server]\nlisten = \":8080\"\n",
       "server.listen (line 2): expected HOST:PORT"},
      {"listen empty port", "[server]\nlisten = \"localhost:\"\n",
       "server.listen (line 2): expected HOST:PORT"},
      {"listen bad port", "[server]\nlisten = \"localhost:http\"\n",
       "server.listen (line 2): expected HOST:PORT"},
      {"listen big port", "[server]\nlisten = \"localhost:65536\"\n",
       "server.listen (line 2): port must be between 0 and 65535"},
      {"listen bare ipv6", "[server]\nlisten = \"::1:8080\"\n",
       "server.listen (line 2): expected HOST:PORT"},
      {"listen empty", "[server]\nlisten = \"\"\n", "server.listen (line 2): must not be empty"},
      {"listen not a string", "[server]\nlisten = 8080\n",
       "server.listen (line 2): expected a string, got an integer"},
      {"threads zero", "[server]\nthreads = 0\n",
       "server.threads (line 2): must be between 1 and 64, got 0"},
      {"threads too many", "[server]\nthreads = 65\n",
       "server.threads (line 2): must be between 1 and 64, got 65"},
      {"threads as string", "[server]\nthreads = \"2\"\n",
       "server.threads (line 2): expected an integer, got a string"},
      {"threads as float", "[server]\nthreads = 2.0\n",
       "server.threads (line 2): expected an integer, got a float"},
      {"body limit small", "[server]\nbody_limit = 100\n",
       "server.body_limit (line 2): must be between 1024"},
      {"read timeout zero", "[server]\nread_timeout_ms = 0\n",
       "server.read_timeout_ms (line 2): must be between 1"},
      {"write timeout huge", "[server]\nwrite_timeout_ms = 600001\n",
       "server.write_timeout_ms (line 2): must be between 1 and 600000"},
      // [staff]
      {"api rate zero", "[staff]\napi_requests_per_minute = 0\n",
       "staff.api_requests_per_minute (line 2): must be between 1"},
      {"idle too long", "[staff]\nsession_idle_minutes = 1441\n",
       "staff.session_idle_minutes (line 2): must be between 1 and 1440"},
      {"absolute zero", "[staff]\nsession_absolute_hours = 0\n",
       "staff.session_absolute_hours (line 2): must be between 1"},
      {"secure cookies as string", "[staff]\nsecure_cookies = \"yes\"\n",
       "staff.secure_cookies (line 2): expected true or false, got a string"},
      {"staff typo", "[staff]\napi_request_per_minute = 5\n", "staff.api_request_per_minute"},
      // [store]
      {"synchronous unknown", "[store]\nsynchronous = \"EXTRA\"\n",
       "store.synchronous (line 2): expected OFF, NORMAL or FULL, got 'EXTRA'"},
      {"synchronous lowercase", "[store]\nsynchronous = \"full\"\n",
       "store.synchronous (line 2): expected OFF, NORMAL or FULL"},
      {"empty db path", "[store]\npath = \"\"\n", "store.path (line 2): must not be empty"},
      {"max batch zero", "[store]\nmax_batch = 0\n", "store.max_batch (line 2): must be between 1"},
      {"backend unknown", "[store]\nbackend = \"mysql\"\n",
       "store.backend (line 2): expected \"sqlite\" or \"postgresql\", got 'mysql'"},
      {"url not postgresql", "[store]\nurl = \"mysql://db/shg\"\n",
       "store.url (line 2): expected a postgresql:// URL"},
      {"url with a password", "[store]\nurl = \"postgresql://shg:s3cret@db:5432/shg\"\n",
       "store.url (line 2): holds a password: put it in store.password_file or store.password_env"},
      {"url with a password keyword", "[store]\nurl = \"postgresql://db/shg?password=s3cret\"\n",
       "store.url (line 2): holds a password"},
      {"pool size zero", "[store]\npool_size = 0\n", "store.pool_size (line 2): must be between 1 and 64"},
      // [security]
      {"pin failures zero", "[security]\nmax_pin_failures = 0\n",
       "security.max_pin_failures (line 2): must be between 1 and 10"},
      {"pepper file not a string", "[security]\npepper_file = false\n",
       "security.pepper_file (line 2): expected a string, got a boolean"},
      // [dialogs]
      {"session timeout zero", "[dialogs]\nsession_timeout_s = 0\n",
       "dialogs.session_timeout_s (line 2): must be between 1"},
      {"resume window negative", "[dialogs]\nresume_window_s = -1\n",
       "dialogs.resume_window_s (line 2): must be between 0"},
      {"no languages", "[dialogs]\nlanguages = []\n",
       "dialogs.languages (line 2): must list at least one language"},
      {"languages not array", "[dialogs]\nlanguages = \"en\"\n",
       "dialogs.languages (line 2): expected an array of strings"},
      {"language uppercase", "[dialogs]\nlanguages = [\"en\", \"SW\"]\n",
       "dialogs.languages[1] (line 2): expected a lowercase ISO 639 code"},
      {"language not string", "[dialogs]\nlanguages = [\"en\", 2]\n",
       "dialogs.languages[1] (line 2): expected a string"},
      {"language twice", "[dialogs]\nlanguages = [\"en\", \"en\"]\n",
       "dialogs.languages[1] (line 2): duplicate language 'en'"},
      {"default language not listed", "[dialogs]\ndefault_language = \"fr\"\n",
       "dialogs.default_language (line 2): 'fr' is not in dialogs.languages"},
      {"default dropped from languages", "[dialogs]\nlanguages = [\"sw\"]\n",
       "dialogs.default_language: 'en' is not in dialogs.languages"},
      {"empty catalogue dir", "[dialogs]\ncatalogue_dir = \"\"\n",
       "dialogs.catalogue_dir (line 2): must not be empty"},
      // [limits]
      {"max amount zero", "[limits]\nmax_amount_units = 0\n",
       "limits.max_amount_units (line 2): must be between 1"},
      {"max amount above the screen cap", "[limits]\nmax_amount_units = 100000001\n",
       "limits.max_amount_units (line 2): must be at most 100000000 (the largest amount every "
       "USSD screen and SMS fits in 160 characters), got 100000001"},
      {"max amount huge", "[limits]\nmax_amount_units = 1000000000000\n",
       "limits.max_amount_units (line 2): must be at most 100000000"},
      // [[channels]]
      {"channels as table", "[channels]\nid = \"x\"\n",
       "channels (line 1): expected an array of tables ([[channels]]), got a table"},
      {"unsupported channel type",
       "[[channels]]\nid = \"ib\"\ntype = \"infobip\"\n",
       "channels[0].type (line 3): unsupported channel type 'infobip' (supported: africastalking, "
       "twilio, kannel, hubtel)"},
      {"service code on an SMS-only type",
       "[[channels]]\nid = \"k\"\ntype = \"kannel\"\nservice_code = \"*1#\"\n",
       "channels[0] (line 1): channel type 'kannel' has no USSD: remove service_code"},
      {"sending without secret",
       "[[channels]]\nid = \"a\"\ntype = \"africastalking\"\nusername = \"u\"\n",
       "channels[0] (line 1): sending (username set) needs secret or secret_env"},
      {"kannel sending without base url",
       "[[channels]]\nid = \"k\"\ntype = \"kannel\"\nusername = \"u\"\nsecret = \"p\"\n",
       "channels[0] (line 1): a kannel channel needs api_base_url"},
      {"kannel sending without sender",
       "[[channels]]\nid = \"kannel-ke\"\ntype = \"kannel\"\nusername = \"u\"\nsecret = \"p\"\n"
       "api_base_url = \"http://127.0.0.1:13013\"\n",
       "channels[0] (line 1): kannel channel 'kannel-ke' sends but has no sender: set sender"},
      {"kannel sending with an empty sender and global sender off",
       "[[channels]]\nid = \"kannel-ke\"\ntype = \"kannel\"\nusername = \"u\"\nsecret = \"p\"\n"
       "api_base_url = \"http://127.0.0.1:13013\"\nsender = \"\"\nkannel_global_sender = false\n",
       "or kannel_global_sender = true if smsbox has a global-sender"},
      {"kannel global sender not a boolean",
       "[[channels]]\nid = \"k\"\ntype = \"kannel\"\nkannel_global_sender = \"yes\"\n",
       "channels[0].kannel_global_sender (line 4): expected true or false, got a string"},
      {"kannel global sender on another type",
       "[[channels]]\nid = \"at-ke\"\ntype = \"africastalking\"\nkannel_global_sender = true\n",
       "channels[0] (line 1): kannel_global_sender is for kannel channels only (channel 'at-ke' "
       "is africastalking)"},
      {"twilio without public base url",
       "[[channels]]\nid = \"t\"\ntype = \"twilio\"\nsecret = \"tok\"\n",
       "channels[0] (line 1): a twilio channel needs public_base_url"},
      {"twilio without token",
       "[[channels]]\nid = \"t\"\ntype = \"twilio\"\npublic_base_url = \"https://gw.example.org\"\n",
       "channels[0] (line 1): a twilio channel needs secret"},
      {"base url with trailing slash",
       "[[channels]]\nid = \"a\"\ntype = \"africastalking\"\napi_base_url = \"http://x/\"\n",
       "channels[0].api_base_url (line 4): expected a base URL"},
      {"secret_env unset",
       "[[channels]]\nid = \"a\"\ntype = \"africastalking\"\nsecret_env = \"SHG_TEST_UNSET_VAR_X\"\n",
       "channels[0] (line 1): environment variable SHG_TEST_UNSET_VAR_X (secret_env) is not set"},
      {"sms_via to nothing",
       "[[channels]]\nid = \"a\"\ntype = \"africastalking\"\nsms_via = \"b\"\n",
       "channel 'a': sms_via 'b' is not a configured channel that sends"},
      {"send rate zero",
       "[[channels]]\nid = \"a\"\ntype = \"africastalking\"\nsend_rate_per_s = 0\n",
       "channels[0].send_rate_per_s (line 4): must be between"},
      {"outbox workers zero", "[outbox]\nworkers = 0\n", "outbox.workers (line 2): must be between 1"},
      {"outbox unknown key", "[outbox]\nthreads = 2\n", "outbox.threads (line 2): unknown key"},
      {"retry max below base", "[outbox]\nretry_base_ms = 5000\nretry_max_ms = 1000\n",
       "outbox.retry_max_ms must be at least outbox.retry_base_ms"},
      {"channel id uppercase", "[[channels]]\nid = \"AT_KE\"\n",
       "channels[0].id (line 2): must use only a-z, 0-9 and '-'"},
      {"channel id empty", "[[channels]]\nid = \"\"\n",
       "channels[0].id (line 2): must not be empty"},
      {"channel ids repeat", std::string(kChannel) + kChannel,
       "channels[1].id (line 6): duplicate channel id 'at-ke'"},
      {"channel missing id", "[[channels]]\ntype = \"africastalking\"\nservice_code = \"*1#\"\n",
       "channels[0] (line 1): missing required key 'id'"},
      {"channel missing type", "[[channels]]\nid = \"a\"\nservice_code = \"*1#\"\n",
       "channels[0] (line 1): missing required key 'type'"},
      {"service code no star",
       std::string(kChannel) +
           "[[channels]]\nid = \"b\"\ntype = \"africastalking\"\nservice_code = \"384*7#\"\n",
       "channels[1].service_code (line 8): expected a USSD code like \"*384*7#\", got '384*7#'"},
      {"service code no hash", "[[channels]]\nservice_code = \"*384*7\"\n",
       "channels[0].service_code (line 2): expected a USSD code"},
      {"service code empty group", "[[channels]]\nservice_code = \"*384**7#\"\n",
       "channels[0].service_code (line 2): expected a USSD code"},
      {"service code letters", "[[channels]]\nservice_code = \"*38a#\"\n",
       "channels[0].service_code (line 2): expected a USSD code"},
      {"service code bare", "[[channels]]\nservice_code = \"*#\"\n",
       "channels[0].service_code (line 2): expected a USSD code"},
      {"channel country", "[[channels]]\ncountry = \"US\"\n",
       "channels[0].country (line 2): unsupported country 'US' (supported: KE, UG, TZ, RW, IN)"},
      {"channel unknown key", "[[channels]]\npassword = \"x\"\n",
       "channels[0].password (line 2): unknown key"},
      // [[currencies]]
      {"unknown currency", "[[currencies]]\ncode = \"USD\"\nexponent = 2\n",
       "currencies[0].code (line 2): currency 'USD' is not in the built-in table"},
      {"exponent mismatch", "[[currencies]]\ncode = \"UGX\"\nexponent = 2\n",
       "currencies[0] (line 1): currency UGX has exponent 0 in the built-in table, not 2"},
      {"currency missing exponent", "[[currencies]]\ncode = \"KES\"\n",
       "currencies[0] (line 1): missing required key 'exponent'"},
      {"currency unknown key", "[[currencies]]\ncode = \"KES\"\nsymbol = \"KSh\"\n",
       "currencies[0].symbol (line 3): unknown key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Settings> s = ParseSettings(c.toml);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.status().message().find(c.want_in_message), std::string::npos)
        << "message: " << s.status().message() << "\nwanted: " << c.want_in_message;
  }
}

// Kannel refuses a sendsms without a from unless smsbox has a global-sender:
// a sending kannel channel needs one of the two, a receiving one neither.
TEST(SettingsTest, KannelSendsWithASenderOrAGlobalSender) {
  const std::string kSending =
      "[[channels]]\nid = \"kannel-ke\"\ntype = \"kannel\"\nusername = \"u\"\nsecret = \"p\"\n"
      "api_base_url = \"http://127.0.0.1:13013\"\n";
  struct Case {
    const char* name;
    std::string toml;
    std::string sender;
    bool global_sender;
    bool sends;
  };
  const Case cases[] = {
      {"own sender", kSending + "sender = \"22555\"\n", "22555", false, true},
      {"global sender", kSending + "kannel_global_sender = true\n", "", true, true},
      {"both", kSending + "sender = \"SHG\"\nkannel_global_sender = true\n", "SHG", true, true},
      {"receive only", "[[channels]]\nid = \"kannel-ke\"\ntype = \"kannel\"\n", "", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Settings> s = ParseSettings(c.toml);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_EQ(s->channels.size(), 1u);
    EXPECT_EQ(s->channels[0].sender, c.sender);
    EXPECT_EQ(s->channels[0].kannel_global_sender, c.global_sender);
    EXPECT_EQ(s->channels[0].sends(), c.sends);
  }
}

TEST(SettingsTest, LoadSettingsNamesTheFile) {
  Result<Settings> missing = LoadSettings(kSourceDir + "/config/no-such-file.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("no-such-file.toml"), std::string::npos);

  TempFile bad("bad.toml", "[server]\nthreads = [\n");
  Result<Settings> parsed = LoadSettings(bad.path());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(parsed.status().message().rfind(bad.path() + ":", 0), 0u) << parsed.status().message();
}

class LoadPepperTest : public ::testing::Test {
 protected:
  static constexpr char kEnv[] = "SHG_SETTINGS_TEST_PEPPER";
  void SetUp() override { unsetenv(kEnv); }
  void TearDown() override { unsetenv(kEnv); }
};

TEST_F(LoadPepperTest, Sources) {
  const std::string pepper = "0123456789abcdef0123";
  TempFile lf("pepper_lf", pepper + "\n");
  TempFile crlf("pepper_crlf", pepper + "\r\n");
  TempFile bare("pepper_bare", pepper);
  TempFile exact16("pepper_16", "0123456789abcdef");
  struct Case {
    const char* name;
    std::string file;
    std::string env_name;
    const char* env_value;  // nullptr: variable unset
    std::string want;
  };
  const Case cases[] = {
      {"file with newline", lf.path(), kEnv, nullptr, pepper},
      {"file with CRLF", crlf.path(), kEnv, nullptr, pepper},
      {"file without newline", bare.path(), kEnv, nullptr, pepper},
      {"file of exactly 16 bytes", exact16.path(), kEnv, nullptr, "0123456789abcdef"},
      {"file wins over env", bare.path(), kEnv, "ffffffffffffffffffff", pepper},
      {"env when no file", "", kEnv, "env-pepper-of-enough-bytes", "env-pepper-of-enough-bytes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    if (c.env_value != nullptr)
      setenv(kEnv, c.env_value, 1);
    else
      unsetenv(kEnv);
    Settings s;
    s.pepper_file = c.file;
    s.pepper_env = c.env_name;
    Result<std::string> r = LoadPepper(s);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want);
  }
}

TEST_F(LoadPepperTest, Failures) {
  TempFile short_file("pepper_short", "tooshort\n");
  TempFile newline_padded("pepper_padded", "0123456789abcde\n\n");  // 15 bytes + newlines
  struct Case {
    const char* name;
    std::string file;
    std::string env_name;
    const char* env_value;
    std::string want_in_message;
  };
  const Case cases[] = {
      {"short file", short_file.path(), kEnv, nullptr, "must be at least 16 bytes, got 8"},
      {"newlines do not count", newline_padded.path(), kEnv, nullptr,
       "must be at least 16 bytes, got 15"},
      {"missing file", "/nonexistent/shg/pepper", kEnv, "env-pepper-of-enough-bytes",
       "cannot read security.pepper_file '/nonexistent/shg/pepper'"},
      {"short env", "", kEnv, "short", "must be at least 16 bytes, got 5"},
      {"env unset", "", kEnv, nullptr,
       "no PIN pepper: set security.pepper_file or the environment variable "
       "SHG_SETTINGS_TEST_PEPPER"},
      {"nothing configured", "", "", nullptr,
       "no PIN pepper: set security.pepper_file or security.pepper_env"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    if (c.env_value != nullptr)
      setenv(kEnv, c.env_value, 1);
    else
      unsetenv(kEnv);
    Settings s;
    s.pepper_file = c.file;
    s.pepper_env = c.env_name;
    Result<std::string> r = LoadPepper(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want_in_message), std::string::npos)
        << r.status().message();
  }
}

TEST_F(LoadPepperTest, ErrorsNeverContainThePepper) {
  TempFile short_file("pepper_secret", "s3cr3t-value\n");
  Settings s;
  s.pepper_file = short_file.path();
  Result<std::string> r = LoadPepper(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cr3t"), std::string::npos) << r.status().message();
}

TEST(LoadStoreOptionsTest, PostgresqlTakesItsPasswordFromTheFileOrTheEnvironment) {
  constexpr char kEnv[] = "SHG_SETTINGS_TEST_STORE_PASSWORD";
  TempFile pw("store_password", "s3cret-from-file\r\n");
  Result<Settings> s = ParseSettings(
      "[store]\nbackend = \"postgresql\"\nurl = \"postgresql://shg@db.example:5432/shg\"\n"
      "password_file = \"" + pw.path() + "\"\npool_size = 8\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->store_backend, "postgresql");
  EXPECT_EQ(s->store_pool_size, 8);
  struct Case {
    const char* name;
    std::string file;
    const char* env_value;  // nullptr: unset
    std::string want;
  };
  const Case cases[] = {
      {"file (line ending dropped)", pw.path(), "from-env", "s3cret-from-file"},
      {"environment when no file", "", "from-env", "from-env"},
      {"neither: libpq's own (~/.pgpass)", "", nullptr, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    if (c.env_value != nullptr) {
      setenv(kEnv, c.env_value, 1);
    } else {
      unsetenv(kEnv);
    }
    Settings settings = *s;
    settings.store_password_file = c.file;
    settings.store_password_env = kEnv;
    Result<store::StoreOptions> o = LoadStoreOptions(settings);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->backend, "postgresql");
    EXPECT_EQ(o->url, "postgresql://shg@db.example:5432/shg");
    EXPECT_EQ(o->pool_size, 8);
    EXPECT_EQ(o->password, c.want);
  }
  unsetenv(kEnv);
  Settings no_url;
  no_url.store_backend = "postgresql";
  Result<store::StoreOptions> refused = LoadStoreOptions(no_url);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("store.url"), std::string::npos);
  Settings missing_file = *s;
  missing_file.store_password_file = "/nonexistent/store-password";
  EXPECT_EQ(LoadStoreOptions(missing_file).status().code(), Status::Code::kInvalidArgument);
}

TEST(LoadStoreOptionsTest, SqliteIsTheDefault) {
  Settings s;
  Result<store::StoreOptions> o = LoadStoreOptions(s);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->backend, "sqlite");
  EXPECT_EQ(o->path, "shg-gateway.db");
  EXPECT_EQ(o->synchronous, "FULL");
}

}  // namespace
}  // namespace shg::config
