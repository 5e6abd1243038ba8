// A local fake SMS provider, and fake MFI partners (below), for the demo and
// the integration tests. It serves the send APIs of Africa's Talking,
// Twilio, Kannel and Hubtel on one loopback port, records (and optionally
// prints) every accepted message, and later sends the delivery reports the
// real provider would send.
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
// Fake MFI partners (issue 4, the demo partner "Imara Microfinance"): each
// FakeMfiPartnerOptions is served under /mfi/<partner id>, so the gateway's
// [[mfi_partners]] entry points at it as
//   api_base_url = "http://127.0.0.1:PORT/mfi/<partner id>"
// and referrals arrive as POST /mfi/<id>/referrals (gateway/partners/
// signature.h, the partner API contract). The fake answers
//   503 "partner down"        while FailNextReferrals() lasts (nothing checked)
//   401 {"error":"<reason>"}  a missing, stale or wrong signature (Verify's reason)
//   400 {"error":"<reason>"}  no Idempotency-Key, or a body that is not a referral
//   409 {"error":"duplicate referral","id":"IMR-1"}  an Idempotency-Key seen before
//   201 {"id":"IMR-<n>"}      accepted: recorded (FakeReferral) and printed
// and, on command, calls the gateway's signed callbacks as the partner would
// (ApproveLoan, DeclineLoan, Disburse, Repay):
//   POST {gateway_url}/partners/<id>/loans/<reference>/decision | disbursement | repayments
// signed with the partner's secret at the fake's clock. Partner ids: the
// partner's id_prefix ("IMR") + "-" + n for referrals, "-TX-" + n for
// disbursements, "-PAY-" + n for repayments (one counter per kind).
//
// Control endpoint, so a person can drive a partner from a shell (the
// `shg-gateway partner-demo` command calls it):
//   POST /control/mfi/<id>/approve?ref=K7P2QX[&amount=U][&term=N][&rule=flat|declining][&rate=BP]
//   POST /control/mfi/<id>/decline?ref=K7P2QX[&reason=TEXT]
//   POST /control/mfi/<id>/disburse?ref=K7P2QX[&amount=U]
//   POST /control/mfi/<id>/repay?ref=K7P2QX&amount=U
// where U is whole currency units, cents allowed ("1816.67"). It answers with
// the gateway's status and body as they came (so 200/400/401/404/409 are
// the gateway's), or with the fake's own error, its JSON "error" starting
// with "fake-mfi:": 400 a bad parameter, 404 unknown partner or no referral
// with that reference (and no amount and term to go on), 502 the gateway
// did not answer. The first path segments "mfi" and "control" are therefore
// not channel ids. The control endpoint has no authentication: the fake is
// for loopback demos and tests only.
//
// Thread-safety: all methods may be called from any thread. Start/Stop from
// one controlling thread. The partner calls (ApproveLoan...) block on the
// gateway's answer; never call them from a handler the gateway runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "domain/loan_schedule.h"
#include "domain/result.h"
#include "gateway/channels/channel.h"
#include "gateway/http/server.h"

namespace shg::gateway {

// One fake MFI partner.
struct FakeMfiPartnerOptions {
  std::string id;         // "imara": served at /mfi/imara, callbacks /partners/imara/...
  std::string name;       // "Imara Microfinance" (printed)
  std::string secret;     // HMAC key of both directions; never printed
  std::string currency = "KES";  // of amounts given in units to the control endpoint
  // The product's terms ApproveLoan offers when none are given.
  InterestRule rule = InterestRule::kDeclining;
  int64_t annual_rate_bp = 1800;
  // Prefix of the partner's ids; "" = the id's first letter and its next
  // consonants, upper-cased, 3 at most ("imara" -> "IMR").
  std::string id_prefix;
};

struct FakeProviderOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;        // 0 picks a free port (see FakeProvider::port())
  std::string gateway_url;  // "http://127.0.0.1:8080": where AT DLRs go ("" = none)
  std::map<std::string, std::string> callback_keys;  // channel id -> ?key= for AT DLRs
  int dlr_delay_ms = 200;   // delay between an accepted send and its DLR
  bool send_dlrs = true;
  bool print = true;        // one line per accepted message on stdout
  // MFI partners served under /mfi/<id>; callbacks go to gateway_url.
  std::vector<FakeMfiPartnerOptions> mfi_partners;
  int mfi_replay_window_s = 300;  // a referral signed further from now is refused (401)
  // Unix seconds for checking and signing timestamps; empty = the system clock.
  std::function<int64_t()> clock;
};

