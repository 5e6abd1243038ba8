// ParsePhoneArgs: the argument table of `shg-gateway phone`.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/cli/phone.h"

namespace shg::cli {
namespace {

struct ParseCase {
  const char* name;
  std::vector<std::string> args;
  bool ok;
  // On success: the expected options. On failure: a fragment of the message.
  PhoneOptions want;
  const char* error_fragment = "";
};

PhoneOptions With(std::string url, std::string channel, std::string phone, std::string key = "",
                  std::string service_code = "*384*7#", std::string network_code = "63902") {
  PhoneOptions o;
  o.url = std::move(url);
  o.channel = std::move(channel);
  o.phone = std::move(phone);
  o.key = std::move(key);
  o.service_code = std::move(service_code);
  o.network_code = std::move(network_code);
  return o;
}

const PhoneOptions kNone;

PhoneOptions Help() {
  PhoneOptions o;
  o.help = true;
  return o;
}

class ParsePhoneArgsTest : public testing::TestWithParam<ParseCase> {};

TEST_P(ParsePhoneArgsTest, Table) {
  const ParseCase& c = GetParam();
  Result<PhoneOptions> r = ParsePhoneArgs(c.args);
  ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? std::string("parsed") : r.status().ToString());
  if (!c.ok) {
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.error_fragment), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("usage: shg-gateway phone"), std::string::npos)
        << "errors carry the usage text";
    return;
  }
  EXPECT_EQ(r->url, c.want.url);
  EXPECT_EQ(r->channel, c.want.channel);
  EXPECT_EQ(r->phone, c.want.phone);
  EXPECT_EQ(r->key, c.want.key);
  EXPECT_EQ(r->service_code, c.want.service_code);
  EXPECT_EQ(r->network_code, c.want.network_code);
  EXPECT_EQ(r->help, c.want.help);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParsePhoneArgsTest,
    testing::Values(
        ParseCase{"all_flags",
                  {"--url", "http://127.0.0.1:9090", "--channel", "at-ug", "--phone", "+256700000001", "--key",
                   "s3cret", "--service-code", "*123#", "--network-code", "64101"},
                  true,
                  With("http://127.0.0.1:9090", "at-ug", "+256700000001", "s3cret", "*123#", "64101")},
        ParseCase{"phone_only_uses_defaults",
                  {"--phone", "+254700000001"},
                  true,
                  With("http://127.0.0.1:8080", "at-ke", "+254700000001")},
        ParseCase{"equals_form",
                  {"--phone=+254700000001", "--url=https://gw.example.org/", "--key="},
                  true,
                  With("https://gw.example.org/", "at-ke", "+254700000001", "")},
        ParseCase{"order_does_not_matter",
                  {"--channel", "at-ke", "--phone", "254700000001", "--url", "http://localhost:8080"},
                  true,
                  With("http://localhost:8080", "at-ke", "254700000001")},
        ParseCase{"missing_phone", {"--url", "http://127.0.0.1:8080", "--channel", "at-ke"}, false, kNone,
                  "--phone is required"},
        ParseCase{"no_args", {}, false, kNone, "--phone is required"},
        ParseCase{"unknown_flag", {"--phone", "+254700000001", "--verbose", "1"}, false, kNone,
                  "unknown flag --verbose"},
        ParseCase{"missing_value_at_end", {"--url", "http://127.0.0.1:8080", "--phone"}, false, kNone,
                  "missing value for --phone"},
        ParseCase{"missing_value_before_flag", {"--url", "--phone", "+254700000001"}, false, kNone,
                  "missing value for --url"},
        ParseCase{"positional_argument", {"+254700000001"}, false, kNone, "unexpected argument"},
        ParseCase{"bad_phone", {"--phone", "07OO-ABC"}, false, kNone, "--phone must be digits"},
        ParseCase{"bad_url_scheme", {"--phone", "+254700000001", "--url", "127.0.0.1:8080"}, false, kNone,
                  "--url must start with http://"},
        ParseCase{"bad_channel", {"--phone", "+254700000001", "--channel", "at/ke"}, false, kNone,
                  "--channel must be"},
        // Help is not an error (`phone --help` exits 0), even beside a mistake.
        ParseCase{"help", {"--help"}, true, Help()},
        ParseCase{"short_help", {"-h"}, true, Help()},
        ParseCase{"help_beside_a_bad_flag", {"--phone", "07OO-ABC", "--verbose", "--help"}, true,
                  Help()}),
    [](const testing::TestParamInfo<ParseCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace shg::cli
