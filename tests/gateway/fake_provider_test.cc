// The fake SMS provider over real loopback HTTP: sends in each provider's
// format (driven by the test HttpClient, or by outbound::Transport where
// headers or Basic auth are needed), scripted failures, and the delivery
// reports it sends to a ScriptedServer standing in for the gateway.
#include "gateway/fake/fake_provider.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dialogs/gsm.h"
#include "gateway/channels/form.h"
#include "gateway/channels/json.h"
#include "gateway/channels/twilio/signature.h"
#include "gateway/outbound/transport.h"
#include "tests/support/http_client.h"
#include "tests/support/scripted_server.h"

namespace shg::gateway {
namespace {

using channels::EncodeForm;
using channels::HttpCall;
using channels::HttpOutcome;
using channels::UrlEncode;
using namespace std::chrono_literals;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// The string at JSON pointer `pointer` of `doc`; "" when absent or not a
// string.
std::string Text(const boost::json::value& doc, std::string_view pointer) {
  boost::system::error_code ec;
  return std::string(channels::JsonString(doc.find_pointer(pointer, ec)));
}

// The integer at JSON pointer `pointer` of `doc`; nullopt when absent or not
// an integer.
std::optional<int64_t> Int(const boost::json::value& doc, std::string_view pointer) {
  boost::system::error_code ec;
  return channels::JsonInt64(doc.find_pointer(pointer, ec));
}

// Twilio's published algorithm (providers.md 3.2), written independently of
// the fake: base64(HMAC-SHA1(token, url + sorted name+value)).
std::string ReferenceTwilioSignature(const std::string& token, const std::string& url,
                                     Pairs params) {
  std::sort(params.begin(), params.end());
  std::string data = url;
  for (const auto& [k, v] : params) data += k + v;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, mac, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

// Every pair of a form body, decoded, in order.
Pairs DecodeForm(const std::string& body) {
  Result<channels::Form> form = channels::ParseForm(body);
  EXPECT_TRUE(form.ok()) << form.status().ToString();
  return form.ok() ? form->pairs() : Pairs{};
}

class FakeProviderTest : public ::testing::Test {
 protected:
  void StartFake(FakeProviderOptions options = {}) {
    options.print = false;
    fake_ = std::make_unique<FakeProvider>(std::move(options));
    Status s = fake_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(fake_->port(), 0);
  }
  // The send base URL of a channel, as the gateway config would have it.
  std::string Base(const std::string& channel) const {
    return "http://127.0.0.1:" + std::to_string(fake_->port()) + "/" + channel;
  }
  HttpOutcome Perform(const HttpCall& call) {
    outbound::TransportOptions o;
    o.connect_timeout_ms = 2000;
    o.total_timeout_ms = 5000;
    return transport_.Perform(call, o);
  }
  HttpCall AtSend(const std::string& channel, const Pairs& fields) const {
    HttpCall call;
    call.url = Base(channel) + "/version1/messaging";
    call.headers = {{"apiKey", "at-key"}, {"Accept", "application/json"}};
    call.content_type = "application/x-www-form-urlencoded";
    call.body = EncodeForm(fields);
    return call;
  }
  HttpCall TwilioSend(const std::string& channel, const Pairs& fields) const {
    HttpCall call;
    call.url = Base(channel) + "/2010-04-01/Accounts/ACfake/Messages.json";
    call.content_type = "application/x-www-form-urlencoded";
    call.body = EncodeForm(fields);
    call.basic_user = "ACfake";
    call.basic_password = "tw-token";
    return call;
  }
  HttpCall HubtelSend(const std::string& channel, const std::string& json) const {
    HttpCall call;
    call.url = Base(channel) + "/v1/messages/send";
    call.content_type = "application/json";
    call.body = json;
    call.basic_user = "client-id";
    call.basic_password = "client-secret";
    return call;
  }
  std::string KannelUrl(const std::string& channel, const Pairs& params) const {
    return Base(channel) + "/cgi-bin/sendsms?" + EncodeForm(params);
  }

  std::unique_ptr<FakeProvider> fake_;
  outbound::Transport transport_;
  testing::HttpClient client_;
};

// --- Africa's Talking ---

TEST_F(FakeProviderTest, AfricasTalkingSendIsAcceptedAndRecorded) {
  StartFake();
  HttpOutcome out = Perform(AtSend(
      "at-demo",
      {{"username", "sandbox"}, {"to", "+254700000001"}, {"message", "Saved KES 200"},
       {"from", "SHG"}}));
  ASSERT_EQ(out.failure, channels::TransportFailure::kNone) << out.error;
  EXPECT_EQ(out.status, 201);
  EXPECT_EQ(out.Header("content-type"), "application/json");
  Result<boost::json::value> json = channels::ParseJson(out.body);
  ASSERT_TRUE(json.ok()) << out.body;
  EXPECT_EQ(Text(*json, "/SMSMessageData/Message"), "Sent to 1/1 Total Cost: KES 0.8000");
  EXPECT_EQ(Int(*json, "/SMSMessageData/Recipients/0/statusCode"), 101);
  EXPECT_EQ(Text(*json, "/SMSMessageData/Recipients/0/number"), "+254700000001");
  EXPECT_EQ(Text(*json, "/SMSMessageData/Recipients/0/status"), "Success");
  EXPECT_EQ(Text(*json, "/SMSMessageData/Recipients/0/cost"), "KES 0.8000");
  const std::string id = Text(*json, "/SMSMessageData/Recipients/0/messageId");
  EXPECT_TRUE(std::regex_match(id, std::regex("ATXid_[0-9]+"))) << id;

  std::vector<FakeMessage> msgs = fake_->Messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].channel, "at-demo");
  EXPECT_EQ(msgs[0].provider, "africastalking");
  EXPECT_EQ(msgs[0].to, "+254700000001");
  EXPECT_EQ(msgs[0].from, "SHG");
  EXPECT_EQ(msgs[0].text, "Saved KES 200");
  EXPECT_EQ(msgs[0].provider_message_id, id);
  EXPECT_EQ(msgs[0].our_message_id, 0);
  EXPECT_EQ(fake_->RequestCount(), 1u);
}

TEST_F(FakeProviderTest, AfricasTalkingSeveralRecipientsAndAnInvalidOne) {
  StartFake();
  HttpOutcome out = Perform(AtSend(
      "at-demo",
      {{"username", "u"}, {"to", "+254700000001,+254700000002, 0700"}, {"message", "Hi"}}));
  ASSERT_EQ(out.status, 201) << out.body;
  Result<boost::json::value> json = channels::ParseJson(out.body);
  ASSERT_TRUE(json.ok()) << out.body;
  EXPECT_EQ(Text(*json, "/SMSMessageData/Message"), "Sent to 2/3 Total Cost: KES 1.6000");
  ASSERT_EQ(json->at_pointer("/SMSMessageData/Recipients").as_array().size(), 3u);
  EXPECT_NE(Text(*json, "/SMSMessageData/Recipients/0/messageId"),
            Text(*json, "/SMSMessageData/Recipients/1/messageId"));
  EXPECT_EQ(Int(*json, "/SMSMessageData/Recipients/2/statusCode"), 403);
  EXPECT_EQ(Text(*json, "/SMSMessageData/Recipients/2/status"), "InvalidPhoneNumber");
  std::vector<FakeMessage> msgs = fake_->Messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].to, "+254700000001");
  EXPECT_EQ(msgs[1].to, "+254700000002");
  EXPECT_EQ(msgs[1].from, "");
}

