// The fake provider's MFI partners: signed referrals in, signed callbacks
// out, and the control endpoint (fake_provider.h).
#include "gateway/fake/fake_mfi.h"

#include <algorithm>
#include <ctime>
#include <utility>

#include "domain/money.h"
#include "domain/utf8.h"
#include "gateway/channels/form.h"
#include "gateway/channels/json.h"
#include "gateway/cli/amounts.h"
#include "gateway/outbound/transport.h"
#include "gateway/partners/signature.h"

namespace shg::gateway {
namespace {

using channels::JsonFind;
using channels::JsonInt64;
using channels::JsonString;

http::Response JsonAnswer(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

http::Response JsonAnswer(int status, const boost::json::object& body) {
  return JsonAnswer(status, boost::json::serialize(body));
}

http::Response JsonError(int status, std::string_view message) {
  return JsonAnswer(status, {{"error", SanitizeUtf8(message)}});
}

// "imara" -> "IMR": the first letter, then consonants, upper-cased, 3 at most.
std::string DerivePrefix(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (out.size() == 3) break;
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) continue;
    const bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    if (!out.empty() && vowel) continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out.empty() ? "MFI" : out;
}

// "Amina Wekesa" -> "Amina W.": the first word and the last word's first
// character (a whole UTF-8 sequence); a single word as it is.
std::string MaskName(std::string_view name) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!name.empty() && is_space(name.front())) name.remove_prefix(1);
  while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
  size_t first_end = 0;
  while (first_end < name.size() && !is_space(name[first_end])) ++first_end;
  std::string out(name.substr(0, first_end));
  if (first_end == name.size()) return out.empty() ? "?" : out;
  size_t last = name.size();
  while (last > 0 && !is_space(name[last - 1])) --last;
  size_t initial_end = last + 1;
  while (initial_end < name.size() &&
         (static_cast<unsigned char>(name[initial_end]) & 0xC0) == 0x80) {
    ++initial_end;
  }
  return out + " " + std::string(name.substr(last, initial_end - last)) + ".";
}

// One line: control characters as '?' (a trailing line break dropped), at
// most `max` bytes.
std::string Printable(std::string_view s, size_t max = 200) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  std::string out;
  for (char c : s.substr(0, max)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  }
  if (s.size() > max) out += "...";
  return out;
}

FakeMfiCall LocalError(std::string message) {
  FakeMfiCall call;
  call.error = "fake-mfi: " + std::move(message);
  return call;
}

}  // namespace

FakeProvider::Mfi::Mfi(const std::vector<FakeMfiPartnerOptions>& options) {
  for (const FakeMfiPartnerOptions& o : options) {
    Partner p;
    p.options = o;
    p.prefix = o.id_prefix.empty() ? DerivePrefix(o.id) : o.id_prefix;
    partners.push_back(std::move(p));
  }
}

FakeProvider::Mfi::Partner* FakeProvider::Mfi::Find(std::string_view id) {
  for (Partner& p : partners) {
    if (p.options.id == id) return &p;
  }
  return nullptr;
}

FakeProvider::Mfi::Partner* FakeProvider::Mfi::PartnerFor(const std::string& reference,
                                                          std::string_view hint) {
  if (auto it = tracks.find(reference); it != tracks.end()) return Find(it->second.partner_id);
  if (!hint.empty()) return Find(hint);
  return partners.empty() ? nullptr : &partners.front();
}

int64_t FakeProvider::Now() const {
  return options_.clock ? options_.clock() : static_cast<int64_t>(std::time(nullptr));
}

void FakeProvider::Print(const std::string& line) {
  if (!options_.print) return;
  std::string text = line + "\n";
  std::lock_guard<std::mutex> lock(print_mu_);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

std::vector<FakeReferral> FakeProvider::Referrals() const {
  std::lock_guard<std::mutex> lock(mfi_->mu);
  return mfi_->referrals;
}

bool FakeProvider::WaitForReferrals(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mfi_->mu);
  return mfi_->referrals_cv.wait_for(lock, timeout, [&] { return mfi_->referrals.size() >= n; });
}

void FakeProvider::FailNextReferrals(int n, int status) {
  std::lock_guard<std::mutex> lock(mfi_->mu);
  mfi_->fail_remaining = std::max(0, n);
  mfi_->fail_status = status;
}

