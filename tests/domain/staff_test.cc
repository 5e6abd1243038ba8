// Staff users, API tokens, dashboard sessions, passwords and idempotency
// records (domain/staff.h, domain/password.h) on a real SQLite file.
#include "domain/staff.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "domain/password.h"
#include "domain/services.h"
#include "domain/store/store.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

class StaffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so;
    so = db_.Options();
    auto s = store::Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(Write([&](Staff&, Services& svc) -> Status {
                  Group g;
                  g.name = "Upendo";
                  g.country = "KE";
                  g.currency = "KES";
                  auto id = svc.AddGroup(g);
                  if (!id.ok()) return id.status();
                  group_ = *id;
                  auto other = svc.AddGroup(g);
                  if (!other.ok()) return other.status();
                  other_group_ = *other;
                  return Status::Ok();
                }).ok());
  }

  template <typename F>
  Status Write(F&& body) {
    return store_->Run([&](store::Connection& conn) -> Status {
      DomainContext ctx{&pins_, 3, now_};
      Services svc(conn, ctx);
      Staff staff(conn, now_);
      return body(staff, svc);
    });
  }
  Staff Reader() { return Staff(store_->Reader(), now_); }

  int64_t AddUser(const std::string& name, StaffRole role, const std::string& password = "",
                  const std::string& partner = "") {
    int64_t id = 0;
    Status s = Write([&](Staff& staff, Services&) -> Status {
      StaffUser u;
      u.name = name;
      u.role = role;
      u.partner_id = partner;
      auto r = staff.Add(u, password);
      if (!r.ok()) return r.status();
      id = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  IssuedToken NewToken(int64_t staff_id, int64_t expires_at = 0) {
    IssuedToken t;
    Status s = Write([&](Staff& staff, Services&) -> Status {
      auto r = staff.CreateToken(staff_id, "laptop", expires_at);
      if (!r.ok()) return r.status();
      t = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return t;
  }

  std::string DatabaseBytes() { return db_.AllContent(); }

  shg::testing::TestDatabase db_;
  PinHasher pins_{"staff-test-pepper-0123456789"};
  int64_t now_ = 1'800'000'000;
  std::unique_ptr<store::Store> store_;
  int64_t group_ = 0, other_group_ = 0;
};

TEST(PasswordTest, VerifiesItsOwnHashAndRefusesOthers) {
  const std::string h = HashPassword("correct horse battery", 1000);
  EXPECT_EQ(h.rfind("pbkdf2-sha256$1000$", 0), 0u) << h;
  EXPECT_TRUE(VerifyPassword("correct horse battery", h));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", h));
  EXPECT_FALSE(VerifyPassword("", h));
  EXPECT_NE(HashPassword("correct horse battery", 1000), h) << "a new salt each time";
  for (const char* bad : {"", "pbkdf2-sha256", "md5$1000$00$00", "pbkdf2-sha256$x$00$00",
                          "pbkdf2-sha256$0$00$00", "pbkdf2-sha256$1000$zz$00"}) {
    EXPECT_FALSE(VerifyPassword("x", bad)) << bad;
  }
}

TEST_F(StaffTest, TokenAuthenticatesItsUserAndOnlyItsHashIsStored) {
  const int64_t id = AddUser("wanjiku", StaffRole::kFieldOfficer);
  ASSERT_TRUE(Write([&](Staff& staff, Services&) { return staff.AssignGroup(id, group_); }).ok());
  IssuedToken t = NewToken(id);
  ASSERT_EQ(t.token.rfind("shg_" + t.public_id + "_", 0), 0u);
  auto p = Reader().Authenticate(t.token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user.name, "wanjiku");
  EXPECT_EQ(p->token_id, t.id);
  EXPECT_TRUE(p->MaySeeGroup(group_));
  EXPECT_FALSE(p->MaySeeGroup(other_group_));
  const std::string secret = t.token.substr(t.token.rfind('_') + 1);
  EXPECT_EQ(DatabaseBytes().find(secret), std::string::npos) << "the secret is stored";
}

TEST_F(StaffTest, EveryBadTokenIsRefusedAlike) {
  const int64_t id = AddUser("amina", StaffRole::kAdmin);
  IssuedToken live = NewToken(id);
  IssuedToken revoked = NewToken(id);
  IssuedToken expiring = NewToken(id, now_ + 60);
  ASSERT_TRUE(Write([&](Staff& s, Services&) { return s.RevokeToken(revoked.public_id); }).ok());
  std::string wrong_secret = live.token;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  std::string upper = live.token;
  upper.back() = 'F';  // upper-case hex is not how tokens are written
  struct Case {
    const char* what;
    std::string token;
  } cases[] = {{"empty", ""},
               {"garbage", "hello"},
               {"no prefix", live.token.substr(4)},
               {"wrong secret", wrong_secret},
               {"not lower hex", upper},
               {"revoked", revoked.token},
               {"truncated", live.token.substr(0, live.token.size() - 1)}};
  for (const Case& c : cases) {
    auto p = Reader().Authenticate(c.token);
    ASSERT_FALSE(p.ok()) << c.what;
    EXPECT_EQ(p.status().code(), Status::Code::kUnauthenticated) << c.what;
    EXPECT_EQ(p.status().message(), "invalid or expired token") << c.what;
  }
  EXPECT_TRUE(Reader().Authenticate(expiring.token).ok());
  now_ += 61;
  EXPECT_EQ(Reader().Authenticate(expiring.token).status().code(),
            Status::Code::kUnauthenticated);
  EXPECT_TRUE(Reader().Authenticate(live.token).ok());
}

TEST_F(StaffTest, DisablingAUserRevokesHerTokensAndSessions) {
  const int64_t id = AddUser("grace", StaffRole::kReadOnly, "long enough password");
  IssuedToken t = NewToken(id);
  OpenedSession session;
  ASSERT_TRUE(Write([&](Staff& s, Services&) -> Status {
                auto o = s.OpenSession(id);
                if (!o.ok()) return o.status();
                session = *o;
                return Status::Ok();
              }).ok());
  ASSERT_TRUE(Reader().ResumeSession(session.cookie, {}).ok());
  ASSERT_TRUE(Write([&](Staff& s, Services&) { return s.Disable("grace"); }).ok());
  EXPECT_FALSE(Reader().Authenticate(t.token).ok());
  EXPECT_FALSE(Reader().ResumeSession(session.cookie, {}).ok());
  EXPECT_FALSE(Reader().SignIn("grace", "long enough password").ok());
  auto tokens = Reader().Tokens(id);
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_NE((*tokens)[0].revoked_at, 0);
  // A new token for a disabled user is refused.
  EXPECT_EQ(Write([&](Staff& s, Services&) { return s.CreateToken(id, "", 0).status(); }).code(),
            Status::Code::kFailedPrecondition);
}

TEST_F(StaffTest, SignInChecksThePasswordAndSessionsExpire) {
  const int64_t id = AddUser("halima", StaffRole::kAdmin, "a long password here");
  EXPECT_TRUE(Reader().SignIn("halima", "a long password here").ok());
  EXPECT_EQ(Reader().SignIn("halima", "a long password HERE").status().code(),
            Status::Code::kUnauthenticated);
  EXPECT_EQ(Reader().SignIn("nobody", "a long password here").status().message(),
            Reader().SignIn("halima", "wrong").status().message());
  AddUser("tokens.only", StaffRole::kAdmin);
  EXPECT_FALSE(Reader().SignIn("tokens.only", "").ok());

  OpenedSession s;
  ASSERT_TRUE(Write([&](Staff& staff, Services&) -> Status {
                auto o = staff.OpenSession(id);
                if (!o.ok()) return o.status();
                s = *o;
                return Status::Ok();
              }).ok());
  SessionLimits limits{600, 3600};
  auto resumed = Reader().ResumeSession(s.cookie, limits);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->second, s.csrf);
  EXPECT_EQ(DatabaseBytes().find(s.cookie), std::string::npos) << "the cookie is stored";
  // Activity keeps it alive up to the absolute limit.
  for (int i = 0; i < 5; ++i) {
    now_ += 500;
    ASSERT_TRUE(Reader().ResumeSession(s.cookie, limits).ok()) << i;
    ASSERT_TRUE(Write([&](Staff& staff, Services&) { return staff.TouchSession(s.cookie); }).ok());
  }
  now_ += 700;  // 3,200 s old, 700 s idle
  EXPECT_FALSE(Reader().ResumeSession(s.cookie, limits).ok()) << "idle";
  now_ -= 200;  // 500 s idle: still inside
  ASSERT_TRUE(Reader().ResumeSession(s.cookie, limits).ok());
  ASSERT_TRUE(Write([&](Staff& staff, Services&) { return staff.TouchSession(s.cookie); }).ok());
  now_ += 550;  // 3,550 s old
  ASSERT_TRUE(Reader().ResumeSession(s.cookie, limits).ok());
  ASSERT_TRUE(Write([&](Staff& staff, Services&) { return staff.TouchSession(s.cookie); }).ok());
  now_ += 100;  // 100 s idle, but 3,650 s old
  EXPECT_FALSE(Reader().ResumeSession(s.cookie, limits).ok()) << "absolute";
}

TEST_F(StaffTest, EndedSessionIsRefused) {
  const int64_t id = AddUser("joy", StaffRole::kAdmin);
  OpenedSession s;
  ASSERT_TRUE(Write([&](Staff& staff, Services&) -> Status {
                auto o = staff.OpenSession(id);
                if (!o.ok()) return o.status();
                s = *o;
                return staff.EndSession(s.cookie);
              }).ok());
  EXPECT_FALSE(Reader().ResumeSession(s.cookie, {}).ok());
  EXPECT_FALSE(Reader().ResumeSession("not-a-cookie", {}).ok());
}

TEST_F(StaffTest, NewUsersAreChecked) {
  struct Case {
    const char* what;
    std::string name;
    StaffRole role;
    std::string partner, password;
    std::string field;  // "" = accepted
  } cases[] = {
      {"ok", "rose", StaffRole::kFieldOfficer, "", "", ""},
      {"upper case", "Rose", StaffRole::kAdmin, "", "", "name"},
      {"space", "rose k", StaffRole::kAdmin, "", "", "name"},
      {"empty", "", StaffRole::kAdmin, "", "", "name"},
      {"partner without MFI", "imara", StaffRole::kPartner, "", "", "partner_id"},
      {"MFI on an admin", "adm", StaffRole::kAdmin, "imara", "", "partner_id"},
      {"short password", "pw", StaffRole::kAdmin, "", "short", "password"},
      {"partner", "imara.api", StaffRole::kPartner, "imara", "", ""},
      {"taken", "rose", StaffRole::kAdmin, "", "", "name"},
  };
  for (const Case& c : cases) {
    Status s = Write([&](Staff& staff, Services&) -> Status {
      StaffUser u;
      u.name = c.name;
      u.role = c.role;
      u.partner_id = c.partner;
      return staff.Add(u, c.password).status();
    });
    if (c.field.empty()) {
      EXPECT_TRUE(s.ok()) << c.what << ": " << s.ToString();
    } else {
      EXPECT_FALSE(s.ok()) << c.what;
      EXPECT_EQ(s.message().rfind(c.field + ": ", 0), 0u) << c.what << ": " << s.message();
    }
  }
  // Only field officers are assigned groups.
  const int64_t admin = AddUser("admin2", StaffRole::kAdmin);
  EXPECT_EQ(Write([&](Staff& s, Services&) { return s.AssignGroup(admin, group_); }).code(),
            Status::Code::kInvalidArgument);
}

TEST_F(StaffTest, AnIdempotencyKeyKeepsItsFirstAnswer) {
  const int64_t id = AddUser("amina", StaffRole::kAdmin);
  StoredAnswer a{Sha256("POST /api/v1/groups\n\n{}"), 201, "application/json", "{\"id\":3}"};
  ASSERT_TRUE(Write([&](Staff& s, Services&) { return s.StoreAnswer(id, "k1", a); }).ok());
  auto found = Reader().FindAnswer(id, "k1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->status, 201);
  EXPECT_EQ((*found)->body, "{\"id\":3}");
  EXPECT_EQ((*found)->request_hash, a.request_hash);
  EXPECT_FALSE(Reader().FindAnswer(id + 1, "k1")->has_value()) << "keys are per user";
  EXPECT_EQ(Write([&](Staff& s, Services&) { return s.StoreAnswer(id, "k1", a); }).code(),
            Status::Code::kAlreadyExists);
}

}  // namespace
}  // namespace shg
