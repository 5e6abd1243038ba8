// Routes of the group's own money (issue 11): savings cycles, fines, the
// social fund and the share-out (domain/cycles.h).
//   GET  /api/v1/groups/{id}/cycles        the group's cycles, newest first
//   POST /api/v1/groups/{id}/cycles        plan the next one: {lends, loan_savings_multiple,
//                                          max_term_months, flat_rate_bp_per_month,
//                                          social_fund_per_meeting, share_out_unit,
//                                          length_months, starts_at} (absent: the defaults
//                                          of CycleRules, starts_at now)
//   GET  /api/v1/cycles/{id}               the cycle, with the group's figures when it is
//                                          the one they are of
//   POST /api/v1/cycles/{id}/start         {"reinvest": "all" | "none" | [member ids]}
//   POST /api/v1/cycles/{id}/cancel | /close | /reopen
//   GET  /api/v1/cycles/{id}/share-out     the preview (or the confirmed lines)
//   POST /api/v1/cycles/{id}/share-out     confirm: 409 with every blocker when refused;
//                                          each member with a share gets her SMS
//   GET  /api/v1/groups/{id}/fines         ?status=pending (the only list the domain keeps)
//   POST /api/v1/groups/{id}/fines         {member_id, kind, amount, currency?, note?}
//   POST /api/v1/fines/{id}/confirm|waive  {"decided_by": member id of a treasurer/chair}
//   GET  /api/v1/groups/{id}/social-fund   entries, newest first
//   POST /api/v1/groups/{id}/social-fund   {member_id, amount, currency?} a contribution, or
//                                          {member_id, amount, reason, approved_by} a payout
// Reads: admin, read_only, field officer (her groups); writes: admin and the
// group's field officer (403 for read_only, 404 for another officer's group
// or cycle); partners 403 (they see their MFI's loans only). A state that
// does not allow the action is 409 with "state" (the cycle's state now).
// The domain writes each action's audit row (actor the staff user, channel
// "api", the request id) in the same job.
#include <algorithm>
#include <initializer_list>

#include "dialogs/cycle_notices.h"
#include "domain/cycles.h"
#include "domain/money.h"
#include "gateway/api/route.h"

