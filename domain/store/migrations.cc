// Numbered schema migrations. A migration is never edited once released:
// a change to the schema is a new entry at the end of kMigrations.
//
// Chart of accounts (one book per group, in the group's currency):
//   kind               type       normal   owner
//   group_loan_fund    asset      debit    group: cash of the loan fund
//   group_social_fund  asset      debit    group: cash of the social fund
//   member_savings     liability  credit   member: what the group owes her
//   member_loan        asset      debit    member: what she owes on loans
//   mfi_clearing       liability  credit   group x MFI partner (loans phase)
//   group_income       income     credit   group: interest on internal loans and
//                                          fines of the open cycle (migration 8)
//   group_social_equity equity    credit   group: the members' social fund
//   group_carried      equity     credit   group: share-out residual below one
//                                          unit, carried to the next cycle
// Sign convention: a posting's amount is signed, debit positive and credit
// negative; an account's cached `balance` is the plain sum of its postings
// (so it is negative for a credit-normal account in credit); the displayed
// balance is balance * normal (normal = +1 debit-normal, -1 credit-normal).
#include <cstdint>
#include <ctime>
#include <iterator>
#include <string>

#include "domain/store/pg_schema.h"
#include "domain/store/store.h"

namespace shg::store {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
  // Rebuilds a table others reference (DROP + RENAME): foreign keys are
  // turned off around it and checked before COMMIT (SQLite's procedure;
  // the pragma is a no-op inside a transaction).
  bool rebuilds_tables = false;
};

constexpr char kMigration1[] = R"sql(
CREATE TABLE groups (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  country       TEXT NOT NULL CHECK (length(country) = 2),
  currency      TEXT NOT NULL CHECK (length(currency) = 3),
  meeting_day   TEXT NOT NULL DEFAULT '',
  meeting_place TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('forming', 'active', 'graduated', 'closed')),
  formed_at     INTEGER,
  field_officer TEXT,
  created_at    INTEGER NOT NULL
);

CREATE TABLE members (
  id              INTEGER PRIMARY KEY,
  group_id        INTEGER NOT NULL REFERENCES groups(id),
  phone           TEXT NOT NULL CHECK (phone GLOB '+[1-9]*' AND length(phone) BETWEEN 8 AND 16),
  name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  role            TEXT NOT NULL DEFAULT 'member'
                  CHECK (role IN ('member', 'treasurer', 'chair', 'secretary')),
  language        TEXT NOT NULL DEFAULT 'en',
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'exited')),
  pin_hash        BLOB,
  pin_salt        BLOB,
  pin_failed      INTEGER NOT NULL DEFAULT 0 CHECK (pin_failed >= 0),
  pin_locked_at   INTEGER,
  pin_must_change INTEGER NOT NULL DEFAULT 0 CHECK (pin_must_change IN (0, 1)),
  joined_at       INTEGER NOT NULL,
  exited_at       INTEGER,
  national_id     TEXT,
  consent_service_at     INTEGER,  -- consent to the service itself
  consent_mfi_sharing_at INTEGER,  -- consent to share her data with an MFI
  created_at      INTEGER NOT NULL,
  CHECK ((pin_hash IS NULL) = (pin_salt IS NULL))
);
CREATE INDEX members_phone ON members(phone);
CREATE INDEX members_group ON members(group_id);

CREATE TABLE accounts (
  id         INTEGER PRIMARY KEY,
  group_id   INTEGER NOT NULL REFERENCES groups(id),
  member_id  INTEGER REFERENCES members(id),
  partner_id TEXT,
  kind       TEXT NOT NULL CHECK (kind IN ('group_loan_fund', 'group_social_fund',
                                           'member_savings', 'member_loan', 'mfi_clearing')),
  type       TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
  normal     INTEGER NOT NULL CHECK (normal IN (1, -1)),
  currency   TEXT NOT NULL,
  -- Cached sum of postings, debit positive. SQLite turns an overflowing
  -- integer sum into a REAL: the typeof check refuses that.
  balance    INTEGER NOT NULL DEFAULT 0 CHECK (typeof(balance) = 'integer'),
  created_at INTEGER NOT NULL,
  CHECK ((kind IN ('member_savings', 'member_loan')) = (member_id IS NOT NULL)),
  CHECK ((kind = 'mfi_clearing') = (partner_id IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_member_kind ON accounts(member_id, kind)
  WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_group_kind ON accounts(group_id, kind)
  WHERE member_id IS NULL AND partner_id IS NULL;
CREATE INDEX accounts_group ON accounts(group_id, kind);  -- per-group sums
CREATE UNIQUE INDEX accounts_group_partner ON accounts(group_id, partner_id)
  WHERE partner_id IS NOT NULL;
-- Only the cached balance of an account ever changes.
CREATE TRIGGER accounts_fixed BEFORE UPDATE OF id, group_id, member_id, partner_id, kind,
  type, normal, currency ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts: only balance may change'); END;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted'); END;

CREATE TABLE journals (
  id                  INTEGER PRIMARY KEY,
  group_id            INTEGER NOT NULL REFERENCES groups(id),
  kind                TEXT NOT NULL,  -- saving | reversal | ...
  currency            TEXT NOT NULL,
  reference           TEXT NOT NULL DEFAULT '',
  reverses_journal_id INTEGER UNIQUE REFERENCES journals(id),  -- reversed at most once
  memo                TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL
);

CREATE TABLE postings (
  id         INTEGER PRIMARY KEY,
  journal_id INTEGER NOT NULL REFERENCES journals(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  amount     INTEGER NOT NULL CHECK (amount <> 0)  -- debit positive, credit negative
);
CREATE INDEX postings_journal ON postings(journal_id);
CREATE INDEX postings_account ON postings(account_id);

-- The ledger is append-only: corrections are reversing journals.
CREATE TRIGGER journals_no_update BEFORE UPDATE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only'); END;
CREATE TRIGGER journals_no_delete BEFORE DELETE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only'); END;
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;

CREATE TABLE savings (
  id                  INTEGER PRIMARY KEY,
  member_id           INTEGER NOT NULL REFERENCES members(id),
  group_id            INTEGER NOT NULL REFERENCES groups(id),
  amount              INTEGER NOT NULL CHECK (amount > 0),
  currency            TEXT NOT NULL,
  status              TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'confirmed', 'rejected')),
  reference           TEXT NOT NULL UNIQUE,
  idempotency_key     TEXT UNIQUE,  -- NULL when the caller gave none
  channel             TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL,
  decided_by          INTEGER REFERENCES members(id),
  decided_at          INTEGER,
  journal_id          INTEGER UNIQUE REFERENCES journals(id),
  reversal_journal_id INTEGER UNIQUE REFERENCES journals(id),
  CHECK ((status = 'confirmed') = (journal_id IS NOT NULL)),
  CHECK (reversal_journal_id IS NULL OR status = 'confirmed')
);
CREATE INDEX savings_member ON savings(member_id, status);
CREATE INDEX savings_group_pending ON savings(group_id, created_at) WHERE status = 'pending';
-- A decision is final: only a pending saving changes status.
CREATE TRIGGER savings_decided_once BEFORE UPDATE OF status ON savings
  WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'saving already decided'); END;
