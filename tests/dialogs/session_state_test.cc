#include "dialogs/session_state.h"

#include <gtest/gtest.h>

namespace shg::dialogs {
namespace {

TEST(SessionStateTest, RoundTripsEveryField) {
  DialogState s;
  s.stage = Stage::kPendingSavings;
  s.lang = "sw";
  s.member_id = 42;
  s.candidates = {7, 8};
  s.authenticated = true;
  s.after_reset = true;
  s.pin_digest = LetterHex("\x01\xff");
  s.amount = 20000;
  s.page = 3;
  s.items = {11, 12, 13};
  s.selected = 12;
  s.purpose = "bicycle_repair";
  s.term = 12;
  auto back = ParseState(SerializeState(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stage, s.stage);
  EXPECT_EQ(back->lang, "sw");
  EXPECT_EQ(back->member_id, 42);
  EXPECT_EQ(back->candidates, s.candidates);
  EXPECT_TRUE(back->authenticated);
  EXPECT_TRUE(back->after_reset);
  EXPECT_EQ(back->pin_digest, "abpp");
  EXPECT_EQ(back->amount, 20000);
  EXPECT_EQ(back->page, 3);
  EXPECT_EQ(back->items, s.items);
  EXPECT_EQ(back->selected, 12);
  EXPECT_EQ(back->purpose, "bicycle_repair");
  EXPECT_EQ(back->term, 12);
}

TEST(SessionStateTest, LoanStagesRoundTrip) {
  for (Stage stage : {Stage::kLoanAmount, Stage::kLoanConfirm, Stage::kResumeLoan,
                      Stage::kDecideRepayment}) {
    DialogState s;
    s.stage = stage;
    auto back = ParseState(SerializeState(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->stage, stage);
  }
  EXPECT_EQ(static_cast<int>(Stage::kResumeSave), 18) << "stored values never move";
}

TEST(SessionStateTest, RejectsCorruptState) {
  for (const char* bad : {"s=99;", "s=x;", "q=1;", "m=abc;", "c=1,,2;", "s", "u=;", "u=Bakery;",
                          "u=a b;", "t=0;", "t=x;"}) {
    EXPECT_FALSE(ParseState(bad).ok()) << bad;
  }
}

TEST(SessionStateTest, LetterHexHasNoDigits) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(LetterHex(all).find_first_of("0123456789"), std::string::npos);
}

}  // namespace
}  // namespace shg::dialogs