namespace shg::gateway::api {
namespace {

// ---- views ----------------------------------------------------------------

json::value OrNull(int64_t v, int64_t none) { return v == none ? json::value(nullptr) : json::value(v); }

json::object RulesJson(const CycleRules& r) {
  return {{"lends", r.lends},
          {"loan_savings_multiple", r.loan_savings_multiple},
          {"max_term_months", r.max_term_months},
          {"flat_rate_bp_per_month", r.flat_rate_bp_per_month},
          {"social_fund_per_meeting", r.social_fund_per_meeting},
          {"share_out_unit", r.share_out_unit},
          {"length_months", r.length_months}};
}

const std::vector<std::string> kCycleColumns = {"id",        "group_id",   "number",
                                                "state",     "currency",   "starts_at",
                                                "ends_at",   "carried_in", "carried_out",
                                                "rules",     "updated_at"};

json::object CycleJson(const Cycle& c) {
  return {{"id", c.id},
          {"group_id", c.group_id},
          {"number", c.number},
          {"state", CycleStateName(c.state)},
          {"currency", c.currency},
          {"starts_at", c.starts_at},
          {"ends_at", c.ends_at},
          {"carried_in", c.carried_in},
          {"carried_out", OrNull(c.carried_out, -1)},
          {"share_out_journal_id", OrNull(c.share_out_journal_id, 0)},
          {"rules", RulesJson(c.rules)},
          {"updated_at", c.updated_at}};
}

json::object FiguresJson(const CycleFigures& f) {
  return {{"currency", f.cycle.currency},
          {"members", f.members},
          {"savings", f.savings},
          {"pending_savings", f.pending_savings},
          {"income", f.income},
          {"carried", f.carried},
          {"fund_cash", f.fund_cash},
          {"loans_out", f.loans_out},
          {"internal_loans_open", f.internal_loans_open},
          {"social_fund", f.social_fund},
          {"pending_fines", f.pending_fines},
          {"pending_fines_amount", f.pending_fines_amount},
          {"pending_repayments", f.pending_repayments}};
}

json::object PreviewJson(const ShareOutPreview& p) {
  json::array rows, blockers;
  for (const ShareOutRow& r : p.rows) {
    rows.push_back({{"member_id", r.line.member_id},
                    {"name", r.name},
                    {"savings", r.line.savings},
                    {"share", r.line.share},
                    {"profit", r.line.profit},
                    {"netted", r.line.netted},
                    {"payout", r.line.payout},
                    {"still_owed", r.line.still_owed},
                    {"loan_id", OrNull(r.loan_id, 0)},
                    {"reference", r.reference.empty() ? json::value(nullptr)
                                                      : json::value(r.reference)}});
  }
  for (const std::string& b : p.blockers) blockers.push_back(json::value(b));
  return {{"cycle", CycleJson(p.cycle)},
          {"currency", p.cycle.currency},
          {"confirmed", p.cycle.state == CycleState::kSharedOut ||
                            p.cycle.state == CycleState::kClosed},
          {"totals",
           {{"savings", p.savings},
            {"income", p.income},
            {"fund", p.fund},
            {"distributed", p.distributed},
            {"carried", p.carried},
            {"total_payout", p.total_payout},
            {"total_netted", p.total_netted},
            {"social_fund", p.social_fund}}},
          {"rows", std::move(rows)},
          {"blockers", std::move(blockers)}};
}

const std::vector<std::string> kFineColumns = {"id",     "reference", "cycle_id", "member_id",
                                               "member_name", "kind",  "amount",   "currency",
                                               "note",   "status",    "created_at"};

json::object FineJson(const Fine& f) {
  return {{"id", f.id},
          {"reference", f.reference},
          {"cycle_id", f.cycle_id},
          {"member_id", f.member_id},
          {"member_name", f.member_name},
          {"kind", f.kind},
          {"amount", f.amount},
          {"currency", f.currency},
          {"note", f.note},
          {"status", FineStatusName(f.status)},
          {"created_at", f.created_at}};
}

const std::vector<std::string> kSocialColumns = {"id",          "reference", "cycle_id",
                                                 "member_id",   "member_name", "kind",
                                                 "amount",      "currency",  "reason",
                                                 "approved_by", "created_at"};

json::object SocialJson(const SocialFundEntry& e) {
  return {{"id", e.id},
          {"reference", e.reference},
          {"cycle_id", e.cycle_id},
          {"member_id", e.member_id},
          {"member_name", e.member_name},
          {"kind", e.payout ? "payout" : "contribution"},
          {"amount", e.amount},
          {"currency", e.currency},
          {"reason", e.reason},
          {"approved_by", OrNull(e.approved_by, 0)},
          {"created_at", e.created_at}};
}

// ---- checks ---------------------------------------------------------------

Actor ActorOf(const ApiCall& call) { return {"staff", call.who.actor(), "api", call.request_id}; }

Cycles CyclesOf(const ApiCall& call, Unit& unit) { return Cycles(unit.conn, unit.ctx, call.programme); }

ApiAnswer NoSuchCycle() { return Error(404, "not_found", "no such cycle"); }

std::optional<ApiAnswer> OnlyFields(const ApiCall& call,
                                    std::initializer_list<std::string_view> ok) {
  for (const auto& kv : call.body) {
    const std::string_view key(kv.key().data(), kv.key().size());
    if (std::find(ok.begin(), ok.end(), key) == ok.end()) {
      return Error(422, "invalid", std::string(key) + ": not a field of this request",
                   std::string(key));
    }
  }
  return std::nullopt;
}

// 403 unless the principal changes groups (admin, field officer); partners
// first (they never see groups).
std::optional<ApiAnswer> CheckMayWrite(const ApiCall& call) {
  if (auto e = CheckNotPartner(call)) return e;
  if (!call.who.MayEditMembers()) return Forbidden("change a group's cycle, fines or social fund");
  return std::nullopt;
}

// The {id} cycle if the principal may see its group (404 otherwise, 403
// for a partner).
std::optional<ApiAnswer> FindCycle(const ApiCall& call, Unit& unit, Cycle* out) {
  if (auto e = CheckNotPartner(call)) return e;
  auto id = call.PathId("id");
  if (!id) return NoSuchCycle();
  auto c = CyclesOf(call, unit).Get(*id);
  if (!c.ok()) {
    return c.status().code() == Status::Code::kNotFound ? NoSuchCycle() : FromStatus(c.status());
  }
  if (!call.who.MaySeeGroup(c->group_id)) return NoSuchCycle();
  *out = std::move(*c);
  return std::nullopt;
}

// A domain failure of an action on `cycle_id`: a state conflict is 409
// with the cycle's state now.
ApiAnswer CycleFailure(const ApiCall& call, Unit& unit, int64_t cycle_id, const Status& s) {
  ApiAnswer a = FromStatus(s);
  if (a.status == 409) {
    auto now = CyclesOf(call, unit).Get(cycle_id);
    if (now.ok()) a.body.as_object()["state"] = CycleStateName(now->state);
  }
  return a;
}

// A member of group `group_id` named by body field `name`; 422 naming it.
std::optional<ApiAnswer> MemberOfGroup(const ApiCall& call, Unit& unit, const char* name,
                                       int64_t group_id, Member* out) {
  int64_t id = 0;
  if (auto e = IntField(call, name, &id, true)) return e;
  auto m = unit.services.GetMember(id);
  if (!m.ok() && m.status().code() != Status::Code::kNotFound) return FromStatus(m.status());
  if (!m.ok() || m->group_id != group_id) {
    return Error(422, "invalid", std::string(name) + ": not a member of this group", name);
  }
  *out = std::move(*m);
  return std::nullopt;
}

// "amount" (> 0, minor units) and an optional "currency" that must be the group's.
std::optional<ApiAnswer> GroupAmount(const ApiCall& call, const Group& g, int64_t* amount) {
  if (auto e = IntField(call, "amount", amount, true)) return e;
  if (*amount <= 0) return Error(422, "invalid", "amount: more than 0 (minor units)", "amount");
  std::string currency;
  if (auto e = StringField(call, "currency", &currency, false, 3)) return e;
  if (!currency.empty() && currency != g.currency) {
    return Error(422, "invalid", "currency: the group's is " + g.currency, "currency");
  }
  return std::nullopt;
}

// An int field that must fit `int` (rules in months).
std::optional<ApiAnswer> SmallIntField(const ApiCall& call, const char* name, int* out) {
  int64_t v = *out;
  if (auto e = IntField(call, name, &v, false)) return e;
  if (v < -1000000 || v > 1000000) {
    return Error(422, "invalid", std::string(name) + ": out of range", name);
  }
  *out = static_cast<int>(v);
  return std::nullopt;
}

// ---- cycles ---------------------------------------------------------------

ApiAnswer ListCycles(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *gid)) return *e;
  auto cycles = CyclesOf(call, unit).OfGroup(*gid);
  if (!cycles.ok()) return FromStatus(cycles.status());
  Table t;
  t.columns = kCycleColumns;
  for (const Cycle& c : *cycles) t.rows.push_back(CycleJson(c));
  return List(std::move(t));
}

