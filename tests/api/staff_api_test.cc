// The staff API's core over real loopback HTTP (gateway/api/api.h): staff
// and tokens, authentication, roles, Idempotency-Key, the rate limit,
// keyset paging under concurrent writes, CSV against JSON, and the OpenAPI
// document against the routes served.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "domain/member_import.h"
#include "tests/api/staff_api_fixture.h"
#include "tests/support/log_capture.h"
#include "tests/support/net.h"

namespace shg::api_test {
namespace {

std::string Hex(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

class StaffApiTest : public StaffApiFixture {
 protected:
  // Admin creates a field officer for Upendo and her token over the API.
  std::string CreateOfficer(const std::string& name, std::vector<int64_t> groups,
                            const std::string& body_extra = "") {
    json::array g;
    for (int64_t id : groups) g.push_back(id);
    ApiResult created = client_->Post("/api/v1/staff", admin_,
                                      json::object{{"name", name},
                                                   {"display_name", "Officer " + name},
                                                   {"role", "field_officer"},
                                                   {"groups", g}});
    EXPECT_EQ(created.status, 201) << created.body;
    ApiResult token = client_->Post("/api/v1/staff/" + name + "/tokens", admin_,
                                    json::parse("{\"name\":\"laptop\"" + body_extra + "}"));
    EXPECT_EQ(token.status, 201) << token.body;
    const json::value v = token.Json();
    if (!v.is_object() || !v.as_object().at("token").is_string()) return "";
    return std::string(v.as_object().at("token").as_string());
  }
};

TEST_F(StaffApiTest, AdminCreatesAnOfficerAndHerTokenWhoseSecretIsStoredOnlyAsAHash) {
  testing::LogCapture log;
  const std::string token = CreateOfficer("wanjiku", {kUpendo});
  ASSERT_EQ(token.rfind("shg_", 0), 0u) << token;
  // shg_<12 hex public id>_<64 hex secret>
  const std::string public_id = token.substr(4, 12);
  const std::string secret = token.substr(17);
  ASSERT_EQ(secret.size(), 64u);

  ApiResult me = client_->Get("/api/v1/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().at("name"), "wanjiku");
  EXPECT_EQ(me.Json().at("role"), "field_officer");
  EXPECT_EQ(me.Json().at("groups"), json::array{kUpendo});

  // The store has SHA-256(secret) and nothing else of it.
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens WHERE public_id = '" + public_id +
                  "' AND secret_hash = " +
                  (shg::testing::OnPostgres() ? "decode('" + Hex(Sha256(secret)) + "', 'hex')"
                                         : "X'" + Hex(Sha256(secret)) + "'")),
            1);
  // The listing never shows a secret.
  ApiResult list = client_->Get("/api/v1/staff/wanjiku/tokens", admin_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  // A replay of the creation under an Idempotency-Key is without the secret.
  ApiResult first = client_->Post("/api/v1/staff/wanjiku/tokens", admin_,
                                  json::object{{"name", "phone"}}, {"Idempotency-Key: tok-1"});
  ASSERT_EQ(first.status, 201);
  ApiResult again = client_->Post("/api/v1/staff/wanjiku/tokens", admin_,
                                  json::object{{"name", "phone"}}, {"Idempotency-Key: tok-1"});
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_TRUE(again.Json().at("token").is_null());
  const std::string second_secret = std::string(first.Json().at("token").as_string()).substr(17);

  // Nowhere in the database files (main, WAL) nor the log.
  app_->Stop();
  const std::string stored = test_db_.AllContent();
  ASSERT_FALSE(stored.empty());
  for (const std::string& s : {secret, second_secret}) {
    EXPECT_EQ(stored.find(s), std::string::npos) << "secret in the database";
  }
  const std::string lines = log.Text();
  EXPECT_EQ(lines.find(secret), std::string::npos) << lines;
  EXPECT_EQ(lines.find(second_secret), std::string::npos) << lines;
}

TEST_F(StaffApiTest, MissingWrongRevokedOrExpiredTokenIs401WithWwwAuthenticate) {
  const std::string live = CreateOfficer("wanjiku", {kUpendo});
  const std::string expiring = CreateOfficer("achieng", {kUpendo}, ",\"expires_days\":1");
  const std::string revoked = MakeUser("kamau", StaffRole::kReadOnly, {});
  const std::string disabled = MakeUser("otieno", StaffRole::kReadOnly, {});
  ASSERT_EQ(client_->Get("/api/v1/me", expiring).status, 200);
  ASSERT_EQ(client_->Post("/api/v1/tokens/" + revoked.substr(4, 12) + "/revoke", admin_,
                          json::object{})
                .status,
            200);
  ASSERT_EQ(client_->Post("/api/v1/staff/otieno/disable", admin_, json::object{}).status, 200);
  std::string wrong_secret = live;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  clock_offset_ = 2 * 86400;  // past the expiring token's day

  struct Case {
    const char* what;
    std::vector<std::string> headers;
  };
  const std::vector<Case> cases = {
      {"no Authorization", {}},
      {"another scheme", {"Authorization: Basic cm9vdDpyb290"}},
      {"malformed token", {"Authorization: Bearer not-a-token"}},
      {"wrong secret", {"Authorization: Bearer " + wrong_secret}},
      {"revoked", {"Authorization: Bearer " + revoked}},
      {"expired", {"Authorization: Bearer " + expiring}},
      {"user disabled", {"Authorization: Bearer " + disabled}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    for (const char* path : {"/api/v1/me", "/api/v1/groups/1"}) {
      ApiResult r = client_->Get(path, "", c.headers);
      EXPECT_EQ(r.status, 401) << r.body;
      EXPECT_EQ(r.Header("www-authenticate").rfind("Bearer", 0), 0u) << r.Header("www-authenticate");
      EXPECT_EQ(r.Json().at("error").at("code"), "unauthenticated");
    }
    ApiResult w = client_->Call("POST", "/api/v1/groups", "", "{\"name\":\"x\"}",
                                "application/json", c.headers);
    EXPECT_EQ(w.status, 401);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM groups WHERE name = 'x'"), 0);
  EXPECT_EQ(client_->Get("/api/v1/me", live).status, 200) << "a live token still works";
}

TEST_F(StaffApiTest, EachRoleSeesAndChangesOnlyWhatItMay) {
  const std::string officer = CreateOfficer("wanjiku", {kUpendo});
  const std::string other_officer = MakeUser("nakato", StaffRole::kFieldOfficer, {kTumaini});
  const std::string reader = MakeUser("auditor", StaffRole::kReadOnly, {});
  const std::string partner = MakeUser("imara-staff", StaffRole::kPartner, {}, "imara");
  const int64_t mary = MemberId(kMaryPhone, "Mary");
  const int64_t ugandan = MemberId("+256700000003");
  const std::string csv = "name,phone\nNew Member,0733000001\n";
  const json::object new_member{{"name", "New Member"}, {"phone", "0733000002"}};

  struct Case {
    const char* who;
    const std::string& token;
    const char* method;
    std::string path;
    std::string body;  // JSON, or CSV for an import
    long want;
  };
  const std::string module = "{\"module_id\":\"s2-business-basics\"}";
  const std::vector<Case> cases = {
      // A field officer: her group only; another group is 404, as if absent.
      {"officer", officer, "GET", "/api/v1/groups/1", "", 200},
      {"officer", officer, "GET", "/api/v1/groups/2", "", 404},
      {"officer", officer, "GET", "/api/v1/groups/2/savings", "", 404},
      {"officer", officer, "GET", "/api/v1/members/" + std::to_string(ugandan), "", 404},
      {"officer", officer, "GET", "/api/v1/members/" + std::to_string(ugandan) + "/training", "",
       404},
      {"officer", officer, "POST", "/api/v1/members/" + std::to_string(ugandan) + "/training",
       module, 404},
      {"officer", officer, "POST", "/api/v1/groups/2/members/import", csv, 404},
      {"officer", officer, "POST", "/api/v1/groups/2/members", json::serialize(new_member), 404},
      {"officer", officer, "POST", "/api/v1/savings/1/reversal", "{\"reason\":\"x\"}", 403},
      {"officer", officer, "GET", "/api/v1/staff", "", 403},
      // Tumaini is another officer's group: each sees her own only.
      {"other officer", other_officer, "GET", "/api/v1/groups/2", "", 200},
      {"other officer", other_officer, "GET", "/api/v1/groups/1", "", 404},
      {"other officer", other_officer, "GET", "/api/v1/members/" + std::to_string(mary), "", 404},
      {"other officer", other_officer, "POST", "/api/v1/groups/1/members/import", csv, 404},
      {"other officer", other_officer, "POST", "/api/v1/groups/1/training",
       "{\"module_id\":\"s2-business-basics\",\"member_ids\":[" + std::to_string(mary) + "]}", 404},
      // Read-only: reads everything, writes nothing.
      {"read_only", reader, "GET", "/api/v1/groups/2", "", 200},
      {"read_only", reader, "GET", "/api/v1/members/" + std::to_string(mary) + "/training", "", 200},
      {"read_only", reader, "GET", "/api/v1/groups/1/savings", "", 200},
      {"read_only", reader, "GET", "/api/v1/training/modules", "", 200},
      {"read_only", reader, "POST", "/api/v1/groups/1/members", json::serialize(new_member), 403},
      {"read_only", reader, "POST", "/api/v1/groups/1/members/import", csv, 403},
      {"read_only", reader, "POST", "/api/v1/members/" + std::to_string(mary) + "/training",
       module, 403},
      {"read_only", reader, "POST", "/api/v1/groups/1/training",
       "{\"module_id\":\"s2-business-basics\",\"member_ids\":[" + std::to_string(mary) + "]}", 403},
      {"read_only", reader, "POST", "/api/v1/savings/1/reversal", "{\"reason\":\"x\"}", 403},
      {"read_only", reader, "PATCH", "/api/v1/groups/1", "{\"name\":\"x\"}", 403},
      // A partner: loans only.
      {"partner", partner, "GET", "/api/v1/groups", "", 403},
      {"partner", partner, "GET", "/api/v1/groups/1", "", 403},
      {"partner", partner, "GET", "/api/v1/members/" + std::to_string(mary), "", 403},
      {"partner", partner, "GET", "/api/v1/training/modules", "", 403},
      {"partner", partner, "GET", "/api/v1/groups/1/savings", "", 403},
      {"partner", partner, "POST", "/api/v1/groups/1/members/import", csv, 403},
      {"partner", partner, "POST", "/api/v1/savings/1/reversal", "{\"reason\":\"x\"}", 403},
  };
  const int64_t members = Count("SELECT count(*) FROM members");
  const int64_t records = Count("SELECT count(*) FROM training_records");
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.who) + " " + c.method + " " + c.path);
    const bool is_csv = c.path.find("/import") != std::string::npos;
    ApiResult r = c.method == std::string("GET")
                      ? client_->Get(c.path, c.token)
                      : client_->Call(c.method, c.path, c.token, c.body,
                                      is_csv ? "text/csv" : "application/json");
    EXPECT_EQ(r.status, c.want) << r.body;
    if (c.want >= 400) {
      EXPECT_TRUE(r.Json().at("error").is_object()) << r.body;
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM members"), members) << "no refused call wrote";
  EXPECT_EQ(Count("SELECT count(*) FROM training_records"), records);
  EXPECT_EQ(Count("SELECT count(*) FROM journals WHERE kind = 'reversal'"), 0);

  // A field officer's lists hold her groups only.
  ApiResult groups = client_->Get("/api/v1/groups", officer);
  ASSERT_EQ(groups.status, 200);
  ASSERT_EQ(groups.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(groups.Json().at("data").at(0).at("name"), "Upendo Women Group");
  EXPECT_EQ(groups.Json().at("data").at(0).at("id"), kUpendo);
}

TEST_F(StaffApiTest, AnIdempotencyKeyReplaysTheFirstAnswerAndRefusesAnotherBody) {
  const std::string officer = CreateOfficer("wanjiku", {kUpendo});
  const json::object neema{{"name", "Neema Idem"}, {"phone", "0722000001"}};
  const std::vector<std::string> key = {"Idempotency-Key: member-neema-1"};
  ApiResult first = client_->Post("/api/v1/groups/1/members", officer, neema, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Header("idempotent-replayed"), "");
  ApiResult again = client_->Post("/api/v1/groups/1/members", officer, neema, key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(again.Json(), first.Json());
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE name = 'Neema Idem'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'member.added'"), 1);

  ApiResult other = client_->Post("/api/v1/groups/1/members", officer,
                                  json::object{{"name", "Other"}, {"phone", "0722000002"}}, key);
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(other.Json().at("error").at("field"), "Idempotency-Key");
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE name = 'Other'"), 0);

  // A CSV body is part of what the key promises, like a JSON one.
  const std::vector<std::string> csv_key = {"Idempotency-Key: import-1"};
  ApiResult imported = client_->Call("POST", "/api/v1/groups/1/members/import", officer,
                                     "name,phone\nZawadi,0722000003\n", "text/csv", csv_key);
  ASSERT_EQ(imported.status, 201) << imported.body;
  ApiResult replay = client_->Call("POST", "/api/v1/groups/1/members/import", officer,
                                   "name,phone\nZawadi,0722000003\n", "text/csv", csv_key);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  ApiResult changed = client_->Call("POST", "/api/v1/groups/1/members/import", officer,
                                    "name,phone\nZuhura,0722000004\n", "text/csv", csv_key);
  EXPECT_EQ(changed.status, 422) << changed.body;
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE name IN ('Zawadi', 'Zuhura')"), 1);

  // Keys are per staff user: the admin's same key is hers alone.
  ApiResult admins = client_->Post("/api/v1/groups/1/members", admin_, neema, key);
  EXPECT_EQ(admins.status, 409) << "a new call (the same woman twice), not a replay";
  EXPECT_EQ(admins.Header("idempotent-replayed"), "");
}

class RateLimitedApiTest : public StaffApiTest {
 protected:
  RateLimitedApiTest() { settings_.api_requests_per_minute = 3; }
};

TEST_F(RateLimitedApiTest, TheTokensBucketEmptiesInto429WithRetryAfter) {
  const std::string other = MakeUser("auditor", StaffRole::kReadOnly, {});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client_->Get("/api/v1/me", admin_).status, 200) << i;
  ApiResult limited = client_->Get("/api/v1/me", admin_);
  EXPECT_EQ(limited.status, 429) << limited.body;
  const std::string retry = limited.Header("retry-after");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 60);
  EXPECT_EQ(limited.Json().at("error").at("code"), "rate_limited");
  // Writes are limited too, and nothing is written.
  ApiResult write = client_->Post("/api/v1/groups", admin_,
                                  json::object{{"name", "Late"}, {"country", "KE"}, {"currency", "KES"}});
  EXPECT_EQ(write.status, 429);
  EXPECT_EQ(Count("SELECT count(*) FROM groups WHERE name = 'Late'"), 0);
  // Per token: another token still has its own.
  EXPECT_EQ(client_->Get("/api/v1/me", other).status, 200);
}

TEST_F(StaffApiTest, CursorPagesSeeEachExistingMemberOnceWhileMembersAreAdded) {
  constexpr int kExisting = 10000;
  int64_t group_id = 0;
  std::set<int64_t> existing;
  ASSERT_TRUE(app_->store()
                  .Run([&](store::Connection& conn) -> Status {
                    DomainContext ctx{&app_->pins(), 3, Now()};
                    Services svc(conn, ctx);
                    Group g;
                    g.name = "Big Group";
                    g.country = "KE";
                    g.currency = "KES";
                    auto gid = svc.AddGroup(g);
                    if (!gid.ok()) return gid.status();
                    group_id = *gid;
                    for (int i = 0; i < kExisting; ++i) {
                      Member m;
                      m.group_id = group_id;
                      m.name = "Big Member " + std::to_string(i);
                      m.phone = "+25472" + std::to_string(1000000 + i);
                      auto id = svc.AddMember(m);
                      if (!id.ok()) return id.status();
                      existing.insert(*id);
                    }
                    return Status::Ok();
                  })
                  .ok());

  // Members keep arriving (small commits) while the pages are read.
  std::atomic<bool> stop{false};
  std::atomic<bool> adder_done{false};
  std::atomic<int> added{0};
  std::thread adder([&] {
    struct Done {
      std::atomic<bool>& flag;
      ~Done() { flag = true; }
    } done{adder_done};
    for (int batch = 0; batch < 400 && !stop; ++batch) {
      Status s = app_->store().Run([&](store::Connection& conn) -> Status {
        DomainContext ctx{&app_->pins(), 3, Now()};
        Services svc(conn, ctx);
        for (int i = 0; i < 25; ++i) {
          Member m;
          m.group_id = group_id;
          const int n = added + i;
          m.name = "Late Member " + std::to_string(n);
          m.phone = "+25473" + std::to_string(1000000 + n);
          auto id = svc.AddMember(m);
          if (!id.ok()) return id.status();
        }
        return Status::Ok();
      });
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        return;
      }
      added += 25;
    }
  });
  // Each page waits for members committed since the last one, so adds and
  // reads interleave whatever the machine's speed.
  auto more_added = [&](int since) {
    return testing::WaitFor([&] { return added > since || adder_done; },
                            std::chrono::seconds(10));
  };
  ASSERT_TRUE(more_added(0));

  std::map<int64_t, int> seen;
  std::string cursor;
  int pages = 0;
  const int added_before = added;
  do {
    const int before_page = added;
    ApiResult page = client_->Get("/api/v1/members?group=" + std::to_string(group_id) +
                                      "&limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor),
                                  admin_);
    ASSERT_EQ(page.status, 200) << page.body;
    const json::value v = page.Json();
    for (const json::value& row : v.at("data").as_array()) ++seen[row.at("id").as_int64()];
    cursor = v.at("next_cursor").is_null() ? "" : std::string(v.at("next_cursor").as_string());
    ASSERT_LT(++pages, 100);
    ASSERT_TRUE(more_added(before_page));
  } while (!cursor.empty());
  const int added_after = added;
  stop = true;
  adder.join();

  EXPECT_GE(added_after - added_before, 25 * 20) << "members were added while the pages were read";
  for (int64_t id : existing) {
    auto it = seen.find(id);
    ASSERT_NE(it, seen.end()) << "member " << id << " missed";
    ASSERT_EQ(it->second, 1) << "member " << id << " seen twice";
  }
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << "member " << id;
  EXPECT_GE(seen.size(), existing.size());
}

// A CSV cell as the API writes it for a JSON value.
std::string CellOf(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "";
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return json::serialize(v);
}

TEST_F(StaffApiTest, ACsvListHasTheSameRowsAsItsJson) {
  ASSERT_TRUE(app_->store()
                  .Run([&](store::Connection& conn) -> Status {
                    // A name a spreadsheet must not misread: comma, quote.
                    DomainContext ctx{&app_->pins(), 3, Now()};
                    Member m;
                    m.group_id = kUpendo;
                    m.name = "Akinyi \"Aki\", Jr";
                    m.phone = "+254744000001";
                    return Services(conn, ctx).AddMember(m).status();
                  })
                  .ok());
  struct Case {
    std::string path;
    std::vector<std::string> csv_headers;
    std::string csv_path;
  };
  const std::vector<Case> cases = {
      {"/api/v1/members?group=1&limit=500", {}, "/api/v1/members.csv?group=1&limit=500"},
      {"/api/v1/groups/1/savings?status=all&limit=500", {"Accept: text/csv"},
       "/api/v1/groups/1/savings?status=all&limit=500"},
      {"/api/v1/training/modules", {}, "/api/v1/training/modules.csv"},
      {"/api/v1/groups", {}, "/api/v1/groups.csv"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    ApiResult j = client_->Get(c.path, admin_);
    ApiResult s = client_->Get(c.csv_path, admin_, c.csv_headers);
    ASSERT_EQ(j.status, 200) << j.body;
    ASSERT_EQ(s.status, 200) << s.body;
    EXPECT_EQ(s.Header("content-type").rfind("text/csv", 0), 0u);
    int error_row = 0;
    std::string error;
    const auto records = ParseCsv(s.body, &error_row, &error);
    ASSERT_EQ(error_row, 0) << error;
    const json::array& rows = j.Json().at("data").as_array();
    ASSERT_EQ(records.size(), rows.size() + 1);
    ASSERT_GT(rows.size(), 0u);
    const std::vector<std::string>& header = records[0];
    EXPECT_EQ(header.size(), rows[0].as_object().size());
    for (size_t r = 0; r < rows.size(); ++r) {
      ASSERT_EQ(records[r + 1].size(), header.size()) << "row " << r;
      for (size_t c2 = 0; c2 < header.size(); ++c2) {
        const json::value* v = rows[r].as_object().if_contains(header[c2]);
        ASSERT_NE(v, nullptr) << header[c2];
        EXPECT_EQ(records[r + 1][c2], CellOf(*v)) << "row " << r << " column " << header[c2];
      }
    }
  }
}

TEST_F(StaffApiTest, TheOpenApiDocumentListsExactlyTheRoutesServed) {
  ApiResult doc = client_->Get("/api/v1/openapi.json", "");
  ASSERT_EQ(doc.status, 200) << doc.body;
  const json::value v = doc.Json();
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("servers").at(0).at("url"), "/api/v1");
  std::set<std::string> documented;
  for (const auto& path : v.at("paths").as_object()) {
    for (const auto& op : path.value().as_object()) {
      std::string method(op.key());
      for (char& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(method + " /api/v1" + std::string(path.key()));
      // Every {name} of the path is a declared path parameter.
      std::string_view p = path.key();
      for (size_t open = p.find('{'); open != std::string_view::npos; open = p.find('{', open + 1)) {
        const std::string name(p.substr(open + 1, p.find('}', open) - open - 1));
        bool declared = false;
        for (const json::value& param : op.value().at("parameters").as_array()) {
          declared = declared || (param.at("in") == "path" && param.at("name") == name.c_str());
        }
        EXPECT_TRUE(declared) << method << " " << p << " {" << name << "}";
      }
    }
  }
  const std::vector<std::string> list = app_->staff_api().RouteList();
  const std::set<std::string> served(list.begin(), list.end());
  EXPECT_EQ(served.size(), list.size()) << "a route is registered twice";
  for (const std::string& r : served) {
    EXPECT_TRUE(documented.count(r)) << "served, not documented: " << r;
  }
  for (const std::string& d : documented) {
    EXPECT_TRUE(served.count(d)) << "documented, not served: " << d;
  }
}

}  // namespace
}  // namespace shg::api_test