// A referral the fake accepted (201).
struct FakeReferral {
  std::string partner_id;
  std::string partner_ref;   // the id the fake answered, "IMR-1"
  std::string reference;     // the Idempotency-Key (the loan reference)
  std::string member_name;   // masked: first name and the last name's initial, "Amina W."
  int64_t amount = 0;        // loan.amount_minor
  std::string currency;
  int term_months = 0;
  std::string purpose;
  std::string body;          // the signed document as received (tests; never printed)
};

// Terms of ApproveLoan; each unset one defaults to the referral's amount and
// term and the partner's rule and rate.
struct FakeApproval {
  std::optional<int64_t> amount;  // minor units
  std::optional<int> term_months;
  std::optional<InterestRule> rule;
  std::optional<int64_t> annual_rate_bp;
};

// What a partner call got back.
struct FakeMfiCall {
  int status = 0;      // the gateway's HTTP status; 0 = no answer (see error)
  std::string body;    // the gateway's answer body
  std::string error;   // why there is no answer ("" when status != 0)
  bool ok() const { return status >= 200 && status < 300; }
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

  // --- fake MFI partners ---
  // Accepted referrals of every partner, in order.
  std::vector<FakeReferral> Referrals() const;
  // Waits until at least `n` referrals were accepted or `timeout` passed;
  // returns whether they were.
  bool WaitForReferrals(size_t n, std::chrono::milliseconds timeout) const;
  // The partner is down: the next `n` referral POSTs (any partner) are
  // answered `status` (503 by default; 429 adds Retry-After: 1) and record
  // nothing.
  void FailNextReferrals(int n, int status = 503);
  // Referral POSTs received, whatever their answer.
  size_t ReferralRequestCount() const;

  // The partner's callbacks for the loan `reference`, made by the partner
  // that received its referral (else the first partner), signed, sent to
  // gateway_url; each returns the gateway's answer. A call that cannot be
  // made (no partner, no gateway_url, nothing to default a term from) has
  // status 0 and an error starting with "fake-mfi:".
  // decision approved, terms as FakeApproval says.
  FakeMfiCall ApproveLoan(const std::string& reference, const FakeApproval& terms = {});
  // decision declined with `reason` (1..160 bytes).
  FakeMfiCall DeclineLoan(const std::string& reference, const std::string& reason);
  // disbursement of `amount` (default: the amount this fake approved, else
  // the referral's) now, transaction id IMR-TX-<n>; a second Disburse of the
  // same loan re-sends the same transaction id (the gateway then answers
  // changed=false), so a retry after a lost answer is safe.
  FakeMfiCall Disburse(const std::string& reference, std::optional<int64_t> amount = {});
  // a repayment of `amount` minor units received now, payment id IMR-PAY-<n>
  // (a new one for every call).
  FakeMfiCall Repay(const std::string& reference, int64_t amount);
  // Any signed callback: POST {gateway_url}/partners/<partner_id>/loans/
  // <reference>/<event> with `body` as given (tests of malformed bodies).
  FakeMfiCall SendCallback(const std::string& partner_id, const std::string& reference,
                           const std::string& event, const std::string& body);

 private:
  struct Dlr {
    std::chrono::steady_clock::time_point due;
    channels::HttpCall call;
    std::string channel;
  };

  struct Mfi;  // the partners' state (fake_mfi.cc)

  void Handle(http::Request&& request, http::Reply reply);
  // /mfi/<id>/referrals and /control/mfi/<id>/<action> (fake_mfi.cc).
  http::Response HandleReferral(std::string_view partner_id, std::string_view rest,
                                const http::Request& request);
  http::Response HandleControl(std::string_view partner_id, std::string_view action,
                               const http::Request& request);
  // The partner calls; `partner_hint` names the partner when the loan is
  // unknown ("" = the first).
  FakeMfiCall ApproveFor(std::string_view partner_hint, const std::string& reference,
                         const FakeApproval& terms);
  FakeMfiCall DeclineFor(std::string_view partner_hint, const std::string& reference,
                         const std::string& reason);
  FakeMfiCall DisburseFor(std::string_view partner_hint, const std::string& reference,
                          std::optional<int64_t> amount);
  FakeMfiCall RepayFor(std::string_view partner_hint, const std::string& reference,
                       int64_t amount);
  void PrintCall(const std::string& partner_id, const std::string& what, const FakeMfiCall& call);
  int64_t Now() const;  // Unix seconds (options_.clock)
  void Print(const std::string& line);  // when options_.print
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
  std::unique_ptr<Mfi> mfi_;
};

}  // namespace shg::gateway