ApiAnswer PlanCycle(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *gid)) return *e;
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call, {"lends", "loan_savings_multiple", "max_term_months",
                                 "flat_rate_bp_per_month", "social_fund_per_meeting",
                                 "share_out_unit", "length_months", "starts_at"})) {
    return *e;
  }
  CycleRules rules;
  if (auto it = call.body.find("lends"); it != call.body.end() && !it->value().is_null()) {
    if (!it->value().is_bool()) return Error(422, "invalid", "lends: true or false", "lends");
    rules.lends = it->value().as_bool();
  }
  if (auto e = IntField(call, "loan_savings_multiple", &rules.loan_savings_multiple, false)) {
    return *e;
  }
  if (auto e = SmallIntField(call, "max_term_months", &rules.max_term_months)) return *e;
  if (auto e = IntField(call, "flat_rate_bp_per_month", &rules.flat_rate_bp_per_month, false)) {
    return *e;
  }
  if (auto e = IntField(call, "social_fund_per_meeting", &rules.social_fund_per_meeting, false)) {
    return *e;
  }
  if (auto e = IntField(call, "share_out_unit", &rules.share_out_unit, false)) return *e;
  if (auto e = SmallIntField(call, "length_months", &rules.length_months)) return *e;
  int64_t starts_at = 0;
  if (auto e = IntField(call, "starts_at", &starts_at, false)) return *e;
  if (starts_at < 0) return Error(422, "invalid", "starts_at: Unix seconds", "starts_at");
  Cycles cycles = CyclesOf(call, unit);
  auto planned = cycles.Plan(*gid, rules, starts_at, ActorOf(call));
  if (!planned.ok()) {
    ApiAnswer a = FromStatus(planned.status());
    if (a.status == 409) {
      auto open = cycles.OpenCycle(*gid);
      if (open.ok() && open->has_value()) {
        a.body.as_object()["state"] = CycleStateName((*open)->state);
        a.body.as_object()["cycle_id"] = (*open)->id;
      }
    }
    return a;
  }
  return Ok(CycleJson(*planned), 201);
}

