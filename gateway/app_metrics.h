// The gateway's Prometheus series, registered in one place (AppMetrics'
// constructor, in the order /metrics renders them). Names, labels and help
// texts are part of the operator contract (dashboards, alerts): change them
// only on purpose. Label values come from closed sets or configured ids,
// never from a request as such.
//
// Thread-safety: the series are safe to update concurrently (http/metrics.h).
#pragma once

#include "gateway/http/metrics.h"

namespace shg::gateway {

struct AppMetrics {
  // Registers every series in `registry`, which must outlive this.
  explicit AppMetrics(http::Registry& registry);

  http::Counter& requests;        // shg_http_requests_total: channel, route, outcome
  http::Counter& ussd_steps;      // shg_ussd_steps_total: channel, kind
  http::Counter& pin_failures;    // shg_pin_failures_total: channel, locked
  http::Counter& timed_out;       // shg_ussd_sessions_timed_out_total: channel, network
  http::Counter& screen_cut;      // shg_screen_overflow_total: channel
  http::Histogram& ussd_latency;  // shg_ussd_answer_seconds: channel
  http::Histogram& commit_latency;  // shg_store_commit_seconds
  http::Gauge& active_sessions;     // shg_ussd_sessions_active
  http::Counter& ussd_ends;         // shg_ussd_session_end_total: channel, status
  http::Counter& sms_inbound;       // shg_sms_inbound_total: channel, outcome
  http::Counter& reports;           // shg_delivery_reports_total: channel, state, match
  http::Counter& sends;             // shg_sms_sends_total: channel, outcome
  http::Histogram& send_latency;    // shg_sms_send_seconds: channel
  http::Counter& outbox_queued;     // gauge shg_outbox_queued: channel
  http::Counter& outbox_oldest;     // gauge shg_outbox_oldest_queued_seconds: channel
  http::Counter& partner_callbacks;  // shg_partner_callbacks_total: partner, event, outcome
  http::Counter& scheduler_runs;     // shg_loan_scheduler_runs_total: outcome
  http::Counter& scheduler_changes;  // shg_loan_scheduler_changes_total: change
  // This instance's store (set from store::StoreCounters at each scrape):
  http::Counter& store_jobs;         // shg_store_jobs_total: outcome (run|retried|gave_up)
  http::Counter& store_pool_waits;   // shg_store_pool_waits_total
  http::Counter& store_pool_wait_s;  // shg_store_pool_wait_seconds_total
};

}  // namespace shg::gateway
