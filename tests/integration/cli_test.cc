// The admin commands staff use until the staff API exists, run through the
// real command-line entry point against a temporary database file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "domain/services.h"
#include "domain/store/store.h"
#include "gateway/cli/commands.h"

namespace shg {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    db_ = ::testing::TempDir() + "/cli_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".db";
    ::setenv("SHG_PIN_PEPPER", "cli-test-pepper-0123456789abcdef", 1);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_ + suffix);
  }

  int Run(std::initializer_list<std::string> args) {
    std::vector<std::string> all = {"shg-gateway"};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--db");
    all.push_back(db_);
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    return cli::Main(static_cast<int>(argv.size()), argv.data());
  }

  std::string db_;
};

TEST_F(CliTest, StaffRegisterAGroupAndTrainAMember) {
  EXPECT_EQ(Run({"migrate"}), 0);
  EXPECT_EQ(Run({"add-group", "--name", "Baraka Group", "--country", "KE", "--currency", "KES"}), 0);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "Esther Wairimu",
                 "--role", "treasurer", "--language", "sw"}),
            0);
  EXPECT_EQ(Run({"add-training-module", "--id", "s1-a", "--step", "1", "--title", "Group dynamics"}), 0);
  EXPECT_EQ(Run({"add-training-module", "--id", "s2-a", "--step", "2", "--title", "Business"}), 0);
  EXPECT_EQ(Run({"record-training", "--member", "1", "--module", "s1-a"}), 0);
  EXPECT_EQ(Run({"record-training", "--member", "1", "--module", "s2-a"}), 0);
  EXPECT_EQ(Run({"reset-pin", "--member", "1"}), 0);
  EXPECT_EQ(Run({"check-ledger"}), 0);

  store::StoreOptions so;
  so.path = db_;
  auto store = store::Store::Open(so);
  ASSERT_TRUE(store.ok());
  PinHasher pins("cli-test-pepper-0123456789abcdef");
  DomainContext ctx{&pins, 3, 0};
  Services svc((*store)->Reader(), ctx);
  auto members = svc.MembersByPhone("+254711222333");
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  const Member& m = members->front();
  EXPECT_EQ(m.name, "Esther Wairimu");
  EXPECT_EQ(m.role, Role::kTreasurer);
  EXPECT_EQ(m.language, "sw");
  EXPECT_TRUE(m.pin_must_change);
  EXPECT_TRUE(*svc.CompletedTraining(m.id));
}

TEST_F(CliTest, BadInputIsAUsageErrorAndChangesNothing) {
  EXPECT_EQ(Run({"migrate"}), 0);
  EXPECT_EQ(Run({"add-group", "--name", "Baraka Group"}), 2);  // no country/currency
  EXPECT_EQ(Run({"add-group", "--name", "B", "--country", "KE", "--currency", "KES"}), 0);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "12", "--name", "X"}), 2);
  EXPECT_EQ(Run({"add-member", "--group", "1", "--phone", "0711222333", "--name", "X", "--role", "boss"}), 2);
  EXPECT_EQ(Run({"add-training-module", "--id", "m", "--step", "9", "--title", "t"}), 2);
  EXPECT_EQ(Run({"frobnicate"}), 2);
  EXPECT_NE(Run({"add-member", "--group", "42", "--phone", "0711222333", "--name", "X"}), 0);

  store::StoreOptions so;
  so.path = db_;
  auto store = store::Store::Open(so);
  ASSERT_TRUE(store.ok());
  auto& st = (*store)->Reader().Prepare("SELECT count(*) FROM members");
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Int(0), 0);
}

}  // namespace
}  // namespace shg
