// `shg-gateway migrate-store`: a programme's SQLite database copied into an
// empty PostgreSQL one (issue 12). Runs in the "pg/" pass; skipped on SQLite
// (there is no PostgreSQL server to copy to).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>

#include "domain/demo.h"
#include "domain/ledger.h"
#include "domain/pin.h"
#include "domain/services.h"
#include "domain/store/copy.h"
#include "domain/store/sqlite.h"
#include "domain/store/store.h"
#include "gateway/cli/store_cli.h"
#include "tests/support/test_db.h"

namespace shg {
namespace {

const std::string kPepper = "migrate-store-test-pepper-0123456789";
constexpr int64_t kNow = 1764547200;  // 2025-12-01

class MigrateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!target_.postgres()) GTEST_SKIP() << "copies into PostgreSQL: the pg/ pass runs it";
    sqlite_path_ = source_file_.path();
    store::StoreOptions so;
    so.path = sqlite_path_;
    so.synchronous = "NORMAL";
    auto source = store::Store::Open(so);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    PinHasher pins(kPepper);
    // 100 members: 628 postings, more than one batch of the copy's inserts.
    ASSERT_TRUE(LoadDemo(**source, pins, 100, kNow - 86400).ok());
    url_ = target_.url_without_password();
    password_ = target_.password();
  }
  void TearDown() override { unsetenv("SHG_STORE_PASSWORD"); }
  int Copy() {
    setenv("SHG_STORE_PASSWORD", password_.c_str(), 1);
    return cli::MigrateStoreCommand({{"from", "sqlite:" + sqlite_path_}, {"to", url_}});
  }

  testing::TempSqliteFile source_file_;
  testing::TestDatabase target_{/*migrated=*/false};
  std::string sqlite_path_, url_, password_;
};

TEST_F(MigrateStoreTest, TheDemoArrivesWholeWithItsLedgerAndAminasKes4250) {
  ASSERT_EQ(Copy(), 0);
  auto source = store::SqliteConnection::Open(sqlite_path_, {});
  ASSERT_TRUE(source.ok());
  auto target = target_.Connect();
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  // Every table, row for row.
  auto from = store::CountRowsPerTable(**source);
  auto to = store::CountRowsPerTable(**target);
  ASSERT_TRUE(from.ok() && to.ok());
  ASSERT_EQ(from->size(), to->size());
  int64_t rows = 0;
  for (size_t i = 0; i < from->size(); ++i) {
    EXPECT_EQ((*from)[i].table, (*to)[i].table);
    EXPECT_EQ((*from)[i].rows, (*to)[i].rows) << (*from)[i].table;
    rows += (*from)[i].rows;
  }
  EXPECT_GT(rows, 100);
  EXPECT_TRUE(ledger::Check(**target).ok());

  PinHasher pins(kPepper);
  DomainContext ctx;
  ctx.pins = &pins;
  ctx.now = kNow;
  Services svc(**target, ctx);
  auto amina = svc.MembersByPhone("+254700000001");
  ASSERT_TRUE(amina.ok() && !amina->empty());
  auto balances = svc.BalancesFor(amina->front().id);
  ASSERT_TRUE(balances.ok()) << balances.status().ToString();
  EXPECT_EQ(balances->savings_confirmed, 425000);  // KES 4,250.00
  // Her PIN still opens (the hashes came as bytes).
  auto pin = svc.VerifyPin(amina->front().id, "2580");
  ASSERT_TRUE(pin.ok());
  EXPECT_EQ(pin->check, PinCheck::kOk);

  // New rows get ids after the copied ones.
  Group g;
  g.name = "Baada ya nakala";
  g.country = "KE";
  g.currency = "KES";
  auto id = svc.AddGroup(g);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto max_before = source->get()->PrepareUncached("SELECT MAX(id) FROM groups");
  ASSERT_TRUE(*max_before->Step());
  EXPECT_GT(*id, max_before->Int(0));
}

// Every value of every row, compared column by column in key order (the
// copy's batches must not shift a value into its neighbour's place).
TEST_F(MigrateStoreTest, EveryValueArrivesAsItWas) {
  ASSERT_EQ(Copy(), 0);
  auto source = store::SqliteConnection::Open(sqlite_path_, {});
  ASSERT_TRUE(source.ok());
  auto target = target_.Connect();
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  auto tables = store::CountRowsPerTable(**source);
  ASSERT_TRUE(tables.ok());
  int64_t values = 0;
  for (const store::TableCopy& table : *tables) {
    SCOPED_TRACE(table.table);
    struct Column {
      std::string name, type;
    };
    std::vector<Column> columns;
    auto info = (*source)->PrepareUncached("SELECT name, upper(type) FROM pragma_table_info(?)"
                                           " ORDER BY cid");
    info->Bind(1, table.table);
    ASSERT_TRUE(store::ForEachRow(*info, [&](store::Statement& row) {
                  columns.push_back({row.Text(0), row.Text(1)});
                }).ok());
    std::string names;
    for (const Column& c : columns) names += (names.empty() ? "" : ", ") + c.name;
    const std::string select = "SELECT " + names + " FROM " + table.table + " ORDER BY 1";
    auto from = (*source)->PrepareUncached(select);
    auto to = (*target)->PrepareUncached(select);
    for (int64_t r = 0;; ++r) {
      Result<bool> a = from->Step();
      Result<bool> b = to->Step();
      ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
      ASSERT_EQ(*a, *b) << "row " << r;
      if (!*a) break;
      for (size_t i = 0; i < columns.size(); ++i) {
        const int col = static_cast<int>(i);
        SCOPED_TRACE(columns[i].name + " of row " + std::to_string(r));
        ASSERT_EQ(from->IsNull(col), to->IsNull(col));
        if (from->IsNull(col)) continue;
        if (columns[i].type.find("INT") != std::string::npos) {
          EXPECT_EQ(from->Int(col), to->Int(col));
        } else if (columns[i].type == "BLOB") {
          EXPECT_EQ(from->Blob(col), to->Blob(col));
        } else {
          EXPECT_EQ(from->Text(col), to->Text(col));
        }
        ++values;
      }
    }
  }
  EXPECT_GT(values, 5000);
}

TEST_F(MigrateStoreTest, ATargetThatHoldsAProgrammeIsRefusedAndKeptAsItWas) {
  ASSERT_EQ(Copy(), 0);
  auto target = target_.Connect();
  ASSERT_TRUE(target.ok());
  auto before = store::CountRowsPerTable(**target);
  EXPECT_EQ(Copy(), 1);
  auto after = store::CountRowsPerTable(**target);
  ASSERT_TRUE(before.ok() && after.ok());
  for (size_t i = 0; i < before->size(); ++i) EXPECT_EQ((*before)[i].rows, (*after)[i].rows);
}

TEST_F(MigrateStoreTest, APasswordOnTheCommandLineIsRefused) {
  const std::string& with_password = target_.url();
  EXPECT_EQ(cli::MigrateStoreCommand({{"from", "sqlite:" + sqlite_path_}, {"to", with_password}}), 2);
  EXPECT_EQ(cli::MigrateStoreCommand({{"from", sqlite_path_}, {"to", url_}}), 2);
}

}  // namespace
}  // namespace shg
