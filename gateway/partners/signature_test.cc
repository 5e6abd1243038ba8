// Partner API signatures: a known vector computed independently with
//   printf '%s' '1764230400.{"reference":"K7P2QX"}' |
//     openssl dgst -sha256 -hmac 'imara-shared-secret-0123'
// and every way Verify refuses a request.
#include "gateway/partners/signature.h"

#include <cctype>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace shg::partners {
namespace {

constexpr char kSecret[] = "imara-shared-secret-0123";
constexpr char kTimestamp[] = "1764230400";
constexpr int64_t kNow = 1764230400;
constexpr char kBody[] = R"({"reference":"K7P2QX"})";
constexpr char kExpected[] =
    "sha256=6e8bc86cde7f2c294c5e259df9130e959753acffdff23da0635263efb5aa7fb3";

TEST(PartnerSignature, MatchesOpensslVector) {
  EXPECT_EQ(Sign(kSecret, kTimestamp, kBody), kExpected);
}

TEST(PartnerSignature, EmptyBodySignsTimestampAndDot) {
  // printf '%s' '1764230400.' | openssl dgst -sha256 -hmac 'imara-shared-secret-0123'
  EXPECT_EQ(Sign(kSecret, kTimestamp, ""),
            "sha256=9233cfbcd416230b1c6a0247cefb0c0067d013ab28a6ad19d25dd445b7dfb4a9");
}

TEST(PartnerSignature, VerifiesItsOwnSignature) {
  EXPECT_TRUE(Verify(kSecret, kTimestamp, kExpected, kBody, kNow, 300).ok());
}

struct VerifyCase {
  std::string name;
  std::string secret = kSecret;
  std::string timestamp = kTimestamp;
  std::string signature = kExpected;
  std::string body = kBody;
  int64_t now = kNow;
  int window_s = 300;
  std::string message;  // "" = Ok
};

void PrintTo(const VerifyCase& c, std::ostream* os) { *os << c.name; }

class PartnerVerifyTest : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(PartnerVerifyTest, Verifies) {
  const VerifyCase& c = GetParam();
  Status s = Verify(c.secret, c.timestamp, c.signature, c.body, c.now, c.window_s);
  if (c.message.empty()) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    return;
  }
  EXPECT_EQ(s.code(), Status::Code::kUnauthenticated) << s.ToString();
  EXPECT_EQ(s.message(), c.message);
}

std::vector<VerifyCase> VerifyCases() {
  std::string upper = kExpected;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  std::string flipped = kExpected;
  flipped.back() = flipped.back() == '3' ? '4' : '3';
  return {
      {.name = "Valid", .message = ""},
      {.name = "InsideWindowPast", .now = kNow + 300, .message = ""},
      {.name = "InsideWindowFuture", .now = kNow - 300, .message = ""},
      {.name = "StalePast", .now = kNow + 301, .message = "stale timestamp"},
      {.name = "StaleFuture", .now = kNow - 301, .message = "stale timestamp"},
      {.name = "WrongSecret", .secret = "another-secret-0123456", .message = "bad signature"},
      {.name = "EmptySecretNeverVerifies",
       .secret = "",
       .signature = Sign("", kTimestamp, kBody),
       .message = "bad signature"},
      {.name = "WrongBody", .body = R"({"reference":"K7P2QY"})", .message = "bad signature"},
      {.name = "BodyWithTrailingNewline", .body = std::string(kBody) + "\n",
       .message = "bad signature"},
      // Signed for 1764230400, sent with another time still inside the window.
      {.name = "WrongTimestamp", .timestamp = "1764230401", .message = "bad signature"},
      {.name = "FlippedLastHexDigit", .signature = flipped, .message = "bad signature"},
      {.name = "UpperCaseHex", .signature = upper, .message = "bad signature"},
      {.name = "NoPrefix", .signature = std::string(kExpected).substr(7),
       .message = "bad signature"},
      {.name = "Truncated", .signature = std::string(kExpected).substr(0, 40),
       .message = "bad signature"},
      {.name = "MissingSignature", .signature = "", .message = "missing signature"},
      {.name = "MissingTimestamp", .timestamp = "", .message = "missing signature"},
      {.name = "NegativeTimestamp", .timestamp = "-1764230400", .message = "bad timestamp"},
      {.name = "FractionalTimestamp", .timestamp = "1764230400.5", .message = "bad timestamp"},
      {.name = "TimestampWithSpace", .timestamp = " 1764230400", .message = "bad timestamp"},
      {.name = "HugeTimestamp", .timestamp = std::string(16, '9'), .message = "bad timestamp"},
      {.name = "MillisecondsAreStale", .timestamp = "1764230400000",
       .message = "stale timestamp"},
  };
}

INSTANTIATE_TEST_SUITE_P(Cases, PartnerVerifyTest, ::testing::ValuesIn(VerifyCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shg::partners
