#include "gateway/api/openapi.h"

#include <boost/json.hpp>

namespace shg::gateway::api {
namespace {

namespace json = boost::json;

// One operation of the document: summary, the roles that may call it, and
// its query parameters. Path parameters are read from the path itself.
struct Operation {
  const char* method;  // lower case, as OpenAPI spells it
  const char* path;    // as OpenAPI spells it: /groups/{id}
  const char* summary;
  const char* roles;
  std::initializer_list<const char*> query;
  bool list = false;  // cursor-paginated, also CSV
};

// Keep in step with the route files (gateway/api/*_routes.cc).
const Operation kOperations[] = {
    {"get", "/me", "The staff user behind the token", "any", {}},
    {"get", "/staff", "Staff users", "admin", {}, true},
    {"post", "/staff", "Create a staff user (name, display_name, role, partner_id, password, groups)",
     "admin", {}},
    {"post", "/staff/{name}/disable", "Disable a staff user; revokes her tokens", "admin", {}},
    {"get", "/staff/{name}/tokens", "A staff user's tokens (never their secrets)", "admin", {}, true},
    {"post", "/staff/{name}/tokens", "Create a token (name, expires_days); shown once", "admin", {}},
    {"post", "/tokens/{id}/revoke", "Revoke a token", "admin, or the token's owner", {}},
    {"get", "/groups", "Groups", "admin, read_only, field_officer (hers)",
     {"status", "country", "q", "limit", "cursor"}, true},
    {"post", "/groups", "Create a group (name, country, currency, meeting_day, meeting_place)",
     "admin, field_officer", {}},
    {"get", "/groups/{id}",
     "Group summary: members, confirmed savings, group fund, pending items, loans by state",
     "admin, read_only, field_officer (hers)", {}},
    {"patch", "/groups/{id}", "Change name, meeting_day, meeting_place or status",
     "admin, field_officer (hers)", {}},
    {"get", "/members", "Find members", "admin, read_only, field_officer (hers)",
     {"phone", "q", "group", "include_exited", "limit", "cursor"}, true},
    {"get", "/members/{id}", "Profile, balances, training progress and loan",
     "admin, read_only, field_officer (hers)", {}},
    {"post", "/groups/{id}/members", "Register a member (name, phone, role, language)",
     "admin, field_officer (hers)", {}},
    {"patch", "/members/{id}", "Change name, role, language, phone; exit", "admin, field_officer (hers)",
     {}},
    {"post", "/members/{id}/pin-reset", "One-time PIN by SMS", "admin, field_officer (hers)", {}},
    {"get", "/members/{id}/statement", "Her savings lines, newest first",
     "admin, read_only, field_officer (hers)", {"limit", "cursor"}, true},
    // --- import, training, savings (import_routes.cc, training_routes.cc, savings_routes.cc)
    {"post", "/groups/{id}/members/import",
     "Register members from a CSV file (text/csv; columns name, phone, role, language; header "
     "row first). dry_run=true checks every row and writes nothing: 200 {dry_run, rows, valid, "
     "errors:[{row, column, value, message}]} (the header is row 1). Else all or nothing: 201 "
     "{imported, members:[{row, id, name}]}, or 422 with the same errors list",
     "admin, field_officer (hers)", {"dry_run"}},
    {"get", "/training/modules", "The programme's training modules, by step",
     "admin, read_only, field_officer", {}, true},
    {"get", "/members/{id}/training", "Her training progress: every module, done or not",
     "admin, read_only, field_officer (hers)", {}},
    {"post", "/members/{id}/training",
     "Record a completed module (module_id); again keeps the first (200, recorded false)",
     "admin, field_officer (hers)", {}},
    {"post", "/groups/{id}/training",
     "Record one module (module_id) for many members of the group (member_ids), all or "
     "nothing: 422 naming member_ids[i]",
     "admin, field_officer (hers)", {}},
    {"get", "/groups/{id}/savings", "The group's savings (status pending, confirmed, rejected or all)",
     "admin, read_only, field_officer (hers)", {"status", "limit", "cursor"}, true},
    {"post", "/savings/{id}/reversal",
     "Reverse a confirmed saving's journal (reason required); 409 unless confirmed and not yet "
     "reversed",
     "admin", {}},

    // --- loans (loan_routes.cc)
    {"get", "/loans", "Loans, by id", "admin, read_only, field_officer (hers), partner (its own)",
     {"state", "group", "partner", "limit", "cursor"}, true},
    {"get", "/loans/{ref}", "A loan with its events, schedule and repayments",
     "admin, read_only, field_officer (hers), partner (its own)", {}},
    {"post", "/loans/{ref}/decision",
     "Record the lender's decision: {decision: approve, amount, currency, term_months, rule, "
     "annual_rate_bp} or {decision: decline, reason}; the same decision again is changed=false, "
     "another state 409 with state",
     "admin, partner (its own)", {}},
    {"post", "/loans/{ref}/disbursement",
     "Record the disbursement: {amount, currency, transaction_id, disbursed_at}",
     "admin, partner (its own)", {}},
    {"post", "/loans/{ref}/repayments",
     "Record a repayment the partner received: {payment_id, amount, currency, paid_at, "
     "claim_reference}; the same payment_id again is changed=false",
     "admin, partner (its own)", {}},

    // --- reports (report_routes.cc)
    {"get", "/reports/portfolio",
     "Per currency: loans and outstanding by state (outstanding from the ledger), arrears by age "
     "of the oldest unpaid instalment (1-30, 31-60, 61-90, 90+ days), PAR30",
     "admin, read_only, field_officer (hers), partner (its own)", {"group", "partner"}},
    {"get", "/reports/savings", "Confirmed savings per month and group (reversals included)",
     "admin, read_only, field_officer (hers)", {"group", "by", "limit", "cursor"}, true},
    {"get", "/reports/training", "Per module: active members who completed it",
     "admin, read_only, field_officer (hers)", {"group"}, true},

    // --- operations: audit, messages (ops_routes.cc)
    {"get", "/audit", "Audit rows, newest first", "admin, read_only",
     {"subject", "actor", "limit", "cursor"}, true},
    {"get", "/messages", "The SMS outbox, newest first (phones masked, secrets hidden)",
     "admin, read_only", {"status", "limit", "cursor"}, true},
    {"post", "/messages/{id}/retry", "Queue a failed or cancelled message again", "admin", {}},
    {"post", "/messages/{id}/cancel", "Cancel a queued or failed message", "admin", {}},

    // --- the group's own money: cycles, share-out, fines, social fund (cycle_routes.cc)
    {"get", "/groups/{id}/cycles", "The group's savings cycles, newest first, with their rules",
     "admin, read_only, field_officer (hers)", {}, true},
    {"post", "/groups/{id}/cycles",
     "Plan the next cycle: {lends, loan_savings_multiple, max_term_months, "
     "flat_rate_bp_per_month, social_fund_per_meeting, share_out_unit (minor units), "
     "length_months, starts_at}; 422 naming a bad rule, 409 while the group has an open cycle",
     "admin, field_officer (hers)", {}},
    {"get", "/cycles/{id}", "A cycle with its rules and, for the group's current one, its figures",
     "admin, read_only, field_officer (hers)", {}},
    {"post", "/cycles/{id}/start",
     "Start a planned cycle: {reinvest: all | none | [member ids]} turns those payouts of the "
     "last share-out into savings of this cycle; 409 with state",
     "admin, field_officer (hers)", {}},
    {"post", "/cycles/{id}/cancel", "Cancel a planned cycle; 409 with state",
     "admin, field_officer (hers)", {}},
    {"post", "/cycles/{id}/close", "Begin closing an active cycle (no new internal loans); 409 with state",
     "admin, field_officer (hers)", {}},
    {"post", "/cycles/{id}/reopen", "Reopen a closing cycle; 409 with state",
     "admin, field_officer (hers)", {}},
    {"get", "/cycles/{id}/share-out",
     "The share-out preview (or the confirmed lines): totals, rows {member_id, name, savings, "
     "share, profit, netted, payout, still_owed, reference}, blockers",
     "admin, read_only, field_officer (hers)", {}},
    {"post", "/cycles/{id}/share-out",
     "Confirm the share-out: one journal, each member's SMS queued (sms_queued); 409 with "
     "blockers and state when refused",
     "admin, field_officer (hers)", {}},
    {"get", "/groups/{id}/fines", "The group's pending fines, oldest first",
     "admin, read_only, field_officer (hers)", {"status", "limit", "cursor"}, true},
    {"post", "/groups/{id}/fines",
     "Record a pending fine: {member_id, kind (late, absent, other), amount, currency, note}",
     "admin, field_officer (hers)", {}},
    {"post", "/fines/{id}/confirm",
     "Confirm a fine on the word of a treasurer or chair: {decided_by: member id}; posts it to "
     "the fund; 409 with status when decided",
     "admin, field_officer (hers)", {}},
    {"post", "/fines/{id}/waive", "Waive a fine: {decided_by: member id}; 409 with status when decided",
     "admin, field_officer (hers)", {}},
    {"get", "/groups/{id}/social-fund", "The group's social fund entries, newest first",
     "admin, read_only, field_officer (hers)", {"limit", "cursor"}, true},
    {"post", "/groups/{id}/social-fund",
     "A contribution {member_id, amount, currency} or a payout {member_id, amount, reason, "
     "approved_by (a treasurer or chair)}",
     "admin, field_officer (hers)", {}},

};

json::object ErrorSchema() {
  return {{"type", "object"},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"properties",
               {{"code", {{"type", "string"}}},
                {"message", {{"type", "string"}}},
                {"field", {{"type", "string"}}}}}}}}}};
}

