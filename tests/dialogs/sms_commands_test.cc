// SMS commands against a real SQLite file with the demo data: each inbound
// SMS is handled in a store job, and the outbox, savings and inbound log
// are read back.
#include "dialogs/sms_commands.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <iterator>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "dialogs/receipts.h"
#include "dialogs/screens.h"
#include "domain/demo.h"
#include "domain/loan_schedule.h"
#include "domain/money.h"
#include "domain/messages.h"
#include "domain/phone.h"
#include "domain/store/store.h"
#include "tests/dialogs/loan_programme.h"
#include "tests/support/test_db.h"

namespace shg::dialogs {
namespace {

constexpr int64_t kNow = 1'795'737'600 + 9 * 3600;  // 2026-11-27T09:00:00Z
constexpr int64_t kDay = 86400;

const std::string kAmina = "+254700000001";    // en, KES 4,250 confirmed
const std::string kFaith = "+254700000004";    // en, no PIN, no savings
const std::string kHalima = "+254700000006";   // sw, KES 2,000 confirmed
const std::string kShared = "+254700000007";   // Rose and Joy
const std::string kUnused = "+254700000020";   // no member
const std::string kUgandan = "+256700000003";  // Tumaini, UGX 20,000

// The demo's Upendo loan fund: every confirmed saving of its 20 members.
constexpr char kUpendoFund[] = "KES 40,150";

constexpr char kCountInbound[] = "SELECT COUNT(*) FROM inbound_messages";
constexpr char kCountSavings[] = "SELECT COUNT(*) FROM savings";
constexpr char kPendingOf[] =
    "SELECT s.id, s.amount, s.channel, s.reference FROM savings s JOIN members m"
    " ON m.id = s.member_id WHERE m.phone = ? AND s.status = 'pending' ORDER BY s.id";
constexpr char kAuditCount[] =
    "SELECT COUNT(*) FROM audit_log WHERE action = ? AND channel = 'at-ke'";
constexpr char kInboundMember[] =
    "SELECT COALESCE(member_id, 0), phone FROM inbound_messages WHERE provider_id = ?";

class SmsCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so = test_db_.Options();
    so.synchronous = "OFF";
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    ASSERT_TRUE(LoadDemo(*store_, pins_, 30, kNow - kDay).ok());
    auto cat = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", {"en", "sw"});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalogue_ = std::make_unique<Catalogue>(std::move(*cat));
    SmsRouting routing;
    routing.via = {{"at-ke", "at-ke"}, {"at-ug", "at-ug"}};
    routing.by_country = {{"KE", "at-ke"}, {"UG", "at-ug"}};
    notifier_ = std::make_unique<Notifier>(*catalogue_, routing, "en");
    commands_ = std::make_unique<SmsCommands>(*catalogue_, *notifier_, Options());
  }
  void TearDown() override {
    store_.reset();
  }

  static const LoanProgramme& Programme() {
    static const LoanProgramme p = TestLoanProgramme();
    return p;
  }

  static SmsCommandOptions Options() {
    SmsCommandOptions o;
    o.loans = &Programme();
    o.channel_country = {{"at-ke", "KE"}, {"at-ug", "UG"}, {"tw-ke", "KE"}};
    o.channel_service_code = {{"at-ke", "*384*7#"}, {"at-ug", "*270*5#"}};
    return o;
  }

