// Share-out SMS (dialogs/cycle_notices.h): the text of each case in every
// shipped language, and the longest realistic figures (KES 99,999,999 and
// with cents, a 16-character first name on a shared phone, a loss) in one
// GSM-7 part.
#include "dialogs/cycle_notices.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "dialogs/gsm.h"

namespace shg::dialogs {
namespace {

const Currency kKes{"KES", 2};

std::vector<std::string> ShippedLanguages() {
  std::vector<std::string> codes;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SHG_SOURCE_DIR) + "/config/lang")) {
    if (e.path().extension() == ".toml") codes.push_back(e.path().stem().string());
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

class CycleNoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    langs_ = ShippedLanguages();
    ASSERT_GE(langs_.size(), 2u);
    auto cat = Catalogue::Load(std::string(SHG_SOURCE_DIR) + "/config/lang", langs_);
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalogue_ = std::make_unique<Catalogue>(std::move(*cat));
    notifier_ = std::make_unique<Notifier>(*catalogue_, SmsRouting{}, "en");
  }

  static ShareOutRow Row(int64_t savings, int64_t share, int64_t netted) {
    ShareOutRow r;
    r.line.member_id = 7;
    r.line.savings = savings;
    r.line.share = share;
    r.line.profit = share - savings;
    r.line.netted = netted;
    r.line.payout = share - netted;
    r.reference = "K7P2QX";
    return r;
  }

  static SmsTo To(const std::string& lang, bool shared) {
    SmsTo to;
    to.member_id = 7;
    to.language = lang;
    to.first_name = "Nyambura-Wanjiku";  // kMaxNameChars
    to.shared_phone = shared;
    return to;
  }

  std::vector<std::string> langs_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(CycleNoticesTest, TheTextsInEnglishAndSwahili) {
  struct Case {
    std::string lang;
    ShareOutRow row;
    bool shared;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"en", Row(425000, 486200, 0), false,
       "Share-out: savings KES 4,250 + profit KES 612 = KES 4,862. Ref K7P2QX"},
      {"en", Row(425000, 486200, 360000), false,
       "Share-out: savings KES 4,250 + profit KES 612 = KES 4,862, less loan KES 3,600 = paid "
       "KES 1,262. Ref K7P2QX"},
      {"en", Row(425000, 413000, 0), false,
       "Share-out: savings KES 4,250 - loss KES 120 = KES 4,130. Ref K7P2QX"},
      {"en", Row(425050, 486200, 0), true,
       "Nyambura-Wanjiku: Share-out: savings KES 4,250.50 + profit KES 611.50 = KES 4,862. Ref "
       "K7P2QX"},
      {"sw", Row(425000, 486200, 0), false,
       "Mgao: akiba KES 4,250 + faida KES 612 = KES 4,862. Kumb K7P2QX"},
      {"sw", Row(425000, 486200, 360000), false,
       "Mgao: akiba KES 4,250 + faida KES 612 = KES 4,862, toa mkopo KES 3,600 = umelipwa KES "
       "1,262. Kumb K7P2QX"},
      {"sw", Row(425000, 413000, 0), false,
       "Mgao: akiba KES 4,250 - hasara KES 120 = KES 4,130. Kumb K7P2QX"},
      {"xx", Row(425000, 486200, 0), false,
       "Share-out: savings KES 4,250 + profit KES 612 = KES 4,862. Ref K7P2QX"},  // default
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.lang + ": " + c.want);
    EXPECT_EQ(ShareOutText(*notifier_, To(c.lang, c.shared), kKes, c.row), c.want);
  }
}

TEST_F(CycleNoticesTest, TheLongestFiguresFitOneGsm7PartInEveryLanguage) {
  // The largest figures a line can show (KES 99,999,999, the money cap
  // config::kMaxAmountUnitsCap less one unit) as they arise: savings are
  // logged in whole units, shares are whole share-out units, so savings,
  // share and profit are whole; an internal loan's flat interest is rounded
  // to the minor unit, so what is netted, and the payout left, may have
  // cents. The lines keep their arithmetic (profit = share - savings,
  // payout = share - netted).
  constexpr int64_t kMax = 9'999'999'900;   // KES 99,999,999
  constexpr int64_t kHalf = 4'999'999'900;  // KES 49,999,999
  const std::vector<ShareOutRow> rows = {
      Row(kMax, kMax, 0),                       // no profit
      Row(kHalf, kMax, 0),                      // profit KES 50,000,000
      Row(100, kMax, 0),                        // profit KES 99,999,998
      Row(kHalf, kMax, kHalf + 99),             // netted 49,999,999.99, paid 49,999,999.01
      Row(100, kMax, kMax - 1),                 // netted 99,999,998.99, paid 0.01
      Row(kMax, kHalf + 100, kHalf - 1),        // a loss of KES 49,999,999, netted with cents
      Row(kMax, 100, 1),                        // a loss of KES 99,999,998
  };
  int checked = 0;
  for (const std::string& lang : langs_) {
    for (bool shared : {false, true}) {
      for (const ShareOutRow& row : rows) {
        const std::string text = ShareOutText(*notifier_, To(lang, shared), kKes, row);
        SCOPED_TRACE(lang + ": " + text);
        const SmsLength len = MeasureSms(text);
        EXPECT_EQ(len.encoding, SmsEncoding::kGsm7);
        EXPECT_LE(len.units, kGsm7SingleLimit);
        EXPECT_EQ(len.segments, 1u);
        EXPECT_EQ(text.find('{'), std::string::npos) << "unfilled field";
        EXPECT_EQ(text.find('['), std::string::npos) << "missing key";
        EXPECT_NE(text.find("K7P2QX"), std::string::npos);
        EXPECT_EQ(text.find("Nyambura-Wanjiku: ") == 0, shared);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(langs_.size() * 2 * rows.size()));
}

}  // namespace
}  // namespace shg::dialogs
