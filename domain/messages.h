// Messages: the outbox of outgoing SMS, their delivery states, and the log
// of inbound SMS.
//
// Every outgoing message is a row written by Enqueue in the caller's
// transaction, so it exists if and only if the change that caused it
// committed. A dispatcher then leases due rows, sends them and records the
// outcome. Status machine of an outgoing message:
//
//   queued --LeaseDue--> sending --MarkAccepted--> sent --report--> delivered
//     ^                    |  |                      |                failed
//     +----MarkRetry-------+  +--MarkFailed--> failed +--report--> (intermediate: stays sent)
//   queued|failed --Cancel--> cancelled      failed|cancelled --Retry--> queued
//
// Order per recipient: the member SMS to one phone go out in the order they
// were written (ids). LeaseDue does not lease a row of a member SMS channel
// while an OLDER row (lower id) to the same phone on any member SMS channel
// is unfinished (queued, also while it waits for a retry, or sending, also
// with an expired lease); once that one is sent, delivered, failed or
// cancelled the next becomes due. Rows to other phones are not held up.
// Referrals to an MFI partner (channel "partner:<id>", domain/loans.h) carry
// the member's phone but are not SMS to her: they neither wait nor hold up.
// This orders the hand-over to the providers, not their delivery.
//
// Invariants: `sending` rows carry lease_until_ms; a lease that expires
// (the process died mid-send) makes the row due again, so nothing is lost
// and at most the send that was in flight is repeated. delivered, failed
// and cancelled are final except through an operator Retry (failed,
// cancelled). A sensitive body (one-time PIN) is replaced by a placeholder
// once the message is sent or final.
//
// Like Services, a Messages object is a cheap view over one connection; the
// writing methods REQUIRE the writer connection inside the caller's
// transaction and never BEGIN/COMMIT. Times are Unix milliseconds.
// The domain knows nothing of providers: channel ids are opaque strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/store/sqlite.h"

namespace shg {

// Outbox channels of MFI partner referrals start with this (ReferralChannel
// in domain/loans.h); every other channel sends SMS to members.
inline constexpr char kReferralChannelPrefix[] = "partner:";
// False for a referral channel "partner:<id>", true for every other channel.
bool IsMemberSmsChannel(std::string_view channel);

struct NewMessage {
  std::string channel;      // channel id that sends it
  int64_t member_id = 0;    // 0 = not a member (e.g. "not registered" replies)
  std::string phone;        // E.164 recipient
  std::string kind;         // receipt_saving, saving_confirmed, reply_balance...
  std::string language;     // catalogue language of the text
  std::string body;         // UTF-8 text
  bool sensitive = false;   // body redacted once sent (one-time PIN)
  std::string encoding;     // "gsm7" | "ucs2" (measured by the caller)
  int segments = 1;
  // Idempotency: a second Enqueue with the same key returns the first id
  // and queues nothing ("" = no key).
  std::string dedupe_key;
};

struct OutboundMessage {
  int64_t id = 0;
  std::string channel;
  int64_t member_id = 0;
  std::string phone;
  std::string kind;
  std::string language;
  std::string body;
  bool sensitive = false;
  std::string encoding;
  int segments = 1;
  std::string status;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  int64_t lease_until_ms = 0;
  std::string provider_message_id;
  std::string provider_status;
  std::string last_error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// A delivery state reported by a provider (normalised by the channel).
enum class ReportedState { kSent, kBuffered, kDelivered, kFailed };

enum class ReportMatch {
  kApplied,   // the message moved to delivered/failed, or the event was recorded
  kStale,     // the message is already final: recorded as an event only
  kUnknown,   // no such message: kept as an orphan report (see MarkAccepted)
};

struct QueueStats {
  std::string channel;
  int64_t queued = 0;   // queued + sending
  int64_t oldest_queued_ms = 0;  // created_ms of the oldest queued/sending row, 0 if none
};

class Messages {
 public:
  Messages(store::Connection& conn, int64_t now_ms) : db_(conn), now_ms_(now_ms) {}