size_t FakeProvider::ReferralRequestCount() const {
  std::lock_guard<std::mutex> lock(mfi_->mu);
  return mfi_->request_count;
}

http::Response FakeProvider::HandleReferral(std::string_view partner_id, std::string_view rest,
                                            const http::Request& request) {
  if (rest != "referrals") return JsonError(404, "fake-mfi: no such partner API");
  if (request.method != "POST") {
    http::Response r = JsonError(405, "fake-mfi: method not allowed (use POST)");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  std::string secret;
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->Find(partner_id);
    if (partner == nullptr) return JsonError(404, "fake-mfi: unknown partner");
    ++mfi_->request_count;
    if (mfi_->fail_remaining > 0) {
      --mfi_->fail_remaining;
      http::Response r = JsonError(mfi_->fail_status, "partner down");
      if (mfi_->fail_status == 429) r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    secret = partner->options.secret;
    name = partner->options.id;
  }
  Status verified = partners::Verify(secret, request.Header("x-shg-timestamp"),
                                     request.Header("x-shg-signature"), request.body, Now(),
                                     options_.mfi_replay_window_s);
  if (!verified.ok()) {
    Print("fake-mfi: " + name + " refused a referral: " + verified.message() + " (401)");
    return JsonError(401, verified.message());
  }
  const std::string key = request.Header("idempotency-key");
  if (key.empty()) return JsonError(400, "missing Idempotency-Key");
  Result<boost::json::value> json = channels::ParseJson(request.body);
  if (!json.ok() || !json->is_object()) return JsonError(400, "body is not a JSON object");
  const boost::json::value* doc = &*json;
  FakeReferral referral;
  referral.partner_id = std::string(partner_id);
  referral.reference = key;
  const boost::json::value* loan = JsonFind(doc, "loan");
  std::optional<int64_t> amount = JsonInt64(JsonFind(loan, "amount_minor"));
  std::optional<int64_t> term = JsonInt64(JsonFind(loan, "term_months"));
  const boost::json::value* reference = JsonFind(doc, "reference");
  if (reference == nullptr || !reference->is_string() || reference->get_string() != key) {
    return JsonError(400, "reference does not match the Idempotency-Key");
  }
  if (const boost::json::value* to = JsonFind(doc, "partner_id");
      to != nullptr && JsonString(to) != partner_id) {
    return JsonError(400, "referral is for another partner");
  }
  if (!amount || *amount <= 0) return JsonError(400, "missing or invalid loan.amount_minor");
  if (!term || *term <= 0 || *term > 600) {
    return JsonError(400, "missing or invalid loan.term_months");
  }
  referral.amount = *amount;
  referral.term_months = static_cast<int>(*term);
  referral.currency = std::string(JsonString(JsonFind(loan, "currency")));
  referral.purpose = std::string(JsonString(JsonFind(loan, "purpose")));
  referral.member_name = MaskName(JsonString(JsonFind(JsonFind(doc, "member"), "name")));
  referral.body = request.body;

  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->Find(partner_id);
    const std::string seen_key = std::string(partner_id) + "/" + key;
    if (auto it = mfi_->seen.find(seen_key); it != mfi_->seen.end()) {
      return JsonAnswer(409, {{"error", "duplicate referral"}, {"id", it->second}});
    }
    referral.partner_ref = partner->prefix + "-" + std::to_string(partner->next_referral++);
    mfi_->seen[seen_key] = referral.partner_ref;
    Mfi::Track& track = mfi_->tracks[key];
    track.partner_id = referral.partner_id;
    track.currency = referral.currency;
    track.amount = referral.amount;
    track.term_months = referral.term_months;
    mfi_->referrals.push_back(referral);
  }
  mfi_->referrals_cv.notify_all();
  Print("fake-mfi: " + name + " received referral " + Printable(key, 16) + " (" +
        referral.partner_ref + "): " + Printable(referral.member_name, 60) + ", " +
        cli::MoneyText(referral.amount, referral.currency) + " for " +
        Printable(referral.purpose, 40) + " over " + std::to_string(referral.term_months) +
        " months");
  return JsonAnswer(201, {{"id", referral.partner_ref}});
}

