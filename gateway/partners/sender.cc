#include "gateway/partners/sender.h"

#include <chrono>
#include <optional>
#include <utility>

#include "domain/loans.h"
#include "gateway/channels/json.h"
#include "gateway/partners/signature.h"

namespace shg::partners {
namespace {

constexpr size_t kMaxPartnerIdBytes = 64;  // a longer "id" in an answer is not kept

// The loan reference of a referral document, or "" when the body is not a
// JSON object with a string "reference".
std::string ReferenceOf(const std::string& body) {
  auto doc = channels::ParseJson(body);
  if (!doc.ok()) return "";
  return std::string(channels::JsonString(channels::JsonFind(&*doc, "reference")));
}

// The partner's id for the referral from a 2xx answer, or "".
std::string PartnerReferralId(const std::string& body) {
  if (body.empty()) return "";
  auto doc = channels::ParseJson(body);
  if (!doc.ok()) return "";
  const boost::json::value* id = channels::JsonFind(&*doc, "id");
  if (id == nullptr) return "";
  std::string value;
  if (id->is_string()) {
    value = std::string(id->get_string());
  } else if (std::optional<int64_t> n = channels::JsonInt64(id)) {
    value = std::to_string(*n);
  }
  return channels::IsPrintableAscii(value, kMaxPartnerIdBytes) ? value : "";
}

}  // namespace

int64_t SystemSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

config::ChannelSettings ReferralChannelSettings(const config::MfiPartnerSettings& partner) {
  config::ChannelSettings s;
  s.id = ReferralChannel(partner.id);
  s.type = "mfi_partner";
  s.country = "";
  s.api_base_url = partner.api_base_url;
  s.username = partner.id;
  return s;
}

PartnerSender::PartnerSender(const config::MfiPartnerSettings& partner, SecondsClock clock)
    : channels::Adapter(ReferralChannelSettings(partner)),
      partner_id_(partner.id),
      secret_(partner.secret),
      clock_(std::move(clock)) {}

channels::HttpCall PartnerSender::BuildSend(const channels::OutboundSms& sms) const {
  channels::HttpCall call;
  call.method = "POST";
  call.url = settings_.api_base_url + "/referrals";
  call.content_type = "application/json";
  call.body = sms.text;
  const std::string timestamp = std::to_string(clock_());
  call.headers.emplace_back(kTimestampHeader, timestamp);
  call.headers.emplace_back(kSignatureHeader, Sign(secret_, timestamp, call.body));
  // The domain always writes the reference; without one the partner is
  // expected to refuse the request (4xx: permanent, visible in the outbox).
  std::string reference = ReferenceOf(call.body);
  if (!reference.empty()) call.headers.emplace_back(kIdempotencyHeader, std::move(reference));
  call.headers.emplace_back("Accept", "application/json");
  return call;
}

channels::SendResult PartnerSender::ClassifySend(const channels::HttpOutcome& outcome) const {
  channels::SendResult r;
  if (channels::ClassifyCommon(outcome, &r)) return r;
  const std::string code = "HTTP " + std::to_string(outcome.status);
  if (outcome.status >= 200 && outcome.status < 300) {
    return {channels::SendClass::kAccepted, PartnerReferralId(outcome.body), "accepted", 0};
  }
  if (outcome.status == 409) {
    return {channels::SendClass::kAccepted, "", code + " already referred", 0};
  }
  return {channels::SendClass::kPermanent, "", code + " rejected", 0};
}

}  // namespace shg::partners
