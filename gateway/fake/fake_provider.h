// A local fake SMS provider for the demo and the integration tests. It
// serves the send APIs of Africa's Talking, Twilio, Kannel and Hubtel on one
// loopback port, records (and optionally prints) every accepted message, and
// later sends the delivery reports the real provider would send.
//
// Channels point their send base URL at it as
//   api_base_url = "http://127.0.0.1:PORT/<channel-id>"
// so the first path segment names the channel, and each adapter appends its
// provider's path:
//   Africa's Talking  POST /<ch>/version1/messaging            (form, apiKey header)
//   Twilio            POST /<ch>/2010-04-01/Accounts/<sid>/Messages.json (form, Basic)
//   Kannel            GET  /<ch>/cgi-bin/sendsms?username=..&password=..&to=..&text=..
//   Hubtel            POST /<ch>/v1/messages/send               (JSON, Basic)
// Answers are shaped like the provider's (AT 201 SMSMessageData JSON, Twilio
// 201 message resource, Kannel 202 "0: Accepted for delivery", Hubtel 201
// {"Status":0,"MessageId":...}). A malformed send gets 400 with a plain-text
// reason; missing credentials get 401 (Kannel: 403, as Kannel does). The
// fake checks that credentials are present, not their values. An unknown
// path is 404.
//
// Delivery reports ("delivered"), sent dlr_delay_ms after the accepted send
// from a background thread:
//   Africa's Talking  POST {gateway_url}/channels/<ch>/status[?key=<callback_keys[ch]>]
//                     form id, status=Success, phoneNumber, networkCode=63902
//                     (only when gateway_url is set)
//   Twilio            POST to the send's StatusCallback (when given), form
//                     AccountSid, From, MessageSid, MessageStatus=delivered, To,
//                     signed (X-Twilio-Signature) with the Basic-auth password
//                     as the auth token
//   Kannel            GET the send's dlr-url (when dlr-mask has bit 1) with
//                     %d replaced by 1
//   Hubtel            none
//
// Thread-safety: all methods may be called from any thread. Start/Stop from
// one controlling thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "domain/result.h"
#include "gateway/channels/channel.h"
#include "gateway/http/server.h"

namespace shg::gateway {

struct FakeProviderOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;        // 0 picks a free port (see FakeProvider::port())
  std::string gateway_url;  // "http://127.0.0.1:8080": where AT DLRs go ("" = none)
  std::map<std::string, std::string> callback_keys;  // channel id -> ?key= for AT DLRs
  int dlr_delay_ms = 200;   // delay between an accepted send and its DLR
  bool send_dlrs = true;
  bool print = true;        // one line per accepted message on stdout
};

struct FakeMessage {
  std::string channel;   // first path segment of the send request
  std::string provider;  // "africastalking" | "twilio" | "kannel" | "hubtel"
  std::string to;
  std::string from;      // "" when the send named none
  std::string text;      // UTF-8 (Kannel UCS-2 decoded)
  std::string provider_message_id;  // the id the answer carried ("" for Kannel)
  int64_t our_message_id = 0;       // the `id` in Kannel's dlr-url, else 0
};

class FakeProvider {
 public:
  explicit FakeProvider(FakeProviderOptions options);
  ~FakeProvider();  // Stop()s
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  // Binds and starts serving. Unavailable/InvalidArgument on bind errors,
  // FailedPrecondition when already started.
  Status Start();
  uint16_t port() const;  // the bound port, after Start
  // Stops serving, then stops the DLR thread: a DLR being sent finishes,
  // DLRs not yet due are dropped.
  void Stop();

  // Accepted messages, in order (one per recipient).
  std::vector<FakeMessage> Messages() const;
  // Waits until at least `n` messages were accepted or `timeout` passed;
  // returns whether they were.
  bool WaitForMessages(size_t n, std::chrono::milliseconds timeout) const;
  // The next `n` send requests (any provider, malformed or not) are answered
  // with `status` (e.g. 503; 429 adds Retry-After: 1) and record nothing.
  void FailNext(int n, int status);
  // Holds every later send request (accepted, failed by FailNext or
  // malformed) `ms` milliseconds before answering it, on the server thread
  // that took it: with the fake's two server threads, at most two delayed
  // sends are in flight at once. 0 (the default) = answer at once.
  void set_send_delay_ms(int ms);
  // Send requests received and not yet answered (see set_send_delay_ms).
  size_t InFlight() const;
  // Send requests received (accepted, failed by FailNext or malformed).
  size_t RequestCount() const;
  // DLRs that reached the gateway (any HTTP answer).
  size_t DlrsSent() const;

 private:
  struct Dlr {
    std::chrono::steady_clock::time_point due;
    channels::HttpCall call;
    std::string channel;
  };

  void Handle(http::Request&& request, http::Reply reply);
  http::Response HandleAfricasTalking(const std::string& channel, const http::Request& request);
  http::Response HandleTwilio(const std::string& channel, const std::string& account_sid,
                              const http::Request& request);
  http::Response HandleKannel(const std::string& channel, const http::Request& request);
  http::Response HandleHubtel(const std::string& channel, const http::Request& request);
  // Records and prints a message; schedules `dlr` (when its url is set).
  void Record(FakeMessage message, channels::HttpCall dlr);
  std::string NextId(std::string_view prefix);  // prefix + counter
  std::string RandomHex(size_t n);
  void DlrLoop();

  const FakeProviderOptions options_;
  std::unique_ptr<http::Server> server_;

  mutable std::mutex mu_;
  mutable std::condition_variable messages_cv_;
  std::condition_variable dlr_cv_;
  std::vector<FakeMessage> messages_;  // guarded by mu_
  std::vector<Dlr> dlrs_;              // guarded by mu_, pending
  int fail_remaining_ = 0;             // guarded by mu_
  int fail_status_ = 503;              // guarded by mu_
  size_t request_count_ = 0;           // guarded by mu_
  int send_delay_ms_ = 0;              // guarded by mu_
  size_t in_flight_ = 0;               // guarded by mu_
  size_t dlrs_sent_ = 0;               // guarded by mu_
  uint64_t next_id_ = 1;               // guarded by mu_
  uint64_t rng_state_ = 0;             // guarded by mu_
  bool stopping_ = false;              // guarded by mu_
  bool started_ = false;
  std::mutex print_mu_;
  std::thread dlr_thread_;
};

}  // namespace shg::gateway