struct BadSend {
  std::string name;
  Pairs fields;
  bool with_key;
  int status;
};

TEST_F(FakeProviderTest, AfricasTalkingMalformedSendsAreRefused) {
  StartFake();
  const std::vector<BadSend> cases = {
      {"no apiKey", {{"username", "u"}, {"to", "+254700000001"}, {"message", "m"}}, false, 401},
      {"no username", {{"to", "+254700000001"}, {"message", "m"}}, true, 400},
      {"no to", {{"username", "u"}, {"message", "m"}}, true, 400},
      {"empty to", {{"username", "u"}, {"to", " , "}, {"message", "m"}}, true, 400},
      {"no message", {{"username", "u"}, {"to", "+254700000001"}}, true, 400},
  };
  for (const BadSend& c : cases) {
    HttpCall call = AtSend("at-demo", c.fields);
    if (!c.with_key) call.headers.clear();
    HttpOutcome out = Perform(call);
    EXPECT_EQ(out.status, c.status) << c.name << ": " << out.body;
    EXPECT_FALSE(out.body.empty()) << c.name;  // a reason
  }
  HttpCall broken = AtSend("at-demo", {});
  broken.body = "username=u&to=%ZZ&message=m";
  EXPECT_EQ(Perform(broken).status, 400);
  EXPECT_TRUE(fake_->Messages().empty());
  EXPECT_EQ(fake_->RequestCount(), cases.size() + 1);
}

