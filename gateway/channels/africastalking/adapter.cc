#include "gateway/channels/africastalking/adapter.h"

#include <utility>

#include "gateway/channels/africastalking/sms.h"
#include "gateway/channels/africastalking/ussd.h"

namespace shg::channels {

AfricasTalkingAdapter::AfricasTalkingAdapter(config::ChannelSettings settings)
    : Adapter(std::move(settings)) {}

Result<UssdCallback> AfricasTalkingAdapter::ParseUssd(const http::Request& request,
                                                      bool end_route) const {
  if (end_route) return ParseAfricasTalkingUssdEnd(request.body);
  Result<UssdRequest> step = ParseAfricasTalkingUssd(settings_.id, request.body);
  if (!step.ok()) return step.status();
  UssdCallback callback;
  callback.kind = UssdCallback::Kind::kStep;
  callback.request = std::move(step).value();
  return callback;
}

http::Response AfricasTalkingAdapter::FormatUssd(const UssdCallback& callback,
                                                 const UssdReply& reply) const {
  if (callback.kind == UssdCallback::Kind::kEnded) return http::Response::Text(200, "");
  return http::Response::Text(200, FormatAfricasTalkingUssd(reply));
}

Result<InboundSms> AfricasTalkingAdapter::ParseInboundSms(const http::Request& request) const {
  return ParseAfricasTalkingInboundSms(settings_.id, request.body);
}

http::Response AfricasTalkingAdapter::InboundSmsAck() const {
  return http::Response::Text(200, "");
}

Result<std::vector<DeliveryReport>> AfricasTalkingAdapter::ParseStatus(
    const http::Request& request) const {
  Result<DeliveryReport> report = ParseAfricasTalkingDeliveryReport(settings_.id, request.body);
  if (!report.ok()) return report.status();
  std::vector<DeliveryReport> reports;
  reports.push_back(std::move(report).value());
  return reports;
}

HttpCall AfricasTalkingAdapter::BuildSend(const OutboundSms& sms) const {
  return BuildAfricasTalkingSend(settings_, sms);
}

SendResult AfricasTalkingAdapter::ClassifySend(const HttpOutcome& outcome) const {
  return ClassifyAfricasTalkingSend(outcome);
}

std::unique_ptr<Adapter> MakeAfricasTalkingAdapter(const config::ChannelSettings& settings) {
  return std::make_unique<AfricasTalkingAdapter>(settings);
}

}  // namespace shg::channels