  // Handles one SMS in a store job at `now` with `commands`.
  Result<SmsOutcome> Handle(const InboundSmsEvent& ev, int64_t now, const SmsCommands& commands) {
    Result<SmsOutcome> out = Status::Internal("not run");
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, now};
      Services svc(conn, ctx);
      Messages messages(conn, now * 1000);
      out = commands.Handle(svc, messages, ev);
      return out.status();
    });
    if (!s.ok() && out.ok()) return s;
    return out;
  }

  SmsOutcome Sms(const std::string& from, const std::string& text, const std::string& provider_id,
                 int64_t now = kNow, const std::string& channel = "at-ke") {
    InboundSmsEvent ev{channel, provider_id, from, text, "req-" + provider_id};
    Result<SmsOutcome> r = Handle(ev, now, *commands_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SmsOutcome::kDuplicate;
  }

  // The outbox, oldest first.
  std::vector<OutboundMessage> Outbox() {
    Messages m(store_->Reader(), 0);
    auto list = m.List("", 10000);
    EXPECT_TRUE(list.ok());
    return std::vector<OutboundMessage>(list->rbegin(), list->rend());
  }

  int64_t Count(const char* sql, std::string_view arg = {}) {
    store::Statement& st = store_->Reader().Prepare(sql);
    store::ScopedReset reset(st);
    if (!arg.empty()) st.Bind(1, arg);
    auto row = st.Step();
    EXPECT_TRUE(row.ok() && *row);
    return st.Int(0);
  }

  struct Pending {
    int64_t id, amount;
    std::string channel, reference;
  };
  std::vector<Pending> PendingOf(const std::string& phone) {
    store::Statement& st = store_->Reader().Prepare(kPendingOf);
    store::ScopedReset reset(st);
    st.Bind(1, phone);
    std::vector<Pending> out;
    while (true) {
      auto row = st.Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      out.push_back({st.Int(0), st.Int(1), st.Text(2), st.Text(3)});
    }
    return out;
  }

  Member MemberOn(const std::string& phone, size_t index = 0) {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(store_->Reader(), ctx);
    auto ms = svc.MembersByPhone(phone);
    EXPECT_TRUE(ms.ok() && ms->size() > index);
    return ms.ok() && ms->size() > index ? (*ms)[index] : Member{};
  }

  shg::testing::TestDatabase test_db_;
  PinHasher pins_{"sms-test-pepper-0123456789abcdef"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<SmsCommands> commands_;
};

// ------------------------------------------------------------------ parsing

TEST_F(SmsCommandsTest, ParsesKeywordsOfEveryLanguageLeniently) {
  struct Case {
    const char* text;
    SmsCommand want;
    const char* want_arg;
  };
  const Case kCases[] = {
      {"BAL", SmsCommand::kBalance, ""},
      {"bal", SmsCommand::kBalance, ""},
      {"  Bal \r\n", SmsCommand::kBalance, ""},
      {"BAL.", SmsCommand::kBalance, ""},
      {"salio", SmsCommand::kBalance, ""},
      {"SALIO tafadhali", SmsCommand::kBalance, "TAFADHALI"},
      {"SAVE 200", SmsCommand::kSave, "200"},
      {"save  200", SmsCommand::kSave, "200"},
      {"\tSave\t200 ", SmsCommand::kSave, "200"},
      {"Save200", SmsCommand::kSave, "200"},
      {"SAVE200 now", SmsCommand::kSave, "200 NOW"},
      {"SAVE KES 200", SmsCommand::kSave, "KES 200"},
      {"AKIBA 1,000", SmsCommand::kSave, "1,000"},
      {"akiba1,000!", SmsCommand::kSave, "1,000"},
      {"SAVE", SmsCommand::kSave, ""},
      {"HELP", SmsCommand::kHelp, ""},
      {"Msaada", SmsCommand::kHelp, ""},
      {"LOAN 5000", SmsCommand::kLoan, "5000"},
      {"mkopo", SmsCommand::kLoan, ""},
      {"", SmsCommand::kNone, ""},
      {"   ", SmsCommand::kNone, ""},
      {"BALANCE", SmsCommand::kNone, ""},
      {"SAVEX 200", SmsCommand::kNone, ""},
      {"200 SAVE", SmsCommand::kNone, ""},
      {"B AL", SmsCommand::kNone, ""},
      {"Habari", SmsCommand::kNone, ""},
  };
  for (const Case& c : kCases) {
    ParsedSms p = ParseSmsCommand(*catalogue_, c.text);
    EXPECT_EQ(p.command, c.want) << "'" << c.text << "'";
    EXPECT_EQ(p.argument, c.want_arg) << "'" << c.text << "'";
  }
}

TEST(SmsOutcomeTest, NamesAreDistinctMetricLabels) {
  const SmsOutcome kAll[] = {SmsOutcome::kDuplicate,    SmsOutcome::kBadPhone,
                             SmsOutcome::kUnregistered, SmsOutcome::kUnregisteredQuiet,
                             SmsOutcome::kBalance,      SmsOutcome::kSave,
                             SmsOutcome::kHelp,         SmsOutcome::kLoan,
                             SmsOutcome::kUnknown,      SmsOutcome::kSharedPhone,
                             SmsOutcome::kBadAmount};
  std::set<std::string> names;
  for (SmsOutcome o : kAll) names.insert(SmsOutcomeName(o));
  EXPECT_EQ(names.size(), std::size(kAll));
  EXPECT_STREQ(SmsOutcomeName(SmsOutcome::kUnregisteredQuiet), "unregistered_quiet");
}

// ------------------------------------------------------------------ replies

struct ReplyCase {
  const char* name;
  std::string from;
  std::string text;
  SmsOutcome want;
  std::string want_body;  // exact reply
  std::string want_language;
  bool to_member;  // member_id is the sender's (else 0)
  std::string channel = "at-ke";
};

void PrintTo(const ReplyCase& c, std::ostream* os) { *os << c.name; }

class SmsReplyTest : public SmsCommandsTest, public ::testing::WithParamInterface<ReplyCase> {};

TEST_P(SmsReplyTest, QueuesExactlyTheExpectedReply) {
  const ReplyCase& c = GetParam();
  const size_t before = Outbox().size();
  const int64_t savings = Count(kCountSavings);
  EXPECT_EQ(Sms(c.from, c.text, "in-1", kNow, c.channel), c.want) << SmsOutcomeName(c.want);
  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), before + 1);
  const OutboundMessage& m = out.back();
  EXPECT_EQ(m.body, c.want_body);
  EXPECT_EQ(m.language, c.want_language);
  EXPECT_EQ(m.channel, c.channel);  // the reply goes back the way it came
  const std::string e164 = *ParsePhone(c.from, c.channel == "at-ug" ? "UG" : "KE");
  EXPECT_EQ(m.phone, e164);
  EXPECT_EQ(m.member_id, c.to_member ? MemberOn(e164).id : 0);
  EXPECT_EQ(m.status, "queued");
  EXPECT_EQ(m.encoding, "gsm7");
  EXPECT_EQ(m.segments, 1);
  EXPECT_FALSE(m.sensitive);
  EXPECT_EQ(Count(kCountSavings), savings);  // only SAVE logs a saving
  EXPECT_EQ(Count(kCountInbound), 1);
}

