// The staff dashboard end to end: the real gateway (port 0, a temporary
// SQLite file with the demo data, an injected clock) over real loopback
// HTTP, signed in as staff users of each role.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <regex>

#include "domain/demo.h"
#include "domain/directory.h"
#include "domain/messages.h"
#include "domain/money.h"
#include "domain/staff.h"
#include "gateway/app.h"
#include "gateway/dashboard/html.h"
#include "tests/dashboard/web_client.h"
#include "tests/support/count_rows.h"
#include "tests/support/demo_gateway.h"

namespace shg {
namespace {

using testing::WebClient;
using testing::WebResult;

const std::string kPepper = "dashboard-test-pepper-0123456789";
const std::string kPassword = "correct horse battery";

// The text of the element with id="<id>" (up to its first '<').
std::string ById(const std::string& body, const std::string& id) {
  const std::string marker = "id=\"" + id + "\"";
  size_t at = body.find(marker);
  if (at == std::string::npos) return "<missing " + id + ">";
  size_t start = body.find('>', at);
  size_t end = body.find('<', start);
  return body.substr(start + 1, end - start - 1);
}

// The first hidden CSRF field's value on a page.
std::string CsrfOf(const std::string& body) {
  const std::string marker = "name=\"csrf\" value=\"";
  size_t at = body.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  return body.substr(at, body.find('"', at) - at);
}

class DashboardTest : public ::testing::Test, protected testing::DemoGateway {
 protected:
  void SetUp() override {
    StartDemoGateway("dash", kPepper);
  }

  void TearDown() override {
    StopDemoGateway();
  }

  int64_t Count(const std::string& sql) { return testing::CountRows(*db_, sql); }

