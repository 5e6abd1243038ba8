// The group's own money on the dashboard (issue 11, domain/cycles.h):
//   GET  /staff/groups/{id}/cycle            the group's cycle (its open one, else the last):
//                                            rules, figures, the actions its state allows
//                                            (plan the next, start with reinvest all/none,
//                                            cancel, close, reopen), pending fines with
//                                            confirm/waive on a chosen treasurer's or chair's
//                                            word, a fine form, social fund entries and a
//                                            contribution form, the group's cycles
//   POST /staff/groups/{id}/cycle/plan       rules as staff type them (amounts in whole units,
//                                            the rate in % a month, start date YYYY-MM-DD)
//   POST /staff/cycles/{id}/start|cancel|close|reopen
//   POST /staff/groups/{id}/fines            member, kind, amount, note
//   POST /staff/fines/{id}/decide            decided_by (member id), decision=confirm|waive
//   POST /staff/groups/{id}/social-fund      a contribution: member, amount
//   GET  /staff/cycles/{id}/share-out        the preview (or the confirmed lines): member,
//                                            savings, share, profit, netted, payout, still
//                                            owed; the totals row from the domain's totals;
//                                            the residual carried; blockers; Confirm (admin,
//                                            field officer) when nothing blocks it
//   POST /staff/cycles/{id}/share-out        confirm; each member's SMS queued
//   GET  /staff/cycles/{id}/share-out/print  a printable sheet: plain HTML, print CSS, no
//                                            navigation, signature lines
// A form with bad input is shown again (422, or 409 for a state that does
// not allow it) with a message naming the field and what was typed; the
// job rolls back, so nothing is written. The domain audits each action
// (actor the staff user, channel "dashboard", the request id).
#include <algorithm>
#include <cstdio>

#include "dialogs/cycle_notices.h"
#include "domain/cycles.h"
#include "domain/money.h"
#include "gateway/api/api.h"
#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

constexpr int kListed = 50;

// A form shown again: which one, the message (naming the field).
struct FormError {
  std::string form;
  std::string message;
};

Actor ActorOf(const Screen& s) { return {"staff", s.who.actor(), "dashboard", s.request_id}; }

Cycles CyclesOf(const Screen& s, Unit& unit) { return Cycles(unit.conn, unit.ctx, s.programme); }

std::string CycleTitle(const Cycle& c) { return "Cycle " + std::to_string(c.number); }

void Figure(Html& h, std::string_view label, const std::string& value, const std::string& id) {
  h.open("div").element("dt", label).element("dd", value, {{"id", id}}).close("div");
}

// The value typed into `name`, for a form shown again; else `fallback`.
std::string Typed(const Screen& s, const FormError* err, const std::string& form,
                  const std::string& name, const std::string& fallback) {
  if (err != nullptr && err->form == form && s.form.count(name)) return s.Field(name);
  return fallback;
}

void FormMessage(Html& h, const FormError* err, const std::string& form) {
  if (err != nullptr && err->form == form) {
    h.element("p", err->message, {{"class", "error"}, {"id", form + "-error"}});
  }
}

void TextInput(Html& h, const std::string& form, const std::string& name,
               const std::string& label, const std::string& value) {
  const std::string id = form + "-" + name;
  h.element("label", label, {{"for", id}});
  h.empty("input", {{"type", "text"}, {"name", name}, {"id", id}, {"value", value}});
}

// A <select> of `options` (value, label), `selected` chosen.
void Select(Html& h, const std::string& form, const std::string& name, const std::string& label,
            const std::vector<std::pair<std::string, std::string>>& options,
            const std::string& selected) {
  const std::string id = form + "-" + name;
  if (!label.empty()) h.element("label", label, {{"for", id}});
  h.open("select", {{"name", name}, {"id", id}});
  for (const auto& [value, text] : options) {
    h.open("option", {{"value", value}, {value == selected ? "selected" : "", "selected"}});
    h.text(text).close("option");
  }
  h.close("select");
}

void ActionButton(Html& h, const Screen& s, const std::string& action, const std::string& label,
                  const std::string& id) {
  h.open("form", {{"method", "post"}, {"action", action}, {"class", "inline"}, {"id", id}});
  h.csrf(s.csrf).element("button", label, {{"type", "submit"}});
  h.close("form");
}

Result<std::vector<Member>> ActiveMembers(Unit& unit, int64_t group_id) {
  MemberFilter f;
  f.group_id = group_id;
  std::vector<Member> out;
  int64_t after = 0;
  while (true) {
    auto page = Directory(unit.conn, unit.ctx).Members(f, after, 1000);
    if (!page.ok()) return page.status();
    out.insert(out.end(), page->begin(), page->end());
    if (page->size() < 1000) break;
    after = page->back().id;
  }
  return out;
}

// The members (or her officers) as options, after an empty "choose" one:
// who is fined, who decided, is always chosen, never a default.
std::vector<std::pair<std::string, std::string>> MemberOptions(const std::vector<Member>& ms,
                                                               bool officers_only) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("", officers_only ? "decided by..." : "choose a member");
  for (const Member& m : ms) {
    if (officers_only && !CanManageGroup(m.role)) continue;
    std::string label = m.name;
    if (CanManageGroup(m.role)) label += std::string(" (") + RoleName(m.role) + ")";
    out.emplace_back(std::to_string(m.id), label);
  }
  return out;
}

// ---- parsing what staff type --------------------------------------------------