// Then the social fund and her share-out estimate (issue 11): both fit.
const std::string kAminaBalance =
    std::string("Amina: savings KES 4,250, pending KES 0. Group fund ") + kUpendoFund +
    ". Loan: none. Social fund KES 0. Share-out est. KES 4,250";
const std::string kHalimaBalance = std::string("Halima: akiba KES 2,000, inasubiri KES 0. Mfuko ") +
                                   kUpendoFund +
                                   ". Mkopo: hakuna. Mfuko wa jamii KES 0. Makadirio ya mgao KES 2,000";
const std::string kHelpEn =
    "Send BAL for your balance, SAVE 200 to log a saving of 200, LOAN for your loan. Or dial "
    "*384*7#.";
const std::string kHelpSw =
    "Tuma SALIO kupata salio, AKIBA 200 kuweka akiba ya 200, MKOPO kuona mkopo wako. Au piga "
    "*384*7#.";
const std::string kUnknownEn = "Sorry, we did not understand. Send HELP for the list of commands.";
const std::string kUnknownSw = "Samahani, hatukuelewa. Tuma MSAADA kupata orodha ya amri.";
const std::string kUsageEn =
    "To log a saving send SAVE and the amount in whole KES, e.g. SAVE 200.";
const std::string kUsageSw = "Kuweka akiba tuma AKIBA na kiasi kwa KES kamili, mfano AKIBA 200.";
const std::string kMaxEn = "The most at once is KES 1,000,000. Nothing was saved.";
const std::string kMaxSw = "Kiwango cha juu kwa mara moja ni KES 1,000,000. Hakuna kilichowekwa.";
const std::string kSharedEn =
    "This phone is shared by several members. Please dial *384*7# and choose your name.";