  // A staff user with the test password; a field officer gets `groups`.
  void AddStaff(const std::string& name, StaffRole role, std::vector<int64_t> groups = {},
                const std::string& partner = "") {
    Status s = app_->store().Run([&](store::Connection& conn) -> Status {
      Staff staff(conn, now_);
      StaffUser u;
      u.name = name;
      u.display_name = "Staff " + name;
      u.role = role;
      u.partner_id = partner;
      auto id = staff.Add(u, kPassword);
      if (!id.ok()) return id.status();
      for (int64_t g : groups) SHG_RETURN_IF_ERROR(staff.AssignGroup(*id, g));
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Signs `c` in; returns the sign-in answer.
  WebResult SignIn(WebClient& c, const std::string& name, const std::string& password = kPassword) {
    WebResult form = c.Get("/staff/login");
    EXPECT_EQ(form.status, 200);
    return c.Post("/staff/login", {{"csrf", CsrfOf(form.body)}, {"name", name}, {"password", password}});
  }

  // A signed-in client, and the CSRF token of its session.
  std::unique_ptr<WebClient> SignedIn(const std::string& name, std::string* csrf) {
    auto c = std::make_unique<WebClient>(base_);
    WebResult r = SignIn(*c, name);
    EXPECT_EQ(r.status, 303) << r.body;
    WebResult home = c->Get("/staff/");
    EXPECT_EQ(home.status, 200) << home.body;
    *csrf = CsrfOf(home.body);
    EXPECT_FALSE(csrf->empty());
    return c;
  }

  int64_t FirstMemberOf(int64_t group_id) {
    DomainContext ctx{&app_->pins(), 3, now_};
    MemberFilter f;
    f.group_id = group_id;
    auto m = Directory(app_->store().Reader(), ctx).Members(f, 0, 1);
    EXPECT_TRUE(m.ok() && !m->empty());
    return m->front().id;
  }

};

TEST_F(DashboardTest, SignInSetsAnHttpOnlyStrictSessionCookieForStaffPaths) {
  AddStaff("ada", StaffRole::kAdmin);
  WebClient c(base_);
  WebResult form = c.Get("/staff/login");
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("name=\"login\""), std::string::npos);
  EXPECT_NE(form.body.find("name=\"password\""), std::string::npos);
  EXPECT_FALSE(CsrfOf(form.body).empty());
  EXPECT_NE(form.Header("content-type").find("text/html"), std::string::npos);

  WebResult r = c.Post("/staff/login",
                       {{"csrf", CsrfOf(form.body)}, {"name", "ada"}, {"password", kPassword}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), "/staff/");
  const std::string cookie = r.SetCookie("shg_session");
  EXPECT_TRUE(std::regex_search(cookie, std::regex("^shg_session=[0-9a-f]{64};"))) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/staff"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "cookie_secure is off: " << cookie;

  WebResult home = c.Get("/staff/");
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_NE(home.body.find("id=\"savings-total\""), std::string::npos);
  WebResult again = c.Get("/staff/login");
  EXPECT_EQ(again.status, 303) << "signed in already";
  EXPECT_EQ(again.Header("location"), "/staff/");
  EXPECT_NE(home.Header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(home.body.find("<script"), std::string::npos) << "no JavaScript";
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'staff.signed_in'"
                  " AND actor = 'ada' AND channel = 'dashboard'"),
            1);
}

TEST_F(DashboardTest, SecureCookieWhenConfigured) {
  app_->Stop();
  app_.reset();
  settings_.staff_cookie_secure = true;
  auto app = gateway::App::Create(settings_, kPepper, [this] { return now_.load(); });
  ASSERT_TRUE(app.ok());
  app_ = std::move(*app);
  ASSERT_TRUE(app_->Start().ok());
  base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  AddStaff("ada", StaffRole::kAdmin);
  WebClient c(base_);
  WebResult r = SignIn(c, "ada");
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(r.SetCookie("shg_session").find("; Secure"), std::string::npos);
}

TEST_F(DashboardTest, WrongPasswordIs200WithAnErrorAndNoSessionCookie) {
  AddStaff("ada", StaffRole::kAdmin);
  for (const auto& [name, password] : std::vector<std::pair<std::string, std::string>>{
           {"ada", "wrong password!"}, {"nobody", kPassword}, {"ada", ""}}) {
    WebClient c(base_);
    WebResult r = SignIn(c, name, password);
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(ById(r.body, "login-error"), "Wrong name or password.");
    EXPECT_EQ(r.SetCookie("shg_session"), "") << name;
    EXPECT_EQ(c.cookies().count("shg_session"), 0u);
    EXPECT_EQ(c.Get("/staff/").status, 303);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM staff_sessions"), 0);
}

TEST_F(DashboardTest, SignInsAreThrottledPerName) {
  AddStaff("ada", StaffRole::kAdmin);
  AddStaff("bea", StaffRole::kAdmin);
  const int allowed = gateway::dashboard::Dashboard::kSignInsPerNamePerMinute;
  for (int i = 0; i < allowed; ++i) {
    WebClient c(base_);
    EXPECT_EQ(SignIn(c, "ada", "wrong password!").status, 200) << i;
  }
  // Even the right password waits: a guesser cannot tell it apart.
  WebClient c(base_);
  WebResult r = SignIn(c, "ada");
  EXPECT_EQ(r.status, 429);
  EXPECT_GE(std::atoi(r.Header("retry-after").c_str()), 1);
  EXPECT_EQ(r.SetCookie("shg_session"), "");
  // Another name is not held up.
  WebClient other(base_);
  EXPECT_EQ(SignIn(other, "bea").status, 303);
  EXPECT_EQ(Count("SELECT count(*) FROM staff_sessions"), 1);
}

TEST_F(DashboardTest, SignInFormWithoutItsTokenIs403) {
  AddStaff("ada", StaffRole::kAdmin);
  WebClient c(base_);
  c.Get("/staff/login");
  WebResult r = c.Post("/staff/login", {{"csrf", "forged"}, {"name", "ada"}, {"password", kPassword}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.SetCookie("shg_session"), "");
  WebClient fresh(base_);  // no login cookie at all
  r = fresh.Post("/staff/login", {{"name", "ada"}, {"password", kPassword}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Count("SELECT count(*) FROM staff_sessions"), 0);
}

TEST_F(DashboardTest, PagesNeedASession) {
  const int64_t audit = Count("SELECT count(*) FROM audit_log");
  for (const char* cookie : {"", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                             "not-hex"}) {
    WebClient c(base_);
    if (*cookie != '\0') c.cookies()["shg_session"] = cookie;
    for (const char* path : {"/staff/", "/staff/groups/1", "/staff/members/1", "/staff/loans",
                             "/staff/messages", "/staff/audit", "/staff/nowhere"}) {
      WebResult r = c.Get(path);
      EXPECT_EQ(r.status, 303) << path;
      EXPECT_EQ(r.Header("location"), "/staff/login") << path;
    }
    WebResult r = c.Post("/staff/members/1/pin-reset", {{"csrf", "x"}});
    EXPECT_EQ(r.status, 303);
  }
  WebClient c(base_);
  WebResult r = c.Get("/staff");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/staff/");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit);
}

TEST_F(DashboardTest, PostWithoutOrWithAWrongCsrfTokenIs403AndWritesNothing) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  const int64_t member = FirstMemberOf(1);
  const std::string reset = "/staff/members/" + std::to_string(member) + "/pin-reset";
  const std::string training = "/staff/members/4/training";  // Faith: no training
  auto counts = [&] {
    return std::vector<int64_t>{Count("SELECT count(*) FROM audit_log"),
                                Count("SELECT count(*) FROM messages"),
                                Count("SELECT count(*) FROM training_records"),
                                Count("SELECT count(*) FROM members WHERE pin_must_change = 1")};
  };
  const auto before = counts();
  std::string wrong = csrf;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {}, {{"csrf", ""}}, {{"csrf", wrong}}, {{"csrf", csrf + "0"}}, {{"csrf", "x"}}}) {
    EXPECT_EQ(c->Post(reset, fields).status, 403);
    auto with_module = fields;
    with_module.emplace_back("module", "s1-group-dynamics");
    EXPECT_EQ(c->Post(training, with_module).status, 403);
    EXPECT_EQ(c->Post("/staff/logout", fields).status, 403);
  }
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(c->Get("/staff/").status, 200) << "still signed in";

  // With the token the same POST goes through, audited as a dashboard action.
  WebResult r = c->Post(reset, {{"csrf", csrf}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), "/staff/members/" + std::to_string(member) + "?done=pin-reset");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'pin.reset' AND actor = 'ada'"
                  " AND channel = 'dashboard' AND subject = 'member:" + std::to_string(member) + "'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind LIKE '%pin%'"), 1);
  WebResult page = c->Get(r.Header("location"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(ById(page.body, "notice").find("one-time PIN was sent"), std::string::npos);
  // The one-time PIN is never shown to staff.
  EXPECT_EQ(page.body.find("one-time PIN is"), std::string::npos);
}

TEST_F(DashboardTest, ReadOnlyStaffReadEverythingAndEveryPostIs403) {
  AddStaff("rita", StaffRole::kReadOnly);
  std::string csrf;
  auto c = SignedIn("rita", &csrf);
  const int64_t tumaini = FirstMemberOf(2);
  for (const std::string& path : std::vector<std::string>{
           "/staff/", "/staff/groups/1", "/staff/groups/2", "/staff/members/1",
           "/staff/members/" + std::to_string(tumaini), "/staff/loans", "/staff/messages",
           "/staff/audit"}) {
    EXPECT_EQ(c->Get(path).status, 200) << path;
  }
  WebResult group = c->Get("/staff/groups/1");
  EXPECT_EQ(group.body.find("name=\"record-training\""), std::string::npos);
  EXPECT_EQ(c->Get("/staff/members/1").body.find("name=\"reset-pin\""), std::string::npos);
  const int64_t audit = Count("SELECT count(*) FROM audit_log");
  EXPECT_EQ(c->Post("/staff/members/1/pin-reset", {{"csrf", csrf}}).status, 403);
  EXPECT_EQ(c->Post("/staff/members/4/training", {{"csrf", csrf}, {"module", "s1-group-dynamics"}})
                .status,
            403);
  EXPECT_EQ(c->Post("/staff/messages/1/retry", {{"csrf", csrf}}).status, 403);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE pin_must_change = 1"), 0);
  // Signing out is not a change she is refused.
  WebResult out = c->Post("/staff/logout", {{"csrf", csrf}});
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(out.SetCookie("shg_session").find("Max-Age=0"), std::string::npos);
}

TEST_F(DashboardTest, FieldOfficerSeesHerGroupsOnly) {
  AddStaff("fiona", StaffRole::kFieldOfficer, {1});
  std::string csrf;
  auto c = SignedIn("fiona", &csrf);
  const int64_t tumaini = FirstMemberOf(2);
  EXPECT_EQ(c->Get("/staff/groups/1").status, 200);
  EXPECT_EQ(c->Get("/staff/members/1").status, 200);
  EXPECT_EQ(c->Get("/staff/groups/2").status, 404);
  EXPECT_EQ(c->Get("/staff/groups/999").status, 404);
  EXPECT_EQ(c->Get("/staff/members/" + std::to_string(tumaini)).status, 404);
  EXPECT_EQ(c->Get("/staff/messages").status, 403);
  EXPECT_EQ(c->Get("/staff/audit").status, 403);
  WebResult home = c->Get("/staff/");
  EXPECT_EQ(ById(home.body, "groups-count"), "1");
  EXPECT_NE(home.body.find("Upendo Women Group"), std::string::npos);
  EXPECT_EQ(home.body.find("Tumaini Group"), std::string::npos);
  const int64_t records = Count("SELECT count(*) FROM training_records");
  EXPECT_EQ(c->Post("/staff/members/" + std::to_string(tumaini) + "/pin-reset", {{"csrf", csrf}})
                .status,
            404);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE pin_must_change = 1"), 0);

  // Her own group's training matrix records a module and comes back to it.
  WebResult r = c->Post("/staff/members/4/training", {{"csrf", csrf},
                                                      {"module", "s1-group-dynamics"},
                                                      {"back", "/staff/groups/1"}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), "/staff/groups/1?done=training#training");
  EXPECT_EQ(Count("SELECT count(*) FROM training_records"), records + 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'training.recorded'"
                  " AND actor = 'fiona' AND channel = 'dashboard' AND subject = 'member:4'"),
            1);
  // An unknown module, or a "back" elsewhere, is refused / ignored.
  EXPECT_EQ(c->Post("/staff/members/4/training", {{"csrf", csrf}, {"module", "nope"}}).status, 422);
  r = c->Post("/staff/members/4/training",
              {{"csrf", csrf}, {"module", "s1-saving-habit"}, {"back", "https://evil.example/"}});
  EXPECT_EQ(r.Header("location"), "/staff/members/4?done=training");
}

TEST_F(DashboardTest, PartnerSeesLoansOnly) {
  AddStaff("pat", StaffRole::kPartner, {}, "imara");
  std::string csrf;
  auto c = SignedIn("pat", &csrf);
  EXPECT_EQ(c->Get("/staff/loans").status, 200);
  EXPECT_EQ(c->Get("/staff/groups/1").status, 403);
  EXPECT_EQ(c->Get("/staff/members/1").status, 403);
  EXPECT_EQ(c->Get("/staff/audit").status, 403);
  EXPECT_EQ(c->Post("/staff/members/1/pin-reset", {{"csrf", csrf}}).status, 403);
}

TEST_F(DashboardTest, AMembersNameRendersAsText) {
  AddStaff("ada", StaffRole::kAdmin);
  const std::string evil = "<script>alert(1)</script>";
  int64_t id = 0;
  Status s = app_->store().Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&app_->pins(), 3, now_};
    Member m;
    m.group_id = 1;
    m.phone = "+254700000020";
    m.name = evil;
    auto added = Services(conn, ctx).AddMember(m);
    if (!added.ok()) return added.status();
    id = *added;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  for (const std::string& path : std::vector<std::string>{
           "/staff/groups/1?after=19", "/staff/members/" + std::to_string(id)}) {
    WebResult r = c->Get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find(evil), std::string::npos) << path;
    EXPECT_EQ(r.body.find("<script"), std::string::npos) << path;
    EXPECT_NE(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << path;
  }
}

TEST_F(DashboardTest, IdleSessionIsSignedOutAndActivityKeepsItAlive) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  const int64_t idle = settings_.staff_session_idle_s;
  now_ += idle - 10;
  EXPECT_EQ(c->Get("/staff/loans").status, 200) << "within the idle limit";
  now_ += idle - 10;
  EXPECT_EQ(c->Get("/staff/loans").status, 200) << "the last page view counted as activity";
  now_ += idle + 1;
  WebResult r = c->Get("/staff/loans");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/staff/login");
  // A POST of the idle session changes nothing either.
  EXPECT_EQ(c->Post("/staff/members/1/pin-reset", {{"csrf", csrf}}).status, 303);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE pin_must_change = 1"), 0);
}