CREATE TRIGGER savings_no_delete BEFORE DELETE ON savings
BEGIN SELECT RAISE(ABORT, 'savings are never deleted'); END;

CREATE TABLE training_modules (
  id    TEXT PRIMARY KEY,
  step  INTEGER NOT NULL CHECK (step BETWEEN 1 AND 4),
  title TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE training_records (
  member_id    INTEGER NOT NULL REFERENCES members(id),
  module_id    TEXT NOT NULL REFERENCES training_modules(id),
  completed_at INTEGER NOT NULL,
  recorded_by  TEXT NOT NULL,
  PRIMARY KEY (member_id, module_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('member', 'staff', 'system', 'partner')),
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  subject    TEXT NOT NULL DEFAULT '',
  channel    TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Rowid order is arrival order, so the rows of live sessions sit together at
-- the end of the table and a group commit dirties few pages; the unique
-- index is touched only when a session starts.
CREATE TABLE ussd_sessions (
  id         INTEGER PRIMARY KEY,
  channel    TEXT NOT NULL,
  session_id TEXT NOT NULL,
  phone      TEXT NOT NULL,
  network    TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL,
  step       INTEGER NOT NULL DEFAULT 0,
  answer     TEXT NOT NULL DEFAULT '',
  ended      INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0, 1)),
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  UNIQUE (channel, session_id)
);
CREATE INDEX ussd_sessions_expires ON ussd_sessions(expires_at);
)sql";

// Messaging: the outbox (outgoing SMS, written in the same transaction as
// the change that causes it), delivery events, inbound SMS (deduplicated on
// the provider's id), delivery reports that arrived before their send was
// recorded, the daily "not registered" reply guard, and the member a USSD
// session belongs to (resume after a drop). Times in milliseconds (_ms).
constexpr char kMigration2[] = R"sql(
CREATE TABLE messages (
  id                  INTEGER PRIMARY KEY,
  channel             TEXT NOT NULL,
  member_id           INTEGER REFERENCES members(id),
  phone               TEXT NOT NULL CHECK (phone GLOB '+[1-9]*'),
  kind                TEXT NOT NULL,
  language            TEXT NOT NULL DEFAULT '',
  body                TEXT NOT NULL,
  sensitive           INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
  encoding            TEXT NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  segments            INTEGER NOT NULL CHECK (segments >= 1),
  status              TEXT NOT NULL CHECK (status IN
                        ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
  attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_ms     INTEGER NOT NULL,
  lease_until_ms      INTEGER,
  provider_message_id TEXT,
  provider_status     TEXT,
  last_error          TEXT,
  dedupe_key          TEXT UNIQUE,
  created_ms          INTEGER NOT NULL,
  updated_ms          INTEGER NOT NULL,
  sent_ms             INTEGER,
  final_ms            INTEGER
);
CREATE INDEX messages_due ON messages(channel, next_attempt_ms)
  WHERE status IN ('queued', 'sending');
CREATE INDEX messages_provider_id ON messages(channel, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_status ON messages(status, updated_ms);
CREATE INDEX messages_member ON messages(member_id, created_ms);

CREATE TABLE message_events (
  id         INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  at_ms      INTEGER NOT NULL,
  event      TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_events_message ON message_events(message_id);

CREATE TABLE inbound_messages (
  id          INTEGER PRIMARY KEY,
  channel     TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  phone       TEXT NOT NULL,
  member_id   INTEGER REFERENCES members(id),
  text        TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  UNIQUE (channel, provider_id)
);

CREATE TABLE orphan_reports (
  id                  INTEGER PRIMARY KEY,
  channel             TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  state               TEXT NOT NULL,
  provider_status     TEXT NOT NULL DEFAULT '',
  reason              TEXT NOT NULL DEFAULT '',
  at_ms               INTEGER NOT NULL
);
CREATE INDEX orphan_reports_id ON orphan_reports(channel, provider_message_id);

CREATE TABLE unregistered_replies (
  phone TEXT NOT NULL,
  day   INTEGER NOT NULL,
  PRIMARY KEY (phone, day)
) WITHOUT ROWID;

ALTER TABLE ussd_sessions ADD COLUMN member_id INTEGER;
-- On member_id alone: it is set once per session, so steps (which change
-- updated_at) do not touch this index.
CREATE INDEX ussd_sessions_member ON ussd_sessions(member_id) WHERE member_id IS NOT NULL;
)sql";

// Loans (issue 4): requests and loans with their state (loan_rules.h), the
// append-only state history, the schedule fixed at disbursement, and
// repayments (logged by the member and decided by the treasurer, or
// reported by the partner). Money in minor units, times in Unix seconds.
// Outstanding amounts are never cached here: they come from the postings of
// the journals linked below (see domain/loans.h).
constexpr char kMigration3[] = R"sql(
CREATE TABLE loans (
  id                      INTEGER PRIMARY KEY,
  reference               TEXT NOT NULL UNIQUE,
  member_id               INTEGER NOT NULL REFERENCES members(id),
  group_id                INTEGER NOT NULL REFERENCES groups(id),
  currency                TEXT NOT NULL CHECK (length(currency) = 3),
  amount                  INTEGER NOT NULL CHECK (amount > 0),
  purpose                 TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 64),
  term_months             INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 60),
  state                   TEXT NOT NULL DEFAULT 'requested' CHECK (state IN
                            ('requested', 'group_approved', 'referred_to_mfi', 'approved',
                             'disbursed', 'in_arrears', 'repaid', 'declined', 'cancelled',
                             'expired', 'written_off')),
  partner_id              TEXT NOT NULL,
  consent_at              INTEGER NOT NULL,
  group_decided_by        INTEGER REFERENCES members(id),
  group_decided_at        INTEGER,
  referred_at             INTEGER,  -- set when referred to the partner
  approved_amount         INTEGER CHECK (approved_amount > 0),
  approved_term_months    INTEGER CHECK (approved_term_months BETWEEN 1 AND 60),
  interest_rule           TEXT CHECK (interest_rule IN ('flat', 'declining')),
  annual_rate_bp          INTEGER CHECK (annual_rate_bp BETWEEN 0 AND 10000),
  decline_reason          TEXT NOT NULL DEFAULT '',
  disbursed_at            INTEGER,
  disbursement_tx_id      TEXT,
  disbursement_journal_id INTEGER UNIQUE REFERENCES journals(id),
  interest_journal_id     INTEGER UNIQUE REFERENCES journals(id),  -- NULL when no interest
  idempotency_key         TEXT UNIQUE,  -- NULL when the caller gave none
  channel                 TEXT NOT NULL DEFAULT '',
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,  -- last state change
  CHECK ((approved_amount IS NULL) = (approved_term_months IS NULL)),
  CHECK ((approved_amount IS NULL) = (interest_rule IS NULL)),
  CHECK ((approved_amount IS NULL) = (annual_rate_bp IS NULL)),
  CHECK (approved_amount IS NULL OR approved_amount <= amount),
  -- The terms are fixed before the state that needs them is entered.
  CHECK (approved_amount IS NOT NULL OR state NOT IN
           ('approved', 'disbursed', 'in_arrears', 'repaid', 'written_off')),
  CHECK ((disbursed_at IS NULL) = (disbursement_journal_id IS NULL)),
  CHECK ((disbursed_at IS NULL) = (disbursement_tx_id IS NULL)),
  CHECK (disbursed_at IS NOT NULL OR state NOT IN
           ('disbursed', 'in_arrears', 'repaid', 'written_off')),
  CHECK (interest_journal_id IS NULL OR disbursement_journal_id IS NOT NULL)
);
-- Defence in depth for "no other open request" (eligibility checks it first).
CREATE UNIQUE INDEX loans_one_open_request ON loans(member_id)
  WHERE state IN ('requested', 'group_approved', 'referred_to_mfi', 'approved');