INSTANTIATE_TEST_SUITE_P(
    Commands, SmsReplyTest,
    ::testing::Values(
        ReplyCase{"bal", kAmina, "BAL", SmsOutcome::kBalance, kAminaBalance, "en", true},
        ReplyCase{"bal_lower", kAmina, "bal", SmsOutcome::kBalance, kAminaBalance, "en", true},
        ReplyCase{"bal_spaces", kAmina, "  Bal \n", SmsOutcome::kBalance, kAminaBalance, "en",
                  true},
        ReplyCase{"bal_dot", kAmina, "BAL.", SmsOutcome::kBalance, kAminaBalance, "en", true},
        // Any language's keyword; the reply is in HER language.
        ReplyCase{"salio_en_member", kAmina, "SALIO", SmsOutcome::kBalance, kAminaBalance, "en",
                  true},
        ReplyCase{"salio_sw_member", kHalima, "Salio", SmsOutcome::kBalance, kHalimaBalance, "sw",
                  true},
        ReplyCase{"bal_sw_member", kHalima, "BAL", SmsOutcome::kBalance, kHalimaBalance, "sw",
                  true},
        ReplyCase{"bal_national_sender", "0700000001", "BAL", SmsOutcome::kBalance, kAminaBalance,
                  "en", true},
        ReplyCase{"bal_sender_without_plus", "254700000001", "bal", SmsOutcome::kBalance,
                  kAminaBalance, "en", true},
        ReplyCase{"bal_no_pin_member", kFaith, "BAL", SmsOutcome::kBalance,
                  // No savings: no estimate.
                  std::string("Faith: savings KES 0, pending KES 0. Group fund ") + kUpendoFund +
                      ". Loan: none. Social fund KES 0",
                  "en", true},
        ReplyCase{"bal_uganda_channel_country", "0700000003", "BAL", SmsOutcome::kBalance,
                  "Grace: savings UGX 20,000, pending UGX 0. Group fund UGX 200,000. Loan: none. "
                  "Social fund UGX 0. Share-out est. UGX 20,000",
                  "en", true, "at-ug"},
        ReplyCase{"help", kAmina, "HELP", SmsOutcome::kHelp, kHelpEn, "en", true},
        ReplyCase{"help_sw_keyword_en_member", kAmina, "msaada", SmsOutcome::kHelp, kHelpEn, "en",
                  true},
        ReplyCase{"help_sw", kHalima, "MSAADA", SmsOutcome::kHelp, kHelpSw, "sw", true},
        ReplyCase{"help_uganda_code", kUgandan, "help", SmsOutcome::kHelp,
                  "Send BAL for your balance, SAVE 200 to log a saving of 200, LOAN for your loan. "
                  "Or dial *270*5#.",
                  "en", true, "at-ug"},
        ReplyCase{"loan", kAmina, "LOAN", SmsOutcome::kLoan,
                  "You have no loan. To request one dial *384*7# and choose 3.", "en", true},
        ReplyCase{"loan_sw_with_amount", kHalima, "mkopo 5000", SmsOutcome::kLoan,
                  "Huna mkopo. Kuomba mkopo piga *384*7# uchague 3.", "sw", true},
        ReplyCase{"unknown", kAmina, "Hello there", SmsOutcome::kUnknown, kUnknownEn, "en", true},
        ReplyCase{"unknown_sw", kHalima, "Habari", SmsOutcome::kUnknown, kUnknownSw, "sw", true},
        ReplyCase{"empty", kAmina, "", SmsOutcome::kUnknown, kUnknownEn, "en", true},
        ReplyCase{"not_a_keyword", kAmina, "BALANCE", SmsOutcome::kUnknown, kUnknownEn, "en", true},
        ReplyCase{"save_no_amount", kAmina, "SAVE", SmsOutcome::kBadAmount, kUsageEn, "en", true},
        ReplyCase{"save_words", kAmina, "SAVE abc", SmsOutcome::kBadAmount, kUsageEn, "en", true},
        ReplyCase{"save_zero", kAmina, "save 0", SmsOutcome::kBadAmount, kUsageEn, "en", true},
        ReplyCase{"save_negative", kAmina, "SAVE -200", SmsOutcome::kBadAmount, kUsageEn, "en",
                  true},
        ReplyCase{"save_cents", kAmina, "SAVE 12.50", SmsOutcome::kBadAmount, kUsageEn, "en", true},
        ReplyCase{"save_spaced_digits", kAmina, "SAVE 1 000", SmsOutcome::kBadAmount, kUsageEn,
                  "en", true},
        ReplyCase{"save_other_currency", kAmina, "SAVE UGX 200", SmsOutcome::kBadAmount, kUsageEn,
                  "en", true},
        ReplyCase{"save_sw_no_amount", kHalima, "AKIBA", SmsOutcome::kBadAmount, kUsageSw, "sw",
                  true},
        ReplyCase{"save_over_max", kAmina, "SAVE 1000001", SmsOutcome::kBadAmount, kMaxEn, "en",
                  true},
        ReplyCase{"save_over_max_sw", kHalima, "akiba 2,000,000", SmsOutcome::kBadAmount, kMaxSw,
                  "sw", true},
        // Rose and Joy share a phone: whose balance or saving is ambiguous.
        ReplyCase{"shared_bal", kShared, "BAL", SmsOutcome::kSharedPhone, kSharedEn, "en", false},
        ReplyCase{"shared_save", kShared, "SAVE 200", SmsOutcome::kSharedPhone, kSharedEn, "en",
                  false},
        ReplyCase{"shared_loan", kShared, "LOAN", SmsOutcome::kSharedPhone, kSharedEn, "en", false},
        ReplyCase{"shared_help", kShared, "HELP", SmsOutcome::kHelp, kHelpEn, "en", false},
        ReplyCase{"shared_unknown", kShared, "hi", SmsOutcome::kUnknown, kUnknownEn, "en", false}),
    [](const ::testing::TestParamInfo<ReplyCase>& info) { return std::string(info.param.name); });

// ------------------------------------------------------------------ SAVE

struct SaveCase {
  const char* name;
  std::string from;
  std::string text;
  int64_t want_minor;
  std::string want_receipt_prefix;  // before the reference
  std::string want_receipt_suffix;  // after it
};

void PrintTo(const SaveCase& c, std::ostream* os) { *os << c.name; }

