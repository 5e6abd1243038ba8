// The staff dashboard (gateway/dashboard/) in real headless Chromium: the
// real App on 127.0.0.1 (port 0, a temporary SQLite file with the demo data,
// an injected clock), staff users signed in through the login form, pages
// read and forms submitted by the browser. Page JavaScript is off unless a
// case needs it on (the dashboard has none and must work without it);
// WebDriver's own scripts still run, which the checks of layout, of the
// navigation's HTTP status and of the forged forms use. The figures are
// compared with the database read directly with SQL.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/demo.h"
#include "domain/messages.h"
#include "domain/money.h"
#include "domain/services.h"
#include "domain/staff.h"
#include "gateway/app.h"
#include "gateway/http/server.h"
#include "tests/support/count_rows.h"
#include "tests/support/demo_gateway.h"
#include "tests/support/webdriver.h"

namespace shg::testing::webdriver {
namespace {

const std::string kPepper = "browser-test-pepper-0123456789ab";
const std::string kPassword = "correct horse battery";

class DashboardBrowserTest : public BrowserTest, protected testing::DemoGateway {
 protected:
  void SetUp() override {
    BrowserTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartDemoGateway("dash_browser", kPepper);
  }

  void TearDown() override {
    BrowserTest::TearDown();  // the browsers first: they may hold connections
    if (attacker_) attacker_->Stop();
    StopDemoGateway();
  }

  int64_t Count(const std::string& sql) { return CountRows(*db_, sql); }