CREATE INDEX loans_state_updated ON loans(state, updated_at);  -- scheduler
CREATE INDEX loans_member ON loans(member_id, id);
CREATE INDEX loans_group_state ON loans(group_id, state);
CREATE INDEX loans_partner_reference ON loans(partner_id, reference);
-- Loans are never deleted; what was requested never changes; a final state
-- is final.
CREATE TRIGGER loans_no_delete BEFORE DELETE ON loans
BEGIN SELECT RAISE(ABORT, 'loans are never deleted'); END;
CREATE TRIGGER loans_request_fixed BEFORE UPDATE OF id, reference, member_id, group_id,
  currency, amount, purpose, term_months, partner_id, consent_at, idempotency_key, channel,
  created_at ON loans
BEGIN SELECT RAISE(ABORT, 'loans: the request is fixed'); END;
CREATE TRIGGER loans_final_state BEFORE UPDATE ON loans
  WHEN OLD.state IN ('repaid', 'declined', 'cancelled', 'expired', 'written_off')
BEGIN SELECT RAISE(ABORT, 'loans: a final state is final'); END;
-- Once disbursed, the terms, the schedule's basis and the postings are fixed.
CREATE TRIGGER loans_disbursement_fixed BEFORE UPDATE OF approved_amount,
  approved_term_months, interest_rule, annual_rate_bp, disbursed_at, disbursement_tx_id,
  disbursement_journal_id, interest_journal_id ON loans
  WHEN OLD.disbursed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'loans: a disbursement is fixed'); END;

CREATE TABLE loan_events (
  id         INTEGER PRIMARY KEY,
  loan_id    INTEGER NOT NULL REFERENCES loans(id),
  event      TEXT NOT NULL,  -- a LoanEventName, or 'request' for the creation
  from_state TEXT,           -- NULL for the creation
  to_state   TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('member', 'staff', 'system', 'partner')),
  actor      TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '',
  at         INTEGER NOT NULL
);
CREATE INDEX loan_events_loan ON loan_events(loan_id, id);
CREATE TRIGGER loan_events_no_update BEFORE UPDATE ON loan_events
BEGIN SELECT RAISE(ABORT, 'loan events are append-only'); END;
CREATE TRIGGER loan_events_no_delete BEFORE DELETE ON loan_events
BEGIN SELECT RAISE(ABORT, 'loan events are append-only'); END;

-- Written once at disbursement.
CREATE TABLE loan_instalments (
  loan_id   INTEGER NOT NULL REFERENCES loans(id),
  number    INTEGER NOT NULL CHECK (number BETWEEN 1 AND 60),
  due_at    INTEGER NOT NULL,
  principal INTEGER NOT NULL CHECK (principal >= 0),
  interest  INTEGER NOT NULL CHECK (interest >= 0),
  total     INTEGER NOT NULL CHECK (total = principal + interest),
  PRIMARY KEY (loan_id, number)
) WITHOUT ROWID;
CREATE TRIGGER loan_instalments_no_update BEFORE UPDATE ON loan_instalments
BEGIN SELECT RAISE(ABORT, 'loan instalments are fixed'); END;
CREATE TRIGGER loan_instalments_no_delete BEFORE DELETE ON loan_instalments
BEGIN SELECT RAISE(ABORT, 'loan instalments are fixed'); END;

CREATE TABLE loan_repayments (
  id              INTEGER PRIMARY KEY,
  loan_id         INTEGER NOT NULL REFERENCES loans(id),
  member_id       INTEGER NOT NULL REFERENCES members(id),
  group_id        INTEGER NOT NULL REFERENCES groups(id),
  amount          INTEGER NOT NULL CHECK (amount > 0),
  currency        TEXT NOT NULL,
  reference       TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'confirmed', 'rejected')),
  source          TEXT NOT NULL CHECK (source IN ('member', 'partner', 'staff')),
  external_id     TEXT,  -- the partner's payment id
  paid_at         INTEGER,  -- when the partner received it
  idempotency_key TEXT UNIQUE,
  channel         TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  decided_by      INTEGER REFERENCES members(id),  -- NULL when the partner reported it
  decided_at      INTEGER,
  journal_id      INTEGER UNIQUE REFERENCES journals(id),
  CHECK ((status = 'confirmed') = (journal_id IS NOT NULL)),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX loan_repayments_external ON loan_repayments(loan_id, external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX loan_repayments_loan ON loan_repayments(loan_id, status);
CREATE INDEX loan_repayments_group_pending ON loan_repayments(group_id, created_at)
  WHERE status = 'pending';
-- A decision is final: only a pending repayment changes status.
CREATE TRIGGER loan_repayments_decided_once BEFORE UPDATE OF status ON loan_repayments
  WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'repayment already decided'); END;
CREATE TRIGGER loan_repayments_no_delete BEFORE DELETE ON loan_repayments
BEGIN SELECT RAISE(ABORT, 'loan repayments are never deleted'); END;
)sql";