// A whole number in [lo, hi]; InvalidArgument naming `field`.
Result<int64_t> WholeNumber(const std::string& text, const std::string& field, int64_t lo,
                            int64_t hi) {
  if (text.empty() || text.size() > 12 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(field + ": a whole number");
  }
  const int64_t v = std::stoll(text);
  if (v < lo || v > hi) {
    return Status::InvalidArgument(field + ": from " + std::to_string(lo) + " to " +
                                   std::to_string(hi));
  }
  return v;
}

// An amount in whole units of `currency` ("1,500"); "0" when `zero_ok`.
Result<int64_t> Amount(const Screen& s, const std::string& text, const std::string& field,
                       const Currency& currency, bool zero_ok) {
  if (zero_ok && (text == "0" || text == "0.00")) return int64_t{0};
  const int64_t max_minor = ToMinor(s.settings.max_amount_units, currency);
  auto v = ParseAmountInput(text, currency, max_minor);
  if (!v.ok()) return Status::InvalidArgument(field + ": " + v.status().message());
  return *v;
}

// "10" or "2.5" (% a month) as basis points.
Result<int64_t> PercentBp(const std::string& text, const std::string& field) {
  const size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto bad = [&] { return Status::InvalidArgument(field + ": a percentage such as 10 or 2.5"); };
  if (whole.empty() || whole.size() > 4 || frac.size() > 2 ||
      whole.find_first_not_of("0123456789") != std::string::npos ||
      frac.find_first_not_of("0123456789") != std::string::npos) {
    return bad();
  }
  int64_t bp = std::stoll(whole) * 100;
  if (!frac.empty()) bp += std::stoll(frac) * (frac.size() == 1 ? 10 : 1);
  return bp;
}

// "YYYY-MM-DD" as Unix seconds at 00:00 UTC; "" = 0 (now).
Result<int64_t> DateField(const std::string& text, const std::string& field) {
  if (text.empty()) return int64_t{0};
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) {
    return Status::InvalidArgument(field + ": a date as YYYY-MM-DD");
  }
  // Days from the civil date (Howard Hinnant's algorithm).
  y -= m <= 2;
  const int era = y / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int64_t{era} * 146097 + doe - 719468) * 86400;
}

std::string PercentText(int64_t bp) {
  std::string s = std::to_string(bp / 100);
  if (bp % 100 != 0) {
    char frac[4];
    std::snprintf(frac, sizeof frac, "%02d", static_cast<int>(bp % 100));
    s += std::string(".") + frac;
    while (s.back() == '0') s.pop_back();
  }
  return s + "%";
}

std::string Units(int64_t minor, const Currency& c) {
  std::string m = FormatMoney(minor, c);
  const size_t at = m.find(c.code);
  if (at != std::string::npos) m.erase(at, c.code.size() + 1);
  return m;
}

// ---- the cycle page ---------------------------------------------------------

void RulesList(Html& h, const Cycle& c) {
  const CycleRules& r = c.rules;
  h.open("dl", {{"class", "figures"}, {"id", "cycle-rules"}});
  Figure(h, "Lends from the fund", r.lends ? "yes" : "no", "rule-lends");
  if (r.lends) {
    Figure(h, "Loan cap", std::to_string(r.loan_savings_multiple) + " x her savings",
           "rule-multiple");
    Figure(h, "Longest term", std::to_string(r.max_term_months) + " months", "rule-term");
    Figure(h, "Flat interest", PercentText(r.flat_rate_bp_per_month) + " a month", "rule-rate");
  }
  Figure(h, "Social fund per meeting", Money(r.social_fund_per_meeting, c.currency),
         "rule-social");
  Figure(h, "Share-out unit", Money(r.share_out_unit, c.currency), "rule-unit");
  Figure(h, "Length", std::to_string(r.length_months) + " months", "rule-length");
  Figure(h, "Starts", Date(c.starts_at), "cycle-starts");
  Figure(h, "Ends", Date(c.ends_at), "cycle-ends");
  h.close("dl");
}

void FiguresList(Html& h, const CycleFigures& f) {
  const std::string& cur = f.cycle.currency;
  h.open("dl", {{"class", "figures"}, {"id", "cycle-figures"}});
  Figure(h, "Members", std::to_string(f.members), "cycle-members");
  Figure(h, "Savings", Money(f.savings, cur), "cycle-savings");
  Figure(h, "Pending savings", Money(f.pending_savings, cur), "cycle-pending-savings");
  Figure(h, "Income (interest, fines)", Money(f.income, cur), "cycle-income");
  Figure(h, "Carried in", Money(f.carried, cur), "cycle-carried");
  Figure(h, "Fund cash", Money(f.fund_cash, cur), "cycle-fund-cash");
  Figure(h, "Loans out", Money(f.loans_out, cur) + " (" +
                             std::to_string(f.internal_loans_open) + ")",
         "cycle-loans-out");
  Figure(h, "Social fund", Money(f.social_fund, cur), "cycle-social-fund");
  Figure(h, "Pending fines", std::to_string(f.pending_fines) + " (" +
                                 Money(f.pending_fines_amount, cur) + ")",
         "cycle-pending-fines");
  Figure(h, "Pending repayments", std::to_string(f.pending_repayments),
         "cycle-pending-repayments");
  h.close("dl");
}

