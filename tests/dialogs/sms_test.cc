// Every SMS text of every shipped language, rendered with worst-case values
// (largest amounts, longest names, longest service code), must be GSM-7 and
// fit one SMS part: a receipt that splits costs the group twice, and a
// UCS-2 one holds 70 characters only. Every text sent to a member also
// fits after the name prefix of a shared phone (sms_name_prefix with the
// longest first name). Also checks the SMS keywords.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dialogs/catalogue.h"
#include "dialogs/gsm.h"
#include "dialogs/screens.h"
#include "dialogs/sms_commands.h"

namespace shg::dialogs {
namespace {

// Every catalogue file shipped (config/lang/*.toml), English (the fallback)
// first, so an added language is checked without editing this test.
std::vector<std::string> ShippedLanguages() {
  std::vector<std::string> codes;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SHG_SOURCE_DIR) + "/config/lang")) {
    if (e.path().extension() == ".toml") codes.push_back(e.path().stem().string());
  }
  std::sort(codes.begin(), codes.end());
  auto en = std::find(codes.begin(), codes.end(), "en");
  if (en != codes.end()) std::rotate(codes.begin(), en, en + 1);
  return codes;
}
const std::vector<std::string> kLanguages = ShippedLanguages();

Catalogue LoadShipped() {
  auto c = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", kLanguages);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(SmsTextTest, EverySmsFitsOneGsm7PartWithWorstCaseValues) {
  Catalogue catalogue = LoadShipped();
  // Worst cases: the largest amount the dialogs allow to show, a name cut
  // to 16 characters, a 6-character reference, the longest date form of the
  // language (LongDayMonth: "30 September", "30 Septemba") and a long USSD
  // code.
  const std::string kAmount = "KES 99,999,999.99";
  const std::string kName = "Nyambura-Wanjiku";
  const std::string kRef = "WXYZ23";
  const std::string kCode = "*384*12345*99#";
  // Loans: the longest purpose and state words of the language, a partner
  // name cut as shown (kMaxPartnerChars), the longest term and a decline
  // reason of 60 characters (longer ones are cut to fit, see
  // loan_notices_test.cc).
  const std::string kPartner(kMaxPartnerChars, 'P');
  // A loan's figures are bounded by the largest money action (1,000,000
  // units): an instalment is whole, at most 1,083,333 (one month at 100%);
  // the total at most 6,000,000 (60 months flat at 100%), with cents when a
  // partner approved an amount with cents. Seven digits each.
  const std::string kInstalment = "KES 9,999,999";
  const std::string kLoanTotal = "KES 9,999,999.99";
  const std::string kReason(60, 'r');
  const std::vector<std::string> kPurposes = {"vegetable_farming", "bakery",    "tailoring",
                                              "beauty_salon",      "bicycle_repair", "livestock",
                                              "retail_shop",       "other_business"};
  // Replies to an SMS command answer the phone that texted: on a shared
  // phone they are not one member's, so they never carry the name prefix
  // (notify.h, sms_commands.cc). Every other text goes to one member.
  const std::set<std::string> kNeverPrefixed = {
      "sms_name_prefix", "sms_balance",          "sms_help",        "sms_not_registered",
      "sms_save_usage",  "sms_amount_max",       "sms_unknown",     "sms_shared_phone",
      "sms_loan_none",   "sms_loan_unavailable", "sms_loan_status", "sms_loan_status_repaying",
      "sms_error"};
  int rendered = 0;
  int prefixed = 0;
  for (const std::string& lang : kLanguages) {
    ScreenContext c{&catalogue, lang, Currency{"KES", 2}};
    std::string kDate;
    for (int m = 0; m < 12; ++m) {
      // The 30th (or 28th) of each month of 2026 at noon, UTC.
      const int64_t t = 1'767'268'800 + (m * 30 + 27) * int64_t{86400};
      if (ScreenLength(LongDayMonth(c, t)) > ScreenLength(kDate)) kDate = LongDayMonth(c, t);
    }
    std::string purpose, state;
    for (const std::string& p : kPurposes) {
      if (ScreenLength(PurposeLabel(c, p)) > ScreenLength(purpose)) purpose = PurposeLabel(c, p);
    }
    for (int s = 0; s < kLoanStateCount; ++s) {
      std::string label = LoanStateLabel(c, static_cast<LoanState>(s));
      if (ScreenLength(label) > ScreenLength(state)) state = label;
    }
    const std::string term = Format(c.T("loan_term_option"), {{"n", "60"}});
    // The longer of the rules' rate words at the longest rate.
    std::string rate = RateText(c, 9999, InterestRule::kFlat);
    if (ScreenLength(RateText(c, 9999, InterestRule::kDeclining)) > ScreenLength(rate)) {
      rate = RateText(c, 9999, InterestRule::kDeclining);
    }
    // Her balance's loan while she repays: outstanding and next instalment.
    const std::string loan = BalanceLoanText(
        c, 9'999'999'999, Instalment{60, 1'798'675'200, 0, 0, 9'999'999'999});
    // Fines (issue 11): the longest fine kind label of the language.
    std::string kind;
    for (const std::string& key : catalogue.Keys()) {
      if (!StartsWith(key, "fine_kind_")) continue;
      const std::string label = FineKindLabel(c, key.substr(10));
      if (ScreenLength(label) > ScreenLength(kind)) kind = label;
    }
    const std::string prefix =
        Format(catalogue.Template(lang, "sms_name_prefix"), {{"name", kName}});
    EXPECT_EQ(prefix, kName + ": ") << lang;
    for (const std::string& key : catalogue.Keys()) {
      if (!StartsWith(key, "sms_")) continue;
      const bool with_prefix = kNeverPrefixed.count(key) == 0;
      prefixed += with_prefix;
      const std::string body = Format(catalogue.Template(lang, key), {{"amount", kAmount},
                                                                      {"savings", kAmount},
                                                                      {"pending", kAmount},
                                                                      {"fund", kAmount},
                                                                      {"loan", loan},
                                                                      {"max", kAmount},
                                                                      {"outstanding", kAmount},
                                                                      {"next", kAmount},
                                                                      {"first", kAmount},
                                                                      {"name", kName},
                                                                      {"ref", kRef},
                                                                      {"loan_ref", kRef},
                                                                      {"date", kDate},
                                                                      {"code", kCode},
                                                                      {"pin", "4821"},
                                                                      {"currency", "KES"},
                                                                      {"purpose", purpose},
                                                                      {"term", term},
                                                                      {"partner", kPartner},
                                                                      {"state", state},
                                                                      {"reason", kReason},
                                                                      {"instalment", kInstalment},
                                                                      {"total", kLoanTotal},
                                                                      {"asked", kAmount},
                                                                      {"asked_term", term},
                                                                      {"rate", rate},
                                                                      // share-out (issue 11)
                                                                      {"profit", "+ " + kAmount},
                                                                      {"share", kAmount},
                                                                      {"netted", kAmount},
                                                                      {"payout", kAmount},
                                                                      {"kind", kind}});
      const std::string text = (with_prefix ? prefix : "") + body;
      ++rendered;
      SCOPED_TRACE(lang + "/" + key + ":\n" + text);
      const SmsLength len = MeasureSms(text);
      EXPECT_TRUE(IsGsm7(text));
      EXPECT_EQ(len.encoding, SmsEncoding::kGsm7);
      EXPECT_LE(len.units, kGsm7SingleLimit);
      EXPECT_EQ(len.segments, 1u);
      EXPECT_EQ(text.find('{'), std::string::npos) << "unfilled field";
      EXPECT_EQ(text.find('['), std::string::npos) << "missing key";
    }
  }
  EXPECT_GE(rendered, static_cast<int>(kLanguages.size()) * 34);
  EXPECT_GE(prefixed, static_cast<int>(kLanguages.size()) * 22);
}

TEST(SmsTextTest, EveryLanguageHasEverySmsKey) {
  Catalogue catalogue = LoadShipped();
  for (const std::string& lang : kLanguages) {
    for (const std::string& missing : catalogue.MissingKeys(lang)) {
      EXPECT_FALSE(StartsWith(missing, "sms_") || StartsWith(missing, "kw_"))
          << lang << " misses " << missing;
    }
  }
}

// Each language's keywords are one GSM-7 word, parse to their own command,
// and the help text of that language names its own keywords.
TEST(SmsTextTest, KeywordsAreOneWordAndParseToTheirCommand) {
  Catalogue catalogue = LoadShipped();
  const std::pair<const char*, SmsCommand> kKeys[] = {{"kw_balance", SmsCommand::kBalance},
                                                      {"kw_save", SmsCommand::kSave},
                                                      {"kw_help", SmsCommand::kHelp},
                                                      {"kw_loan", SmsCommand::kLoan}};
  for (const std::string& lang : kLanguages) {
    for (const auto& [key, command] : kKeys) {
      const std::string& kw = catalogue.Template(lang, key);
      SCOPED_TRACE(lang + "/" + key + " = " + kw);
      EXPECT_FALSE(kw.empty());
      EXPECT_EQ(kw.find(' '), std::string::npos);
      EXPECT_TRUE(IsGsm7(kw));
      EXPECT_EQ(ParseSmsCommand(catalogue, kw).command, command);
    }
    const std::string& help = catalogue.Template(lang, "sms_help");
    EXPECT_NE(help.find(catalogue.Template(lang, "kw_balance")), std::string::npos) << lang;
    EXPECT_NE(help.find(catalogue.Template(lang, "kw_save")), std::string::npos) << lang;
    EXPECT_NE(help.find(catalogue.Template(lang, "kw_loan")), std::string::npos) << lang;
    EXPECT_NE(catalogue.Template(lang, "sms_save_usage").find(catalogue.Template(lang, "kw_save")),
              std::string::npos)
        << lang;
    EXPECT_NE(catalogue.Template(lang, "sms_unknown").find(catalogue.Template(lang, "kw_help")),
              std::string::npos)
        << lang;
  }
}

}  // namespace
}  // namespace shg::dialogs