// USSD sessions bound to the phone that opened them: a keyed digest of the
// number (never the number), compared at every step. Sessions written before
// have '' and are refused at their next step (they last 180 s).
constexpr char kMigration4[] = R"sql(
ALTER TABLE ussd_sessions ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
)sql";

// Member claims settled by partner reports (one payment is counted once).
// A repayment the member logs is a claim; a partner's (or staff's) report
// of the same payment settles it instead of both being posted. 'settled' is
// a record of a payment that another record posted: a claim matched with
// the partner's report, or a report matched with a claim the treasurer had
// already confirmed; settled_by is the record that posted it (status
// 'confirmed', same loan and amount, the other kind: a report has an
// external_id, a claim has none). A posting record settles at most one
// other. The CHECK on status needs a table rebuild (SQLite cannot alter a
// CHECK): new table, copy every row, drop the old one (DROP TABLE does not
// fire the no-delete trigger; nothing references loan_repayments), rename,
// then every index and trigger again. Runs inside the migration's
// transaction, so a failure leaves migration 3's table as it was.
constexpr char kMigration5[] = R"sql(
CREATE TABLE loan_repayments_v4 (
  id              INTEGER PRIMARY KEY,
  loan_id         INTEGER NOT NULL REFERENCES loans(id),
  member_id       INTEGER NOT NULL REFERENCES members(id),
  group_id        INTEGER NOT NULL REFERENCES groups(id),
  amount          INTEGER NOT NULL CHECK (amount > 0),
  currency        TEXT NOT NULL,
  reference       TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'confirmed', 'rejected', 'settled')),
  source          TEXT NOT NULL CHECK (source IN ('member', 'partner', 'staff')),
  external_id     TEXT,  -- the partner's payment id; NULL for a member's claim
  paid_at         INTEGER,  -- when the partner received it
  idempotency_key TEXT UNIQUE,
  channel         TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  decided_by      INTEGER REFERENCES members(id),  -- NULL when the partner reported it
  decided_at      INTEGER,
  journal_id      INTEGER UNIQUE REFERENCES journals(id),
  -- status 'settled': the record that posted this payment.
  settled_by      INTEGER REFERENCES loan_repayments(id),
  CHECK ((status = 'confirmed') = (journal_id IS NOT NULL)),
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK ((status = 'settled') = (settled_by IS NOT NULL))
);
INSERT INTO loan_repayments_v4 (id, loan_id, member_id, group_id, amount, currency, reference,
  status, source, external_id, paid_at, idempotency_key, channel, created_at, decided_by,
  decided_at, journal_id)
SELECT id, loan_id, member_id, group_id, amount, currency, reference, status, source,
  external_id, paid_at, idempotency_key, channel, created_at, decided_by, decided_at, journal_id
FROM loan_repayments;
DROP TABLE loan_repayments;
ALTER TABLE loan_repayments_v4 RENAME TO loan_repayments;

CREATE UNIQUE INDEX loan_repayments_external ON loan_repayments(loan_id, external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX loan_repayments_loan ON loan_repayments(loan_id, status);
CREATE INDEX loan_repayments_group_pending ON loan_repayments(group_id, created_at)
  WHERE status = 'pending';
-- One posting record counts for at most one other record of the payment.
CREATE UNIQUE INDEX loan_repayments_settled_by ON loan_repayments(settled_by)
  WHERE settled_by IS NOT NULL;
-- A decision is final: only a pending repayment changes status.
CREATE TRIGGER loan_repayments_decided_once BEFORE UPDATE OF status ON loan_repayments
  WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'repayment already decided'); END;
CREATE TRIGGER loan_repayments_no_delete BEFORE DELETE ON loan_repayments
BEGIN SELECT RAISE(ABORT, 'loan repayments are never deleted'); END;
-- A match, once made, is fixed.
CREATE TRIGGER loan_repayments_settled_fixed BEFORE UPDATE OF settled_by ON loan_repayments
  WHEN OLD.settled_by IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'repayment already settled'); END;
-- A record is settled only by a posted record of the same payment: the
-- other kind (claim / report), same loan, same amount, itself not settled.
CREATE TRIGGER loan_repayments_settled_insert BEFORE INSERT ON loan_repayments
  WHEN NEW.settled_by IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM loan_repayments p WHERE p.id = NEW.settled_by AND p.status = 'confirmed'
      AND p.loan_id = NEW.loan_id AND p.amount = NEW.amount
      AND (p.external_id IS NULL) <> (NEW.external_id IS NULL))
BEGIN SELECT RAISE(ABORT, 'repayment settled by a record of another payment'); END;
CREATE TRIGGER loan_repayments_settled_update BEFORE UPDATE OF settled_by ON loan_repayments
  WHEN NEW.settled_by IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM loan_repayments p WHERE p.id = NEW.settled_by AND p.status = 'confirmed'
      AND p.loan_id = NEW.loan_id AND p.amount = NEW.amount
      AND (p.external_id IS NULL) <> (NEW.external_id IS NULL))
BEGIN SELECT RAISE(ABORT, 'repayment settled by a record of another payment'); END;
)sql";

// Order per recipient (domain/messages.h, LeaseDue): the unfinished member
// SMS of each phone by id, so that "is an older one to this phone still
// open?" is one probe. Referral rows (channel "partner:<id>") carry the
// member's phone but are not SMS to her: not in this index. The lease
// query repeats this WHERE word for word (else SQLite ignores the index).
constexpr char kMigration6[] = R"sql(
CREATE INDEX messages_open_by_phone ON messages(phone, id)
  WHERE status IN ('queued', 'sending') AND channel NOT GLOB 'partner:*';
)sql";

// Staff of the programme and partner MFIs (issue 10): users with a role,
// the groups a field officer is assigned, API tokens (only a SHA-256 of the
// secret is kept: the token is printed once), dashboard sessions (only a
// hash of the cookie is kept), and the first answer to each POST under an
// Idempotency-Key. The audit log gains the token behind a staff action.
// Portable SQL: no SQLite-only syntax (the PostgreSQL backend follows).
constexpr char kMigration7[] = R"sql(
CREATE TABLE staff_users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  display_name  TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL CHECK (role IN ('admin', 'field_officer', 'read_only', 'partner')),
  partner_id    TEXT,
  password_hash TEXT,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at    INTEGER NOT NULL,
  disabled_at   INTEGER,
  CHECK ((role = 'partner') = (partner_id IS NOT NULL))
);

CREATE TABLE staff_groups (
  staff_id  INTEGER NOT NULL REFERENCES staff_users(id),
  group_id  INTEGER NOT NULL REFERENCES groups(id),
  PRIMARY KEY (staff_id, group_id)
);
CREATE INDEX staff_groups_group ON staff_groups(group_id);

CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  public_id   TEXT NOT NULL UNIQUE,
  staff_id    INTEGER NOT NULL REFERENCES staff_users(id),
  label       TEXT NOT NULL DEFAULT '',
  secret_hash BLOB NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  revoked_at  INTEGER
);
CREATE INDEX api_tokens_staff ON api_tokens(staff_id);

CREATE TABLE staff_sessions (
  id_hash      BLOB PRIMARY KEY,
  staff_id     INTEGER NOT NULL REFERENCES staff_users(id),
  csrf         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at     INTEGER
);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);

CREATE TABLE idempotency_keys (
  staff_id     INTEGER NOT NULL REFERENCES staff_users(id),
  idem_key     TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  status       INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (staff_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

ALTER TABLE audit_log ADD COLUMN token_id INTEGER;
CREATE INDEX audit_log_subject ON audit_log(subject, id);
)sql";

// The group's own money (issue 11): savings cycles, internal loans from the
// group fund, fines and the social fund. Needs two table rebuilds (SQLite
// cannot alter a CHECK): `accounts` gains the kinds group_income,
// group_social_equity and group_carried; `loans` gains its source (mfi |
// group) and cycle, and a flat rate up to 20% a month (24000 bp a year) for
// internal loans. The runner turns foreign keys off around this migration
// (Migration::rebuilds_tables, SQLite's documented 12-step procedure: new
// table, copy, drop, rename, indexes and triggers again, then
// foreign_key_check before COMMIT). Every existing group gets cycle 1,
// active, not lending (what it did before), holding all its savings; loans
// requested before keep cycle_id NULL (they were MFI loans).
constexpr char kMigration8[] = R"sql(
CREATE TABLE cycles (
  id                      INTEGER PRIMARY KEY,
  group_id                INTEGER NOT NULL REFERENCES groups(id),
  number                  INTEGER NOT NULL CHECK (number >= 1),  -- 1, 2, ... per group
  state                   TEXT NOT NULL CHECK (state IN
                            ('planned', 'active', 'closing', 'shared_out', 'closed')),
  lends                   INTEGER NOT NULL CHECK (lends IN (0, 1)),
  loan_savings_multiple   INTEGER NOT NULL CHECK (loan_savings_multiple BETWEEN 1 AND 10),
  max_term_months         INTEGER NOT NULL CHECK (max_term_months BETWEEN 1 AND 3),
  flat_rate_bp_per_month  INTEGER NOT NULL CHECK (flat_rate_bp_per_month BETWEEN 0 AND 2000),
  social_fund_per_meeting INTEGER NOT NULL CHECK (social_fund_per_meeting >= 0),
  share_out_unit          INTEGER NOT NULL CHECK (share_out_unit >= 1),
  length_months           INTEGER NOT NULL CHECK (length_months BETWEEN 1 AND 24),
  starts_at               INTEGER NOT NULL,  -- planned start (actual once started)
  ends_at                 INTEGER NOT NULL CHECK (ends_at > starts_at),  -- planned end
  carried_in              INTEGER NOT NULL DEFAULT 0 CHECK (carried_in >= 0),
  share_out_journal_id    INTEGER UNIQUE REFERENCES journals(id),
  carried_out             INTEGER CHECK (carried_out >= 0),  -- set by the share-out
  created_by              TEXT NOT NULL,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  UNIQUE (group_id, number),
  CHECK ((share_out_journal_id IS NULL) = (carried_out IS NULL)),
  CHECK (state <> 'shared_out' OR share_out_journal_id IS NOT NULL)
);
-- One open cycle per group.
CREATE UNIQUE INDEX cycles_one_open ON cycles(group_id)
  WHERE state IN ('planned', 'active', 'closing');
CREATE TRIGGER cycles_no_delete BEFORE DELETE ON cycles
BEGIN SELECT RAISE(ABORT, 'cycles are never deleted'); END;
CREATE TRIGGER cycles_rules_fixed BEFORE UPDATE OF id, group_id, number, lends,
  loan_savings_multiple, max_term_months, flat_rate_bp_per_month, social_fund_per_meeting,
  share_out_unit, length_months, created_by, created_at ON cycles
BEGIN SELECT RAISE(ABORT, 'cycles: the rules are fixed'); END;
CREATE TRIGGER cycles_closed_final BEFORE UPDATE ON cycles WHEN OLD.state = 'closed'
BEGIN SELECT RAISE(ABORT, 'cycles: a closed cycle is final'); END;
CREATE TRIGGER cycles_share_out_fixed BEFORE UPDATE OF share_out_journal_id, carried_out
  ON cycles WHEN OLD.share_out_journal_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'cycles: the share-out is fixed'); END;

-- Each member's part of a confirmed share-out (domain/share_out.h), written
-- once with the journal (what she put back into the next cycle is a
-- confirmed saving of that cycle, channel 'reinvest').
CREATE TABLE share_out_lines (
  cycle_id   INTEGER NOT NULL REFERENCES cycles(id),
  member_id  INTEGER NOT NULL REFERENCES members(id),
  savings    INTEGER NOT NULL CHECK (savings >= 0),
  share      INTEGER NOT NULL CHECK (share >= 0),
  profit     INTEGER NOT NULL CHECK (profit = share - savings),
  netted     INTEGER NOT NULL CHECK (netted BETWEEN 0 AND share),
  payout     INTEGER NOT NULL CHECK (payout = share - netted),
  reference  TEXT NOT NULL UNIQUE,
  PRIMARY KEY (cycle_id, member_id)
);
CREATE TRIGGER share_out_lines_no_update BEFORE UPDATE ON share_out_lines
BEGIN SELECT RAISE(ABORT, 'share-out lines are fixed'); END;
CREATE TRIGGER share_out_lines_no_delete BEFORE DELETE ON share_out_lines
BEGIN SELECT RAISE(ABORT, 'share-out lines are fixed'); END;

-- Fines: pending until the treasurer (or chair) confirms (posted: Dr group
-- loan fund / Cr group income) or waives it.
CREATE TABLE fines (
  id          INTEGER PRIMARY KEY,
  reference   TEXT NOT NULL UNIQUE,
  cycle_id    INTEGER NOT NULL REFERENCES cycles(id),
  group_id    INTEGER NOT NULL REFERENCES groups(id),
  member_id   INTEGER NOT NULL REFERENCES members(id),
  kind        TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
  amount      INTEGER NOT NULL CHECK (amount > 0),
  currency    TEXT NOT NULL CHECK (length(currency) = 3),
  note        TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'waived')),
  recorded_by TEXT NOT NULL,  -- "member:<id>" / "staff:<name>"
  created_at  INTEGER NOT NULL,
  decided_by  INTEGER REFERENCES members(id),
  decided_at  INTEGER,
  journal_id  INTEGER UNIQUE REFERENCES journals(id),
  CHECK ((status = 'confirmed') = (journal_id IS NOT NULL)),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX fines_group_pending ON fines(group_id, created_at) WHERE status = 'pending';
