// The Africa's Talking channel adapter (type "africastalking"): USSD steps
// and the end-of-session notification, inbound SMS, delivery reports and
// SMS sends through AT's version1/messaging API (spec: providers.md
// sections 1 and 2). A thin shell over the pure functions of ussd.h and
// sms.h; see there for every field, limit and classification rule.
//
// Routes (all authenticated by the default ?key= check, Adapter::Authenticate):
//   /ussd      ParseUssd(end_route=false): ParseAfricasTalkingUssd -> kStep;
//              FormatUssd answers 200 text/plain "CON ..." / "END ...".
//   /ussd-end  ParseUssd(end_route=true): ParseAfricasTalkingUssdEnd ->
//              kEnded; FormatUssd answers 200 with an empty body.
//   /sms       ParseInboundSms: ParseAfricasTalkingInboundSms; InboundSmsAck
//              is 200 with an empty body.
//   /status    ParseStatus: ParseAfricasTalkingDeliveryReport, always one
//              report per callback.
// Sending: BuildSend = BuildAfricasTalkingSend(settings(), sms),
// ClassifySend = ClassifyAfricasTalkingSend.
//
// Thread-safety: immutable after construction; every method may run
// concurrently.
#pragma once

#include <memory>
#include <vector>

#include "config/settings.h"
#include "gateway/channels/channel.h"

namespace shg::channels {

class AfricasTalkingAdapter : public Adapter {
 public:
  explicit AfricasTalkingAdapter(config::ChannelSettings settings);

  Result<UssdCallback> ParseUssd(const http::Request& request, bool end_route) const override;
  http::Response FormatUssd(const UssdCallback& callback, const UssdReply& reply) const override;
  Result<InboundSms> ParseInboundSms(const http::Request& request) const override;
  http::Response InboundSmsAck() const override;
  Result<std::vector<DeliveryReport>> ParseStatus(const http::Request& request) const override;
  HttpCall BuildSend(const OutboundSms& sms) const override;
  SendResult ClassifySend(const HttpOutcome& outcome) const override;
};

// A new AfricasTalkingAdapter for `settings` (settings.type is not checked).
std::unique_ptr<Adapter> MakeAfricasTalkingAdapter(const config::ChannelSettings& settings);

}  // namespace shg::channels
