// POST /api/v1/groups/{id}/members/import over real loopback HTTP: a field
// officer registers a new group of 20 from a spreadsheet. The dry run names
// the two bad rows and columns and writes nothing; the file with them is
// refused whole (422, nothing written); the fixed file commits all 20 with
// one audit row.
#include <gtest/gtest.h>

#include "domain/member_import.h"
#include "tests/api/staff_api_fixture.h"

namespace shg::api_test {
namespace {

class ImportRoutesTest : public StaffApiFixture {
 protected:
  void SetUp() override {
    StaffApiFixture::SetUp();
    ASSERT_EQ(client_->Post("/api/v1/staff", admin_,
                            json::object{{"name", "wanjiku"}, {"role", "field_officer"}})
                  .status,
              201);
    ApiResult t = client_->Post("/api/v1/staff/wanjiku/tokens", admin_, json::object{});
    ASSERT_EQ(t.status, 201) << t.body;
    officer_ = std::string(t.Json().at("token").as_string());
    // She forms the group herself (and so is assigned to it).
    ApiResult g = client_->Post("/api/v1/groups", officer_,
                                json::object{{"name", "Imani Women Group"},
                                             {"country", "KE"},
                                             {"currency", "KES"},
                                             {"meeting_day", "Friday"}});
    ASSERT_EQ(g.status, 201) << g.body;
    group_ = g.Json().at("id").as_int64();
    path_ = "/api/v1/groups/" + std::to_string(group_) + "/members/import";
  }

  // The group's 20 members as a spreadsheet exports them: CRLF, a BOM,
  // columns in its own order, quoted names. `bad` puts a Ugandan number on
  // row 6 and French on row 15.
  static std::string File(bool bad) {
    std::string csv = "\xEF\xBB\xBFLanguage,Name,Phone,Role\r\n";
    for (int i = 0; i < 20; ++i) {
      const int row = i + 2;
      std::string language = (i % 3 == 0) ? "sw" : "en";
      std::string name = "Member " + std::to_string(i + 1);
      if (i == 0) name = "\"Atieno, Rose\"";
      if (i == 1) name = "\"Nekesa \"\"Mama Brian\"\" Wafula\"";
      std::string phone = "0745 0000" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
      std::string role = i == 2 ? "Treasurer" : i == 3 ? "chair" : "";
      if (bad && row == 6) phone = "+256 700 123456";
      if (bad && row == 15) language = "fr";
      csv += language + "," + name + "," + phone + "," + role + "\r\n";
    }
    return csv;
  }

  int64_t Members() {
    return Count("SELECT count(*) FROM members WHERE group_id = " + std::to_string(group_));
  }
  int64_t ImportAudits() {
    return Count("SELECT count(*) FROM audit_log WHERE action = 'member.imported'");
  }

  std::string officer_;
  int64_t group_ = 0;
  std::string path_;
};

std::vector<std::pair<int64_t, std::string>> RowsAndColumns(const json::value& body) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const json::value& e : body.at("errors").as_array()) {
    out.emplace_back(e.at("row").as_int64(), std::string(e.at("column").as_string()));
  }
  return out;
}