ApiAnswer GetCycle(ApiCall& call, Unit& unit) {
  Cycle c;
  if (auto e = FindCycle(call, unit, &c)) return *e;
  json::object out = CycleJson(c);
  auto f = CyclesOf(call, unit).Figures(c.group_id);
  if (!f.ok()) return FromStatus(f.status());
  out["figures"] = f->cycle.id == c.id ? json::value(FiguresJson(*f)) : json::value(nullptr);
  return Ok(std::move(out));
}

ApiAnswer StartCycle(ApiCall& call, Unit& unit) {
  Cycle c;
  if (auto e = FindCycle(call, unit, &c)) return *e;
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call, {"reinvest"})) return *e;
  Reinvestment r;
  if (auto it = call.body.find("reinvest"); it != call.body.end() && !it->value().is_null()) {
    const json::value& v = it->value();
    if (v.is_string() && (v.as_string() == "all" || v.as_string() == "none")) {
      r.everyone = v.as_string() == "all";
    } else if (v.is_array()) {
      const json::array& ids = v.as_array();
      for (size_t i = 0; i < ids.size(); ++i) {
        const std::string field = "reinvest[" + std::to_string(i) + "]";
        if (!ids[i].is_int64() || ids[i].as_int64() <= 0) {
          return Error(422, "invalid", field + ": a member id", field);
        }
        r.member_ids.push_back(ids[i].as_int64());
      }
    } else {
      return Error(422, "invalid", "reinvest: \"all\", \"none\" or a list of member ids",
                   "reinvest");
    }
  }
  auto started = CyclesOf(call, unit).Start(c.id, r, ActorOf(call));
  if (!started.ok()) {
    ApiAnswer a = CycleFailure(call, unit, c.id, started.status());
    // The domain names its parameter; the request calls it "reinvest".
    auto& err = a.body.as_object()["error"].as_object();
    if (auto f = err.find("field"); f != err.end() && f->value() == "member_ids") {
      f->value() = "reinvest";
    }
    return a;
  }
  return Ok(CycleJson(*started));
}

using Transition = Result<Cycle> (Cycles::*)(int64_t, const Actor&);

ApiAnswer Transit(ApiCall& call, Unit& unit, Transition t) {
  Cycle c;
  if (auto e = FindCycle(call, unit, &c)) return *e;
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call, {})) return *e;
  Cycles cycles = CyclesOf(call, unit);
  auto after = (cycles.*t)(c.id, ActorOf(call));
  if (!after.ok()) return CycleFailure(call, unit, c.id, after.status());
  return Ok(CycleJson(*after));
}

ApiAnswer CancelCycle(ApiCall& call, Unit& unit) { return Transit(call, unit, &Cycles::Cancel); }
ApiAnswer CloseCycle(ApiCall& call, Unit& unit) { return Transit(call, unit, &Cycles::BeginClose); }
ApiAnswer ReopenCycle(ApiCall& call, Unit& unit) { return Transit(call, unit, &Cycles::Reopen); }

// ---- share-out ------------------------------------------------------------

ApiAnswer PreviewShareOut(ApiCall& call, Unit& unit) {
  Cycle c;
  if (auto e = FindCycle(call, unit, &c)) return *e;
  auto p = CyclesOf(call, unit).PreviewShareOut(c.id);
  if (!p.ok()) return CycleFailure(call, unit, c.id, p.status());
  return Ok(PreviewJson(*p));
}

ApiAnswer ConfirmShareOut(ApiCall& call, Unit& unit) {
  Cycle c;
  if (auto e = FindCycle(call, unit, &c)) return *e;
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call, {})) return *e;
  Cycles cycles = CyclesOf(call, unit);
  // Every reason at once, not just the first the domain would name.
  auto preview = cycles.PreviewShareOut(c.id);
  if (!preview.ok()) return CycleFailure(call, unit, c.id, preview.status());
  auto refused = [&](const std::string& message, const std::vector<std::string>& blockers) {
    ApiAnswer a = Error(409, "conflict", message);
    json::array list;
    for (const std::string& b : blockers) list.push_back(json::value(b));
    a.body.as_object()["blockers"] = std::move(list);
    a.body.as_object()["state"] = CycleStateName(preview->cycle.state);
    return a;
  };
  if (!preview->blockers.empty()) {
    return refused("the share-out cannot be confirmed yet: " + preview->blockers.front(),
                   preview->blockers);
  }
  if (c.state != CycleState::kClosing) {
    return refused("state " + std::string(CycleStateName(c.state)) +
                       ": only a closing cycle is shared out",
                   {});
  }
  auto confirmed = cycles.ConfirmShareOut(c.id, ActorOf(call));
  if (!confirmed.ok()) {
    if (confirmed.status().code() == Status::Code::kFailedPrecondition) {
      return refused(confirmed.status().message(), {confirmed.status().message()});
    }
    return FromStatus(confirmed.status());
  }
  auto sent = dialogs::SendShareOutNotices(call.notifier, unit.messages, unit.services, "",
                                           *confirmed);
  if (!sent.ok()) return FromStatus(sent.status());
  if (*sent > 0) *call.wake_outbox = true;
  json::object out = PreviewJson(*confirmed);
  out["sms_queued"] = *sent;
  return Ok(std::move(out));
}

