// Training over real loopback HTTP: a field officer records the step-2
// modules Mary (demo data: step 1 only) is missing, and Mary's USSD
// "3. Request loan", refused for training before, then opens on the same App.
#include <gtest/gtest.h>

#include "tests/api/staff_api_fixture.h"

namespace shg::api_test {
namespace {

const char kNotTrained[] =
    "END You can request a loan after completing business training (steps 1 and 2).";

class TrainingRoutesTest : public StaffApiFixture {
 protected:
  // Mary has 3 confirmed savings: the programme here asks for 3, so that
  // training is all she lacks.
  TrainingRoutesTest() { settings_.loans.min_confirmed_savings = 3; }

  void SetUp() override {
    StaffApiFixture::SetUp();
    officer_ = MakeUser("wanjiku", StaffRole::kFieldOfficer, {kUpendo});
    mary_ = MemberId(kMaryPhone, "Mary");
  }

  std::string MaryPath() const { return "/api/v1/members/" + std::to_string(mary_) + "/training"; }
  int64_t Records() { return Count("SELECT count(*) FROM training_records"); }
  int64_t Audits() { return Count("SELECT count(*) FROM audit_log WHERE action = 'training.recorded'"); }

  std::string officer_;
  int64_t mary_ = 0;
};

TEST_F(TrainingRoutesTest, RecordingMarysMissingModulesOpensHerLoanRequest) {
  EXPECT_EQ(Ussd(kMaryPhone, {"2580", "3"}).back(), kNotTrained);

  ApiResult modules = client_->Get("/api/v1/training/modules", officer_);
  ASSERT_EQ(modules.status, 200) << modules.body;
  ASSERT_EQ(modules.Json().at("data").as_array().size(), 5u);
  EXPECT_EQ(modules.Json().at("data").at(0).at("step"), 1);

  ApiResult before = client_->Get(MaryPath(), officer_);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.Json().at("training_completed"), false);
  std::vector<std::string> missing;
  for (const json::value& m : before.Json().at("modules").as_array()) {
    if (!m.at("completed").as_bool() && m.at("step").as_int64() <= 2) {
      missing.emplace_back(m.at("module_id").as_string());
    }
  }
  ASSERT_EQ(missing, (std::vector<std::string>{"s2-business-basics", "s2-finance-marketing"}));

  // One module for her alone...
  ApiResult first = client_->Post(MaryPath(), officer_, json::object{{"module_id", missing[0]}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Json().at("recorded"), true);
  EXPECT_EQ(first.Json().at("training_completed"), false);
  EXPECT_EQ(Ussd(kMaryPhone, {"2580", "3"}).back(), kNotTrained) << "one module is still missing";
  // ...recorded again keeps the first, writes nothing.
  const int64_t records = Records(), audits = Audits();
  ApiResult again = client_->Post(MaryPath(), officer_, json::object{{"module_id", missing[0]}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("recorded"), false);
  EXPECT_EQ(Records(), records);
  EXPECT_EQ(Audits(), audits);

  // ...and the other with the group's session (one module, many members).
  ApiResult group = client_->Post("/api/v1/groups/1/training", officer_,
                                  json::object{{"module_id", missing[1]},
                                               {"member_ids", json::array{mary_}}});
  ASSERT_EQ(group.status, 201) << group.body;
  EXPECT_EQ(group.Json().at("recorded"), 1);
  EXPECT_EQ(group.Json().at("members").at(0).at("training_completed"), true);

  ApiResult after = client_->Get(MaryPath(), officer_);
  EXPECT_EQ(after.Json().at("training_completed"), true);
  for (const json::value& m : after.Json().at("modules").as_array()) {
    if (m.at("step").as_int64() == 2) {
      EXPECT_EQ(m.at("recorded_by"), "wanjiku");
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'training.recorded' AND actor ="
                  " 'wanjiku' AND subject = 'member:" + std::to_string(mary_) + "'"),
            2);

  // Her USSD loan request now asks for the amount.
  const std::vector<std::string> screens = Ussd(kMaryPhone, {"2580", "3"});
  EXPECT_EQ(screens.back().rfind("CON ", 0), 0u) << screens.back();
  EXPECT_EQ(screens.back().find("training"), std::string::npos) << screens.back();
}

TEST_F(TrainingRoutesTest, AGroupSessionIsAllOrNothingAndNamesEachBadIndex) {
  const int64_t faith = MemberId("+254700000004", "Faith");
  const int64_t ugandan = MemberId("+256700000001");
  const int64_t records = Records();
  struct Case {
    const char* what;
    json::object body;
    long want;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"a member of another group, a non-id, an unknown id",
       {{"module_id", "s2-business-basics"},
        {"member_ids", json::array{mary_, faith, ugandan, "seven", 99999}}},
       422, "member_ids[2]"},
      {"no member_ids", {{"module_id", "s2-business-basics"}}, 422, "member_ids"},
      {"empty member_ids", {{"module_id", "s2-business-basics"}, {"member_ids", json::array{}}},
       422, "member_ids"},
      {"member_ids not an array", {{"module_id", "s2-business-basics"}, {"member_ids", mary_}}, 422,
       "member_ids"},
      {"unknown module", {{"module_id", "s9-nothing"}, {"member_ids", json::array{mary_}}}, 422,
       "module_id"},
      {"no module", {{"member_ids", json::array{mary_}}}, 422, "module_id"},
      {"an unknown field", {{"module", "s2-business-basics"}}, 422, "module"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ApiResult r = client_->Post("/api/v1/groups/1/training", officer_, c.body);
    EXPECT_EQ(r.status, c.want) << r.body;
    EXPECT_EQ(r.Json().at("error").at("field"), c.field.c_str()) << r.body;
  }
  // Every bad entry is listed, the good ones not.
  ApiResult r = client_->Post("/api/v1/groups/1/training", officer_, cases[0].body);
  std::vector<std::string> fields;
  for (const json::value& e : r.Json().at("errors").as_array()) {
    fields.emplace_back(e.at("field").as_string());
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"member_ids[2]", "member_ids[3]", "member_ids[4]"}));
  EXPECT_EQ(Records(), records) << "nothing recorded for Mary or Faith";

  ApiResult ok = client_->Post("/api/v1/groups/1/training", officer_,
                               json::object{{"module_id", "s2-business-basics"},
                                            {"member_ids", json::array{mary_, faith, mary_}}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.Json().at("recorded"), 2);
  EXPECT_EQ(Records(), records + 2);
}

TEST_F(TrainingRoutesTest, SingleRecordingChecksTheModuleAndTheMember) {
  const int64_t records = Records();
  ApiResult unknown = client_->Post(MaryPath(), officer_, json::object{{"module_id", "nope"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.Json().at("error").at("field"), "module_id");
  ApiResult missing = client_->Post(MaryPath(), officer_, json::object{});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.Json().at("error").at("field"), "module_id");
  ApiResult nobody = client_->Post("/api/v1/members/99999/training", officer_,
                                   json::object{{"module_id", "s2-business-basics"}});
  EXPECT_EQ(nobody.status, 404);
  EXPECT_EQ(Records(), records);
}

}  // namespace
}  // namespace shg::api_test