// --- Twilio ---

TEST_F(FakeProviderTest, TwilioSendIsAcceptedAndRecorded) {
  StartFake();
  HttpOutcome out = Perform(TwilioSend(
      "tw-demo", {{"To", "+15005550006"}, {"From", "+15005550001"}, {"Body", "Akiba: 200 ✓"}}));
  ASSERT_EQ(out.status, 201) << out.body;
  Result<boost::json::value> json = channels::ParseJson(out.body);
  ASSERT_TRUE(json.ok()) << out.body;
  const std::string sid = Text(*json, "/sid");
  EXPECT_TRUE(std::regex_match(sid, std::regex("SM[0-9a-f]{32}"))) << sid;
  EXPECT_EQ(Text(*json, "/status"), "queued");
  EXPECT_EQ(Text(*json, "/account_sid"), "ACfake");
  EXPECT_EQ(Text(*json, "/to"), "+15005550006");
  EXPECT_EQ(Text(*json, "/body"), "Akiba: 200 ✓");

  std::vector<FakeMessage> msgs = fake_->Messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].channel, "tw-demo");
  EXPECT_EQ(msgs[0].provider, "twilio");
  EXPECT_EQ(msgs[0].to, "+15005550006");
  EXPECT_EQ(msgs[0].from, "+15005550001");
  EXPECT_EQ(msgs[0].text, "Akiba: 200 ✓");
  EXPECT_EQ(msgs[0].provider_message_id, sid);
}

TEST_F(FakeProviderTest, TwilioMalformedSendsAreRefused) {
  StartFake();
  const Pairs good = {{"To", "+15005550006"}, {"From", "+15005550001"}, {"Body", "b"}};
  HttpCall no_auth = TwilioSend("tw-demo", good);
  no_auth.basic_user.clear();
  EXPECT_EQ(Perform(no_auth).status, 401);
  HttpCall other_account = TwilioSend("tw-demo", good);
  other_account.basic_user = "ACother";
  EXPECT_EQ(Perform(other_account).status, 401);
  struct Case {
    Pairs fields;
    int code;
  };
  for (const Case& c : std::vector<Case>{
           {{{"From", "+15005550001"}, {"Body", "b"}}, 21604},
           {{{"To", "+15005550006"}, {"Body", "b"}}, 21603},
           {{{"To", "+15005550006"}, {"From", "+15005550001"}}, 21602},
       }) {
    HttpOutcome out = Perform(TwilioSend("tw-demo", c.fields));
    EXPECT_EQ(out.status, 400) << out.body;
    Result<boost::json::value> json = channels::ParseJson(out.body);
    ASSERT_TRUE(json.ok()) << out.body;
    EXPECT_EQ(Int(*json, "/code"), c.code);
  }
  // A Messaging Service stands in for From.
  EXPECT_EQ(Perform(TwilioSend("tw-demo", {{"To", "+15005550006"},
                                           {"MessagingServiceSid", "MG1"},
                                           {"Body", "b"}}))
                .status,
            201);
  EXPECT_EQ(fake_->Messages().size(), 1u);
}