class SmsSaveTest : public SmsCommandsTest, public ::testing::WithParamInterface<SaveCase> {};

TEST_P(SmsSaveTest, LogsAPendingSavingAndQueuesOneReceipt) {
  const SaveCase& c = GetParam();
  const int64_t savings = Count(kCountSavings);
  EXPECT_EQ(Sms(c.from, c.text, "ATXid_42"), SmsOutcome::kSave);
  ASSERT_EQ(Count(kCountSavings), savings + 1);
  std::vector<Pending> pending = PendingOf(c.from);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].amount, c.want_minor);
  EXPECT_EQ(pending[0].channel, "at-ke");

  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), 1u);  // the receipt is the reply
  const OutboundMessage& m = out[0];
  EXPECT_EQ(m.body, c.want_receipt_prefix + pending[0].reference + c.want_receipt_suffix);
  EXPECT_EQ(m.kind, "receipt_saving");
  EXPECT_EQ(m.channel, "at-ke");
  EXPECT_EQ(m.phone, c.from);
  EXPECT_EQ(m.member_id, MemberOn(c.from).id);
  EXPECT_EQ(m.segments, 1);
  EXPECT_EQ(Count(kAuditCount, "saving.logged"), 1);
}

const std::string kAminaReceipt = "Saved KES 200 on 27 November, pending confirmation. Ref ";
const std::string kAminaReceiptEnd = ". Confirmed savings: KES 4,250";

INSTANTIATE_TEST_SUITE_P(
    Amounts, SmsSaveTest,
    ::testing::Values(
        SaveCase{"plain", kAmina, "SAVE 200", 20000, kAminaReceipt, kAminaReceiptEnd},
        SaveCase{"lower_two_spaces", kAmina, "save  200", 20000, kAminaReceipt, kAminaReceiptEnd},
        SaveCase{"glued", kAmina, "Save200", 20000, kAminaReceipt, kAminaReceiptEnd},
        SaveCase{"currency_code", kAmina, "SAVE KES 200", 20000, kAminaReceipt, kAminaReceiptEnd},
        SaveCase{"currency_code_lower", kAmina, "save kes200", 20000, kAminaReceipt,
                 kAminaReceiptEnd},
        SaveCase{"cents_zero", kAmina, "akiba 200.00", 20000, kAminaReceipt, kAminaReceiptEnd},
        SaveCase{"sw_keyword_en_member", kAmina, "AKIBA 1,000", 100000,
                 "Saved KES 1,000 on 27 November, pending confirmation. Ref ",
                 kAminaReceiptEnd},
        SaveCase{"maximum", kAmina, "SAVE 1,000,000", 100000000,
                 "Saved KES 1,000,000 on 27 November, pending confirmation. Ref ",
                 kAminaReceiptEnd},
        SaveCase{"sw_member", kHalima, "AKIBA 1,500", 150000,
                 "Umeweka KES 1,500 tarehe 27 Novemba, inasubiri kuthibitishwa. Kumb ",
                 ". Akiba iliyothibitishwa: KES 2,000"},
        SaveCase{"sw_member_en_keyword", kHalima, "SAVE 300", 30000,
                 "Umeweka KES 300 tarehe 27 Novemba, inasubiri kuthibitishwa. Kumb ",
                 ". Akiba iliyothibitishwa: KES 2,000"}),
    [](const ::testing::TestParamInfo<SaveCase>& info) { return std::string(info.param.name); });

TEST_F(SmsCommandsTest, SavedAmountShowsAsPendingInTheNextBalance) {
  ASSERT_EQ(Sms(kAmina, "SAVE 700", "a"), SmsOutcome::kSave);
  ASSERT_EQ(Sms(kAmina, "BAL", "b"), SmsOutcome::kBalance);
  EXPECT_EQ(Outbox().back().body,
            std::string("Amina: savings KES 4,250, pending KES 700. Group fund ") + kUpendoFund +
                ". Loan: none. Social fund KES 0. Share-out est. KES 4,250");
}

// ------------------------------------------------------------------ once only