CREATE INDEX fines_member ON fines(member_id, cycle_id);
CREATE TRIGGER fines_decided_once BEFORE UPDATE OF status ON fines WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'fine already decided'); END;
CREATE TRIGGER fines_fixed BEFORE UPDATE OF id, reference, cycle_id, group_id, member_id, kind,
  amount, currency, recorded_by, created_at ON fines
BEGIN SELECT RAISE(ABORT, 'fines: the fine is fixed'); END;
CREATE TRIGGER fines_no_delete BEFORE DELETE ON fines
BEGIN SELECT RAISE(ABORT, 'fines are never deleted'); END;

-- Social fund: contributions (Dr group social fund / Cr social equity) and
-- payouts (the reverse) with a reason and the officer who approved it;
-- posted when recorded, never shared out.
CREATE TABLE social_fund_entries (
  id          INTEGER PRIMARY KEY,
  reference   TEXT NOT NULL UNIQUE,
  cycle_id    INTEGER NOT NULL REFERENCES cycles(id),
  group_id    INTEGER NOT NULL REFERENCES groups(id),
  member_id   INTEGER NOT NULL REFERENCES members(id),  -- contributor / beneficiary
  kind        TEXT NOT NULL CHECK (kind IN ('contribution', 'payout')),
  amount      INTEGER NOT NULL CHECK (amount > 0),
  currency    TEXT NOT NULL CHECK (length(currency) = 3),
  reason      TEXT NOT NULL DEFAULT '',
  approved_by INTEGER REFERENCES members(id),
  recorded_by TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  journal_id  INTEGER NOT NULL UNIQUE REFERENCES journals(id),
  CHECK (kind = 'contribution' OR (length(reason) > 0 AND approved_by IS NOT NULL))
);
CREATE INDEX social_fund_entries_group ON social_fund_entries(group_id, id);
CREATE INDEX social_fund_entries_member ON social_fund_entries(member_id, cycle_id);
CREATE TRIGGER social_fund_entries_no_update BEFORE UPDATE ON social_fund_entries
BEGIN SELECT RAISE(ABORT, 'social fund entries are fixed'); END;
CREATE TRIGGER social_fund_entries_no_delete BEFORE DELETE ON social_fund_entries
BEGIN SELECT RAISE(ABORT, 'social fund entries are fixed'); END;

-- accounts: the new kinds (rebuild).
CREATE TABLE accounts_v8 (
  id         INTEGER PRIMARY KEY,
  group_id   INTEGER NOT NULL REFERENCES groups(id),
  member_id  INTEGER REFERENCES members(id),
  partner_id TEXT,
  kind       TEXT NOT NULL CHECK (kind IN ('group_loan_fund', 'group_social_fund',
                                           'member_savings', 'member_loan', 'mfi_clearing',
                                           'group_income', 'group_social_equity',
                                           'group_carried')),
  type       TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
  normal     INTEGER NOT NULL CHECK (normal IN (1, -1)),
  currency   TEXT NOT NULL,
  balance    INTEGER NOT NULL DEFAULT 0 CHECK (typeof(balance) = 'integer'),
  created_at INTEGER NOT NULL,
  CHECK ((kind IN ('member_savings', 'member_loan')) = (member_id IS NOT NULL)),
  CHECK ((kind = 'mfi_clearing') = (partner_id IS NOT NULL))
);
INSERT INTO accounts_v8 (id, group_id, member_id, partner_id, kind, type, normal, currency,
  balance, created_at)
SELECT id, group_id, member_id, partner_id, kind, type, normal, currency, balance, created_at
FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v8 RENAME TO accounts;
CREATE UNIQUE INDEX accounts_member_kind ON accounts(member_id, kind)
  WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_group_kind ON accounts(group_id, kind)
  WHERE member_id IS NULL AND partner_id IS NULL;
CREATE INDEX accounts_group ON accounts(group_id, kind);
CREATE UNIQUE INDEX accounts_group_partner ON accounts(group_id, partner_id)
  WHERE partner_id IS NOT NULL;
CREATE TRIGGER accounts_fixed BEFORE UPDATE OF id, group_id, member_id, partner_id, kind,
  type, normal, currency ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts: only balance may change'); END;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted'); END;

INSERT INTO accounts (group_id, kind, type, normal, currency, created_at)
SELECT g.id, k.kind, k.type, -1, g.currency, g.created_at
FROM groups g, (SELECT 'group_income' AS kind, 'income' AS type
                UNION ALL SELECT 'group_social_equity', 'equity'
                UNION ALL SELECT 'group_carried', 'equity') k
ORDER BY g.id, k.kind;