// --- Kannel ---

TEST_F(FakeProviderTest, KannelGsmSendIsAcceptedAndRecorded) {
  StartFake();
  testing::HttpResult r = client_.Get(KannelUrl(
      "kn-demo", {{"username", "kuser"},
                  {"password", "kpass"},
                  {"to", "+254700000001"},
                  {"from", "SHG"},
                  {"text", "Saved KES 200 & more"},
                  {"dlr-mask", "31"},
                  {"dlr-url", "http://127.0.0.1:1/channels/kn-demo/status?id=17&type=%d"}}));
  EXPECT_EQ(r.status, 202) << r.error;
  EXPECT_EQ(r.body, "0: Accepted for delivery");
  std::vector<FakeMessage> msgs = fake_->Messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].channel, "kn-demo");
  EXPECT_EQ(msgs[0].provider, "kannel");
  EXPECT_EQ(msgs[0].to, "+254700000001");
  EXPECT_EQ(msgs[0].from, "SHG");
  EXPECT_EQ(msgs[0].text, "Saved KES 200 & more");
  EXPECT_EQ(msgs[0].provider_message_id, "");
  EXPECT_EQ(msgs[0].our_message_id, 17);
}

TEST_F(FakeProviderTest, KannelUcs2TextIsDecoded) {
  StartFake();
  const std::string text = "Umeweka KES 200 ✓ — asante 😀";
  testing::HttpResult r = client_.Get(KannelUrl("kn-demo", {{"username", "kuser"},
                                                            {"password", "kpass"},
                                                            {"to", "+254700000001"},
                                                            {"text", dialogs::EncodeUcs2(text)},
                                                            {"coding", "2"}}));
  EXPECT_EQ(r.status, 202) << r.body;
  std::vector<FakeMessage> msgs = fake_->Messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].text, text);
  EXPECT_EQ(msgs[0].our_message_id, 0);

  // The same with the charset named.
  r = client_.Get(KannelUrl("kn-demo", {{"username", "kuser"},
                                        {"password", "kpass"},
                                        {"to", "+254700000001"},
                                        {"text", dialogs::EncodeUcs2("ok ✓")},
                                        {"coding", "2"},
                                        {"charset", "UTF-16BE"}}));
  EXPECT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(fake_->Messages().size(), 2u);
  EXPECT_EQ(fake_->Messages()[1].text, "ok ✓");
}

TEST_F(FakeProviderTest, KannelMalformedSendsAreRefused) {
  StartFake();
  struct Case {
    std::string name;
    Pairs params;
    int status;
  };
  const std::vector<Case> cases = {
      {"no password", {{"username", "u"}, {"to", "+254700000001"}, {"text", "t"}}, 403},
      {"no to", {{"username", "u"}, {"password", "p"}, {"text", "t"}}, 400},
      {"no text", {{"username", "u"}, {"password", "p"}, {"to", "+254700000001"}}, 400},
      {"odd UCS-2",
       {{"username", "u"}, {"password", "p"}, {"to", "+254700000001"}, {"text", "abc"},
        {"coding", "2"}},
       400},
      {"bad coding",
       {{"username", "u"}, {"password", "p"}, {"to", "+254700000001"}, {"text", "t"},
        {"coding", "7"}},
       400},
  };
  for (const Case& c : cases) {
    testing::HttpResult r = client_.Get(KannelUrl("kn-demo", c.params));
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_FALSE(r.body.empty()) << c.name;
  }
  // A POST is not the sendsms GET interface.
  EXPECT_EQ(client_.PostForm(Base("kn-demo") + "/cgi-bin/sendsms", {{"to", "+2547"}}).status, 405);
  EXPECT_TRUE(fake_->Messages().empty());
  EXPECT_EQ(fake_->RequestCount(), cases.size());
}

