// The routes MFI partners call (partner API contract, gateway/partners/):
//   POST /partners/{partner_id}/loans/{reference}/decision|disbursement|repayments
// The signature (X-SHG-Timestamp, X-SHG-Signature over the raw body, replay
// window [loans] partner_replay_window_s) is verified before the body is
// read; then one store job records the event and queues the member's SMS
// (dialogs/partner_events.h, actor partner/<id>/partner-api). Answers, JSON:
//   200 {"reference","state","changed"}  changed false for an idempotent replay
//   400 {"error"}  malformed body, currency not the loan's, terms the domain refuses
//   401 {"error"}  missing/bad signature, bad/stale timestamp: nothing changed
//   404 {"error"}  "no such route" | "unknown partner" (or one without a secret)
//                  | "unknown loan"
//   405 {"error"}  not a POST
//   409 {"error","state"}  the event does not fit the loan's current state
//   503 {"error"}  the store is unavailable: retry
//   500 {"error"}  anything else (logged)
// Counted in shg_partner_callbacks_total{partner, event, outcome} (partner:
// the configured id or "unknown"; event: decision, disbursement, repayments
// or "other"). Bodies are never logged.
//
// Thread-safety: Handle() is called concurrently by the server threads.
#pragma once

#include "gateway/routes/submit.h"

namespace shg::gateway {

class PartnerRoutes {
 public:
  // `env` is borrowed and must outlive this.
  explicit PartnerRoutes(const RouteEnv& env) : env_(env) {}

  // A request whose path starts with /partners/.
  void Handle(http::Request&& request, http::Reply reply) const;

 private:
  const RouteEnv& env_;
};

}  // namespace shg::gateway