FakeMfiCall FakeProvider::SendCallback(const std::string& partner_id,
                                       const std::string& reference, const std::string& event,
                                       const std::string& body) {
  std::string secret;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->Find(partner_id);
    if (partner == nullptr) return LocalError("unknown partner " + Printable(partner_id, 40));
    secret = partner->options.secret;
  }
  if (options_.gateway_url.empty()) return LocalError("no gateway URL to call");
  std::string url = options_.gateway_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/partners/" + channels::UrlEncode(partner_id) + "/loans/" +
         channels::UrlEncode(reference) + "/" + event;
  const std::string timestamp = std::to_string(Now());
  channels::HttpCall call;
  call.method = "POST";
  call.url = std::move(url);
  call.content_type = "application/json";
  call.body = body;
  call.headers.emplace_back(partners::kTimestampHeader, timestamp);
  call.headers.emplace_back(partners::kSignatureHeader, partners::Sign(secret, timestamp, body));
  outbound::Transport transport;
  outbound::TransportOptions transport_options;
  transport_options.connect_timeout_ms = 2000;
  transport_options.total_timeout_ms = 10000;
  channels::HttpOutcome out = transport.Perform(call, transport_options);
  FakeMfiCall result;
  if (out.failure != channels::TransportFailure::kNone) {
    result.error = std::string("fake-mfi: the gateway did not answer: ") +
                   channels::TransportFailureName(out.failure) + " (" + out.error + ")";
    return result;
  }
  result.status = static_cast<int>(out.status);
  result.body = std::move(out.body);
  return result;
}

namespace {

// What a partner call needs to know of a loan, resolved under the lock.
struct CallPlan {
  std::string partner_id;
  std::string partner_name;
  std::string currency;
  int64_t amount = 0;
  int term_months = 0;
  InterestRule rule = InterestRule::kDeclining;
  int64_t rate_bp = 0;
  std::string external_id;  // transaction or payment id
};

}  // namespace

FakeMfiCall FakeProvider::ApproveLoan(const std::string& reference, const FakeApproval& terms) {
  return ApproveFor("", reference, terms);
}

FakeMfiCall FakeProvider::ApproveFor(std::string_view partner_hint, const std::string& reference,
                                     const FakeApproval& terms) {
  CallPlan plan;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->PartnerFor(reference, partner_hint);
    if (partner == nullptr) return LocalError("no such MFI partner");
    auto track = mfi_->tracks.find(reference);
    const bool known = track != mfi_->tracks.end();
    plan.partner_id = partner->options.id;
    plan.partner_name = partner->options.name;
    plan.currency = known ? track->second.currency : partner->options.currency;
    plan.amount = terms.amount.value_or(known ? track->second.amount : 0);
    plan.term_months = terms.term_months.value_or(known ? track->second.term_months : 0);
    plan.rule = terms.rule.value_or(partner->options.rule);
    plan.rate_bp = terms.annual_rate_bp.value_or(partner->options.annual_rate_bp);
  }
  if (plan.amount <= 0 || plan.term_months <= 0) {
    return LocalError("no referral " + Printable(reference, 16) +
                      " was received: give the amount and the term");
  }
  const std::string body = boost::json::serialize(boost::json::object{
      {"decision", "approved"},
      {"amount_minor", plan.amount},
      {"currency", plan.currency},
      {"term_months", plan.term_months},
      {"interest_rule", InterestRuleName(plan.rule)},
      {"annual_rate_bp", plan.rate_bp}});
  FakeMfiCall call = SendCallback(plan.partner_id, reference, "decision", body);
  if (call.ok()) {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Track& track = mfi_->tracks[reference];
    if (track.partner_id.empty()) {
      track.partner_id = plan.partner_id;
      track.currency = plan.currency;
      track.amount = plan.amount;
      track.term_months = plan.term_months;
    }
    track.approved_amount = plan.amount;
  }
  PrintCall(plan.partner_id, "approves " + Printable(reference, 16) + ": " +
                                 cli::MoneyText(plan.amount, plan.currency) + " over " +
                                 std::to_string(plan.term_months) + " months, " +
                                 InterestRuleName(plan.rule) + " " + std::to_string(plan.rate_bp) +
                                 " bp a year",
            call);
  return call;
}