-- loans: source, cycle, and internal loans' flat rate (rebuild).
CREATE TABLE loans_v8 (
  id                      INTEGER PRIMARY KEY,
  reference               TEXT NOT NULL UNIQUE,
  member_id               INTEGER NOT NULL REFERENCES members(id),
  group_id                INTEGER NOT NULL REFERENCES groups(id),
  currency                TEXT NOT NULL CHECK (length(currency) = 3),
  amount                  INTEGER NOT NULL CHECK (amount > 0),
  purpose                 TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 64),
  term_months             INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 60),
  state                   TEXT NOT NULL DEFAULT 'requested' CHECK (state IN
                            ('requested', 'group_approved', 'referred_to_mfi', 'approved',
                             'disbursed', 'in_arrears', 'repaid', 'declined', 'cancelled',
                             'expired', 'written_off')),
  partner_id              TEXT NOT NULL,
  consent_at              INTEGER NOT NULL,
  group_decided_by        INTEGER REFERENCES members(id),
  group_decided_at        INTEGER,
  referred_at             INTEGER,
  approved_amount         INTEGER CHECK (approved_amount > 0),
  approved_term_months    INTEGER CHECK (approved_term_months BETWEEN 1 AND 60),
  interest_rule           TEXT CHECK (interest_rule IN ('flat', 'declining')),
  annual_rate_bp          INTEGER CHECK (annual_rate_bp BETWEEN 0 AND 24000),
  decline_reason          TEXT NOT NULL DEFAULT '',
  disbursed_at            INTEGER,
  disbursement_tx_id      TEXT,
  disbursement_journal_id INTEGER UNIQUE REFERENCES journals(id),
  interest_journal_id     INTEGER UNIQUE REFERENCES journals(id),
  idempotency_key         TEXT UNIQUE,
  channel                 TEXT NOT NULL DEFAULT '',
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  -- mfi: referred to (or decided for) the partner; group: an internal loan
  -- from the group fund of cycle_id, decided at group approval.
  source                  TEXT NOT NULL DEFAULT 'mfi' CHECK (source IN ('mfi', 'group')),
  cycle_id                INTEGER REFERENCES cycles(id),  -- the open cycle at request
  CHECK ((approved_amount IS NULL) = (approved_term_months IS NULL)),
  CHECK ((approved_amount IS NULL) = (interest_rule IS NULL)),
  CHECK ((approved_amount IS NULL) = (annual_rate_bp IS NULL)),
  CHECK (approved_amount IS NULL OR approved_amount <= amount),
  CHECK (approved_amount IS NOT NULL OR state NOT IN
           ('approved', 'disbursed', 'in_arrears', 'repaid', 'written_off')),
  CHECK ((disbursed_at IS NULL) = (disbursement_journal_id IS NULL)),
  CHECK ((disbursed_at IS NULL) = (disbursement_tx_id IS NULL)),
  CHECK (disbursed_at IS NOT NULL OR state NOT IN
           ('disbursed', 'in_arrears', 'repaid', 'written_off')),
  CHECK (interest_journal_id IS NULL OR disbursement_journal_id IS NOT NULL),
  -- A partner's rate is at most 100% a year; an internal loan is flat, of
  -- its cycle, for 1..3 months.
  CHECK (source = 'group' OR annual_rate_bp IS NULL OR annual_rate_bp <= 10000),
  CHECK (source = 'mfi' OR (cycle_id IS NOT NULL AND state <> 'referred_to_mfi'
                            AND (approved_amount IS NULL
                                 OR (interest_rule = 'flat' AND approved_term_months <= 3))))
);
INSERT INTO loans_v8 (id, reference, member_id, group_id, currency, amount, purpose,
  term_months, state, partner_id, consent_at, group_decided_by, group_decided_at, referred_at,
  approved_amount, approved_term_months, interest_rule, annual_rate_bp, decline_reason,
  disbursed_at, disbursement_tx_id, disbursement_journal_id, interest_journal_id,
  idempotency_key, channel, created_at, updated_at)
SELECT id, reference, member_id, group_id, currency, amount, purpose, term_months, state,
  partner_id, consent_at, group_decided_by, group_decided_at, referred_at, approved_amount,
  approved_term_months, interest_rule, annual_rate_bp, decline_reason, disbursed_at,
  disbursement_tx_id, disbursement_journal_id, interest_journal_id, idempotency_key, channel,
  created_at, updated_at
FROM loans;
DROP TABLE loans;
ALTER TABLE loans_v8 RENAME TO loans;
CREATE UNIQUE INDEX loans_one_open_request ON loans(member_id)
  WHERE state IN ('requested', 'group_approved', 'referred_to_mfi', 'approved');
CREATE INDEX loans_state_updated ON loans(state, updated_at);
CREATE INDEX loans_member ON loans(member_id, id);
CREATE INDEX loans_group_state ON loans(group_id, state);
CREATE INDEX loans_partner_reference ON loans(partner_id, reference);
CREATE INDEX loans_cycle ON loans(cycle_id, source) WHERE cycle_id IS NOT NULL;
CREATE TRIGGER loans_no_delete BEFORE DELETE ON loans
BEGIN SELECT RAISE(ABORT, 'loans are never deleted'); END;
CREATE TRIGGER loans_request_fixed BEFORE UPDATE OF id, reference, member_id, group_id,
  currency, amount, purpose, term_months, partner_id, consent_at, idempotency_key, channel,
  created_at, cycle_id ON loans
BEGIN SELECT RAISE(ABORT, 'loans: the request is fixed'); END;
CREATE TRIGGER loans_final_state BEFORE UPDATE ON loans
  WHEN OLD.state IN ('repaid', 'declined', 'cancelled', 'expired', 'written_off')
BEGIN SELECT RAISE(ABORT, 'loans: a final state is final'); END;
CREATE TRIGGER loans_disbursement_fixed BEFORE UPDATE OF approved_amount,
  approved_term_months, interest_rule, annual_rate_bp, disbursed_at, disbursement_tx_id,
  disbursement_journal_id, interest_journal_id ON loans
  WHEN OLD.disbursed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'loans: a disbursement is fixed'); END;
-- The source is decided with the group's approval, then fixed.
CREATE TRIGGER loans_source_fixed BEFORE UPDATE OF source ON loans
  WHEN OLD.source <> NEW.source AND OLD.state NOT IN ('requested', 'group_approved')
BEGIN SELECT RAISE(ABORT, 'loans: the source is fixed'); END;

-- Every group's first cycle: active since the group was created, not
-- lending, holding every saving so far.
INSERT INTO cycles (group_id, number, state, lends, loan_savings_multiple, max_term_months,
  flat_rate_bp_per_month, social_fund_per_meeting, share_out_unit, length_months, starts_at,
  ends_at, created_by, created_at, updated_at)
SELECT id, 1, 'active', 0, 3, 3, 1000, 0,
  CASE currency WHEN 'UGX' THEN 1 WHEN 'RWF' THEN 1 ELSE 100 END, 12, created_at,
  created_at + 365 * 86400, 'migration', created_at, created_at
FROM groups ORDER BY id;

ALTER TABLE savings ADD COLUMN cycle_id INTEGER REFERENCES cycles(id);
UPDATE savings SET cycle_id = (SELECT c.id FROM cycles c WHERE c.group_id = savings.group_id);
CREATE INDEX savings_cycle ON savings(cycle_id, member_id, status);
CREATE TRIGGER savings_cycle_fixed BEFORE UPDATE OF cycle_id ON savings
  WHEN OLD.cycle_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'savings: the cycle is fixed'); END;
)sql";