TEST_F(DashboardTest, AbsoluteLimitSignsOutWhateverTheActivity) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  for (int64_t t = 0; t <= settings_.staff_session_absolute_s; t += 500) {
    now_ += 500;
    if (c->Get("/staff/loans").status != 200) break;
  }
  EXPECT_EQ(c->Get("/staff/loans").status, 303);
}

TEST_F(DashboardTest, SignOutEndsTheSession) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  const std::string cookie = c->cookies()["shg_session"];
  WebResult r = c->Post("/staff/logout", {{"csrf", csrf}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/staff/login");
  WebClient replay(base_);
  replay.cookies()["shg_session"] = cookie;
  EXPECT_EQ(replay.Get("/staff/").status, 303);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'staff.signed_out'"), 1);
}

TEST_F(DashboardTest, GroupAndHomeFiguresEqualTheDirectoryOverview) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  DomainContext ctx{&app_->pins(), 3, now_};
  Directory dir(app_->store().Reader(), ctx);
  std::string savings_total;
  int members = 0;
  for (int64_t gid : {1, 2}) {
    auto o = dir.Overview(gid);
    ASSERT_TRUE(o.ok());
    auto currency = FindCurrency(o->group.currency);
    ASSERT_TRUE(currency.ok());
    WebResult page = c->Get("/staff/groups/" + std::to_string(gid));
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(ById(page.body, "group-savings"), FormatMoney(o->savings_confirmed, *currency));
    EXPECT_EQ(ById(page.body, "savings-by-month-total"),
              FormatMoney(o->savings_confirmed, *currency));
    EXPECT_EQ(ById(page.body, "group-fund"), FormatMoney(o->group_fund, *currency));
    EXPECT_EQ(ById(page.body, "social-fund"), FormatMoney(o->social_fund, *currency));
    EXPECT_EQ(ById(page.body, "group-members-count"), std::to_string(o->members));
    // The chart's bars (the demo's savings span fewer than 12 months) sum
    // to the same total, in minor units.
    int64_t bars = 0;
    const std::regex amount("data-amount=\"(-?[0-9]+)\"");
    for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), amount);
         it != std::sregex_iterator(); ++it) {
      bars += std::stoll((*it)[1].str());
    }
    EXPECT_EQ(bars, o->savings_confirmed);
    EXPECT_NE(page.body.find("id=\"savings-chart\""), std::string::npos);
    EXPECT_NE(page.body.find("id=\"members\""), std::string::npos);
    EXPECT_NE(page.body.find("id=\"training\""), std::string::npos);
    members += o->members;
    savings_total += (savings_total.empty() ? "" : " + ") +
                     FormatMoney(o->savings_confirmed, *currency);
  }
  // Upendo: Amina's KES 4,250 is one of them (domain/demo.h).
  WebResult amina = c->Get("/staff/members/1");
  EXPECT_EQ(ById(amina.body, "member-savings"), "KES 4,250");
  WebResult home = c->Get("/staff/");
  EXPECT_EQ(ById(home.body, "members-count"), std::to_string(members));
  EXPECT_EQ(ById(home.body, "savings-total"), gateway::dashboard::Escape(savings_total));
  EXPECT_EQ(ById(home.body, "groups-count"), "2");
}