// --- Hubtel ---

TEST_F(FakeProviderTest, HubtelSendIsAcceptedAndRecorded) {
  StartFake();
  HttpOutcome out = Perform(HubtelSend(
      "hb-demo",
      R"({"From":"SHG","To":"233200000001","Content":"Wo sika: GHS 20","RegisteredDelivery":true})"));
  ASSERT_EQ(out.status, 201) << out.body;
  Result<boost::json::value> json = channels::ParseJson(out.body);
  ASSERT_TRUE(json.ok()) << out.body;
  EXPECT_EQ(Int(*json, "/Status"), 0);
  const std::string id = Text(*json, "/MessageId");
  EXPECT_TRUE(std::regex_match(
      id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(Text(*json, "/NetworkId"), "62002");
  std::vector<FakeMessage> msgs = fake_->Messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].channel, "hb-demo");
  EXPECT_EQ(msgs[0].provider, "hubtel");
  EXPECT_EQ(msgs[0].to, "233200000001");
  EXPECT_EQ(msgs[0].from, "SHG");
  EXPECT_EQ(msgs[0].text, "Wo sika: GHS 20");
  EXPECT_EQ(msgs[0].provider_message_id, id);
}

TEST_F(FakeProviderTest, HubtelMalformedSendsAreRefused) {
  StartFake();
  HttpCall no_auth = HubtelSend("hb-demo", R"({"From":"S","To":"233200000001","Content":"c"})");
  no_auth.basic_user.clear();
  EXPECT_EQ(Perform(no_auth).status, 401);
  for (const std::string& body : {std::string(R"({"From":"S","To":"233200000001"})"),
                                  std::string(R"({"From":"S","Content":"c"})"),
                                  std::string(R"({"From":"S","To":233200000001,"Content":"c"})"),
                                  std::string("From=S&To=2332&Content=c"),
                                  std::string(R"(["From"])")}) {
    HttpOutcome out = Perform(HubtelSend("hb-demo", body));
    EXPECT_EQ(out.status, 400) << body;
  }
  EXPECT_TRUE(fake_->Messages().empty());
}

// --- routing, scripted failures ---

TEST_F(FakeProviderTest, UnknownPathsAndMethodsAreNotSends) {
  StartFake();
  EXPECT_EQ(client_.Get(Base("at-demo") + "/version2/messaging").status, 404);
  EXPECT_EQ(client_.Get("http://127.0.0.1:" + std::to_string(fake_->port()) + "/version1").status,
            404);
  EXPECT_EQ(client_.Get(Base("at-demo") + "/version1/messaging").status, 405);
  EXPECT_EQ(fake_->RequestCount(), 0u);
}

TEST_F(FakeProviderTest, FailNextAnswersTheNextSendsWithTheStatus) {
  StartFake();
  fake_->FailNext(2, 503);
  const Pairs fields = {{"username", "u"}, {"to", "+254700000001"}, {"message", "m"}};
  EXPECT_EQ(Perform(AtSend("at-demo", fields)).status, 503);
  // Any provider counts.
  testing::HttpResult kannel = client_.Get(KannelUrl(
      "kn-demo", {{"username", "u"}, {"password", "p"}, {"to", "+254700000001"}, {"text", "t"}}));
  EXPECT_EQ(kannel.status, 503);
  EXPECT_EQ(kannel.body, "Temporal failure, try again later.");
  EXPECT_TRUE(fake_->Messages().empty());
  EXPECT_EQ(Perform(AtSend("at-demo", fields)).status, 201);
  EXPECT_EQ(fake_->Messages().size(), 1u);

  fake_->FailNext(1, 429);
  HttpOutcome throttled = Perform(AtSend("at-demo", fields));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.Header("retry-after"), "1");
  EXPECT_EQ(Perform(AtSend("at-demo", fields)).status, 201);
  EXPECT_EQ(fake_->Messages().size(), 2u);
  EXPECT_EQ(fake_->RequestCount(), 5u);
}