FakeMfiCall FakeProvider::DeclineLoan(const std::string& reference, const std::string& reason) {
  return DeclineFor("", reference, reason);
}

FakeMfiCall FakeProvider::DeclineFor(std::string_view partner_hint, const std::string& reference,
                                     const std::string& reason) {
  std::string partner_id;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->PartnerFor(reference, partner_hint);
    if (partner == nullptr) return LocalError("no such MFI partner");
    partner_id = partner->options.id;
  }
  const std::string body = boost::json::serialize(
      boost::json::object{{"decision", "declined"}, {"reason", SanitizeUtf8(reason)}});
  FakeMfiCall call = SendCallback(partner_id, reference, "decision", body);
  PrintCall(partner_id, "declines " + Printable(reference, 16) + ": " + Printable(reason, 160),
            call);
  return call;
}

FakeMfiCall FakeProvider::Disburse(const std::string& reference, std::optional<int64_t> amount) {
  return DisburseFor("", reference, amount);
}

FakeMfiCall FakeProvider::DisburseFor(std::string_view partner_hint, const std::string& reference,
                                      std::optional<int64_t> amount) {
  CallPlan plan;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->PartnerFor(reference, partner_hint);
    if (partner == nullptr) return LocalError("no such MFI partner");
    auto it = mfi_->tracks.find(reference);
    if (it == mfi_->tracks.end() && !amount) {
      return LocalError("no referral " + Printable(reference, 16) +
                        " was received: give the amount");
    }
    Mfi::Track& track = mfi_->tracks[reference];
    if (track.partner_id.empty()) {
      track.partner_id = partner->options.id;
      track.currency = partner->options.currency;
    }
    plan.partner_id = partner->options.id;
    plan.currency = track.currency;
    plan.amount = amount.value_or(track.approved_amount > 0 ? track.approved_amount
                                                            : track.amount);
    // One transaction per loan: a repeated Disburse is a replay, not a
    // second payout.
    if (track.transaction_id.empty()) {
      track.transaction_id =
          partner->prefix + "-TX-" + std::to_string(partner->next_transaction++);
    }
    plan.external_id = track.transaction_id;
  }
  const std::string body = boost::json::serialize(boost::json::object{
      {"amount_minor", plan.amount},
      {"currency", plan.currency},
      {"disbursed_at", Now()},
      {"transaction_id", plan.external_id}});
  FakeMfiCall call = SendCallback(plan.partner_id, reference, "disbursement", body);
  PrintCall(plan.partner_id, "disburses " + cli::MoneyText(plan.amount, plan.currency) + " for " +
                                 Printable(reference, 16) + " (" + plan.external_id + ")",
            call);
  return call;
}

FakeMfiCall FakeProvider::Repay(const std::string& reference, int64_t amount) {
  return RepayFor("", reference, amount);
}

FakeMfiCall FakeProvider::RepayFor(std::string_view partner_hint, const std::string& reference,
                                   int64_t amount) {
  CallPlan plan;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->PartnerFor(reference, partner_hint);
    if (partner == nullptr) return LocalError("no such MFI partner");
    auto it = mfi_->tracks.find(reference);
    plan.partner_id = partner->options.id;
    plan.currency = it != mfi_->tracks.end() ? it->second.currency : partner->options.currency;
    plan.external_id = partner->prefix + "-PAY-" + std::to_string(partner->next_payment++);
  }
  const std::string body = boost::json::serialize(boost::json::object{
      {"payment_id", plan.external_id},
      {"amount_minor", amount},
      {"currency", plan.currency},
      {"paid_at", Now()}});
  FakeMfiCall call = SendCallback(plan.partner_id, reference, "repayments", body);
  PrintCall(plan.partner_id, "received a repayment of " + cli::MoneyText(amount, plan.currency) +
                                 " on " + Printable(reference, 16) + " (" + plan.external_id +
                                 ")",
            call);
  return call;
}

void FakeProvider::PrintCall(const std::string& partner_id, const std::string& what,
                             const FakeMfiCall& call) {
  Print("fake-mfi: " + partner_id + " " + what + " -> " +
        (call.status != 0 ? "gateway " + std::to_string(call.status) + " " + Printable(call.body)
                          : call.error));
}