TEST_F(DashboardTest, AdminRetriesAFailedMessage) {
  AddStaff("ada", StaffRole::kAdmin);
  AddStaff("rita", StaffRole::kReadOnly);
  int64_t id = 0;
  Status s = app_->store().Run([&](store::Connection& conn) -> Status {
    Messages m(conn, now_ * 1000);
    NewMessage nm;
    nm.channel = "at-other";  // no sender: it stays where it is put
    nm.phone = "+254700000001";
    nm.kind = "reply_balance";
    nm.body = "x";
    nm.encoding = "gsm7";
    auto q = m.Enqueue(nm);
    if (!q.ok()) return q.status();
    id = *q;
    return m.MarkFailed(id, "provider said no");
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  WebResult page = c->Get("/staff/messages");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"retry-message-" + std::to_string(id) + "\""), std::string::npos);
  EXPECT_EQ(ById(c->Get("/staff/").body, "outbox-failed"), "1");
  WebResult r = c->Post("/staff/messages/" + std::to_string(id) + "/retry", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE status = 'queued' AND id = " +
                  std::to_string(id)),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'message.retried'"), 1);
  // Retrying what is queued is a conflict, and changes nothing.
  EXPECT_EQ(c->Post("/staff/messages/" + std::to_string(id) + "/retry", {{"csrf", csrf}}).status,
            409);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'message.retried'"), 1);

  std::string rcsrf;
  auto ro = SignedIn("rita", &rcsrf);
  EXPECT_EQ(ro->Get("/staff/messages").body.find("name=\"retry-message\""), std::string::npos);
}

