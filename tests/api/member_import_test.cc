// domain/member_import.h: the CSV rules of a member import, case by case
// (pure: no store). The HTTP route over them is in import_routes_test.cc.
#include "domain/member_import.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace shg {
namespace {

ImportRules KenyaRules() {
  ImportRules r;
  r.country = "KE";
  r.languages = {"en", "sw"};
  r.default_language = "en";
  return r;
}

// The group already has Amina (active) and an exited member.
std::vector<Member> Existing() {
  Member amina;
  amina.id = 1;
  amina.group_id = 1;
  amina.name = "Amina Wekesa";
  amina.phone = "+254700000001";
  Member gone;
  gone.id = 2;
  gone.group_id = 1;
  gone.name = "Old Member";
  gone.phone = "+254700000009";
  gone.active = false;
  return {amina, gone};
}

using Cell = std::pair<int, std::string>;  // row, column

struct Case {
  const char* what;
  std::string csv;
  std::vector<Cell> errors;  // in order
  int rows;                  // member rows read
};

std::vector<Cell> Cells(const ImportCheck& c) {
  std::vector<Cell> out;
  for (const ImportError& e : c.errors) out.emplace_back(e.row, e.column);
  return out;
}

std::string Describe(const ImportCheck& c) {
  std::string out;
  for (const ImportError& e : c.errors) {
    out += "  row " + std::to_string(e.row) + " [" + e.column + "] '" + e.value + "': " +
           e.message + "\n";
  }
  return out;
}

TEST(MemberImportTest, EachRuleNamesTheRowAndColumn) {
  const std::vector<Case> cases = {
      {"good file, LF", "name,phone\nJane Doe,0711000001\nAnn Roe,+254711000002\n", {}, 2},
      {"CRLF and no final line break", "name,phone\r\nJane Doe,0711000001\r\nAnn Roe,0711000002",
       {}, 2},
      {"lone CR line ends", "name,phone\rJane Doe,0711000001\rAnn Roe,0711000002\r", {}, 2},
      {"UTF-8 BOM before the header", "\xEF\xBB\xBFname,phone\nJane Doe,0711000001\n", {}, 1},
      {"columns in any order and any case", " PHONE ,Language,Name,ROLE\n0711000001,sw,Jane,Chair\n",
       {}, 1},
      {"quoted fields with commas and doubled quotes",
       "name,phone\n\"Doe, Jane \"\"JD\"\"\",0711000001\n\"Ann Roe\",\"0711000002\"\nBea,0711000003\n",
       {}, 3},
      {"a quoted field spanning lines is one row (a name is one line)",
       "name,phone\n\"Ann\r\nRoe\",0711000002\nBea,07\n", {{2, "name"}, {3, "phone"}}, 2},
      {"blank rows are skipped but keep the numbering",
       "name,phone\nJane,0711000001\n,\n\nBea,bad\n,,\n", {{5, "phone"}}, 2},
      {"bad phone", "name,phone\nJane,0711000001\nAnn,12345\n", {{3, "phone"}}, 2},
      {"empty phone", "name,phone\nJane,\n", {{2, "phone"}}, 1},
      {"a number of another country", "name,phone\nJane,+256700000001\n", {{2, "phone"}}, 1},
      {"empty name", "name,phone\n  ,0711000001\n", {{2, "name"}}, 1},
      {"name too long", "name,phone\n" + std::string(101, 'a') + ",0711000001\n", {{2, "name"}}, 1},
      {"name not UTF-8 (Windows-1252)", "name,phone\nJos\xE9,0711000001\n", {{2, "name"}}, 1},
      {"unknown role", "name,phone,role\nJane,0711000001,boss\n", {{2, "role"}}, 1},
      {"unknown language", "name,phone,language\nJane,0711000001,fr\n", {{2, "language"}}, 1},
      {"several bad cells in one row, header order",
       "phone,name,language\n123,,fr\n", {{2, "phone"}, {2, "name"}, {2, "language"}}, 1},
      {"duplicate in the file: same phone and name, case and spacing aside",
       "name,phone\nJane Doe,0711000001\nAnn,0711000002\n  jane   DOE ,+254711000001\n",
       {{4, "phone"}}, 3},
      {"a shared phone with another name is fine",
       "name,phone\nRose Mwangi,0711000001\nJoy Mwangi,0711000001\n", {}, 2},
      {"already in the group (active)", "name,phone\namina wekesa,0700000001\n", {{2, "phone"}}, 1},
      {"an exited member's phone and name may come back", "name,phone\nOld Member,0700000009\n",
       {}, 1},
      {"unknown column (rows still checked)", "name,phone,village\nJane,bad,Kibera\n",
       {{1, "village"}, {2, "phone"}}, 1},
      {"empty trailing columns are fine while empty", "name,phone,,\nJane,0711000001,,\n", {}, 1},
      {"a cell under an unnamed column", "name,,phone\nJane,x,0711000001\n", {{2, ""}}, 1},
      {"missing column", "name\nJane\n", {{1, "phone"}}, 1},
      {"a column twice", "name,phone,Phone\nJane,0711000001,0711000002\n", {{1, "phone"}}, 1},
      {"more cells than the header", "name,phone\nJane,0711000001,extra\n", {{2, ""}}, 1},
      {"fewer cells than the header: optional columns default",
       "name,phone,role,language\nJane,0711000001\n", {}, 1},
      {"a quoted field never closed", "name,phone\nJane,0711000001\n\"Ann,0711000002\n",
       {{3, ""}}, 1},
      {"text after a closing quote", "name,phone\n\"Ann\"x,0711000002\nBea,0711000003\n",
       {{2, ""}}, 0},
      {"empty file", "", {{1, ""}}, 0},
      {"only a BOM", "\xEF\xBB\xBF", {{1, ""}}, 0},
      {"header only", "name,phone\n", {{2, ""}}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const ImportCheck check = CheckMemberImport(c.csv, KenyaRules(), Existing());
    EXPECT_EQ(Cells(check), c.errors) << Describe(check);
    EXPECT_EQ(check.rows, c.rows);
    EXPECT_EQ(check.valid(), c.errors.empty());
    if (check.valid()) {
      EXPECT_EQ(static_cast<int>(check.members.size()), c.rows);
    } else {
      EXPECT_TRUE(check.members.empty()) << "an invalid file yields no member to add";
    }
    for (const ImportError& e : check.errors) EXPECT_FALSE(e.message.empty());
  }
}

TEST(MemberImportTest, GoodRowsCarryTheParsedValues) {
  const ImportCheck check = CheckMemberImport(
      "Name,Phone,Role,Language\r\n\"Doe, Jane \"\"JD\"\"\", 0711 000 001 ,Treasurer,SW\r\n"
      "Ann Roe,+254711000002,,\r\n",
      KenyaRules(), Existing());
  ASSERT_TRUE(check.valid()) << Describe(check);
  ASSERT_EQ(check.members.size(), 2u);
  EXPECT_EQ(check.members[0].row, 2);
  EXPECT_EQ(check.members[0].name, "Doe, Jane \"JD\"");
  EXPECT_EQ(check.members[0].phone, "+254711000001");
  EXPECT_EQ(check.members[0].role, Role::kTreasurer);
  EXPECT_EQ(check.members[0].language, "sw");
  EXPECT_EQ(check.members[1].row, 3);
  EXPECT_EQ(check.members[1].role, Role::kMember);
  EXPECT_EQ(check.members[1].language, "en");  // the default
}

TEST(MemberImportTest, ErrorsCarryTheCellAsGiven) {
  const ImportCheck check =
      CheckMemberImport("name,phone\nJane,+256 700 000001\n", KenyaRules(), Existing());
  ASSERT_EQ(check.errors.size(), 1u);
  EXPECT_EQ(check.errors[0].value, "+256 700 000001");
  EXPECT_NE(check.errors[0].message.find("UG"), std::string::npos) << check.errors[0].message;
  EXPECT_NE(check.errors[0].message.find("KE"), std::string::npos) << check.errors[0].message;
}

TEST(MemberImportTest, TooManyRowsIsOneErrorAtTheFirstRowPastTheCap) {
  ImportRules rules = KenyaRules();
  std::string csv = "name,phone\n";
  for (int i = 0; i < kMaxImportRows + 3; ++i) {
    csv += "Member " + std::to_string(i) + ",07" + std::to_string(10000000 + i) + "\n";
    if (i == 10) csv += ",\n";  // a blank row does not count
  }
  const ImportCheck check = CheckMemberImport(csv, rules, {});
  ASSERT_EQ(check.errors.size(), 1u) << Describe(check);
  // Header row 1, 5,000 members and one blank row: the 5,001st member is on row 5,003.
  EXPECT_EQ(check.errors[0].row, kMaxImportRows + 3);
  EXPECT_NE(check.errors[0].message.find("5000"), std::string::npos);
  EXPECT_EQ(check.rows, kMaxImportRows);

  csv = "name,phone\n";
  for (int i = 0; i < kMaxImportRows; ++i) {
    csv += "Member " + std::to_string(i) + ",07" + std::to_string(10000000 + i) + "\n";
  }
  const ImportCheck full = CheckMemberImport(csv, rules, {});
  EXPECT_TRUE(full.valid()) << Describe(full);
  EXPECT_EQ(full.members.size(), static_cast<size_t>(kMaxImportRows));
}

TEST(MemberImportTest, ParseCsvFollowsRfc4180) {
  struct ParseCase {
    std::string text;
    std::vector<std::vector<std::string>> records;
    int error_row;
  };
  const std::vector<ParseCase> cases = {
      {"", {}, 0},
      {"a", {{"a"}}, 0},
      {"a,b\r\n", {{"a", "b"}}, 0},
      {"a,,\n", {{"a", "", ""}}, 0},
      {"\"\"", {{""}}, 0},
      {"\"a,b\",\"c\"\"d\"\n\"e\r\nf\"", {{"a,b", "c\"d"}, {"e\r\nf"}}, 0},
      {"a\n\nb\n", {{"a"}, {""}, {"b"}}, 0},
      {"a\n\"b", {{"a"}}, 2},
      {"\"a\" ,b", {}, 1},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    int error_row = -1;
    std::string message;
    EXPECT_EQ(ParseCsv(c.text, &error_row, &message), c.records);
    EXPECT_EQ(error_row, c.error_row);
    EXPECT_EQ(message.empty(), c.error_row == 0);
  }
}

}  // namespace
}  // namespace shg