  // A staff user with kPassword; a field officer gets `groups`.
  void AddStaff(const std::string& name, StaffRole role, std::vector<int64_t> groups = {}) {
    Status s = app_->store().Run([&](store::Connection& conn) -> Status {
      Staff staff(conn, now_);
      StaffUser u;
      u.name = name;
      u.display_name = "Staff " + name;
      u.role = role;
      auto id = staff.Add(u, kPassword);
      if (!id.ok()) return id.status();
      for (int64_t g : groups) SHG_RETURN_IF_ERROR(staff.AssignGroup(*id, g));
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // A new session (ASSERTed) signed in as `name` through the login form.
  Session* SignedIn(const std::string& name, const SessionOptions& options) {
    Result<Session*> session = NewSession(options);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return nullptr;
    Session& s = **session;
    EXPECT_TRUE(s.Navigate(base_ + "/staff/").ok());
    EXPECT_EQ(*s.CurrentUrl(), base_ + "/staff/login") << "no session: the login form";
    Result<Element> user = s.FindElement("form#login-form input#login-name");
    Result<Element> password = s.FindElement("form#login-form input#login-password");
    EXPECT_TRUE(user.ok() && password.ok()) << PageOf(s);
    if (!user.ok() || !password.ok()) return nullptr;
    EXPECT_TRUE(user->SendKeys(name).ok());
    EXPECT_TRUE(password->SendKeys(kPassword).ok());
    Status submitted = s.SubmitForm("#login-submit");
    EXPECT_TRUE(submitted.ok()) << submitted.ToString();
    if (!submitted.ok()) return nullptr;
    EXPECT_EQ(*s.CurrentUrl(), base_ + "/staff/");
    EXPECT_EQ(Text(s, "#signed-in-as").find("Staff " + name), 0u) << Text(s, "#signed-in-as");
    return ::testing::Test::HasFailure() ? nullptr : &s;
  }

  static std::string Text(Session& s, const std::string& css) {
    Result<Element> e = s.FindElement(css);
    if (!e.ok()) return "<" + e.status().ToString() + ">";
    Result<std::string> t = e->Text();
    return t.ok() ? *t : "<" + t.status().ToString() + ">";
  }

  static std::string PageOf(Session& s) {
    Result<std::string> p = s.PageSource();
    return p.ok() ? *p : p.status().ToString();
  }

  static size_t CountOf(Session& s, const std::string& css) {
    Result<std::vector<Element>> all = s.FindElements(css);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    return all.ok() ? all->size() : 0;
  }

  // The HTTP status of the page now shown (Navigation Timing; read by a
  // WebDriver script, so it works with page JavaScript off).
  static int64_t ResponseStatus(Session& s) {
    Result<boost::json::value> v =
        s.ExecuteScript("return performance.getEntriesByType('navigation')[0].responseStatus;");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && v->is_int64() ? v->as_int64() : -1;
  }

  static void Shoot(Session& s, const std::string& name) {
    Status shot = s.Screenshot(ScreenshotPath(name));
    EXPECT_TRUE(shot.ok()) << name << ": " << shot.ToString();
  }

  // A page that renders without a horizontal scrollbar at its viewport's width.
  static void ExpectNoHorizontalOverflow(Session& s) {
    Result<boost::json::value> v = s.ExecuteScript(
        "return [document.documentElement.scrollWidth, window.innerWidth];");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    const boost::json::array& a = v->as_array();
    EXPECT_LE(a[0].as_int64(), a[1].as_int64()) << "scrollWidth > innerWidth";
  }

  std::string MoneyOf(int64_t minor, const std::string& currency) {
    auto c = FindCurrency(currency);
    EXPECT_TRUE(c.ok());
    return c.ok() ? FormatMoney(minor, *c) : "";
  }

  int64_t MemberId(const std::string& name) {
    return Count("SELECT id FROM members WHERE name = '" + name + "'");
  }

  // What a write would change (audit, messages, training, PINs, members).
  std::vector<int64_t> Footprint() {
    return {Count("SELECT count(*) FROM audit_log"), Count("SELECT count(*) FROM messages"),
            Count("SELECT count(*) FROM training_records"),
            Count("SELECT count(*) FROM members WHERE pin_must_change = 1"),
            Count("SELECT count(*) FROM members")};
  }

  std::unique_ptr<http::Server> attacker_;
};

TEST_F(DashboardBrowserTest, AdminSignsInAndOpensTheGroupAtDesktopAndPhoneWidths) {
  AddStaff("ada", StaffRole::kAdmin);
  Session* s = SignedIn("ada", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(Text(*s, "h1#page-title"), "All groups") << PageOf(*s);
  EXPECT_EQ(Text(*s, "#groups-count"), "2");
  EXPECT_EQ(CountOf(*s, "table#groups tr[id^='group-']"), 2u);

  // Upendo from the home page's groups table.
  Status opened = s->SubmitForm("table#groups tr#group-1 a");
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/groups/1");
  EXPECT_EQ(Text(*s, "h1#page-title"), "Upendo Women Group");
  EXPECT_EQ(Text(*s, "#group-members-count"), "20");
  EXPECT_EQ(CountOf(*s, "table#members tr[id^='member-']"), 20u);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE group_id = 1 AND exited_at IS NULL"), 20);
  // The ledger: what the group owes its members (credit-normal balances).
  const int64_t savings = Count(
      "SELECT sum(balance * normal) FROM accounts WHERE group_id = 1 AND kind = 'member_savings'");
  ASSERT_GT(savings, 0);
  EXPECT_EQ(Text(*s, "#group-savings"), MoneyOf(savings, "KES"));
  EXPECT_EQ(Text(*s, "#savings-by-month-total"), MoneyOf(savings, "KES"));
  EXPECT_GT(CountOf(*s, "svg#savings-chart rect[data-month][data-amount]"), 0u);
  Shoot(*s, "dashboard_group.png");
  ExpectNoHorizontalOverflow(*s);

  // The same page on a phone (390 px): readable, no sideways scrolling of
  // the page itself (wide tables scroll inside their own box). Page scripts
  // on here: with mobile emulation and scripts off, chromedriver's click on
  // the login button never returns (Chromium 156).
  Session* phone = SignedIn("ada", SessionOptions::Phone());
  ASSERT_NE(phone, nullptr);
  ASSERT_TRUE(phone->Navigate(base_ + "/staff/groups/1").ok());
  EXPECT_EQ(Text(*phone, "#group-members-count"), "20");
  EXPECT_EQ(Text(*phone, "#group-savings"), MoneyOf(savings, "KES"));
  Result<boost::json::value> width = phone->ExecuteScript("return window.innerWidth;");
  ASSERT_TRUE(width.ok()) << width.status().ToString();
  EXPECT_EQ(boost::json::serialize(*width), "390");
  ExpectNoHorizontalOverflow(*phone);
  Shoot(*phone, "dashboard_group_phone.png");
  // The home page too.
  ASSERT_TRUE(phone->Navigate(base_ + "/staff/").ok());
  ExpectNoHorizontalOverflow(*phone);
}

TEST_F(DashboardBrowserTest, FieldOfficerImportsMembersAfterFixingTheFile) {
  AddStaff("fiona", StaffRole::kFieldOfficer, {1});
  Session* s = SignedIn("fiona", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Navigate(base_ + "/staff/groups/1").ok());
  Status opened = s->SubmitForm("a#import-link");
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/groups/1/import");
  const int64_t members = Count("SELECT count(*) FROM members");
  const int64_t audit = Count("SELECT count(*) FROM audit_log");

  // Pasted with two bad rows: a phone too short, an unknown language.
  auto paste = [&](const std::string& csv) {
    Result<Element> area = s->FindElement("form[name=import-check] textarea#import-csv");
    ASSERT_TRUE(area.ok()) << PageOf(*s);
    ASSERT_TRUE(area->Clear().ok());
    ASSERT_TRUE(area->SendKeys(csv).ok());
  };
  paste("name,phone,role,language\n"
        "Neema Ali,0711000001,member,en\n"
        "Zawadi Wanjiku,12,member,sw\n"
        "Asha Juma,0711000003,member,xx\n");
  ASSERT_TRUE(s->SubmitForm("button#import-check").ok());
  EXPECT_EQ(Text(*s, "#import-error-count"), "2 problem(s): nothing was imported.")
      << PageOf(*s);
  Result<std::vector<Element>> rows = s->FindElements("table#import-errors tr[data-row]");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(*(*rows)[0].Attribute("data-row"), "3");
  EXPECT_EQ(*(*rows)[0].Attribute("data-column"), "phone");
  EXPECT_EQ(*(*rows)[1].Attribute("data-row"), "4");
  EXPECT_EQ(*(*rows)[1].Attribute("data-column"), "language");
  EXPECT_EQ(Text(*s, "tr[data-row='4'][data-column='language'] td:nth-child(3)"), "xx");
  EXPECT_EQ(CountOf(*s, "button#import-commit"), 0u) << "nothing to commit";
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit);
  Shoot(*s, "dashboard_import_errors.png");

  // The form comes back with her file in it; fixed, checked, committed.
  paste("name,phone,role,language\n"
        "Neema Ali,0711000001,member,en\n"
        "Zawadi Wanjiku,0711000002,member,sw\n"
        "Asha Juma,0711000003,member,en\n");
  ASSERT_TRUE(s->SubmitForm("button#import-check").ok());
  EXPECT_EQ(Text(*s, "#import-row-count"), "3 member(s) to add to Upendo Women Group.")
      << PageOf(*s);
  EXPECT_EQ(CountOf(*s, "table#import-rows tr[data-row]"), 3u);
  EXPECT_EQ(CountOf(*s, "table#import-errors"), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members) << "a check writes nothing";
  Status committed = s->SubmitForm("form[name=import-commit] button#import-commit");
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/groups/1?done=import");
  EXPECT_EQ(Text(*s, "#notice"), "Members imported.");
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members + 3);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE group_id = 1 AND name = 'Zawadi Wanjiku'"
                  " AND phone = '+254711000002' AND language = 'sw'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'member.imported'"
                  " AND actor = 'fiona' AND channel = 'dashboard' AND detail = 'count=3'"),
            1);
  EXPECT_EQ(Text(*s, "#group-members-count"), "23");
  EXPECT_EQ(CountOf(*s, "table#members tr[id^='member-']"), 23u);
  Shoot(*s, "dashboard_import_done.png");
}

TEST_F(DashboardBrowserTest, FieldOfficerRecordsMarysMissingModuleFromHerPage) {
  AddStaff("fiona", StaffRole::kFieldOfficer, {1});
  const int64_t mary = MemberId("Mary Otieno");
  ASSERT_GT(mary, 0);
  const std::string where = "member_id = " + std::to_string(mary);
  // The demo: Mary has done step 1 only.
  ASSERT_EQ(Count("SELECT count(*) FROM training_records WHERE " + where), 2);
  Session* s = SignedIn("fiona", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  const std::string page = base_ + "/staff/members/" + std::to_string(mary);
  ASSERT_TRUE(s->Navigate(page).ok());
  EXPECT_EQ(Text(*s, "h1#page-title"), "Mary Otieno");
  const std::string row = "table#member-training tr[data-module='s2-finance-marketing']";
  EXPECT_EQ(*s->FindElement(row)->Attribute("data-done"), "false");
  // Only the modules she is missing are offered.
  EXPECT_EQ(CountOf(*s, "select#training-module option"), 3u);
  Result<Element> option =
      s->FindElement("form#record-training-form select#training-module "
                     "option[value='s2-finance-marketing']");
  ASSERT_TRUE(option.ok()) << PageOf(*s);
  ASSERT_TRUE(option->Click().ok());
  ASSERT_TRUE(s->SubmitForm("button#record-training").ok());

  EXPECT_EQ(*s->CurrentUrl(), page + "?done=training");
  EXPECT_EQ(Text(*s, "#notice"), "Training recorded.");
  EXPECT_EQ(Count("SELECT count(*) FROM training_records WHERE " + where +
                  " AND module_id = 's2-finance-marketing' AND recorded_by = 'staff:fiona'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM training_records WHERE " + where), 3);
  EXPECT_EQ(*s->FindElement(row)->Attribute("data-done"), "true");
  EXPECT_NE(Text(*s, row + " td:nth-child(3)"), "—");
  EXPECT_EQ(CountOf(*s, "select#training-module option"), 2u);
  Shoot(*s, "dashboard_training.png");

  // The group's matrix shows it done too, and records another from there.
  ASSERT_TRUE(s->Navigate(base_ + "/staff/groups/1").ok());
  const std::string cell = "table#training tr#training-" + std::to_string(mary);
  EXPECT_EQ(*s->FindElement(cell + " td[data-module='s2-finance-marketing']")
                 ->Attribute("data-done"),
            "true");
  ASSERT_TRUE(s->SubmitForm("form#record-training-" + std::to_string(mary) +
                            "-s3-loans button")
                  .ok());
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/groups/1?done=training#training");
  EXPECT_EQ(*s->FindElement(cell + " td[data-module='s3-loans']")->Attribute("data-done"), "true");
  EXPECT_EQ(Count("SELECT count(*) FROM training_records WHERE " + where +
                  " AND module_id = 's3-loans'"),
            1);
}

TEST_F(DashboardBrowserTest, AdminRetriesAFailedMessageAndResetsAPin) {
  AddStaff("ada", StaffRole::kAdmin);
  int64_t id = 0;
  Status made = app_->store().Run([&](store::Connection& conn) -> Status {
    Messages m(conn, now_ * 1000);
    NewMessage nm;
    nm.channel = "at-other";  // no such sender: a retried message stays queued
    nm.phone = "+254700000001";
    nm.kind = "reply_balance";
    nm.body = "Your savings: KES 4,250";
    nm.encoding = "gsm7";
    auto q = m.Enqueue(nm);
    if (!q.ok()) return q.status();
    id = *q;
    return m.MarkFailed(id, "provider said no");
  });
  ASSERT_TRUE(made.ok()) << made.ToString();
  const std::string mid = std::to_string(id);
  Session* s = SignedIn("ada", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(Text(*s, "#outbox-failed"), "1");
  ASSERT_TRUE(s->SubmitForm("#nav-messages").ok());
  EXPECT_EQ(CountOf(*s, "table#failed-messages tr#failed-messages-" + mid), 1u) << PageOf(*s);
  Status retried = s->SubmitForm("form[name=retry-message]#retry-message-" + mid + " button");
  ASSERT_TRUE(retried.ok()) << retried.ToString();
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/messages?done=retry");
  EXPECT_EQ(Text(*s, "#notice"), "The message is queued again.");
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE status = 'queued' AND id = " + mid), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'message.retried'"
                  " AND actor = 'ada' AND channel = 'dashboard' AND subject = 'message:" +
                  mid + "'"),
            1);
  EXPECT_EQ(CountOf(*s, "table#failed-messages tr[id^='failed-messages-']"), 0u);
  Shoot(*s, "dashboard_action.png");

  // A PIN reset from Amina's page: a one-time PIN by SMS, never shown.
  ASSERT_TRUE(s->Navigate(base_ + "/staff/members/1").ok());
  ASSERT_EQ(Count("SELECT pin_must_change FROM members WHERE id = 1"), 0);
  ASSERT_TRUE(s->SubmitForm("form[name=reset-pin]#reset-pin-form button#reset-pin").ok());
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/members/1?done=pin-reset");
  EXPECT_EQ(Text(*s, "#notice"),
            "A one-time PIN was sent to her by SMS. She must change it at her next login.");
  EXPECT_EQ(Count("SELECT pin_must_change FROM members WHERE id = 1"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'pin.reset' AND actor = 'ada'"
                  " AND subject = 'member:1'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind LIKE '%pin%'"), 1);
  Shoot(*s, "dashboard_pin_reset.png");
}

TEST_F(DashboardBrowserTest, AMemberNamedAScriptIsShownAsText) {
  AddStaff("ada", StaffRole::kAdmin);
  const std::string evil = "<script>alert(1)</script>";
  int64_t id = 0;
  Status added = app_->store().Run([&](store::Connection& conn) -> Status {
    DomainContext ctx{&app_->pins(), 3, now_};
    Member m;
    m.group_id = 1;
    m.phone = "+254700000020";
    m.name = evil;
    auto r = Services(conn, ctx).AddMember(m);
    if (!r.ok()) return r.status();
    id = *r;
    return Status::Ok();
  });
  ASSERT_TRUE(added.ok()) << added.ToString();
  // Page scripts on: an unescaped name would run (were it not for the CSP).
  Session* s = SignedIn("ada", SessionOptions::Desktop());
  ASSERT_NE(s, nullptr);
  for (const std::string& path :
       {std::string("/staff/groups/1"), "/staff/members/" + std::to_string(id)}) {
    ASSERT_TRUE(s->Navigate(base_ + path).ok()) << path;
    EXPECT_EQ(s->AlertText().status().code(), Status::Code::kNotFound) << path;
    EXPECT_EQ(CountOf(*s, "script"), 0u) << path;
    if (path == "/staff/groups/1") {
      EXPECT_EQ(Text(*s, "table#members tr#member-" + std::to_string(id) + " td a"), evil);
      EXPECT_EQ(Text(*s, "table#training tr#training-" + std::to_string(id) + " td"), evil);
      // Her row in view for the picture.
      ASSERT_TRUE(s->ExecuteScript(
                       "document.getElementById(arguments[0]).scrollIntoView({block: 'center'});",
                       {"member-" + std::to_string(id)})
                      .ok());
      Shoot(*s, "dashboard_escaped.png");
    } else {
      EXPECT_EQ(Text(*s, "h1#page-title"), evil);
      Result<std::string> title = s->Title();
      ASSERT_TRUE(title.ok());
      EXPECT_EQ(*title, evil + " - SHG staff");
    }
  }
}

// An attacker's page on another port of 127.0.0.1 (another origin; the same
// site, so SameSite=Strict does not keep the session cookie back: the CSRF
// token is what refuses it) posts the PIN reset form.
TEST_F(DashboardBrowserTest, ACrossOriginPostWithoutTheTokenIsRefused) {
  AddStaff("ada", StaffRole::kAdmin);
  const std::string target = base_ + "/staff/members/1/pin-reset";
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.write_timeout = std::chrono::milliseconds(2000);
  attacker_ = std::make_unique<http::Server>(
      options, [target](http::Request&& request, http::Reply reply) {
        if (request.path != "/") return reply(http::Response::Text(404, "not found\n"));
        http::Response r;
        r.content_type = "text/html; charset=utf-8";
        r.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>You won a prize</title></head><body>"
                 "<form method=\"post\" action=\"" + target + "\">"
                 "<input type=\"hidden\" name=\"reason\" value=\"prize\">"
                 "<button id=\"claim\" type=\"submit\">Claim your prize</button></form>"
                 "</body></html>";
        reply(std::move(r));
      });
  ASSERT_TRUE(attacker_->Start().ok());
  const std::string attacker_url = "http://127.0.0.1:" + std::to_string(attacker_->port()) + "/";

  Session* s = SignedIn("ada", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  const int64_t audit = Count("SELECT count(*) FROM audit_log");
  const auto before = Footprint();
  ASSERT_EQ(Count("SELECT pin_must_change FROM members WHERE id = 1"), 0);

  ASSERT_TRUE(s->Navigate(attacker_url).ok());
  Status clicked = s->SubmitForm("#claim");
  ASSERT_TRUE(clicked.ok()) << clicked.ToString();
  EXPECT_EQ(*s->CurrentUrl(), target);
  // The cookie went along (same site), so it is the missing token that
  // refuses it: 403 and the error text, not the login form.
  EXPECT_EQ(ResponseStatus(*s), 403);
  EXPECT_EQ(Text(*s, "h1#page-title"), "Not allowed");
  EXPECT_NE(Text(*s, "#error").find("did not come from this site"), std::string::npos)
      << PageOf(*s);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit);
  EXPECT_EQ(Count("SELECT pin_must_change FROM members WHERE id = 1"), 0);
  EXPECT_EQ(Footprint(), before);
  Shoot(*s, "dashboard_csrf_refused.png");
  // She is still signed in: the refusal did not end her session.
  ASSERT_TRUE(s->Navigate(base_ + "/staff/").ok());
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/");
}

TEST_F(DashboardBrowserTest, AReadOnlyUsersPostIs403AndChangesNothing) {
  AddStaff("rita", StaffRole::kReadOnly);
  Session* s = SignedIn("rita", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Navigate(base_ + "/staff/members/1").ok());
  EXPECT_EQ(Text(*s, "h1#page-title"), "Amina Wekesa");
  // Her page offers no Reset PIN and no training form ...
  EXPECT_EQ(CountOf(*s, "form[name=reset-pin]"), 0u);
  EXPECT_EQ(CountOf(*s, "form[name=record-training]"), 0u);
  // ... so the test builds the PIN reset form into the page, with her own
  // valid CSRF token (from the sign-out form), and she submits it.
  const auto before = Footprint();
  Result<boost::json::value> built = s->ExecuteScript(R"js(
      const token = document.querySelector('#logout-form input[name=csrf]').value;
      const f = document.createElement('form');
      f.method = 'post';
      f.action = '/staff/members/1/pin-reset';
      const csrf = document.createElement('input');
      csrf.type = 'hidden'; csrf.name = 'csrf'; csrf.value = token;
      const b = document.createElement('button');
      b.type = 'submit'; b.id = 'forged-reset'; b.textContent = 'Reset PIN';
      f.append(csrf, b);
      document.querySelector('main').append(f);
      return token.length;)js");
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_GE(built->to_number<int64_t>(), 32) << "her session's token";
  ASSERT_TRUE(s->SubmitForm("#forged-reset").ok());
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/members/1/pin-reset");
  EXPECT_EQ(ResponseStatus(*s), 403);
  EXPECT_EQ(Text(*s, "h1#page-title"), "Not allowed");
  EXPECT_EQ(Text(*s, "#error"), "Your role may not change anything.");
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(Count("SELECT pin_must_change FROM members WHERE id = 1"), 0);
  Shoot(*s, "dashboard_read_only_403.png");
}

// The group's savings cycle (issue 11): from the group page to its cycle,
// closed, the share-out preview (screenshot) and its confirmation by
// the browser's own forms, then the printable sheet.
TEST_F(DashboardBrowserTest, AdminClosesTheCycleAndConfirmsTheShareOutFromThePreview) {
  AddStaff("ada", StaffRole::kAdmin);
  Session* s = SignedIn("ada", SessionOptions::NoJavaScript());
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Navigate(base_ + "/staff/groups/1").ok());
  ASSERT_TRUE(s->SubmitForm("a#cycle-link").ok());
  EXPECT_EQ(*s->CurrentUrl(), base_ + "/staff/groups/1/cycle");
  EXPECT_EQ(Text(*s, "#cycle-heading"), "Cycle 1: active");
  ASSERT_TRUE(s->SubmitForm("form#close-form button").ok());
  EXPECT_EQ(Text(*s, "#notice"), "The cycle is closing: no new internal loans.");
  ASSERT_TRUE(s->SubmitForm("a#share-out-link").ok());
  const int64_t savings = Count(
      "SELECT sum(balance * normal) FROM accounts WHERE group_id = 1 AND kind = 'member_savings'");
  EXPECT_EQ(Text(*s, "#total-savings"), MoneyOf(savings, "KES"));
  EXPECT_EQ(Text(*s, "#total-share"), MoneyOf(savings, "KES")) << "no income: shares = savings";
  EXPECT_EQ(CountOf(*s, "table#share-out tr[data-member]"), 19u) << "Faith has no savings";
  EXPECT_EQ(CountOf(*s, "#blockers"), 0u);
  Shoot(*s, "dashboard_share_out_preview.png");
  ExpectNoHorizontalOverflow(*s);
  ASSERT_TRUE(s->SubmitForm("#confirm-submit").ok());
  EXPECT_EQ(ResponseStatus(*s), 200);
  EXPECT_NE(Text(*s, "#notice").find("confirmed"), std::string::npos) << PageOf(*s);
  EXPECT_EQ(Count("SELECT count(*) FROM cycles WHERE group_id = 1 AND state = 'shared_out'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE kind = 'share_out'"), 19);
  ASSERT_TRUE(s->SubmitForm("a#print-link").ok());
  EXPECT_EQ(Text(*s, "#sheet-group"), "Upendo Women Group");
  EXPECT_EQ(CountOf(*s, "#nav"), 0u);
}

}  // namespace
}  // namespace shg::testing::webdriver