void PlanForm(Html& h, const Screen& s, const Group& g, const Currency& cur,
              const FormError* err) {
  const CycleRules d;
  const std::string form = "plan";
  h.element("h2", "Plan the next cycle");
  FormMessage(h, err, form);
  h.open("form", {{"method", "post"},
                  {"action", "/staff/groups/" + std::to_string(g.id) + "/cycle/plan"},
                  {"id", "plan-form"}});
  h.csrf(s.csrf);
  Select(h, form, "lends", "Lends from the group fund", {{"no", "no"}, {"yes", "yes"}},
         Typed(s, err, form, "lends", d.lends ? "yes" : "no"));
  TextInput(h, form, "loan_savings_multiple", "Loan cap (times her savings)",
            Typed(s, err, form, "loan_savings_multiple", std::to_string(d.loan_savings_multiple)));
  TextInput(h, form, "max_term_months", "Longest loan term (months, 1 to 3)",
            Typed(s, err, form, "max_term_months", std::to_string(d.max_term_months)));
  TextInput(h, form, "flat_rate_percent", "Flat interest (% a month)",
            Typed(s, err, form, "flat_rate_percent",
                  PercentText(d.flat_rate_bp_per_month).substr(
                      0, PercentText(d.flat_rate_bp_per_month).size() - 1)));
  TextInput(h, form, "social_fund_per_meeting", "Social fund per meeting (" + cur.code + ")",
            Typed(s, err, form, "social_fund_per_meeting", "0"));
  TextInput(h, form, "share_out_unit", "Share-out unit (" + cur.code + ")",
            Typed(s, err, form, "share_out_unit", Units(ToMinor(1, cur), cur)));
  TextInput(h, form, "length_months", "Length (months, 1 to 24)",
            Typed(s, err, form, "length_months", std::to_string(d.length_months)));
  TextInput(h, form, "starts_on", "Starts on (YYYY-MM-DD; empty: today)",
            Typed(s, err, form, "starts_on", ""));
  h.open("p").element("button", "Plan cycle", {{"type", "submit"}, {"id", "plan-submit"}});
  h.close("p").close("form");
}