TEST_F(ImportRoutesTest, DryRunNamesTheBadRowsThenTheFixedFileCommitsAllTwenty) {
  const std::vector<std::pair<int64_t, std::string>> bad_cells = {{6, "phone"}, {15, "language"}};
  ASSERT_EQ(Members(), 0);

  ApiResult dry = client_->PostCsv(path_ + "?dry_run=true", officer_, File(true));
  ASSERT_EQ(dry.status, 200) << dry.body;
  const json::value d = dry.Json();
  EXPECT_EQ(d.at("dry_run"), true);
  EXPECT_EQ(d.at("rows"), 20);
  EXPECT_EQ(d.at("valid"), false);
  EXPECT_EQ(RowsAndColumns(d), bad_cells) << dry.body;
  EXPECT_EQ(d.at("errors").at(0).at("value"), "+256 700 123456");
  EXPECT_EQ(d.at("errors").at(1).at("value"), "fr");
  EXPECT_EQ(Members(), 0) << "a dry run writes nothing";
  EXPECT_EQ(ImportAudits(), 0);

  // Without dry_run the same file is refused whole.
  ApiResult refused = client_->PostCsv(path_, officer_, File(true));
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Json().at("error").at("code"), "invalid_file");
  EXPECT_EQ(RowsAndColumns(refused.Json()), bad_cells);
  EXPECT_EQ(Members(), 0) << "all or nothing";
  EXPECT_EQ(ImportAudits(), 0);

  // The fixed file: the dry run says valid, the import commits all 20.
  ApiResult ok_dry = client_->PostCsv(path_ + "?dry_run=true", officer_, File(false));
  ASSERT_EQ(ok_dry.status, 200);
  EXPECT_EQ(ok_dry.Json().at("valid"), true);
  EXPECT_TRUE(ok_dry.Json().at("errors").as_array().empty());
  EXPECT_EQ(Members(), 0);

  ApiResult imported = client_->PostCsv(path_, officer_, File(false));
  ASSERT_EQ(imported.status, 201) << imported.body;
  const json::value i = imported.Json();
  EXPECT_EQ(i.at("imported"), 20);
  const json::array& members = i.at("members").as_array();
  ASSERT_EQ(members.size(), 20u);
  EXPECT_EQ(members[0].at("row"), 2);
  EXPECT_EQ(members[0].at("name"), "Atieno, Rose");
  EXPECT_EQ(members[1].at("name"), "Nekesa \"Mama Brian\" Wafula");
  EXPECT_EQ(members[19].at("row"), 21);
  EXPECT_EQ(Members(), 20);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE group_id = " + std::to_string(group_) +
                  " AND role = 'treasurer' AND phone = '+254745000003'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE group_id = " + std::to_string(group_) +
                  " AND language = 'sw'"),
            7);
  // Every member has her accounts, like one registered alone.
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE group_id = " + std::to_string(group_) +
                  " AND member_id IS NOT NULL"),
            40);
  // One audit row for the import, with the count and the token behind it.
  EXPECT_EQ(ImportAudits(), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'member.imported'"
                  " AND actor = 'wanjiku' AND subject = 'group:" +
                  std::to_string(group_) + "' AND detail = 'count=20' AND channel = 'api'"
                  " AND token_id IS NOT NULL AND token_id > 0"),
            1);
  ApiResult group = client_->Get("/api/v1/groups/" + std::to_string(group_), officer_);
  EXPECT_EQ(group.Json().at("members"), 20);

  // The same file again: every row is already in the group; nothing written.
  ApiResult twice = client_->PostCsv(path_, officer_, File(false));
  ASSERT_EQ(twice.status, 422) << twice.body;
  ASSERT_EQ(twice.Json().at("errors").as_array().size(), 20u);
  for (const json::value& e : twice.Json().at("errors").as_array()) {
    EXPECT_EQ(e.at("column"), "phone");
  }
  EXPECT_EQ(Members(), 20);
  EXPECT_EQ(ImportAudits(), 1);
}

TEST_F(ImportRoutesTest, RequestsThatAreNotAFileImportAreRefusedBeforeAnyRow) {
  struct Case {
    const char* what;
    std::string query;
    std::string content_type;
    std::string body;
    long want;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"not text/csv", "", "application/json", "{\"name\":\"x\"}", 415, "Content-Type"},
      {"dry_run neither true nor false", "?dry_run=yes", "text/csv", "name,phone\n", 400,
       "dry_run"},
      {"text/csv with a charset is fine", "?dry_run=true", "text/csv; charset=utf-8",
       "name,phone\nJane,0745999001\n", 200, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ApiResult r = client_->Call("POST", path_ + c.query, officer_, c.body, c.content_type);
    EXPECT_EQ(r.status, c.want) << r.body;
    if (*c.field != '\0') {
      EXPECT_EQ(r.Json().at("error").at("field"), c.field);
    }
  }
  // Past the cap (5,000 members): one error at the first row too many.
  std::string big = "name,phone\n";
  for (int i = 0; i <= kMaxImportRows; ++i) {
    big += "Member " + std::to_string(i) + ",+2547" + std::to_string(20000000 + i) + "\n";
  }
  ApiResult too_many = client_->PostCsv(path_, officer_, big);
  ASSERT_EQ(too_many.status, 422) << too_many.body.substr(0, 300);
  ASSERT_EQ(too_many.Json().at("errors").as_array().size(), 1u);
  EXPECT_EQ(too_many.Json().at("errors").at(0).at("row"), kMaxImportRows + 2);
  ApiResult unknown = client_->PostCsv("/api/v1/groups/99999/members/import", admin_,
                                       "name,phone\nJane,0745999001\n");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Members(), 0);
}

TEST_F(ImportRoutesTest, AFileCheckedAgainstTheGroupsCountryAndMembers) {
  // A Ugandan group: Kenyan numbers are of another country; a member
  // already in the group (same phone and name) is a duplicate, another
  // name on her phone is not.
  ApiResult r = client_->PostCsv(
      "/api/v1/groups/" + std::to_string(kTumaini) + "/members/import?dry_run=true", admin_,
      "name,phone\nSarah,+254712000001\nJoy,+256700000001\n" + std::string("Nakato,0700000099\n"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto cells = RowsAndColumns(r.Json());
  ASSERT_EQ(cells.size(), 1u) << r.body;
  EXPECT_EQ(cells[0], std::make_pair(int64_t{2}, std::string("phone")));
  EXPECT_NE(std::string(r.Json().at("errors").at(0).at("message").as_string()).find("UG"),
            std::string::npos);

  const std::string amina = "name,phone\n  amina   WEKESA ,0700000001\n";
  ApiResult dup = client_->PostCsv("/api/v1/groups/1/members/import?dry_run=true", admin_, amina);
  ASSERT_EQ(dup.status, 200);
  EXPECT_EQ(RowsAndColumns(dup.Json()), (std::vector<std::pair<int64_t, std::string>>{{2, "phone"}}));
}

}  // namespace
}  // namespace shg::api_test
