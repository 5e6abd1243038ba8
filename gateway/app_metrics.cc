#include "gateway/app_metrics.h"

namespace shg::gateway {

AppMetrics::AppMetrics(http::Registry& registry)
    : requests(registry.AddCounter("shg_http_requests_total",
                                   "HTTP requests by channel, route and outcome.",
                                   {"channel", "route", "outcome"})),
      ussd_steps(registry.AddCounter("shg_ussd_steps_total",
                                     "USSD steps by channel and kind (new, continued, duplicate, "
                                     "expired, unknown_phone, bad_phone).",
                                     {"channel", "kind"})),
      pin_failures(registry.AddCounter(
          "shg_pin_failures_total", "Wrong PINs entered, and whether the attempt locked the PIN.",
          {"channel", "locked"})),
      timed_out(registry.AddCounter(
          "shg_ussd_sessions_timed_out_total",
          "USSD sessions that expired waiting for input (cut by the operator or abandoned), "
          "counted when purged, by channel and network.",
          {"channel", "network"})),
      screen_cut(registry.AddCounter("shg_screen_overflow_total",
                                     "Screens cut at 160 characters (a catalogue defect).",
                                     {"channel"})),
      ussd_latency(registry.AddHistogram(
          "shg_ussd_answer_seconds", "Time from USSD request parsed to answer ready (durable).",
          {"channel"},
          {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})),
      commit_latency(registry.AddHistogram(
          "shg_store_commit_seconds", "Duration of one group commit of the store writer.", {},
          {0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})),
      active_sessions(registry.AddGauge("shg_ussd_sessions_active",
                                        "USSD sessions not yet expired (refreshed by the janitor "
                                        "and on scrape).")),
      ussd_ends(registry.AddCounter("shg_ussd_session_end_total",
                                    "End-of-session notifications from providers, by status "
                                    "(success, incomplete, failed, release, timeout).",
                                    {"channel", "status"})),
      sms_inbound(registry.AddCounter(
          "shg_sms_inbound_total",
          "Inbound SMS by outcome (balance, save, help, loan, unknown, duplicate, "
          "unregistered...).",
          {"channel", "outcome"})),
      reports(registry.AddCounter(
          "shg_delivery_reports_total",
          "Delivery reports by state and match (applied, stale = already final, unknown = no such "
          "message yet).",
          {"channel", "state", "match"})),
      sends(registry.AddCounter("shg_sms_sends_total",
                                "SMS send attempts by outcome (accepted, permanent, retryable, "
                                "throttled, gave_up).",
                                {"channel", "outcome"})),
      send_latency(registry.AddHistogram(
          "shg_sms_send_seconds", "Duration of one send request to the provider.", {"channel"},
          {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})),
      outbox_queued(registry.AddLabeledGauge(
          "shg_outbox_queued", "Messages queued or being sent (refreshed on scrape).",
          {"channel"})),
      outbox_oldest(registry.AddLabeledGauge(
          "shg_outbox_oldest_queued_seconds",
          "Age of the oldest message still queued or being sent (refreshed on scrape).",
          {"channel"})),
      partner_callbacks(registry.AddCounter(
          "shg_partner_callbacks_total",
          "MFI partner callbacks by partner (configured id, or unknown), event (decision, "
          "disbursement, repayments, other) and outcome (ok, replay, bad_request, "
          "unauthenticated, unknown_partner, unknown_loan, conflict, bad_method, no_route, "
          "unavailable, error).",
          {"partner", "event", "outcome"})),
      scheduler_runs(registry.AddCounter("shg_loan_scheduler_runs_total",
                                         "Runs of the loan scheduler by outcome (ok, error).",
                                         {"outcome"})),
      scheduler_changes(registry.AddCounter(
          "shg_loan_scheduler_changes_total",
          "Loans the scheduler moved to expired or in_arrears, by change.", {"change"})),
      store_jobs(registry.AddCounter(
          "shg_store_jobs_total",
          "Store jobs of this instance: run (committed or refused), retried (run again after a "
          "serialization failure, a deadlock or a session the server dropped before COMMIT, "
          "PostgreSQL), gave_up (still conflicting after the "
          "last retry).",
          {"outcome"})),
      store_pool_waits(registry.AddCounter(
          "shg_store_pool_waits_total",
          "Store jobs that found every pooled connection busy (PostgreSQL).", {})),
      store_pool_wait_s(registry.AddCounter(
          "shg_store_pool_wait_seconds_total",
          "Time store jobs waited for a pooled connection (PostgreSQL).", {})) {}

}  // namespace shg::gateway