TEST_F(DashboardTest, ImportChecksThenCommitsAllRowsOrNone) {
  AddStaff("fiona", StaffRole::kFieldOfficer, {1});
  std::string csrf;
  auto c = SignedIn("fiona", &csrf);
  EXPECT_EQ(c->Get("/staff/groups/1/import").status, 200);
  EXPECT_EQ(c->Get("/staff/groups/2/import").status, 404);
  const int64_t members = Count("SELECT count(*) FROM members");
  const int64_t audit = Count("SELECT count(*) FROM audit_log");

  // A dry run with errors: the table names row, column and value; nothing written.
  const std::string bad =
      "name,phone,role\n"
      "Neema Ali,0711000001,member\n"
      "<b>Zawadi</b>,12,member\n"
      "Asha Juma,0711000003,boss\n";
  WebResult r = c->Post("/staff/groups/1/import", {{"csrf", csrf}, {"action", "check"}, {"csv", bad}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ById(r.body, "import-error-count"), "2 problem(s): nothing was imported.");
  EXPECT_NE(r.body.find("data-row=\"3\" data-column=\"phone\""), std::string::npos);
  EXPECT_NE(r.body.find("data-row=\"4\" data-column=\"role\""), std::string::npos);
  EXPECT_EQ(r.body.find("<b>Zawadi"), std::string::npos);
  EXPECT_EQ(r.body.find("name=\"import-commit\""), std::string::npos);
  // Committing it anyway is refused as a whole.
  r = c->Post("/staff/groups/1/import", {{"csrf", csrf}, {"action", "commit"}, {"csv", bad}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit);

  const std::string good =
      "name,phone,role,language\n"
      "Neema Ali,0711000001,member,en\n"
      "\"Zawadi, Wanjiku\",+254711000002,secretary,sw\n";
  r = c->Post("/staff/groups/1/import", {{"csrf", csrf}, {"action", "check"}, {"csv", good}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ById(r.body, "import-row-count"), "2 member(s) to add to Upendo Women Group.");
  EXPECT_NE(r.body.find("name=\"import-commit\""), std::string::npos);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members) << "a check writes nothing";
  // Without the token the commit is 403.
  EXPECT_EQ(c->Post("/staff/groups/1/import", {{"action", "commit"}, {"csv", good}}).status, 403);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members);
  r = c->Post("/staff/groups/1/import", {{"csrf", csrf}, {"action", "commit"}, {"csv", good}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), "/staff/groups/1?done=import");
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE group_id = 1 AND phone = '+254711000002'"
                  " AND name = 'Zawadi, Wanjiku' AND role = 'secretary' AND language = 'sw'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members + 2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'member.imported'"
                  " AND channel = 'dashboard' AND actor = 'fiona' AND detail = 'count=2'"),
            1);
  // The same file again: both rows are now members of the group; the check
  // names them and nothing is added.
  r = c->Post("/staff/groups/1/import", {{"csrf", csrf}, {"action", "check"}, {"csv", good}});
  EXPECT_EQ(ById(r.body, "import-error-count"), "2 problem(s): nothing was imported.");
  r = c->Post("/staff/groups/1/import", {{"csrf", csrf}, {"action", "commit"}, {"csv", good}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members + 2);
}

// --- the group's savings cycle and its share-out (gateway/dashboard/cycles.cc)