View CycleView(Screen& s, Unit& unit, const Group& g, const FormError* err) {
  Cycles cycles = CyclesOf(s, unit);
  auto figures = cycles.Figures(g.id);
  if (!figures.ok()) return FromStatus(figures.status());
  const Cycle& c = figures->cycle;
  auto cur = FindCurrency(g.currency);
  if (!cur.ok()) return FromStatus(cur.status());
  const std::string gid = std::to_string(g.id);
  const std::string cid = std::to_string(c.id);
  const bool writes = s.who.MayEditMembers();
  View v;
  v.status = err == nullptr ? 200 : 422;
  v.title = g.name + ": savings cycle";
  Html h;
  const std::string done = s.Query("done");
  if (!done.empty() && err == nullptr) {
    static const std::map<std::string, std::string> kDone = {
        {"planned", "The next cycle is planned."},  {"started", "The cycle has started."},
        {"cancelled", "The planned cycle is cancelled."},
        {"closing", "The cycle is closing: no new internal loans."},
        {"reopened", "The cycle is open again."},  {"fine", "Fine recorded, pending."},
        {"fine-confirmed", "Fine confirmed."},      {"fine-waived", "Fine waived."},
        {"social", "Contribution recorded."}};
    if (auto it = kDone.find(done); it != kDone.end()) {
      h.element("p", it->second, {{"class", "notice"}, {"id", "notice"}});
    }
  }
  if (err != nullptr && err->form == "cycle") {
    h.element("p", err->message, {{"class", "error"}, {"id", "cycle-error"}});
  }
  h.open("p").element("a", "Back to the group", {{"href", "/staff/groups/" + gid},
                                                 {"id", "group-link"}});
  h.close("p");
  h.open("h2", {{"id", "cycle-heading"}, {"data-cycle", cid}, {"data-state", CycleStateName(c.state)}})
      .text(CycleTitle(c) + ": " + CycleStateName(c.state))
      .close("h2");
  RulesList(h, c);
  h.element("h2", "Figures");
  FiguresList(h, *figures);

  // What the state allows.
  if (writes) {
    h.open("div", {{"id", "cycle-actions"}, {"class", "small"}});
    const std::string base = "/staff/cycles/" + cid;
    switch (c.state) {
      case CycleState::kPlanned: {
        FormMessage(h, err, "start");
        h.open("form", {{"method", "post"}, {"action", base + "/start"}, {"class", "inline"},
                        {"id", "start-form"}});
        h.csrf(s.csrf);
        Select(h, "start", "reinvest", "Reinvest last share-out payouts",
               {{"none", "none"}, {"all", "all members"}},
               Typed(s, err, "start", "reinvest", "none"));
        h.element("button", "Start cycle", {{"type", "submit"}, {"id", "start-submit"}});
        h.close("form");
        ActionButton(h, s, base + "/cancel", "Cancel cycle", "cancel-form");
        break;
      }
      case CycleState::kActive:
        ActionButton(h, s, base + "/close", "Close cycle (no new loans)", "close-form");
        break;
      case CycleState::kClosing:
        ActionButton(h, s, base + "/reopen", "Reopen cycle", "reopen-form");
        break;
      case CycleState::kSharedOut:
      case CycleState::kClosed:
        break;
    }
    h.close("div");
  }
  if (c.state != CycleState::kPlanned) {
    h.open("p").element("a", c.state == CycleState::kSharedOut || c.state == CycleState::kClosed
                                 ? "Share-out sheet"
                                 : "Share-out preview",
                        {{"href", "/staff/cycles/" + cid + "/share-out"}, {"id", "share-out-link"}});
    h.close("p");
  }
  if (writes && !IsOpenCycle(c.state)) PlanForm(h, s, g, *cur, err);

  auto members = ActiveMembers(unit, g.id);
  if (!members.ok()) return FromStatus(members.status());
  const auto member_options = MemberOptions(*members, false);
  const auto officer_options = MemberOptions(*members, true);

  // Fines.
  auto fines = cycles.PendingFines(g.id, kListed, 0);
  if (!fines.ok()) return FromStatus(fines.status());
  h.element("h2", "Pending fines");
  FormMessage(h, err, "decide");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "pending-fines"}});
  h.open("tr").element("th", "Recorded").element("th", "Member").element("th", "Kind");
  h.element("th", "Note").element("th", "Amount", {{"class", "num"}});
  if (writes) h.element("th", "Decision");
  h.close("tr");
  for (const Fine& f : *fines) {
    const std::string fid = std::to_string(f.id);
    h.open("tr", {{"data-fine", fid}}).element("td", Time(f.created_at));
    h.element("td", f.member_name).element("td", f.kind).element("td", f.note);
    h.element("td", Money(f.amount, f.currency), {{"class", "num"}});
    if (writes) {
      h.open("td");
      h.open("form", {{"method", "post"}, {"action", "/staff/fines/" + fid + "/decide"},
                      {"class", "inline small"}, {"id", "decide-fine-" + fid}});
      h.csrf(s.csrf);
      Select(h, "decide-" + fid, "decided_by", "", officer_options, "");
      h.element("button", "Confirm", {{"type", "submit"}, {"name", "decision"}, {"value", "confirm"}});
      h.text(" ");
      h.element("button", "Waive", {{"type", "submit"}, {"name", "decision"}, {"value", "waive"}});
      h.close("form").close("td");
    }
    h.close("tr");
  }
  h.close("table").close("div");
  if (writes && IsOpenCycle(c.state) && c.state != CycleState::kPlanned) {
    const std::string form = "fine";
    h.element("h2", "Record a fine");
    FormMessage(h, err, form);
    h.open("form", {{"method", "post"}, {"action", "/staff/groups/" + gid + "/fines"},
                    {"id", "fine-form"}});
    h.csrf(s.csrf);
    Select(h, form, "member_id", "Member", member_options, Typed(s, err, form, "member_id", ""));
    std::vector<std::pair<std::string, std::string>> kinds;
    for (const std::string& k : api::FineKinds()) kinds.emplace_back(k, k);
    Select(h, form, "kind", "Kind", kinds, Typed(s, err, form, "kind", ""));
    TextInput(h, form, "amount", "Amount (" + g.currency + ")", Typed(s, err, form, "amount", ""));
    TextInput(h, form, "note", "Note (optional)", Typed(s, err, form, "note", ""));
    h.open("p").element("button", "Record fine", {{"type", "submit"}, {"id", "fine-submit"}});
    h.close("p").close("form");
  }

  // Social fund.
  auto entries = cycles.SocialFundEntries(g.id, kListed, 0);
  if (!entries.ok()) return FromStatus(entries.status());
  h.element("h2", "Social fund");
  h.open("p").text("Held: ").element("strong", Money(figures->social_fund, g.currency),
                                     {{"id", "social-fund-held"}});
  h.text(" (never shared out)").close("p");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "social-fund"}});
  h.open("tr").element("th", "When").element("th", "Member").element("th", "Kind");
  h.element("th", "Reason").element("th", "Reference");
  h.element("th", "Amount", {{"class", "num"}}).close("tr");
  for (const SocialFundEntry& e : *entries) {
    h.open("tr", {{"data-entry", std::to_string(e.id)}}).element("td", Time(e.created_at));
    h.element("td", e.member_name).element("td", e.payout ? "payout" : "contribution");
    h.element("td", e.reason).element("td", e.reference);
    h.element("td", Money(e.payout ? -e.amount : e.amount, e.currency), {{"class", "num"}});
    h.close("tr");
  }
  h.close("table").close("div");
  if (writes && (c.state == CycleState::kActive || c.state == CycleState::kClosing)) {
    const std::string form = "social";
    FormMessage(h, err, form);
    h.open("form", {{"method", "post"}, {"action", "/staff/groups/" + gid + "/social-fund"},
                    {"id", "social-form"}});
    h.csrf(s.csrf);
    Select(h, form, "member_id", "Member", member_options, Typed(s, err, form, "member_id", ""));
    TextInput(h, form, "amount", "Contribution (" + g.currency + ")",
              Typed(s, err, form, "amount", ""));
    h.open("p").element("button", "Record contribution",
                        {{"type", "submit"}, {"id", "social-submit"}});
    h.close("p").close("form");
  }

  // The group's cycles.
  auto all = cycles.OfGroup(g.id);
  if (!all.ok()) return FromStatus(all.status());
  h.element("h2", "Cycles");
  h.open("div", {{"class", "scroll"}}).open("table", {{"id", "cycles"}});
  h.open("tr").element("th", "Cycle").element("th", "State").element("th", "Starts");
  h.element("th", "Ends").element("th", "Carried in", {{"class", "num"}});
  h.element("th", "Share-out").close("tr");
  for (const Cycle& x : *all) {
    const std::string xid = std::to_string(x.id);
    h.open("tr", {{"data-cycle", xid}}).element("td", CycleTitle(x));
    h.element("td", CycleStateName(x.state)).element("td", Date(x.starts_at));
    h.element("td", Date(x.ends_at));
    h.element("td", Money(x.carried_in, x.currency), {{"class", "num"}});
    h.open("td");
    if (x.state != CycleState::kPlanned) {
      h.element("a", "sheet", {{"href", "/staff/cycles/" + xid + "/share-out"}});
    }
    h.close("td").close("tr");
  }
  h.close("table").close("div");
  v.body = h.take();
  return v;
}