// ---- fines ------------------------------------------------------------------

ApiAnswer ListFines(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *gid)) return *e;
  const std::string status = call.Query("status");
  if (!status.empty() && status != "pending") {
    return Error(400, "bad_query", "status: pending (decided fines are in the ledger)", "status");
  }
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  // The cursor of this list is the offset of its next page.
  const int offset = static_cast<int>(std::min<int64_t>(page.after_id, 1'000'000'000));
  auto fines = CyclesOf(call, unit).PendingFines(*gid, page.limit, offset);
  if (!fines.ok()) return FromStatus(fines.status());
  Table t;
  t.columns = kFineColumns;
  for (const Fine& f : *fines) t.rows.push_back(FineJson(f));
  if (static_cast<int>(fines->size()) == page.limit) t.next_cursor = EncodeCursor(offset + page.limit);
  return List(std::move(t));
}

ApiAnswer RecordFine(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  Group g;
  if (auto e = CheckGroup(call, unit, *gid, &g)) return *e;
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call, {"member_id", "kind", "amount", "currency", "note"})) return *e;
  Member m;
  if (auto e = MemberOfGroup(call, unit, "member_id", g.id, &m)) return *e;
  std::string kind, note;
  if (auto e = StringField(call, "kind", &kind, true, 32)) return *e;
  const auto& kinds = FineKinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    std::string list;
    for (const std::string& k : kinds) list += (list.empty() ? "" : ", ") + k;
    return Error(422, "invalid", "kind: one of " + list, "kind");
  }
  int64_t amount = 0;
  if (auto e = GroupAmount(call, g, &amount)) return *e;
  if (auto e = StringField(call, "note", &note, false, 160)) return *e;
  auto fine = CyclesOf(call, unit).RecordFine(m.id, kind, amount, note, ActorOf(call));
  if (!fine.ok()) return FromStatus(fine.status());
  return Ok(FineJson(*fine), 201);
}

ApiAnswer DecideFineRoute(ApiCall& call, Unit& unit, bool confirm) {
  if (auto e = CheckNotPartner(call)) return *e;
  auto id = call.PathId("id");
  if (!id) return Error(404, "not_found", "no such fine");
  Cycles cycles = CyclesOf(call, unit);
  auto fine = cycles.GetFine(*id);
  if (!fine.ok() || !call.who.MaySeeGroup(fine->group_id)) {
    if (!fine.ok() && fine.status().code() != Status::Code::kNotFound) {
      return FromStatus(fine.status());
    }
    return Error(404, "not_found", "no such fine");
  }
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call, {"decided_by"})) return *e;
  Member officer;
  if (auto e = MemberOfGroup(call, unit, "decided_by", fine->group_id, &officer)) return *e;
  auto decided = cycles.DecideFine(*id, officer.id, confirm, ActorOf(call));
  if (!decided.ok()) {
    ApiAnswer a = FromStatus(decided.status());
    if (a.status == 409) a.body.as_object()["status"] = FineStatusName(fine->status);
    if (a.status == 403) a.body.as_object()["error"].as_object()["field"] = "decided_by";
    return a;
  }
  return Ok(FineJson(*decided));
}

ApiAnswer ConfirmFine(ApiCall& call, Unit& unit) { return DecideFineRoute(call, unit, true); }
ApiAnswer WaiveFine(ApiCall& call, Unit& unit) { return DecideFineRoute(call, unit, false); }

// ---- social fund ------------------------------------------------------------