class CycleDashboardTest : public DashboardTest {
 protected:
  int64_t Cycle1() { return Count("SELECT id FROM cycles WHERE group_id = 1 AND number = 1"); }
  std::string CyclePath(const std::string& rest) {
    return "/staff/cycles/" + std::to_string(Cycle1()) + rest;
  }
  std::string StateOf(int64_t cycle) {
    const int64_t closing = Count("SELECT count(*) FROM cycles WHERE id = " +
                                  std::to_string(cycle) + " AND state = 'closing'");
    const int64_t shared = Count("SELECT count(*) FROM cycles WHERE id = " +
                                 std::to_string(cycle) + " AND state = 'shared_out'");
    const int64_t active = Count("SELECT count(*) FROM cycles WHERE id = " +
                                 std::to_string(cycle) + " AND state = 'active'");
    return closing ? "closing" : shared ? "shared_out" : active ? "active" : "other";
  }
  // Per column of the share-out table: the sum of the members' cells and
  // the totals row's cell, in minor units.
  static std::map<std::string, std::pair<int64_t, int64_t>> Columns(const std::string& body) {
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    const size_t totals = body.find("id=\"share-out-totals\"");
    EXPECT_NE(totals, std::string::npos);
    const std::regex cell("data-col=\"([a-z_]+)\" data-minor=\"(-?[0-9]+)\"");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), cell);
         it != std::sregex_iterator(); ++it) {
      const bool total = static_cast<size_t>(it->position()) > totals;
      auto& [rows, sum] = out[(*it)[1].str()];
      (total ? sum : rows) += std::stoll((*it)[2].str());
    }
    return out;
  }
};

TEST_F(CycleDashboardTest, TheGroupLinksItsCycleWithRulesFiguresAndTheActionsItsStateAllows) {
  AddStaff("ada", StaffRole::kAdmin);
  AddStaff("rita", StaffRole::kReadOnly);
  AddStaff("olga", StaffRole::kFieldOfficer, {2});
  AddStaff("pam", StaffRole::kPartner, {}, "imara");
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  WebResult group = c->Get("/staff/groups/1");
  ASSERT_EQ(group.status, 200);
  EXPECT_NE(group.body.find("href=\"/staff/groups/1/cycle\""), std::string::npos);
  WebResult page = c->Get("/staff/groups/1/cycle");
  ASSERT_EQ(page.status, 200) << page.body;
  DomainContext ctx{&app_->pins(), 3, now_};
  auto o = Directory(app_->store().Reader(), ctx).Overview(1);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(ById(page.body, "cycle-savings"), FormatMoney(o->savings_confirmed, {"KES", 2}));
  EXPECT_EQ(ById(page.body, "rule-lends"), "yes");  // the demo's Upendo lends
  EXPECT_EQ(ById(page.body, "rule-unit"), "KES 1");
  EXPECT_NE(page.body.find("id=\"close-form\""), std::string::npos) << "active: close";
  EXPECT_EQ(page.body.find("id=\"plan-form\""), std::string::npos) << "one open cycle";
  EXPECT_NE(page.body.find("id=\"fine-form\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"social-form\""), std::string::npos);

  std::string rcsrf;
  auto reader = SignedIn("rita", &rcsrf);
  WebResult read = reader->Get("/staff/groups/1/cycle");
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body.find("id=\"close-form\""), std::string::npos) << "read-only: no forms";
  EXPECT_EQ(read.body.find("id=\"fine-form\""), std::string::npos);
  EXPECT_EQ(reader->Post(CyclePath("/close"), {{"csrf", rcsrf}}).status, 403);
  std::string ocsrf;
  auto other = SignedIn("olga", &ocsrf);
  EXPECT_EQ(other->Get("/staff/groups/1/cycle").status, 404);
  EXPECT_EQ(other->Get(CyclePath("/share-out")).status, 404);
  EXPECT_EQ(other->Post(CyclePath("/close"), {{"csrf", ocsrf}}).status, 404);
  std::string pcsrf;
  auto partner = SignedIn("pam", &pcsrf);
  EXPECT_EQ(partner->Get("/staff/groups/1/cycle").status, 403);
  EXPECT_EQ(partner->Get(CyclePath("/share-out/print")).status, 403);
  EXPECT_EQ(StateOf(Cycle1()), "active");
}