TEST_F(FakeProviderTest, WaitForMessages) {
  StartFake();
  EXPECT_FALSE(fake_->WaitForMessages(1, 20ms));
  std::thread sender([this] {
    testing::HttpClient c;
    c.Get(KannelUrl("kn-demo",
                    {{"username", "u"}, {"password", "p"}, {"to", "+254700000001"}, {"text", "t"}}));
  });
  EXPECT_TRUE(fake_->WaitForMessages(1, 5000ms));
  sender.join();
}

// --- delivery reports ---

TEST_F(FakeProviderTest, AfricasTalkingDlrPostsToTheGatewayStatusRoute) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.gateway_url = gateway.base_url() + "/";
  o.callback_keys = {{"at-demo", "k3y/+"}};
  o.dlr_delay_ms = 20;
  StartFake(o);
  HttpOutcome out = Perform(
      AtSend("at-demo", {{"username", "u"}, {"to", "+254700000001"}, {"message", "m"}}));
  ASSERT_EQ(out.status, 201) << out.body;
  const std::string id =
      Text(*channels::ParseJson(out.body), "/SMSMessageData/Recipients/0/messageId");

  ASSERT_TRUE(gateway.WaitForRequests(1, 5000ms));
  http::Request dlr = gateway.Requests()[0];
  EXPECT_EQ(dlr.method, "POST");
  EXPECT_EQ(dlr.path, "/channels/at-demo/status");
  EXPECT_EQ(channels::QueryParam(dlr.query, "key").value(), "k3y/+");
  EXPECT_EQ(dlr.Header("content-type"), "application/x-www-form-urlencoded");
  Pairs fields = DecodeForm(dlr.body);
  EXPECT_EQ(fields, (Pairs{{"id", id},
                           {"status", "Success"},
                           {"phoneNumber", "+254700000001"},
                           {"networkCode", "63902"}}));
  for (int i = 0; i < 100 && fake_->DlrsSent() < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fake_->DlrsSent(), 1u);
}

TEST_F(FakeProviderTest, AfricasTalkingDlrWithoutKeyOrGatewayUrl) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.gateway_url = gateway.base_url();
  o.dlr_delay_ms = 10;
  StartFake(o);
  ASSERT_EQ(Perform(AtSend("at-other", {{"username", "u"}, {"to", "+254700000001"},
                                        {"message", "m"}}))
                .status,
            201);
  ASSERT_TRUE(gateway.WaitForRequests(1, 5000ms));
  EXPECT_EQ(gateway.Requests()[0].target, "/channels/at-other/status");

  // No gateway URL: no AT DLR.
  StartFake({});
  ASSERT_EQ(Perform(AtSend("at-demo", {{"username", "u"}, {"to", "+254700000001"},
                                       {"message", "m"}}))
                .status,
            201);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(fake_->DlrsSent(), 0u);
  EXPECT_EQ(gateway.RequestCount(), 1u);
}