std::optional<View> GroupOf(Screen& s, Unit& unit, Group* g) {
  auto id = s.PathId("id");
  if (!id) return NotFound("group");
  return CheckGroup(s, unit, *id, g);
}

// The {id} cycle and its group if the principal may see it.
std::optional<View> CycleOf(Screen& s, Unit& unit, Cycle* c, Group* g) {
  if (s.who.user.role == StaffRole::kPartner) return Forbidden("see groups or members");
  auto id = s.PathId("id");
  if (!id) return NotFound("cycle");
  auto got = CyclesOf(s, unit).Get(*id);
  if (!got.ok()) {
    if (got.status().code() == Status::Code::kNotFound) return NotFound("cycle");
    return FromStatus(got.status());
  }
  if (!s.who.MaySeeGroup(got->group_id)) return NotFound("cycle");
  *c = std::move(*got);
  return CheckGroup(s, unit, c->group_id, g);
}

// The cycle page again with `message` on `form`; status 409 for a state
// conflict, else 422 (the job rolls back either way).
View Reshow(Screen& s, Unit& unit, const Group& g, const std::string& form, const Status& st) {
  if (st.code() != Status::Code::kInvalidArgument &&
      st.code() != Status::Code::kFailedPrecondition &&
      st.code() != Status::Code::kPermissionDenied && st.code() != Status::Code::kNotFound) {
    return FromStatus(st);
  }
  FormError err{form, st.message()};
  View v = CycleView(s, unit, g, &err);
  if (v.status < 400) v.status = 422;
  if (st.code() == Status::Code::kFailedPrecondition) v.status = 409;
  if (st.code() == Status::Code::kPermissionDenied) v.status = 403;
  return v;
}

View CyclePage(Screen& s, Unit& unit) {
  Group g;
  if (auto e = GroupOf(s, unit, &g)) return *e;
  return CycleView(s, unit, g, nullptr);
}

View CycleRedirect(const Group& g, const std::string& done) {
  return Redirect("/staff/groups/" + std::to_string(g.id) + "/cycle?done=" + done);
}

std::optional<View> CheckWrites(const Screen& s) {
  if (!s.who.MayEditMembers()) return Forbidden("change a group's cycle, fines or social fund");
  return std::nullopt;
}