TEST_F(CycleDashboardTest, PreviewTotalsSumTheLinesExactlyAndBlockersHideConfirm) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  // A pending fine: the preview names it and offers no confirmation.
  WebResult fine = c->Post("/staff/groups/1/fines", {{"csrf", csrf},
                                                     {"member_id", "1"},
                                                     {"kind", "late"},
                                                     {"amount", "50"},
                                                     {"note", "late"}});
  ASSERT_EQ(fine.status, 303) << fine.body;
  WebResult closed = c->Post(CyclePath("/close"), {{"csrf", csrf}});
  ASSERT_EQ(closed.status, 303) << closed.body;
  EXPECT_EQ(StateOf(Cycle1()), "closing");
  WebResult blocked = c->Get(CyclePath("/share-out"));
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_NE(blocked.body.find("<li>1 pending fine</li>"), std::string::npos) << blocked.body;
  EXPECT_EQ(blocked.body.find("id=\"confirm-share-out\""), std::string::npos);

  // The treasurer's word confirms it: income of KES 50 to share.
  const std::string fine_id = std::to_string(Count("SELECT max(id) FROM fines"));
  // Who decided is always chosen, and must be an officer other than her.
  for (const auto& [by, status] : std::vector<std::pair<std::string, long>>{{"", 422}, {"1", 403}}) {
    WebResult refused = c->Post("/staff/fines/" + fine_id + "/decide",
                                {{"csrf", csrf}, {"decided_by", by}, {"decision", "confirm"}});
    EXPECT_EQ(refused.status, status) << by;
    EXPECT_EQ(ById(refused.body, "decide-error").rfind("decided_by:", 0), 0u)
        << ById(refused.body, "decide-error");
  }
  EXPECT_EQ(Count("SELECT count(*) FROM fines WHERE status = 'pending'"), 1);
  WebResult decided = c->Post("/staff/fines/" + fine_id + "/decide",
                              {{"csrf", csrf}, {"decided_by", "2"}, {"decision", "confirm"}});
  ASSERT_EQ(decided.status, 303) << decided.body;
  EXPECT_EQ(Count("SELECT count(*) FROM fines WHERE status = 'confirmed'"), 1);
  WebResult page = c->Get(CyclePath("/share-out"));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("id=\"blockers\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"confirm-share-out\""), std::string::npos);
  const auto cols = Columns(page.body);
  for (const char* col : {"savings", "share", "profit", "netted", "payout"}) {
    SCOPED_TRACE(col);
    ASSERT_TRUE(cols.count(col));
    EXPECT_EQ(cols.at(col).first, cols.at(col).second) << "the totals row sums the lines";
  }
  EXPECT_EQ(cols.at("share").second - cols.at("savings").second, cols.at("profit").second);
  EXPECT_EQ(cols.at("savings").second,
            Count("SELECT sum(amount) FROM savings WHERE group_id = 1 AND status = 'confirmed'"));
  // KES 50 of income shared in whole shillings: what is left is carried.
  EXPECT_GT(cols.at("profit").second, 5000 - 100 * 20) << "below one shilling per member carried";
  EXPECT_LE(cols.at("profit").second, 5000);
  EXPECT_EQ(ById(page.body, "so-carried"), FormatMoney(5000 - cols.at("profit").second, {"KES", 2}));
  EXPECT_EQ(ById(page.body, "so-income"), "KES 50");
}

TEST_F(CycleDashboardTest, ConfirmNeedsTheCsrfTokenThenQueuesEachMembersSms) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  ASSERT_EQ(c->Post(CyclePath("/close"), {{"csrf", csrf}}).status, 303);
  const std::string confirm = CyclePath("/share-out");
  std::string wrong = csrf;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {}, {{"csrf", ""}}, {{"csrf", wrong}}}) {
    EXPECT_EQ(c->Post(confirm, fields).status, 403);
  }
  EXPECT_EQ(StateOf(Cycle1()), "closing");
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind LIKE 'share_out%'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM share_out_lines"), 0);

  WebResult r = c->Post(confirm, {{"csrf", csrf}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), confirm + "?done=shared-out");
  EXPECT_EQ(StateOf(Cycle1()), "shared_out");
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"),
            Count("SELECT count(*) FROM share_out_lines WHERE share > 0"));
  EXPECT_GE(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"), 18);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'share_out.confirm' AND "
                  "actor = 'ada' AND channel = 'dashboard'"),
            1);
  WebResult done = c->Get(r.Header("location"));
  EXPECT_NE(ById(done.body, "notice").find("confirmed"), std::string::npos);
  EXPECT_EQ(done.body.find("id=\"confirm-share-out\""), std::string::npos);
  // Again: refused (409), nothing more queued.
  EXPECT_EQ(c->Post(confirm, {{"csrf", csrf}}).status, 409);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"),
            Count("SELECT count(*) FROM share_out_lines WHERE share > 0"));
}