TEST(FakeProviderSigningTest, MatchesTwilioPublishedVector) {
  const Pairs params = {{"CallSid", "CA1234567890ABCDE"},
                        {"Caller", "+12349013030"},
                        {"Digits", "1234"},
                        {"From", "+12349013030"},
                        {"To", "+18005551212"}};
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(ReferenceTwilioSignature("12345", url, params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  Pairs shuffled(params.rbegin(), params.rend());
  EXPECT_EQ(channels::TwilioSignature("12345", url, shuffled), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  EXPECT_NE(channels::TwilioSignature("12346", url, params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST_F(FakeProviderTest, TwilioDlrPostsToStatusCallbackSigned) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.dlr_delay_ms = 20;
  StartFake(o);
  const std::string callback = gateway.base_url() + "/channels/tw-demo/status?key=abc";
  HttpOutcome out = Perform(TwilioSend("tw-demo", {{"To", "+15005550006"},
                                                   {"From", "+15005550001"},
                                                   {"Body", "b"},
                                                   {"StatusCallback", callback}}));
  ASSERT_EQ(out.status, 201) << out.body;
  const std::string sid = Text(*channels::ParseJson(out.body), "/sid");

  ASSERT_TRUE(gateway.WaitForRequests(1, 5000ms));
  http::Request dlr = gateway.Requests()[0];
  EXPECT_EQ(dlr.method, "POST");
  EXPECT_EQ(dlr.target, "/channels/tw-demo/status?key=abc");
  EXPECT_EQ(dlr.Header("content-type"), "application/x-www-form-urlencoded");
  Pairs fields = DecodeForm(dlr.body);
  Pairs sorted = fields;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (Pairs{{"AccountSid", "ACfake"},
                           {"From", "+15005550001"},
                           {"MessageSid", sid},
                           {"MessageStatus", "delivered"},
                           {"To", "+15005550006"}}));
  // The gateway would check it this way: its own URL + the received params,
  // keyed by the account's auth token.
  const std::string signature = dlr.Header("x-twilio-signature");
  EXPECT_EQ(signature, ReferenceTwilioSignature("tw-token", callback, fields));
  EXPECT_NE(signature, ReferenceTwilioSignature("other-token", callback, fields));
}

TEST_F(FakeProviderTest, TwilioWithoutStatusCallbackSendsNoDlr) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.gateway_url = gateway.base_url();
  o.dlr_delay_ms = 10;
  StartFake(o);
  ASSERT_EQ(Perform(TwilioSend("tw-demo", {{"To", "+15005550006"},
                                           {"From", "+15005550001"},
                                           {"Body", "b"}}))
                .status,
            201);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(gateway.RequestCount(), 0u);
  EXPECT_EQ(fake_->DlrsSent(), 0u);
}

TEST_F(FakeProviderTest, KannelDlrGetsTheDlrUrlWithTypeSubstituted) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.dlr_delay_ms = 20;
  StartFake(o);
  // As the Kannel adapter builds it: the dlr-url is itself URL-encoded
  // ("%d" travels as "%25d").
  const std::string dlr_url = gateway.base_url() + "/channels/kn-demo/status?key=k&id=17&type=%d";
  testing::HttpResult r = client_.Get(KannelUrl("kn-demo", {{"username", "u"},
                                                            {"password", "p"},
                                                            {"to", "+254700000001"},
                                                            {"text", "t"},
                                                            {"dlr-mask", "19"},
                                                            {"dlr-url", dlr_url}}));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(gateway.WaitForRequests(1, 5000ms));
  http::Request dlr = gateway.Requests()[0];
  EXPECT_EQ(dlr.method, "GET");
  EXPECT_EQ(dlr.target, "/channels/kn-demo/status?key=k&id=17&type=1");
  EXPECT_EQ(fake_->Messages()[0].our_message_id, 17);
}

TEST_F(FakeProviderTest, KannelDlrOnlyWhenTheMaskAsksForDelivery) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.dlr_delay_ms = 10;
  StartFake(o);
  const std::string dlr_url = gateway.base_url() + "/channels/kn-demo/status?id=5&type=%d";
  for (const Pairs& extra : {Pairs{{"dlr-mask", "8"}, {"dlr-url", dlr_url}},  // SMSC only
                             Pairs{{"dlr-url", dlr_url}},                    // no mask
                             Pairs{{"dlr-mask", "31"}}}) {                   // no url
    Pairs params = {{"username", "u"}, {"password", "p"}, {"to", "+254700000001"}, {"text", "t"}};
    params.insert(params.end(), extra.begin(), extra.end());
    ASSERT_EQ(client_.Get(KannelUrl("kn-demo", params)).status, 202);
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(gateway.RequestCount(), 0u);
  EXPECT_EQ(fake_->Messages().size(), 3u);
}

TEST_F(FakeProviderTest, NoDlrsWhenDisabled) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.gateway_url = gateway.base_url();
  o.dlr_delay_ms = 10;
  o.send_dlrs = false;
  StartFake(o);
  ASSERT_EQ(Perform(AtSend("at-demo", {{"username", "u"}, {"to", "+254700000001"},
                                       {"message", "m"}}))
                .status,
            201);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(gateway.RequestCount(), 0u);
}

TEST_F(FakeProviderTest, StopDropsDlrsNotYetDue) {
  testing::ScriptedServer gateway;
  FakeProviderOptions o;
  o.gateway_url = gateway.base_url();
  o.dlr_delay_ms = 5000;
  StartFake(o);
  ASSERT_EQ(Perform(AtSend("at-demo", {{"username", "u"}, {"to", "+254700000001"},
                                       {"message", "m"}}))
                .status,
            201);
  auto start = std::chrono::steady_clock::now();
  fake_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3000ms);
  EXPECT_EQ(gateway.RequestCount(), 0u);
  EXPECT_EQ(fake_->DlrsSent(), 0u);
  fake_->Stop();  // idempotent
}

