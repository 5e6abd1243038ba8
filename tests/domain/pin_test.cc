#include "domain/pin.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace shg {
namespace {

const std::string kPepper = "0123456789abcdef0123456789abcdef";

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TEST(PinHasherTest, MatchesHmacSha256OfSaltThenPin) {
  // RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
  PinHasher hasher("Jefe");
  EXPECT_EQ(hasher.Hash("nothing?", "what do ya want for "),
            FromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

TEST(PinHasherTest, DigestIs32BytesAndDependsOnEveryInput) {
  PinHasher hasher(kPepper);
  const std::string salt(16, 'S');
  const std::string base = hasher.Hash("2580", salt);
  EXPECT_EQ(base.size(), 32u);
  EXPECT_EQ(hasher.Hash("2580", salt), base);  // deterministic
  EXPECT_NE(hasher.Hash("2581", salt), base);
  EXPECT_NE(hasher.Hash("2580", std::string(16, 'T')), base);
  EXPECT_NE(PinHasher(kPepper + "x").Hash("2580", salt), base);
}

TEST(PinHasherTest, Verify) {
  PinHasher hasher(kPepper);
  const std::string salt = NewSalt();
  const std::string stored = hasher.Hash("2580", salt);
  struct Case {
    const char* name;
    std::string pin;
    std::string salt;
    std::string expected;
    bool want;
  };
  const Case cases[] = {
      {"right pin", "2580", salt, stored, true},
      {"wrong pin", "2581", salt, stored, false},
      {"other salt", "2580", NewSalt(), stored, false},
      {"truncated hash", "2580", salt, stored.substr(0, 31), false},
      {"empty hash", "2580", salt, "", false},
      {"hash with extra byte", "2580", salt, stored + "x", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(hasher.Verify(c.pin, c.salt, c.expected), c.want);
  }
  EXPECT_FALSE(PinHasher(kPepper + "x").Verify("2580", salt, stored)) << "other pepper";
}

TEST(ValidateNewPinTest, Accepts) {
  for (const char* pin : {"2580", "1357", "0246", "1122", "9012", "7890", "1243", "0001", "5554"}) {
    SCOPED_TRACE(pin);
    EXPECT_TRUE(ValidateNewPin(pin).ok()) << ValidateNewPin(pin).ToString();
  }
}

TEST(ValidateNewPinTest, Rejects) {
  struct Case {
    const char* pin;
    const char* want_message;
  };
  const Case cases[] = {
      {"", "PIN must be 4 digits"},
      {"123", "PIN must be 4 digits"},
      {"12345", "PIN must be 4 digits"},
      {"12a4", "PIN must be 4 digits"},
      {" 258", "PIN must be 4 digits"},
      {"0000", "PIN must not be the same digit four times"},
      {"1111", "PIN must not be the same digit four times"},
      {"9999", "PIN must not be the same digit four times"},
      {"0123", "PIN must not be a sequence like 1234 or 4321"},
      {"1234", "PIN must not be a sequence like 1234 or 4321"},
      {"3456", "PIN must not be a sequence like 1234 or 4321"},
      {"6789", "PIN must not be a sequence like 1234 or 4321"},
      {"9876", "PIN must not be a sequence like 1234 or 4321"},
      {"4321", "PIN must not be a sequence like 1234 or 4321"},
      {"3210", "PIN must not be a sequence like 1234 or 4321"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pin);
    Status s = ValidateNewPin(c.pin);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(s.message(), c.want_message);
  }
}

TEST(RandomTest, SaltIs16RandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string salt = NewSalt();
    EXPECT_EQ(salt.size(), 16u);
    seen.insert(salt);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomTest, OneTimePinsPassTheRulesAndVary) {
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    std::string pin = NewOneTimePin();
    ASSERT_TRUE(ValidateNewPin(pin).ok()) << pin;
    seen.insert(pin);
  }
  // 500 draws from ~9980 PINs: a handful of repeats at most.
  EXPECT_GT(seen.size(), 450u);
}

TEST(RandomTest, RandomHexIsLowercaseHexOfTheRequestedLength) {
  for (size_t bytes : {0u, 1u, 16u, 32u}) {
    SCOPED_TRACE(bytes);
    std::string hex = RandomHex(bytes);
    EXPECT_EQ(hex.size(), 2 * bytes);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
  }
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST(ConstantTimeEqualsTest, Compares) {
  struct Case {
    std::string a;
    std::string b;
    bool want;
  };
  const Case cases[] = {
      {"", "", true},
      {"secret", "secret", true},
      {"secret", "secreT", false},
      {"secret", "secret2", false},
      {"", "x", false},
      {std::string("a\0b", 3), std::string("a\0b", 3), true},
      {std::string("a\0b", 3), std::string("a\0c", 3), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.a + " vs " + c.b);
    EXPECT_EQ(ConstantTimeEquals(c.a, c.b), c.want);
    EXPECT_EQ(ConstantTimeEquals(c.b, c.a), c.want);
  }
}

}  // namespace
}  // namespace shg