constexpr Migration kMigrations[] = {
    {1, "groups, members, ledger, savings, training, audit, sessions", kMigration1},
    {2, "messages (outbox), message events, inbound SMS, session member", kMigration2},
    {3, "loans, loan events, instalments, repayments", kMigration3},
    {4, "session bound to its phone", kMigration4},
    {5, "repayment claims settled by partner reports", kMigration5},
    {6, "messages: open member SMS by phone (order per recipient)", kMigration6},
    {7, "staff users, API tokens, dashboard sessions, idempotency keys", kMigration7},
    {8, "cycles, internal loans, fines, social fund, share-out", kMigration8, true},
};

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
// PostgreSQL's INTEGER is 32 bits: applied_at (seconds) would end in 2038.
constexpr char kPgCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
constexpr char kMaxVersion[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr char kIsApplied[] = "SELECT 1 FROM schema_migrations WHERE version = ?";
constexpr char kRecord[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
constexpr char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kForeignKeysOff[] = "PRAGMA foreign_keys=OFF";
constexpr char kForeignKeysOn[] = "PRAGMA foreign_keys=ON";
constexpr char kForeignKeyCheck[] = "PRAGMA foreign_key_check";

Result<int64_t> MaxVersion(Connection& conn) {
  Statement& st = conn.Prepare(kMaxVersion);
  ScopedReset reset(st);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  return *row ? st.Int(0) : 0;
}

// PostgreSQL: one transaction per step; an advisory lock held to the end
// of it makes instances starting together apply each step once.
constexpr char kPgBegin[] = "BEGIN";
constexpr char kPgLockMigrations[] = "SELECT pg_advisory_xact_lock(7305210001)";

// One step of either dialect, as ApplyStep runs it.
struct Step {
  int version;
  const char* name;
  const char* sql;
  bool check_foreign_keys;  // SQLite, after a table rebuild
};

// Applies one step in its own transaction unless it is recorded. SQLite's
// BEGIN IMMEDIATE takes the write lock first and PostgreSQL's advisory lock
// serialises starting instances, so two processes starting at once cannot
// both apply it.
Status ApplyStep(Connection& conn, const Step& m) {
  const bool pg = conn.dialect() == Dialect::kPostgresql;
  SHG_RETURN_IF_ERROR(conn.Prepare(pg ? kPgBegin : kBeginImmediate).Run());
  auto fail = [&conn, &m, pg](const Status& s) {
    (void)conn.Prepare(kRollback).Run();
    return Status::Internal(std::string(pg ? "postgresql " : "") + "migration " +
                            std::to_string(m.version) + " (" + m.name + ") failed: " + s.message());
  };
  if (pg) {
    Result<bool> locked = conn.Prepare(kPgLockMigrations).Step();
    conn.Prepare(kPgLockMigrations).Reset();
    if (!locked.ok()) return fail(locked.status());
  }
  Statement& check = conn.Prepare(kIsApplied);
  check.Bind(1, static_cast<int64_t>(m.version));
  Result<bool> applied = check.Step();
  check.Reset();
  if (!applied.ok()) return fail(applied.status());
  if (*applied) return conn.Prepare(kCommit).Run();

  Status s = conn.Exec(m.sql);
  if (!s.ok()) return fail(s);
  if (m.check_foreign_keys) {
    Statement& fk = conn.Prepare(kForeignKeyCheck);
    Result<bool> violation = fk.Step();
    fk.Reset();
    if (!violation.ok()) return fail(violation.status());
    if (*violation) return fail(Status::Internal("foreign key check found a dangling reference"));
  }
  s = conn.Prepare(kRecord)
          .Bind(1, static_cast<int64_t>(m.version))
          .Bind(2, std::string_view(m.name))
          .Bind(3, static_cast<int64_t>(std::time(nullptr)))
          .Run();
  if (!s.ok()) return fail(s);
  s = conn.Prepare(kCommit).Run();
  if (!s.ok()) return fail(s);
  return Status::Ok();
}

Status ApplyInTransaction(Connection& conn, const Migration& m) {
  return ApplyStep(conn, {m.version, m.name, m.sql, m.rebuilds_tables});
}

Status ApplyPg(Connection& conn, const pg::SchemaStep& step) {
  return ApplyStep(conn, {step.version, step.name, step.sql, false});
}

Result<int> MigratePg(Connection& conn, int target_version) {
  // Two instances may both create the table: the second one's IF NOT EXISTS
  // can still race, hence the lock here too.
  SHG_RETURN_IF_ERROR(conn.Prepare(kPgBegin).Run());
  Result<bool> locked = conn.Prepare(kPgLockMigrations).Step();
  conn.Prepare(kPgLockMigrations).Reset();
  if (locked.ok()) {
    Status s = conn.Exec(kPgCreateMigrationsTable);
    if (!s.ok()) {
      (void)conn.Prepare(kRollback).Run();
      return s;
    }
  }
  SHG_RETURN_IF_ERROR(conn.Prepare(kCommit).Run());
  if (!locked.ok()) return locked.status();
  Result<int64_t> current = MaxVersion(conn);
  if (!current.ok()) return current.status();
  if (*current > LatestSchemaVersion()) {
    return Status::FailedPrecondition("database schema version " + std::to_string(*current) +
                                      " is newer than this build (" +
                                      std::to_string(LatestSchemaVersion()) + ")");
  }
  for (const pg::SchemaStep& step : pg::SchemaSteps()) {
    if (step.version <= *current || step.version > target_version) continue;
    SHG_RETURN_IF_ERROR(ApplyPg(conn, step));
  }
  Result<int64_t> reached = MaxVersion(conn);
  if (!reached.ok()) return reached.status();
  return static_cast<int>(*reached);
}

Status Apply(Connection& conn, const Migration& m) {
  if (!m.rebuilds_tables) return ApplyInTransaction(conn, m);
  SHG_RETURN_IF_ERROR(conn.Exec(kForeignKeysOff));
  Status s = ApplyInTransaction(conn, m);
  Status on = conn.Exec(kForeignKeysOn);
  return s.ok() ? on : s;
}

}  // namespace

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> Migrate(Connection& conn) { return MigrateTo(conn, LatestSchemaVersion()); }

constexpr char kHasMigrationsTable[] =
    "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'";
constexpr char kSqliteHasMigrationsTable[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

Result<int> SchemaVersion(Connection& conn) {
  Result<int64_t> has = QueryInt(conn.Prepare(conn.dialect() == Dialect::kSqlite
                                                  ? kSqliteHasMigrationsTable
                                                  : kHasMigrationsTable));
  if (!has.ok()) return has.status();
  if (*has == 0) return 0;
  Result<int64_t> version = MaxVersion(conn);
  if (!version.ok()) return version.status();
  return static_cast<int>(*version);
}

Result<int> MigrateTo(Connection& conn, int target_version) {
  if (conn.dialect() == Dialect::kPostgresql) return MigratePg(conn, target_version);
  SHG_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable));
  Result<int64_t> current = MaxVersion(conn);
  if (!current.ok()) return current.status();
  if (*current > LatestSchemaVersion()) {
    return Status::FailedPrecondition("database schema version " + std::to_string(*current) +
                                      " is newer than this build (" +
                                      std::to_string(LatestSchemaVersion()) + ")");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *current || m.version > target_version) continue;
    SHG_RETURN_IF_ERROR(Apply(conn, m));
  }
  Result<int64_t> reached = MaxVersion(conn);
  if (!reached.ok()) return reached.status();
  return static_cast<int>(*reached);
}

}  // namespace shg::store
