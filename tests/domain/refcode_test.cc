#include "domain/refcode.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace shg {
namespace {

TEST(ReferenceAlphabetTest, HasNoAmbiguousCharacters) {
  EXPECT_EQ(kReferenceAlphabet.size(), 32u);
  for (char c : {'0', 'O', '1', 'I', 'o', 'i', 'l'}) {
    EXPECT_EQ(kReferenceAlphabet.find(c), std::string_view::npos) << c;
  }
  std::set<char> unique(kReferenceAlphabet.begin(), kReferenceAlphabet.end());
  EXPECT_EQ(unique.size(), kReferenceAlphabet.size());
}

TEST(IsReferenceCodeTest, Checks) {
  struct Case {
    const char* s;
    bool want;
  };
  const Case cases[] = {
      {"K7P2QX", true},   {"234567", true},  {"ZZZZZZ", true},
      {"", false},        {"K7P2Q", false},  // too short
      {"K7P2QXA", false},                    // too long
      {"K7P2Q0", false},                     // zero
      {"K7P2QO", false},                     // letter O
      {"K7P2Q1", false},                     // one
      {"K7P2QI", false},                     // letter I
      {"k7p2qx", false},                     // lowercase is not a stored code
      {"K7P2Q ", false},  {"K7P-QX", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.s);
    EXPECT_EQ(IsReferenceCode(c.s), c.want);
  }
}

TEST(NewReferenceCodeTest, ProducesValidVaryingCodes) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string code = NewReferenceCode();
    ASSERT_TRUE(IsReferenceCode(code)) << code;
    seen.insert(code);
  }
  // 32^6 ~ 1.07e9 codes: a collision in 1000 draws has probability ~5e-4.
  EXPECT_GE(seen.size(), 999u);
}

TEST(NewReferenceCodeTest, UsesTheWholeAlphabetRoughlyEvenly) {
  std::map<char, int> counts;
  constexpr int kCodes = 3200;  // 19200 characters, 600 expected per symbol
  for (int i = 0; i < kCodes; ++i) {
    for (char c : NewReferenceCode()) ++counts[c];
  }
  EXPECT_EQ(counts.size(), kReferenceAlphabet.size());
  for (const auto& [c, n] : counts) {
    // Binomial sd ~24; +-200 is over 8 sd, so this only fails on real bias.
    EXPECT_GT(n, 400) << c;
    EXPECT_LT(n, 800) << c;
  }
}

TEST(WithFreshReferenceTest, RetriesOnCollisionWithAFreshCode) {
  std::vector<std::string> tried;
  auto attempt = [&](const std::string& code) -> Result<std::optional<std::string>> {
    tried.push_back(code);
    if (tried.size() < 3) return std::optional<std::string>();  // collided
    return std::optional<std::string>("took " + code);
  };
  Result<std::string> r = WithFreshReference<std::string>(attempt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(tried.size(), 3u);
  EXPECT_EQ(*r, "took " + tried[2]);
  for (const std::string& code : tried) EXPECT_TRUE(IsReferenceCode(code)) << code;
}

TEST(WithFreshReferenceTest, GivesUpAfterTheAttemptsAndPassesErrorsThrough) {
  int calls = 0;
  Result<int> exhausted = WithFreshReference<int>([&](const std::string&) {
    ++calls;
    return Result<std::optional<int>>(std::optional<int>());
  });
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(calls, kReferenceAttempts);

  calls = 0;
  Result<int> failed = WithFreshReference<int>([&](const std::string&) {
    ++calls;
    return Result<std::optional<int>>(Status::Internal("disk I/O error"));
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "disk I/O error");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace shg
