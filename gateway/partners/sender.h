// The referral sender: delivers the MFI referrals the domain queues in the
// outbox (domain/loans.h, kind kReferralMessageKind, channel
// ReferralChannel(partner id)) to the partner's API, so the outbox
// dispatcher (gateway/outbound) gives them leases, retries with backoff and
// throttling like any SMS.
//
// It is a channels::Adapter for the channel "partner:<partner id>" that only
// sends (no callbacks arrive through it: partner callbacks have their own
// routes in the App). Each attempt is
//   POST <api_base_url>/referrals
//   Content-Type: application/json
//   X-SHG-Timestamp: <now, at this attempt>   X-SHG-Signature: Sign(secret, ts, body)
//   Idempotency-Key: <the loan reference, read from the body's "reference">
//   body: the referral document (the outbox row's body, sent byte for byte)
// and its outcome is classified (partner API contract):
//   2xx          accepted; provider_message_id = the answer's {"id": "..."}
//                when it is a short printable string, else ""
//   409          accepted: the partner already has this referral
//   429          throttled (Retry-After honoured)
//   5xx, 408, timeouts, connection errors: retryable
//   401/403, other 4xx, 1xx/3xx, TLS failures: permanent
// Reasons never carry the partner's body (it may echo personal data) nor
// the secret.
//
// Thread-safety: immutable after construction; the clock must be callable
// concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/settings.h"
#include "gateway/channels/channel.h"

namespace shg::partners {

// Unix seconds; injectable for tests.
using SecondsClock = std::function<int64_t()>;
int64_t SystemSeconds();

class PartnerSender : public channels::Adapter {
 public:
  // REQUIRES: !partner.api_base_url.empty() (settings validation ensures a
  // partner with an API has a secret of at least 16 bytes).
  explicit PartnerSender(const config::MfiPartnerSettings& partner,
                         SecondsClock clock = SystemSeconds);

  const std::string& partner_id() const { return partner_id_; }

  // `sms.text` is the referral document; `sms.to` is ignored.
  channels::HttpCall BuildSend(const channels::OutboundSms& sms) const override;
  channels::SendResult ClassifySend(const channels::HttpOutcome& outcome) const override;

 private:
  std::string partner_id_;
  std::string secret_;  // never in settings(): those are readable by anyone
  SecondsClock clock_;
};

// The channel settings a partner's sender runs with: id
// ReferralChannel(partner.id), type "mfi_partner", the partner's base URL;
// `username` is the partner id so that sends() holds. No secret.
config::ChannelSettings ReferralChannelSettings(const config::MfiPartnerSettings& partner);

}  // namespace shg::partners