TEST_F(CycleDashboardTest, ThePrintableSheetIsPlainHtmlWithoutNavigation) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  WebResult sheet = c->Get(CyclePath("/share-out/print"));
  ASSERT_EQ(sheet.status, 200) << sheet.body;
  EXPECT_EQ(sheet.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(sheet.body.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(sheet.body.find("id=\"nav\""), std::string::npos);
  EXPECT_EQ(sheet.body.find("<form"), std::string::npos);
  EXPECT_NE(sheet.body.find("@media print"), std::string::npos);
  EXPECT_EQ(ById(sheet.body, "sheet-group"), "Upendo Women Group");
  EXPECT_EQ(ById(sheet.body, "sheet-cycle").rfind("Cycle 1 share-out", 0), 0u);
  EXPECT_NE(ById(sheet.body, "sheet-status").find("PREVIEW"), std::string::npos);
  for (const char* who : {"Chair", "Treasurer", "Field officer"}) {
    EXPECT_NE(sheet.body.find(std::string(who) + ": name, signature, date"), std::string::npos);
  }
  const auto cols = Columns(sheet.body);
  ASSERT_TRUE(cols.count("share"));
  EXPECT_EQ(cols.at("share").first, cols.at("share").second);
  EXPECT_NE(sheet.body.find("<td>Amina Wekesa</td>"), std::string::npos);
  // Confirmed: the references and the date it was confirmed.
  ASSERT_EQ(c->Post(CyclePath("/close"), {{"csrf", csrf}}).status, 303);
  ASSERT_EQ(c->Post(CyclePath("/share-out"), {{"csrf", csrf}}).status, 303);
  WebResult after = c->Get(CyclePath("/share-out/print"));
  EXPECT_NE(ById(after.body, "sheet-status").find("Confirmed on"), std::string::npos);
  EXPECT_NE(after.body.find("<th>Reference</th>"), std::string::npos);
}

TEST_F(CycleDashboardTest, BadInputShowsTheFormAgainNamingTheFieldAndWritesNothing) {
  AddStaff("ada", StaffRole::kAdmin);
  std::string csrf;
  auto c = SignedIn("ada", &csrf);
  struct Case {
    std::string path, form, field;
    std::vector<std::pair<std::string, std::string>> fields;
  };
  const std::vector<Case> fine_cases = {
      {"/staff/groups/1/fines", "fine", "amount", {{"member_id", "1"}, {"kind", "late"}, {"amount", "abc"}}},
      {"/staff/groups/1/fines", "fine", "amount", {{"member_id", "1"}, {"kind", "late"}, {"amount", "0"}}},
      {"/staff/groups/1/fines", "fine", "kind", {{"member_id", "1"}, {"kind", "rude"}, {"amount", "50"}}},
      {"/staff/groups/1/fines", "fine", "member_id", {{"member_id", "21"}, {"kind", "late"}, {"amount", "50"}}},
      {"/staff/groups/1/social-fund", "social", "amount", {{"member_id", "1"}, {"amount", "-5"}}},
      {"/staff/groups/1/social-fund", "social", "member_id", {{"member_id", ""}, {"amount", "5"}}},
  };
  const auto counts = [&] {
    return std::vector<int64_t>{Count("SELECT count(*) FROM fines"),
                                Count("SELECT count(*) FROM social_fund_entries"),
                                Count("SELECT count(*) FROM cycles"),
                                Count("SELECT count(*) FROM audit_log")};
  };
  auto check = [&](const Case& k) {
    SCOPED_TRACE(k.path + " " + k.field);
    auto fields = k.fields;
    fields.emplace_back("csrf", csrf);
    const auto before = counts();
    WebResult r = c->Post(k.path, fields);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(ById(r.body, k.form + "-error").rfind(k.field + ":", 0), 0u) << ById(r.body, k.form + "-error");
    EXPECT_NE(r.body.find("id=\"" + k.form + "-form\""), std::string::npos) << "the form again";
    EXPECT_EQ(counts(), before);
  };
  for (const Case& k : fine_cases) check(k);

  // Shared out: the plan form, each bad rule named, what was typed kept.
  ASSERT_EQ(c->Post(CyclePath("/close"), {{"csrf", csrf}}).status, 303);
  ASSERT_EQ(c->Post(CyclePath("/share-out"), {{"csrf", csrf}}).status, 303);
  const std::vector<std::pair<std::string, std::string>> good = {
      {"lends", "yes"},          {"loan_savings_multiple", "3"}, {"max_term_months", "3"},
      {"flat_rate_percent", "10"}, {"social_fund_per_meeting", "50"}, {"share_out_unit", "1"},
      {"length_months", "12"},   {"starts_on", ""}};
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"lends", "maybe"},         {"loan_savings_multiple", "x"}, {"max_term_months", "4"},
      {"flat_rate_percent", "25"}, {"flat_rate_percent", "ten"},  {"social_fund_per_meeting", "-1"},
      {"share_out_unit", "abc"},  {"share_out_unit", "0"},        {"length_months", "30"},
      {"starts_on", "2026-13-01"}};
  for (const auto& [field, value] : bad) {
    Case k{"/staff/groups/1/cycle/plan", "plan", field, good};
    for (auto& [f, v] : k.fields) {
      if (f == field) v = value;
    }
    check(k);
    if (field == "lends") continue;  // a select: only its options are shown
    WebResult r = c->Post(k.path, [&] {
      auto f = k.fields;
      f.emplace_back("csrf", csrf);
      return f;
    }());
    EXPECT_NE(r.body.find("value=\"" + gateway::dashboard::Escape(value) + "\""), std::string::npos)
        << field << ": what was typed is shown again";
  }
  WebResult planned = c->Post("/staff/groups/1/cycle/plan", [&] {
    auto f = good;
    f.emplace_back("csrf", csrf);
    return f;
  }());
  ASSERT_EQ(planned.status, 303) << planned.body;
  EXPECT_EQ(Count("SELECT count(*) FROM cycles WHERE group_id = 1 AND state = 'planned' AND "
                  "flat_rate_bp_per_month = 1000 AND social_fund_per_meeting = 5000"),
            1);
}

}  // namespace
}  // namespace shg