TEST_F(SmsCommandsTest, ARepeatedProviderIdIsHandledOnce) {
  EXPECT_EQ(Sms(kAmina, "SAVE 200", "ATXid_7"), SmsOutcome::kSave);
  EXPECT_EQ(Sms(kAmina, "SAVE 200", "ATXid_7"), SmsOutcome::kDuplicate);
  EXPECT_EQ(Sms(kAmina, "SAVE 200", "ATXid_7", kNow + 3600), SmsOutcome::kDuplicate);
  EXPECT_EQ(PendingOf(kAmina).size(), 1u);
  EXPECT_EQ(Outbox().size(), 1u);
  EXPECT_EQ(Count(kCountInbound), 1);

  EXPECT_EQ(Sms(kAmina, "BAL", "ATXid_8"), SmsOutcome::kBalance);
  EXPECT_EQ(Sms(kAmina, "BAL", "ATXid_8"), SmsOutcome::kDuplicate);
  EXPECT_EQ(Outbox().size(), 2u);
  // A new provider id is a new SMS, even with the same text.
  EXPECT_EQ(Sms(kAmina, "SAVE 200", "ATXid_9"), SmsOutcome::kSave);
  EXPECT_EQ(PendingOf(kAmina).size(), 2u);
  EXPECT_EQ(Outbox().size(), 3u);
  // The same provider id on another channel is another SMS.
  EXPECT_EQ(Sms(kUgandan, "BAL", "ATXid_7", kNow, "at-ug"), SmsOutcome::kBalance);
  EXPECT_EQ(Outbox().size(), 4u);
  EXPECT_EQ(Count(kCountInbound), 4);
}

TEST_F(SmsCommandsTest, TheInboundLogKeepsTheSenderAndMember) {
  ASSERT_EQ(Sms("0700000001", "BAL", "p1"), SmsOutcome::kBalance);
  ASSERT_EQ(Sms(kShared, "BAL", "p2"), SmsOutcome::kSharedPhone);
  ASSERT_EQ(Sms(kUnused, "BAL", "p3"), SmsOutcome::kUnregistered);
  struct Want {
    const char* id;
    int64_t member;
    std::string phone;
  };
  for (const Want& w :
       {Want{"p1", MemberOn(kAmina).id, kAmina}, Want{"p2", 0, kShared}, Want{"p3", 0, kUnused}}) {
    store::Statement& st = store_->Reader().Prepare(kInboundMember);
    store::ScopedReset reset(st);
    st.Bind(1, std::string_view(w.id));
    auto row = st.Step();
    ASSERT_TRUE(row.ok() && *row) << w.id;
    EXPECT_EQ(st.Int(0), w.member) << w.id;
    EXPECT_EQ(st.Text(1), w.phone) << w.id;
  }
}

TEST_F(SmsCommandsTest, AnUnknownNumberIsToldOncePerDay) {
  const std::string kNotRegistered = "This number is not registered. Ask your group facilitator.";
  struct Step {
    std::string from;
    int64_t now;
    SmsOutcome want;
  };
  const Step kSteps[] = {
      {kUnused, kNow, SmsOutcome::kUnregistered},
      {kUnused, kNow + 60, SmsOutcome::kUnregisteredQuiet},
      {"0700000020", kNow + 3600, SmsOutcome::kUnregisteredQuiet},  // same number, national form
      {"+254711111111", kNow + 7200, SmsOutcome::kUnregistered},    // another number
      {kUnused, kNow + kDay, SmsOutcome::kUnregistered},            // the next UTC day
      {kUnused, kNow + kDay + 1, SmsOutcome::kUnregisteredQuiet},
  };
  int i = 0;
  size_t replies = 0;
  for (const Step& s : kSteps) {
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_EQ(Sms(s.from, "BAL", "u" + std::to_string(i++), s.now), s.want);
    if (s.want == SmsOutcome::kUnregistered) ++replies;
    std::vector<OutboundMessage> out = Outbox();
    ASSERT_EQ(out.size(), replies);
    EXPECT_EQ(out.back().body, kNotRegistered);
    EXPECT_EQ(out.back().member_id, 0);
    EXPECT_EQ(out.back().language, "en");
    EXPECT_EQ(out.back().kind, "reply_not_registered");
    EXPECT_EQ(out.back().channel, "at-ke");
  }
  EXPECT_EQ(Count(kCountInbound), 6);  // every SMS is logged, answered or not
}

TEST_F(SmsCommandsTest, ExitedMembersAreNotMembers) {
  Status s = store_->Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(conn, ctx);
    Member exited = MemberOn(kAmina);
    exited.id = 0;
    exited.name = "Old Member";
    exited.phone = kUnused;
    exited.active = false;
    auto id = svc.AddMember(exited);
    if (!id.ok()) return id.status();
    exited.phone = kAmina;  // an exited member on Amina's phone does not make it shared
    return svc.AddMember(exited).status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Sms(kUnused, "SAVE 200", "e1"), SmsOutcome::kUnregistered);
  EXPECT_EQ(Sms(kAmina, "SAVE 200", "e2"), SmsOutcome::kSave);
  EXPECT_EQ(PendingOf(kUnused).size(), 0u);
  EXPECT_EQ(PendingOf(kAmina).size(), 1u);
}