ApiAnswer ListSocialFund(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  if (auto e = CheckGroup(call, unit, *gid)) return *e;
  Page page;
  if (auto e = ParsePage(call, &page)) return *e;
  const int offset = static_cast<int>(std::min<int64_t>(page.after_id, 1'000'000'000));
  auto entries = CyclesOf(call, unit).SocialFundEntries(*gid, page.limit, offset);
  if (!entries.ok()) return FromStatus(entries.status());
  Table t;
  t.columns = kSocialColumns;
  for (const SocialFundEntry& e : *entries) t.rows.push_back(SocialJson(e));
  if (static_cast<int>(entries->size()) == page.limit) {
    t.next_cursor = EncodeCursor(offset + page.limit);
  }
  return List(std::move(t));
}

ApiAnswer RecordSocialFund(ApiCall& call, Unit& unit) {
  auto gid = call.PathId("id");
  if (!gid) return NoSuchGroup();
  Group g;
  if (auto e = CheckGroup(call, unit, *gid, &g)) return *e;
  if (auto e = CheckMayWrite(call)) return *e;
  if (auto e = OnlyFields(call,
                          {"kind", "member_id", "amount", "currency", "reason", "approved_by"})) {
    return *e;
  }
  std::string kind;
  if (auto e = StringField(call, "kind", &kind, false, 20)) return *e;
  if (kind.empty()) {
    const bool payout_fields = call.body.contains("reason") || call.body.contains("approved_by");
    kind = payout_fields ? "payout" : "contribution";
  }
  if (kind != "contribution" && kind != "payout") {
    return Error(422, "invalid", "kind: contribution or payout", "kind");
  }
  Member m;
  if (auto e = MemberOfGroup(call, unit, "member_id", g.id, &m)) return *e;
  int64_t amount = 0;
  if (auto e = GroupAmount(call, g, &amount)) return *e;
  Cycles cycles = CyclesOf(call, unit);
  Result<SocialFundEntry> entry = Status::Internal("unset");
  if (kind == "contribution") {
    if (call.body.contains("reason") || call.body.contains("approved_by")) {
      const char* f = call.body.contains("reason") ? "reason" : "approved_by";
      return Error(422, "invalid", std::string(f) + ": only for a payout", f);
    }
    entry = cycles.RecordContribution(m.id, amount, ActorOf(call));
  } else {
    std::string reason;
    if (auto e = StringField(call, "reason", &reason, true, 160)) return *e;
    Member approver;
    if (auto e = MemberOfGroup(call, unit, "approved_by", g.id, &approver)) return *e;
    entry = cycles.RecordSocialPayout(m.id, amount, reason, approver.id, ActorOf(call));
    if (!entry.ok() && entry.status().code() == Status::Code::kPermissionDenied) {
      ApiAnswer a = FromStatus(entry.status());
      a.body.as_object()["error"].as_object()["field"] = "approved_by";
      return a;
    }
  }
  if (!entry.ok()) return FromStatus(entry.status());
  return Ok(SocialJson(*entry), 201);
}

}  // namespace

const std::vector<std::string>& FineKinds() {
  static const std::vector<std::string> kKinds = {"late", "absent", "other"};
  return kKinds;
}

void AddCycleRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/groups/{id}/cycles", ListCycles});
  routes.push_back({"POST", "/api/v1/groups/{id}/cycles", PlanCycle});
  routes.push_back({"GET", "/api/v1/cycles/{id}", GetCycle});
  routes.push_back({"POST", "/api/v1/cycles/{id}/start", StartCycle});
  routes.push_back({"POST", "/api/v1/cycles/{id}/cancel", CancelCycle});
  routes.push_back({"POST", "/api/v1/cycles/{id}/close", CloseCycle});
  routes.push_back({"POST", "/api/v1/cycles/{id}/reopen", ReopenCycle});
  routes.push_back({"GET", "/api/v1/cycles/{id}/share-out", PreviewShareOut});
  routes.push_back({"POST", "/api/v1/cycles/{id}/share-out", ConfirmShareOut});
  routes.push_back({"GET", "/api/v1/groups/{id}/fines", ListFines});
  routes.push_back({"POST", "/api/v1/groups/{id}/fines", RecordFine});
  routes.push_back({"POST", "/api/v1/fines/{id}/confirm", ConfirmFine});
  routes.push_back({"POST", "/api/v1/fines/{id}/waive", WaiveFine});
  routes.push_back({"GET", "/api/v1/groups/{id}/social-fund", ListSocialFund});
  routes.push_back({"POST", "/api/v1/groups/{id}/social-fund", RecordSocialFund});
}

}  // namespace shg::gateway::api
