#include "domain/phone.h"

#include <gtest/gtest.h>

#include <string>

namespace shg {
namespace {

TEST(ParsePhoneTest, Accepts) {
  struct Case {
    const char* raw;
    const char* default_country;
    const char* want;
  };
  const Case cases[] = {
      // Kenya: 9 national digits starting 7 or 1.
      {"+254700000001", "KE", "+254700000001"},
      {"254700000001", "KE", "+254700000001"},
      {"0700000001", "KE", "+254700000001"},
      {"700000001", "KE", "+254700000001"},
      {"0110000001", "KE", "+254110000001"},
      {"+254 700 000 001", "KE", "+254700000001"},
      {"0700-000-001", "KE", "+254700000001"},
      {" 0700 000001 ", "KE", "+254700000001"},
      {"00254700000001", "KE", "+254700000001"},
      // A number with its country code does not depend on the default.
      {"+256772000001", "KE", "+256772000001"},
      {"256772000001", "KE", "+256772000001"},
      {"+254700000001", "XX", "+254700000001"},
      // Uganda, Tanzania, Rwanda, India, as national numbers.
      {"0772000001", "UG", "+256772000001"},
      {"0655000001", "TZ", "+255655000001"},
      {"0755000001", "TZ", "+255755000001"},
      {"0788000001", "RW", "+250788000001"},
      {"09876543210", "IN", "+919876543210"},
      {"9876543210", "IN", "+919876543210"},
      {"6000000001", "IN", "+916000000001"},
      {"+91 98765 43210", "KE", "+919876543210"},
      {"919876543210", "KE", "+919876543210"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.raw) + " in " + c.default_country);
    Result<std::string> r = ParsePhone(c.raw, c.default_country);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want);
  }
}

TEST(ParsePhoneTest, Rejects) {
  struct Case {
    const char* raw;
    const char* default_country;
    const char* want_message;
  };
  const Case cases[] = {
      {"", "KE", "Enter a phone number"},
      {" - ", "KE", "Enter a phone number"},
      {"+", "KE", "Phone number must contain only digits"},
      {"+254-7OO-000-001", "KE", "Phone number must contain only digits"},
      {"0700.000.001", "KE", "Phone number must contain only digits"},
      {"(0700) 000001", "KE", "Phone number must contain only digits"},
      {"+2547000000011", "KE", "Phone number has the wrong number of digits for KE"},
      {"+25470000000", "KE", "Phone number has the wrong number of digits for KE"},
      {"070000000", "KE", "Phone number has the wrong number of digits for KE"},
      {"+254200000001", "KE", "Not a mobile number for KE"},
      {"0200000001", "KE", "Not a mobile number for KE"},
      {"+256172000001", "KE", "Not a mobile number for UG"},
      {"+255855000001", "KE", "Not a mobile number for TZ"},
      {"+250188000001", "KE", "Not a mobile number for RW"},
      {"+915876543210", "KE", "Not a mobile number for IN"},
      {"+91987654321", "KE", "Phone number has the wrong number of digits for IN"},
      {"+1415555000", "KE", "Unsupported country code"},
      {"+447700900001", "KE", "Unsupported country code"},
      {"44770090000", "KE", "Unsupported country code"},
      {"0700000001", "XX", "Unknown default country 'XX'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.raw) + " in " + c.default_country);
    Result<std::string> r = ParsePhone(c.raw, c.default_country);
    ASSERT_FALSE(r.ok()) << "parsed as " << *r;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.want_message);
  }
}

TEST(MaskPhoneTest, Masks) {
  struct Case {
    const char* e164;
    const char* want;
  };
  const Case cases[] = {
      {"+254700000001", "+2547****0001"},
      {"+256772123456", "+2567****3456"},
      {"+919876543210", "+919*****3210"},
      // Short or odd input is masked whole.
      {"", ""},
      {"+", "*"},
      {"0700000001", "**********"},
      {"+2547001", "********"},
      {"+447700900001", "*************"},
      {"+2547000x0001", "*************"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.e164);
    EXPECT_EQ(MaskPhone(c.e164), c.want);
  }
}

TEST(MaskPhoneTest, NeverShowsTheMiddleDigits) {
  Result<std::string> phone = ParsePhone("0712345678", "KE");
  ASSERT_TRUE(phone.ok());
  std::string masked = MaskPhone(*phone);
  EXPECT_EQ(masked.size(), phone->size());
  EXPECT_EQ(masked.find("2345"), std::string::npos);
}

}  // namespace
}  // namespace shg