std::string Build() {
  json::object paths;
  for (const Operation& op : kOperations) {
    json::array params;
    std::string_view p = op.path;
    for (size_t open = p.find('{'); open != std::string_view::npos; open = p.find('{', open + 1)) {
      const size_t close = p.find('}', open);
      params.push_back({{"name", std::string(p.substr(open + 1, close - open - 1))},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
    for (const char* q : op.query) {
      params.push_back({{"name", q}, {"in", "query"}, {"required", false},
                        {"schema", {{"type", "string"}}}});
    }
    json::object responses;
    json::object ok{{"description", "OK"}};
    if (op.list) {
      ok["content"] = {{"application/json",
                        {{"schema",
                          {{"type", "object"},
                           {"properties",
                            {{"data", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                             {"next_cursor", {{"type", "string"}, {"nullable", true}}}}}}}}},
                       {"text/csv", {{"schema", {{"type", "string"}}}}}};
    } else {
      ok["content"] = {{"application/json", {{"schema", {{"type", "object"}}}}}};
    }
    // A POST that creates answers 201; one that changes a state, replays an
    // event or checks a file (dry run) answers 200.
    responses["200"] = ok;
    if (std::string_view(op.method) == "post") {
      json::object created = ok;
      created["description"] = "Created";
      responses["201"] = std::move(created);
    }
    for (const char* code : {"400", "401", "403", "404", "409", "422", "429"}) {
      responses[code] = {{"description", "Error"},
                         {"content", {{"application/json", {{"schema", ErrorSchema()}}}}}};
    }
    json::object operation{{"summary", op.summary},
                           {"description", std::string("Roles: ") + op.roles},
                           {"parameters", std::move(params)},
                           {"responses", std::move(responses)}};
    if (std::string_view(op.method) == "post") {
      operation["parameters"].as_array().push_back({{"name", "Idempotency-Key"},
                                                    {"in", "header"},
                                                    {"required", false},
                                                    {"schema", {{"type", "string"}}}});
    }
    json::value& path_item = paths[op.path];
    if (!path_item.is_object()) path_item = json::object{};
    path_item.as_object()[op.method] = std::move(operation);
  }
  json::object doc{
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "shg-gateway staff API"},
        {"version", "1"},
        {"description",
         "Staff and partner API of shg-gateway. Amounts are integers in minor units of the "
         "currency beside them; times are Unix seconds. Lists are cursor-paginated and served as "
         "CSV for Accept: text/csv or a .csv suffix."}}},
      {"servers", json::array{{{"url", "/api/v1"}}}},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"security", json::array{{{"bearer", json::array{}}}}},
      {"paths", std::move(paths)}};
  return json::serialize(doc);
}

}  // namespace

const std::string& OpenApiDocument() {
  static const std::string kDocument = Build();
  return kDocument;
}

}  // namespace shg::gateway::api