  // --- outbox ---
  // Queues a message due now. InvalidArgument for an empty channel/body, a
  // phone that is not "+digits", a bad encoding or segments < 1.
  Result<int64_t> Enqueue(const NewMessage& m);
  // Leases up to `limit` due rows of `channel` (queued and due, or sending
  // with an expired lease), oldest due first: they become `sending` with
  // lease_until = now + lease_ms and attempts + 1. On a member SMS channel
  // a row waiting behind an older unfinished one to its phone is not due
  // (order per recipient, above); rows leased together go to different
  // phones.
  Result<std::vector<OutboundMessage>> LeaseDue(const std::string& channel, int limit,
                                                int64_t lease_ms);
  // When the next row of `channel` becomes due: the earliest next_attempt_ms
  // of a queued row (not one waiting behind an older one to its phone) or
  // lease_until_ms of a sending row; nullopt if none.
  // Read-only: may run on a reader connection.
  Result<std::optional<int64_t>> NextDue(const std::string& channel);
  // sending -> sent with the provider's id (may be ""). A report that
  // arrived before this (an orphan with that id) is applied now. If a
  // report already made it final, the status stays. Redacts a sensitive
  // body. NotFound for no such message.
  Status MarkAccepted(int64_t id, const std::string& provider_message_id);
  // sending -> queued, due at next_attempt_ms, with the error. When
  // `count_attempt` is false (throttled) the lease's attempt is given back.
  Status MarkRetry(int64_t id, int64_t next_attempt_ms, const std::string& error,
                   bool count_attempt);
  // -> failed (from queued or sending), final; redacts a sensitive body.
  Status MarkFailed(int64_t id, const std::string& error);

  // --- delivery reports ---
  // Applies a report found by our id (message_id != 0) or else by
  // (channel, provider_message_id). delivered/failed move sending|sent to
  // that final state; sent/buffered are recorded as events. Every report is
  // kept as a message event. InvalidArgument when both ids are empty.
  Result<ReportMatch> ApplyReport(const std::string& channel, int64_t message_id,
                                  const std::string& provider_message_id, ReportedState state,
                                  const std::string& provider_status, const std::string& reason);

  // --- inbound ---
  // Records an inbound SMS once per (channel, provider_id). Returns true
  // when it is new, false for a duplicate (nothing recorded).
  Result<bool> RecordInbound(const std::string& channel, const std::string& provider_id,
                             const std::string& phone, int64_t member_id, const std::string& text);
  // True the first time per (phone, UTC day of now) it is called: the
  // "not registered" reply guard.
  Result<bool> ClaimUnregisteredReply(const std::string& phone);

  // --- operations ---
  Result<OutboundMessage> Get(int64_t id);
  // Newest first. status "" = any; "stuck" = queued/sending rows that are
  // due for more than `stuck_after_ms` or were attempted at least once.
  Result<std::vector<OutboundMessage>> List(const std::string& status, int limit,
                                            int64_t stuck_after_ms = 60000);
  // failed|cancelled -> queued, attempts 0, due now. FailedPrecondition
  // from any other status (a sent message is never sent again by Retry),
  // and for a sensitive message (its body is redacted: issue a new one).
  Status Retry(int64_t id);
  // queued|failed -> cancelled. FailedPrecondition for sending (in flight),
  // sent, delivered or cancelled.
  Status Cancel(int64_t id);
  // Queue depth and oldest queued message per channel (channels with rows).
  Result<std::vector<QueueStats>> Stats();
  // Events of one message, oldest first: "event detail" strings.
  Result<std::vector<std::string>> Events(int64_t id);

  // The connection this view works on (to compose with Services in one
  // transaction).
  store::Connection& connection() { return db_; }

 private:
  Status AddEvent(int64_t id, const std::string& event, const std::string& detail);
  Status ApplyToMessage(int64_t id, ReportedState state, const std::string& provider_status,
                        const std::string& reason, ReportMatch* match);

  store::Connection& db_;
  int64_t now_ms_;
};

const char* ReportedStateName(ReportedState s);

}  // namespace shg
