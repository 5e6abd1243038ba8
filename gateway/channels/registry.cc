// MakeAdapter: the one place that knows every provider type.
#include "gateway/channels/africastalking/adapter.h"
#include "gateway/channels/channel.h"
#include "gateway/channels/hubtel/adapter.h"
#include "gateway/channels/kannel/adapter.h"
#include "gateway/channels/twilio/adapter.h"

namespace shg::channels {

Result<std::unique_ptr<Adapter>> MakeAdapter(const config::ChannelSettings& settings) {
  if (settings.type == "africastalking") return MakeAfricasTalkingAdapter(settings);
  if (settings.type == "twilio") return MakeTwilioAdapter(settings);
  if (settings.type == "kannel") return MakeKannelAdapter(settings);
  if (settings.type == "hubtel") return MakeHubtelAdapter(settings);
  return Status::InvalidArgument("unknown channel type '" + settings.type + "'");
}

}  // namespace shg::channels
