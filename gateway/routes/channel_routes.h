// The routes providers call, one set per configured channel:
//   POST     /channels/{id}/ussd      USSD step (provider format: AT, Hubtel)
//   POST     /channels/{id}/ussd-end  end-of-session notification (AT)
//   POST|GET /channels/{id}/sms       inbound SMS (GET for Kannel's get-url)
//   POST|GET /channels/{id}/status    delivery reports (GET for Kannel)
// Every route is authenticated by the channel's adapter first (403, no side
// effect); a malformed callback is 400 with the reason, one the adapter
// does not take on this route 404. Then one store job (routes/submit.h):
//   ussd    the dialog engine's step; the answer is the next screen, or the
//           engine's technical-error screen when the step rolled back
//   sms     the SMS commands; the provider's ack, or 503 (nothing recorded:
//           the provider retries, and the retry is processed once)
//   status  the delivery reports applied to the outbox; 200 (unknown ids
//           too: the report is kept), or 503
// Counted in shg_http_requests_total{channel, route, outcome} (outcome ok,
// error, bad_request, no_route, no_channel, bad_method, forbidden; an
// unknown channel is channel "unknown", an unknown route "other").
//
// Thread-safety: Handle() is called concurrently by the server threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "gateway/channels/channel.h"
#include "gateway/routes/submit.h"

namespace shg::gateway {

class ChannelRoutes {
 public:
  using Adapters = std::map<std::string, std::unique_ptr<channels::Adapter>, std::less<>>;

  // `env` and `adapters` are borrowed and must outlive this.
  ChannelRoutes(const RouteEnv& env, const Adapters& adapters) : env_(env), adapters_(adapters) {}

  // A request whose path starts with /channels/ (404 for any other shape).
  void Handle(http::Request&& request, http::Reply reply) const;

 private:
  void Ussd(const channels::Adapter& adapter, http::Request&& request, http::Reply reply,
            bool end_route) const;
  void Sms(const channels::Adapter& adapter, http::Request&& request, http::Reply reply) const;
  void Reports(const channels::Adapter& adapter, http::Request&& request,
               http::Reply reply) const;

  const RouteEnv& env_;
  const Adapters& adapters_;
};

}  // namespace shg::gateway