TEST_F(SmsCommandsTest, ASenderThatIsNotAPhoneGetsNothing) {
  for (const char* from : {"Safaricom", "", "+1", "12345"}) {
    SCOPED_TRACE(from);
    EXPECT_EQ(Sms(from, "BAL", std::string("x-") + from), SmsOutcome::kBadPhone);
  }
  EXPECT_TRUE(Outbox().empty());
  EXPECT_EQ(Count(kCountInbound), 4);
  EXPECT_EQ(Sms("Safaricom", "BAL", "x-Safaricom"), SmsOutcome::kDuplicate);
}

TEST_F(SmsCommandsTest, AnEventWithoutIdsIsRefusedWithoutEchoingIt) {
  for (const InboundSmsEvent& ev : {InboundSmsEvent{"at-ke", "", kAmina, "SAVE 999 secret", "r"},
                                    InboundSmsEvent{"", "p", kAmina, "SAVE 999 secret", "r"}}) {
    Result<SmsOutcome> r = Handle(ev, kNow, *commands_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("secret"), std::string::npos);
    EXPECT_EQ(r.status().message().find("0000001"), std::string::npos);
  }
  EXPECT_EQ(Count(kCountInbound), 0);
  EXPECT_TRUE(Outbox().empty());
}

TEST_F(SmsCommandsTest, NoReplyWhenNoChannelCanSendButTheSaveStands) {
  Notifier mute(*catalogue_, SmsRouting{}, "en");
  SmsCommands commands(*catalogue_, mute, Options());
  Result<SmsOutcome> r =
      Handle(InboundSmsEvent{"at-ke", "m1", kAmina, "SAVE 200", "r"}, kNow, commands);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, SmsOutcome::kSave);
  EXPECT_EQ(PendingOf(kAmina).size(), 1u);
  EXPECT_TRUE(Outbox().empty());
}

TEST_F(SmsCommandsTest, ServiceCodeFallsBackToTheCountrysUssdChannel) {
  // tw-ke has no USSD code of its own: replies name the KE code.
  SmsRouting routing;
  routing.via = {{"tw-ke", "tw-ke"}};
  Notifier notifier(*catalogue_, routing, "en");
  SmsCommands commands(*catalogue_, notifier, Options());
  Result<SmsOutcome> r =
      Handle(InboundSmsEvent{"tw-ke", "t1", kAmina, "help", "r"}, kNow, commands);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, SmsOutcome::kHelp);
  ASSERT_EQ(Outbox().size(), 1u);
  EXPECT_EQ(Outbox()[0].body, kHelpEn);
  EXPECT_EQ(Outbox()[0].channel, "tw-ke");
}

// ------------------------------------------------------------------ receipts