TEST(FakeProviderPrintTest, PrintsOneLinePerMessage) {
  FakeProviderOptions o;
  o.send_dlrs = false;
  FakeProvider fake(o);
  ASSERT_TRUE(fake.Start().ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(fake.port()) + "/kn-demo";
  ::testing::internal::CaptureStdout();
  testing::HttpClient client;
  testing::HttpResult r = client.Get(
      base + "/cgi-bin/sendsms?" +
      EncodeForm({{"username", "u"},
                  {"password", "p"},
                  {"to", "+254700000001"},
                  {"text", "Saved KES 200\nRef ABC"},
                  {"dlr-mask", "1"},
                  {"dlr-url", "http://127.0.0.1:9/channels/kn-demo/status?id=17&type=%d"}}));
  fake.Stop();
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(printed, "fake-provider: kn-demo -> +254700000001 \"Saved KES 200\\nRef ABC\" (id 17)\n");
}

TEST(FakeProviderStartTest, StartTwiceAndBusyPort) {
  FakeProviderOptions o;
  o.print = false;
  FakeProvider a(o);
  ASSERT_TRUE(a.Start().ok());
  EXPECT_EQ(a.Start().code(), Status::Code::kFailedPrecondition);
  FakeProviderOptions same = o;
  same.port = a.port();
  FakeProvider b(same);
  EXPECT_FALSE(b.Start().ok());
}

TEST(FakeProviderDecodingTest, Decodes) {
  EXPECT_EQ(dialogs::DecodeUcs2(std::string("\x00" "A\x27\x13", 4)).value(), "A✓");
  EXPECT_EQ(dialogs::DecodeUcs2(std::string("\xd8\x3d\xde\x00", 4)).value(), "😀");
  EXPECT_EQ(dialogs::DecodeUcs2(std::string("\xd8\x3d\x00" "A", 4)).value(), "\xef\xbf\xbd" "A");
  EXPECT_EQ(dialogs::DecodeUcs2("").value(), "");
  EXPECT_FALSE(dialogs::DecodeUcs2("abc").ok());
  EXPECT_EQ(dialogs::DecodeUcs2(dialogs::EncodeUcs2("Habari 👋🏾")).value(), "Habari 👋🏾");
}

}  // namespace
}  // namespace shg::gateway