http::Response FakeProvider::HandleControl(std::string_view partner_id, std::string_view action,
                                           const http::Request& request) {
  if (request.method != "POST") {
    http::Response r = JsonError(405, "fake-mfi: method not allowed (use POST)");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  if (action != "approve" && action != "decline" && action != "disburse" && action != "repay") {
    return JsonError(404, "fake-mfi: no such action (approve, decline, disburse, repay)");
  }
  // Every parameter, decoded; an absent one is "".
  std::map<std::string, std::string, std::less<>> params;
  for (const char* name : {"ref", "amount", "term", "rule", "rate", "reason"}) {
    Result<std::string> v = channels::QueryParam(request.query, name);
    if (v.ok()) {
      params[name] = *v;
    } else if (v.status().code() != Status::Code::kNotFound) {
      return JsonError(400, std::string("fake-mfi: malformed parameter ") + name);
    }
  }
  const std::string reference = params["ref"];
  if (reference.empty()) return JsonError(400, "fake-mfi: missing parameter ref");

  std::string currency_code;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mfi_->mu);
    Mfi::Partner* partner = mfi_->Find(partner_id);
    if (partner == nullptr) return JsonError(404, "fake-mfi: unknown partner");
    auto it = mfi_->tracks.find(reference);
    known = it != mfi_->tracks.end();
    if (known && it->second.partner_id != partner_id) {
      return JsonError(404, "fake-mfi: " + Printable(reference, 16) +
                                " was referred to another partner");
    }
    currency_code = known ? it->second.currency : partner->options.currency;
  }
  std::optional<int64_t> amount;
  if (!params["amount"].empty()) {
    Result<Currency> currency = FindCurrency(currency_code);
    if (!currency.ok()) return JsonError(400, "fake-mfi: unknown currency " + currency_code);
    Result<int64_t> minor = cli::ParseUnits(params["amount"], *currency, kMaxLoanPrincipal);
    if (!minor.ok()) return JsonError(400, "fake-mfi: " + minor.status().message());
    amount = *minor;
  }

  FakeMfiCall call;
  if (action == "approve") {
    FakeApproval terms;
    terms.amount = amount;
    if (!params["term"].empty()) {
      const std::string& t = params["term"];
      if (t.size() > 3 || !std::all_of(t.begin(), t.end(), [](char c) {
            return c >= '0' && c <= '9';
          })) {
        return JsonError(400, "fake-mfi: term must be a number of months");
      }
      terms.term_months = std::stoi(t);
    }
    if (!params["rule"].empty()) {
      if (params["rule"] != "flat" && params["rule"] != "declining") {
        return JsonError(400, "fake-mfi: rule must be flat or declining");
      }
      terms.rule = params["rule"] == "flat" ? InterestRule::kFlat : InterestRule::kDeclining;
    }
    if (!params["rate"].empty()) {
      const std::string& r = params["rate"];
      if (r.size() > 6 || !std::all_of(r.begin(), r.end(), [](char c) {
            return c >= '0' && c <= '9';
          })) {
        return JsonError(400, "fake-mfi: rate must be basis points a year");
      }
      terms.annual_rate_bp = std::stoll(r);
    }
    if (!known && (!terms.amount || !terms.term_months)) {
      return JsonError(404, "fake-mfi: no referral " + Printable(reference, 16) +
                                " was received: give amount and term");
    }
    call = ApproveFor(partner_id, reference, terms);
  } else if (action == "decline") {
    std::string reason = params["reason"].empty() ? "Declined by the partner" : params["reason"];
    call = DeclineFor(partner_id, reference, reason);
  } else if (action == "disburse") {
    if (!known && !amount) {
      return JsonError(404, "fake-mfi: no referral " + Printable(reference, 16) +
                                " was received: give the amount");
    }
    call = DisburseFor(partner_id, reference, amount);
  } else {
    if (!amount) return JsonError(400, "fake-mfi: repay needs amount (currency units)");
    call = RepayFor(partner_id, reference, *amount);
  }
  if (call.status == 0) return JsonError(502, call.error);
  http::Response r = JsonAnswer(call.status, std::move(call.body));
  return r;
}

}  // namespace shg::gateway