TEST_F(SmsCommandsTest, ReceiptsForDecisionsAndPins) {
  ASSERT_EQ(Sms(kAmina, "SAVE 200", "r1"), SmsOutcome::kSave);
  const int64_t saving = PendingOf(kAmina).at(0).id;
  const std::string ref = PendingOf(kAmina).at(0).reference;
  const Member amina = MemberOn(kAmina);
  const Member wanjiru = MemberOn("+254700000002");
  std::vector<int64_t> ids;
  Status s = store_->Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&pins_, 3, kNow};
    Services svc(conn, ctx);
    Messages messages(conn, kNow * 1000);
    SHG_RETURN_IF_ERROR(svc.DecideSaving(saving, wanjiru.id, true));
    auto group = svc.GetGroup(amina.group_id);
    if (!group.ok()) return group.status();
    for (int i = 0; i < 2; ++i) {  // the second time is a repeat: same id
      auto id = SendSavingDecidedReceipt(*notifier_, messages, svc, "at-ke", saving, true);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    auto locked = SendPinLocked(*notifier_, messages, "at-ke", amina, *group, kNow);
    if (!locked.ok()) return locked.status();
    ids.push_back(*locked);
    for (int i = 0; i < 2; ++i) {  // each reset is a new PIN: never deduplicated
      auto reset =
          SendPinReset(*notifier_, messages, "", amina, *group, i ? "7395" : "4821", "*384*7#");
      if (!reset.ok()) return reset.status();
      ids.push_back(*reset);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_NE(ids[3], ids[4]);
  std::vector<OutboundMessage> out = Outbox();
  ASSERT_EQ(out.size(), 5u);  // logged receipt, confirmed, locked, two resets
  EXPECT_EQ(out[1].body,
            "Your saving of KES 200 (Ref " + ref + ") is confirmed. Confirmed savings: KES 4,450");
  EXPECT_EQ(out[1].kind, "saving_confirmed");
  EXPECT_EQ(
      out[2].body,
      "Your PIN was locked after wrong tries. Ask your group treasurer to reset it. Never share "
      "your PIN.");
  EXPECT_EQ(out[3].body,
            "Your one-time PIN is 4821. Dial *384*7# and choose a new PIN. Never share your PIN.");
  EXPECT_TRUE(out[3].sensitive);
  EXPECT_EQ(out[3].channel, "at-ke");  // a staff action: routed by her country
  EXPECT_EQ(out[4].body.find("7395") != std::string::npos, true);
}

// ------------------------------------------------------------------ LOAN

// LOAN answers with her loan as it stands (requested, then repaying with the
// outstanding and next instalment), and BAL shows the same loan.
TEST_F(SmsCommandsTest, LoanAndBalanceTellHerLoanAsItStands) {
  const Member amina = MemberOn(kAmina);
  const Actor partner{"partner", "imara", "partner-api", ""};
  auto with_loans = [&](const std::function<Status(Loans&)>& fn) {
    Status s = store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, kNow};
      Loans loans(conn, ctx, Programme());
      return fn(loans);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  Loan loan;
  with_loans([&](Loans& loans) -> Status {
    auto out = loans.Request(LoanRequest{amina.id, 10'000'00, "bakery", 6, true, "at-ke", ""},
                             Actor{"member", std::to_string(amina.id), "at-ke", ""});
    if (!out.ok()) return out.status();
    if (!out->loan.has_value()) return Status::Internal("refused: " + out->refusal);
    loan = *out->loan;
    return Status::Ok();
  });
  ASSERT_EQ(Sms(kAmina, "LOAN", "l1"), SmsOutcome::kLoan);
  EXPECT_EQ(Outbox().back().body,
            "Loan KES 10,000 Ref " + loan.reference + ": Waiting for group approval.");

  const int64_t disbursed_at = kNow - 10 * kDay;
  with_loans([&](Loans& loans) -> Status {
    const Member grace = MemberOn("+254700000003");
    const Actor chair{"member", std::to_string(grace.id), "at-ke", ""};
    SHG_RETURN_IF_ERROR(loans.GroupDecide(loan.id, grace.id, true, "", chair).status());
    PartnerDecision d{true, 10'000'00, 6, InterestRule::kDeclining, 1800, ""};
    SHG_RETURN_IF_ERROR(loans.RecordPartnerDecision("imara", loan.reference, d, partner).status());
    return loans
        .RecordDisbursement("imara", loan.reference, 10'000'00, disbursed_at, "tx-1", partner)
        .status();
  });
  const Currency kes{"KES", 2};
  auto schedule = BuildSchedule(
      LoanTerms{10'000'00, 6, 1800, InterestRule::kDeclining, kes, disbursed_at});
  ASSERT_TRUE(schedule.ok());
  int64_t owed = 0;
  for (const Instalment& i : *schedule) owed += i.total;
  const Instalment& next = schedule->front();
  ASSERT_EQ(Sms(kAmina, "mkopo", "l2"), SmsOutcome::kLoan);
  OutboundMessage reply = Outbox().back();
  EXPECT_EQ(reply.body, "Loan Ref " + loan.reference + ": Paid out, repaying. Outstanding " +
                            FormatMoney(owed, kes) + ". Next " + FormatMoney(next.total, kes) +
                            " due " + ShortDate(next.due_at) + ".");
  EXPECT_EQ(reply.segments, 1);
  ASSERT_EQ(Sms(kAmina, "BAL", "b1"), SmsOutcome::kBalance);
  EXPECT_EQ(Outbox().back().body,
            std::string("Amina: savings KES 4,250, pending KES 0. Group fund ") + kUpendoFund +
                ". Loan: " + FormatMoney(owed, kes) + " (next " +
                FormatMoney(next.total, kes).substr(4) + " " +
                DayMonth(ScreenContext{catalogue_.get(), "en", kes}, next.due_at) +
                "). Social fund KES 0. Share-out est. KES 4,250");
}

TEST_F(SmsCommandsTest, WithoutALoanProgrammeLoanIsNotAvailable) {
  SmsCommandOptions o = Options();
  o.loans = nullptr;
  SmsCommands no_loans(*catalogue_, *notifier_, o);
  const std::string kUnavailable =
      "You have no loan. Loans are not available yet: ask your group facilitator.";
  for (const std::string& from : {kAmina, kShared}) {
    InboundSmsEvent ev{"at-ke", "nl-" + from, from, "LOAN", "req"};
    auto r = Handle(ev, kNow, no_loans);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, SmsOutcome::kLoan) << from;  // nothing personal: a shared phone is answered
    EXPECT_EQ(Outbox().back().body, kUnavailable);
  }
}

}  // namespace
}  // namespace shg::dialogs