View PlanAction(Screen& s, Unit& unit) {
  Group g;
  if (auto e = GroupOf(s, unit, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  auto cur = FindCurrency(g.currency);
  if (!cur.ok()) return FromStatus(cur.status());
  const std::string lends = s.Field("lends");
  if (lends != "yes" && lends != "no") {
    return Reshow(s, unit, g, "plan", Status::InvalidArgument("lends: yes or no"));
  }
  CycleRules r;
  r.lends = lends == "yes";
  auto multiple = WholeNumber(s.Field("loan_savings_multiple"), "loan_savings_multiple", 0, 1000);
  if (!multiple.ok()) return Reshow(s, unit, g, "plan", multiple.status());
  r.loan_savings_multiple = *multiple;
  auto term = WholeNumber(s.Field("max_term_months"), "max_term_months", 0, 1000);
  if (!term.ok()) return Reshow(s, unit, g, "plan", term.status());
  r.max_term_months = static_cast<int>(*term);
  auto rate = PercentBp(s.Field("flat_rate_percent"), "flat_rate_percent");
  if (!rate.ok()) return Reshow(s, unit, g, "plan", rate.status());
  r.flat_rate_bp_per_month = *rate;
  auto social = Amount(s, s.Field("social_fund_per_meeting"), "social_fund_per_meeting", *cur, true);
  if (!social.ok()) return Reshow(s, unit, g, "plan", social.status());
  r.social_fund_per_meeting = *social;
  auto unit_minor = Amount(s, s.Field("share_out_unit"), "share_out_unit", *cur, false);
  if (!unit_minor.ok()) return Reshow(s, unit, g, "plan", unit_minor.status());
  r.share_out_unit = *unit_minor;
  auto length = WholeNumber(s.Field("length_months"), "length_months", 0, 1000);
  if (!length.ok()) return Reshow(s, unit, g, "plan", length.status());
  r.length_months = static_cast<int>(*length);
  auto starts = DateField(s.Field("starts_on"), "starts_on");
  if (!starts.ok()) return Reshow(s, unit, g, "plan", starts.status());
  auto planned = CyclesOf(s, unit).Plan(g.id, r, *starts, ActorOf(s));
  if (!planned.ok()) {
    Status st = planned.status();
    // The domain names the rule in basis points; the form in percent.
    if (st.message().rfind("flat_rate_bp_per_month:", 0) == 0) {
      st = Status::InvalidArgument("flat_rate_percent: " +
                                   st.message().substr(sizeof("flat_rate_bp_per_month:")));
    }
    return Reshow(s, unit, g, "plan", st);
  }
  return CycleRedirect(g, "planned");
}

using Transition = Result<Cycle> (Cycles::*)(int64_t, const Actor&);

View Transit(Screen& s, Unit& unit, Transition t, const std::string& done) {
  Cycle c;
  Group g;
  if (auto e = CycleOf(s, unit, &c, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  Cycles cycles = CyclesOf(s, unit);
  auto after = (cycles.*t)(c.id, ActorOf(s));
  if (!after.ok()) return Reshow(s, unit, g, "cycle", after.status());
  return CycleRedirect(g, done);
}

View StartAction(Screen& s, Unit& unit) {
  Cycle c;
  Group g;
  if (auto e = CycleOf(s, unit, &c, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  const std::string reinvest = s.Field("reinvest");
  if (reinvest != "all" && reinvest != "none") {
    return Reshow(s, unit, g, "start", Status::InvalidArgument("reinvest: all or none"));
  }
  Reinvestment r;
  r.everyone = reinvest == "all";
  auto started = CyclesOf(s, unit).Start(c.id, r, ActorOf(s));
  if (!started.ok()) return Reshow(s, unit, g, "start", started.status());
  return CycleRedirect(g, "started");
}

View CancelAction(Screen& s, Unit& unit) { return Transit(s, unit, &Cycles::Cancel, "cancelled"); }
View CloseAction(Screen& s, Unit& unit) { return Transit(s, unit, &Cycles::BeginClose, "closing"); }
View ReopenAction(Screen& s, Unit& unit) { return Transit(s, unit, &Cycles::Reopen, "reopened"); }

// A member of `g` chosen in field `name`.
Result<Member> ChosenMember(Screen& s, Unit& unit, const Group& g, const std::string& name) {
  auto id = api::PositiveId(s.Field(name));
  if (!id) return Status::InvalidArgument(name + ": choose a member");
  auto m = unit.services.GetMember(*id);
  if (!m.ok() || m->group_id != g.id) {
    if (!m.ok() && m.status().code() != Status::Code::kNotFound) return m.status();
    return Status::InvalidArgument(name + ": not a member of this group");
  }
  return m;
}

View RecordFineAction(Screen& s, Unit& unit) {
  Group g;
  if (auto e = GroupOf(s, unit, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  auto cur = FindCurrency(g.currency);
  if (!cur.ok()) return FromStatus(cur.status());
  auto m = ChosenMember(s, unit, g, "member_id");
  if (!m.ok()) return Reshow(s, unit, g, "fine", m.status());
  const std::string kind = s.Field("kind");
  const auto& kinds = api::FineKinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    return Reshow(s, unit, g, "fine", Status::InvalidArgument("kind: choose a kind of fine"));
  }
  auto amount = Amount(s, s.Field("amount"), "amount", *cur, false);
  if (!amount.ok()) return Reshow(s, unit, g, "fine", amount.status());
  const std::string note = s.Field("note");
  if (note.size() > 160) {
    return Reshow(s, unit, g, "fine", Status::InvalidArgument("note: at most 160 characters"));
  }
  auto fine = CyclesOf(s, unit).RecordFine(m->id, kind, *amount, note, ActorOf(s));
  if (!fine.ok()) return Reshow(s, unit, g, "fine", fine.status());
  return CycleRedirect(g, "fine");
}

View DecideFineAction(Screen& s, Unit& unit) {
  if (s.who.user.role == StaffRole::kPartner) return Forbidden("see groups or members");
  auto id = s.PathId("id");
  if (!id) return NotFound("fine");
  Cycles cycles = CyclesOf(s, unit);
  auto fine = cycles.GetFine(*id);
  if (!fine.ok() || !s.who.MaySeeGroup(fine->group_id)) {
    if (!fine.ok() && fine.status().code() != Status::Code::kNotFound) {
      return FromStatus(fine.status());
    }
    return NotFound("fine");
  }
  Group g;
  if (auto e = CheckGroup(s, unit, fine->group_id, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  const std::string decision = s.Field("decision");
  if (decision != "confirm" && decision != "waive") {
    return Reshow(s, unit, g, "decide", Status::InvalidArgument("decision: confirm or waive"));
  }
  auto officer = ChosenMember(s, unit, g, "decided_by");
  if (!officer.ok()) return Reshow(s, unit, g, "decide", officer.status());
  auto decided = cycles.DecideFine(*id, officer->id, decision == "confirm", ActorOf(s));
  if (!decided.ok()) {
    Status st = decided.status();
    if (st.code() == Status::Code::kPermissionDenied) {
      st = Status::PermissionDenied("decided_by: " + st.message());
    }
    return Reshow(s, unit, g, "decide", st);
  }
  return CycleRedirect(g, decision == "confirm" ? "fine-confirmed" : "fine-waived");
}

View ContributionAction(Screen& s, Unit& unit) {
  Group g;
  if (auto e = GroupOf(s, unit, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  auto cur = FindCurrency(g.currency);
  if (!cur.ok()) return FromStatus(cur.status());
  auto m = ChosenMember(s, unit, g, "member_id");
  if (!m.ok()) return Reshow(s, unit, g, "social", m.status());
  auto amount = Amount(s, s.Field("amount"), "amount", *cur, false);
  if (!amount.ok()) return Reshow(s, unit, g, "social", amount.status());
  auto entry = CyclesOf(s, unit).RecordContribution(m->id, *amount, ActorOf(s));
  if (!entry.ok()) return Reshow(s, unit, g, "social", entry.status());
  return CycleRedirect(g, "social");
}

// ---- the share-out ----------------------------------------------------------

bool Confirmed(const ShareOutPreview& p) {
  return p.cycle.state == CycleState::kSharedOut || p.cycle.state == CycleState::kClosed;
}

// The table of lines and the totals row (the domain's totals: they sum
// the lines exactly).
void ShareOutTable(Html& h, const ShareOutPreview& p) {
  const std::string& cur = p.cycle.currency;
  bool owed = false;
  for (const ShareOutRow& r : p.rows) owed = owed || r.line.still_owed > 0;
  const bool refs = Confirmed(p);
  h.open("table", {{"id", "share-out"}});
  h.open("tr").element("th", "Member");
  for (const char* col : {"Savings", "Share", "Profit", "Loan netted", "Payout"}) {
    h.element("th", col, {{"class", "num"}});
  }
  if (owed) h.element("th", "Still owed", {{"class", "num"}});
  if (refs) h.element("th", "Reference");
  h.close("tr");
  for (const ShareOutRow& r : p.rows) {
    const ShareOutLine& l = r.line;
    h.open("tr", {{"data-member", std::to_string(l.member_id)}}).element("td", r.name);
    const std::pair<const char*, int64_t> cells[] = {{"savings", l.savings}, {"share", l.share},
                                                     {"profit", l.profit},   {"netted", l.netted},
                                                     {"payout", l.payout}};
    for (const auto& [col, amount] : cells) {
      h.element("td", Money(amount, cur),
                {{"class", "num"}, {"data-col", col}, {"data-minor", std::to_string(amount)}});
    }
    if (owed) {
      h.element("td", Money(l.still_owed, cur),
                {{"class", "num"}, {"data-col", "still_owed"},
                 {"data-minor", std::to_string(l.still_owed)}});
    }
    if (refs) h.element("td", r.reference);
    h.close("tr");
  }
  h.open("tr", {{"id", "share-out-totals"}}).element("th", "Total");
  const std::pair<const char*, int64_t> totals[] = {{"savings", p.savings},
                                                    {"share", p.distributed},
                                                    {"profit", p.distributed - p.savings},
                                                    {"netted", p.total_netted},
                                                    {"payout", p.total_payout}};
  for (const auto& [col, amount] : totals) {
    h.element("th", Money(amount, cur),
              {{"class", "num"}, {"data-col", col}, {"data-minor", std::to_string(amount)},
               {"id", std::string("total-") + col}});
  }
  if (owed) h.element("th", "");
  if (refs) h.element("th", "");
  h.close("tr").close("table");
}

void ShareOutSummary(Html& h, const ShareOutPreview& p) {
  const std::string& cur = p.cycle.currency;
  h.open("dl", {{"class", "figures"}, {"id", "share-out-summary"}});
  Figure(h, "Savings", Money(p.savings, cur), "so-savings");
  Figure(h, "Income and carried in", Money(p.income, cur), "so-income");
  Figure(h, "Fund shared", Money(p.fund, cur), "so-fund");
  Figure(h, "Distributed", Money(p.distributed, cur), "so-distributed");
  Figure(h, "Carried to the next cycle", Money(p.carried, cur), "so-carried");
  Figure(h, "Cash paid out", Money(p.total_payout, cur), "so-payout");
  Figure(h, "Loans netted", Money(p.total_netted, cur), "so-netted");
  Figure(h, "Social fund (not shared)", Money(p.social_fund, cur), "so-social-fund");
  h.close("dl");
}

View ShareOutPage(Screen& s, Unit& unit) {
  Cycle c;
  Group g;
  if (auto e = CycleOf(s, unit, &c, &g)) return *e;
  auto p = CyclesOf(s, unit).PreviewShareOut(c.id);
  if (!p.ok()) return FromStatus(p.status());
  const std::string cid = std::to_string(c.id);
  View v;
  v.title = g.name + ": " + CycleTitle(c) + " share-out";
  Html h;
  if (s.Query("done") == "shared-out") {
    h.element("p", "The share-out is confirmed; each member's SMS is queued.",
              {{"class", "notice"}, {"id", "notice"}});
  }
  h.open("p").element("a", "Back to the cycle",
                      {{"href", "/staff/groups/" + std::to_string(g.id) + "/cycle"},
                       {"id", "cycle-link"}});
  h.text(" · ").element("a", "Printable sheet",
                        {{"href", "/staff/cycles/" + cid + "/share-out/print"}, {"id", "print-link"}});
  h.close("p");
  h.element("p", Confirmed(*p) ? "Confirmed share-out." : "Preview: nothing is paid until it is confirmed.",
            {{"class", "muted"}, {"id", "share-out-status"}});
  ShareOutSummary(h, *p);
  h.element("h2", "Members");
  h.open("div", {{"class", "scroll"}});
  ShareOutTable(h, *p);
  h.close("div");
  if (!p->blockers.empty()) {
    h.element("h2", "Before it can be confirmed");
    h.open("ul", {{"id", "blockers"}});
    for (const std::string& b : p->blockers) h.element("li", b);
    h.close("ul");
  } else if (c.state == CycleState::kClosing && s.who.MayEditMembers()) {
    h.open("form", {{"method", "post"}, {"action", "/staff/cycles/" + cid + "/share-out"},
                    {"id", "confirm-share-out"}});
    h.csrf(s.csrf);
    h.element("p", "Confirming posts the share-out to the ledger and sends each member her SMS. "
                   "It cannot be undone.");
    h.element("button", "Confirm share-out", {{"type", "submit"}, {"id", "confirm-submit"}});
    h.close("form");
  }
  v.body = h.take();
  return v;
}

View ConfirmAction(Screen& s, Unit& unit) {
  Cycle c;
  Group g;
  if (auto e = CycleOf(s, unit, &c, &g)) return *e;
  if (auto e = CheckWrites(s)) return *e;
  Cycles cycles = CyclesOf(s, unit);
  auto confirmed = cycles.ConfirmShareOut(c.id, ActorOf(s));
  if (!confirmed.ok()) {
    if (confirmed.status().code() != Status::Code::kFailedPrecondition) {
      return FromStatus(confirmed.status());
    }
    // The preview again, its blockers listed; the refusal on top.
    View v = ShareOutPage(s, unit);
    v.status = 409;
    v.body = Html().element("p", confirmed.status().message(),
                            {{"class", "error"}, {"id", "confirm-error"}}).str() + v.body;
    return v;
  }
  auto sent = dialogs::SendShareOutNotices(s.notifier, unit.messages, unit.services, "",
                                           *confirmed);
  if (!sent.ok()) return FromStatus(sent.status());
  if (*sent > 0) *s.wake_outbox = true;
  return Redirect("/staff/cycles/" + std::to_string(c.id) + "/share-out?done=shared-out");
}

constexpr char kPrintStyle[] = R"css(
body{font:12pt/1.35 Georgia,"Times New Roman",serif;color:#000;margin:1.5cm}
h1{font-size:16pt;margin:0 0 .2cm}
h2{font-size:13pt;margin:0 0 .5cm;font-weight:normal}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #000;padding:.12cm .2cm;text-align:left}
td.num,th.num{text-align:right;white-space:nowrap}
.status{font-weight:bold}
.signatures{display:flex;gap:1cm;margin-top:1.8cm}
.signatures div{flex:1;border-top:1px solid #000;padding-top:.15cm}
@page{size:A4;margin:1.5cm}
@media print{body{margin:0}}
)css";

View PrintSheet(Screen& s, Unit& unit) {
  Cycle c;
  Group g;
  if (auto e = CycleOf(s, unit, &c, &g)) return *e;
  auto p = CyclesOf(s, unit).PreviewShareOut(c.id);
  if (!p.ok()) return FromStatus(p.status());
  const std::string& cur = p->cycle.currency;
  View v;
  v.bare = true;
  Html h;
  h.raw("<!doctype html>").open("html", {{"lang", "en"}}).open("head");
  h.empty("meta", {{"charset", "utf-8"}});
  h.element("title", g.name + " - " + CycleTitle(c) + " share-out");
  h.open("style").raw(kPrintStyle).close("style").close("head").open("body");
  h.element("h1", g.name, {{"id", "sheet-group"}});
  h.element("h2",
            CycleTitle(c) + " share-out, " + Date(c.starts_at) + " to " + Date(c.ends_at) + " (" +
                CycleStateName(p->cycle.state) + ")",
            {{"id", "sheet-cycle"}});
  h.element("p",
            Confirmed(*p) ? "Confirmed on " + Date(p->cycle.updated_at) + "."
                          : "PREVIEW, printed " + Date(s.now) + ": not yet confirmed.",
            {{"class", "status"}, {"id", "sheet-status"}});
  ShareOutTable(h, *p);
  h.open("p", {{"id", "sheet-carried"}})
      .text("Fund shared " + Money(p->fund, cur) + " (savings " + Money(p->savings, cur) +
            ", income and carried in " + Money(p->income, cur) + "). Carried to the next cycle: " +
            Money(p->carried, cur) + ". Social fund held, not shared: " +
            Money(p->social_fund, cur) + ".")
      .close("p");
  if (!p->blockers.empty()) {
    h.open("ul", {{"id", "blockers"}});
    for (const std::string& b : p->blockers) h.element("li", b);
    h.close("ul");
  }
  h.open("div", {{"class", "signatures"}, {"id", "signatures"}});
  for (const char* who : {"Chair", "Treasurer", "Field officer"}) {
    h.open("div").text(std::string(who) + ": name, signature, date").close("div");
  }
  h.close("div").close("body").close("html");
  v.body = h.take();
  return v;
}

}  // namespace

void AddCycleRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/staff/groups/{id}/cycle", CyclePage});
  routes.push_back({"POST", "/staff/groups/{id}/cycle/plan", PlanAction});
  routes.push_back({"POST", "/staff/cycles/{id}/start", StartAction});
  routes.push_back({"POST", "/staff/cycles/{id}/cancel", CancelAction});
  routes.push_back({"POST", "/staff/cycles/{id}/close", CloseAction});
  routes.push_back({"POST", "/staff/cycles/{id}/reopen", ReopenAction});
  routes.push_back({"POST", "/staff/groups/{id}/fines", RecordFineAction});
  routes.push_back({"POST", "/staff/fines/{id}/decide", DecideFineAction});
  routes.push_back({"POST", "/staff/groups/{id}/social-fund", ContributionAction});
  routes.push_back({"GET", "/staff/cycles/{id}/share-out", ShareOutPage});
  routes.push_back({"POST", "/staff/cycles/{id}/share-out", ConfirmAction});
  routes.push_back({"GET", "/staff/cycles/{id}/share-out/print", PrintSheet});
}

}  // namespace shg::gateway::dashboard
