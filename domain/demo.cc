#include "domain/demo.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "domain/money.h"
#include "domain/services.h"

namespace shg {
namespace {

using store::Connection;
using store::Statement;

constexpr char kCountGroups[] = "SELECT COUNT(*) FROM groups";

constexpr int64_t kDay = 24 * 60 * 60;
constexpr int64_t kMonth = 30 * kDay;
constexpr int kDemoGroupSize = 20;
constexpr char kRecordedBy[] = "demo";

struct ModuleRow {
  const char* id;
  int step;
  const char* title;
};
constexpr std::array<ModuleRow, 5> kModules = {{
    {"s1-group-dynamics", 1, "Group dynamics"},
    {"s1-saving-habit", 1, "Saving and budgeting"},
    {"s2-business-basics", 2, "Starting a business"},
    {"s2-finance-marketing", 2, "Finance and marketing"},
    {"s3-loans", 3, "Using a business loan"},
}};

// How far through the programme a demo member is.
enum class Training { kNone, kStep1, kSteps1And2 };

struct DemoMember {
  const char* phone;
  const char* name;
  Role role;
  const char* language;
  bool has_pin;
  Training training;
  int64_t joined_days_ago;
  std::vector<int64_t> savings;  // whole units, oldest first, one a month
  int64_t pending = 0;           // whole units logged yesterday, not decided
};

// Logs and decides savings with the time of the event, through the same
// Services calls a member and her treasurer use.
class Loader {
 public:
  Loader(Connection& db, const PinHasher& pins, int64_t now) : db_(db), pins_(pins), now_(now) {}

  DomainContext Ctx(int64_t at) const {
    DomainContext ctx;
    ctx.pins = &pins_;
    ctx.now = at;
    return ctx;
  }

  Status Modules() {
    DomainContext ctx = Ctx(now_);
    Services svc(db_, ctx);
    for (const ModuleRow& m : kModules) {
      SHG_RETURN_IF_ERROR(svc.UpsertTrainingModule(m.id, m.step, m.title));
    }
    return Status::Ok();
  }

  Result<int64_t> AddGroup(const std::string& name, const char* country, const char* currency,
                           const char* day, const std::string& place, int64_t formed_at,
                           const std::optional<CycleRules>& cycle = std::nullopt) {
    DomainContext ctx = Ctx(formed_at);
    Group g;
    g.name = name;
    g.country = country;
    g.currency = currency;
    g.meeting_day = day;
    g.meeting_place = place;
    return Services(db_, ctx).AddGroup(g, cycle);
  }

  Result<int64_t> AddMember(int64_t group_id, const std::string& phone, const std::string& name,
                            Role role, const char* language, bool has_pin, Training training,
                            int64_t joined_at) {
    DomainContext ctx = Ctx(joined_at);
    Services svc(db_, ctx);
    Member m;
    m.group_id = group_id;
    m.phone = phone;
    m.name = name;
    m.role = role;
    m.language = language;
    m.joined_at = joined_at;
    Result<int64_t> id = svc.AddMember(m);
    if (!id.ok()) return id;
    if (has_pin) SHG_RETURN_IF_ERROR(svc.SetPin(*id, kDemoPin));
    for (const ModuleRow& mod : kModules) {
      const bool done = (training == Training::kStep1 && mod.step == 1) ||
                        (training == Training::kSteps1And2 && mod.step <= 2);
      if (done) SHG_RETURN_IF_ERROR(svc.RecordTraining(*id, mod.id, kRecordedBy));
    }
    return id;
  }

  // A saving logged at `at` and confirmed by `decider` an hour later.
  Status ConfirmedSaving(int64_t member_id, int64_t minor, int64_t at, int64_t decider) {
    DomainContext log_ctx = Ctx(at);
    Result<Saving> s = Services(db_, log_ctx).LogSaving(member_id, minor, "ussd", "");
    if (!s.ok()) return s.status();
    DomainContext decide_ctx = Ctx(at + 3600);
    return Services(db_, decide_ctx).DecideSaving(s->id, decider, /*confirm=*/true);
  }

  Status PendingSaving(int64_t member_id, int64_t minor, int64_t at) {
    DomainContext ctx = Ctx(at);
    return Services(db_, ctx).LogSaving(member_id, minor, "ussd", "").status();
  }

  // Adds a fixed group's members, then their savings (confirmed by the
  // treasurer, or by the chair for the treasurer's own).
  Status FixedGroup(int64_t group_id, const Currency& currency,
                    const std::vector<DemoMember>& members) {
    std::vector<int64_t> ids;
    int64_t treasurer = 0;
    int64_t chair = 0;
    for (const DemoMember& d : members) {
      Result<int64_t> id = AddMember(group_id, d.phone, d.name, d.role, d.language, d.has_pin,
                                     d.training, now_ - d.joined_days_ago * kDay);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
      if (d.role == Role::kTreasurer) treasurer = *id;
      if (d.role == Role::kChair) chair = *id;
    }
    for (size_t i = 0; i < members.size(); ++i) {
      const DemoMember& d = members[i];
      const int64_t decider = ids[i] == treasurer ? chair : treasurer;
      const int64_t n = static_cast<int64_t>(d.savings.size());
      for (int64_t k = 0; k < n; ++k) {
        // Oldest first, one a month, the last one a month ago.
        const int64_t at = now_ - (n - k) * kMonth;
        SHG_RETURN_IF_ERROR(
            ConfirmedSaving(ids[i], ToMinor(d.savings[static_cast<size_t>(k)], currency), at,
                            decider));
      }
      if (d.pending > 0) {
        SHG_RETURN_IF_ERROR(PendingSaving(ids[i], ToMinor(d.pending, currency), now_ - kDay));
      }
    }
    return Status::Ok();
  }

  // A "Demo Group N" of `size` members on phones from `first_phone` on.
  Status DemoGroup(int n, int size, int64_t first_phone, const Currency& kes) {
    static constexpr std::array<const char*, 16> kFirst = {
        "Akinyi", "Wambui", "Chebet", "Njoki",  "Atieno", "Mumbua", "Jepkorir", "Nafula",
        "Kerubo", "Wairimu", "Adhiambo", "Moraa", "Nekesa", "Muthoni", "Jeruto", "Zawadi"};
    static constexpr std::array<const char*, 13> kLast = {
        "Odhiambo", "Kariuki", "Mutua", "Kiprop", "Omondi", "Njoroge", "Wafula",
        "Ochieng",  "Kilonzo", "Barasa", "Chege",  "Langat", "Nyaga"};
    Result<int64_t> group =
        AddGroup("Demo Group " + std::to_string(n), "KE", "KES", "Monday",
                 "Community hall " + std::to_string(n), now_ - 6 * kMonth);
    if (!group.ok()) return group.status();
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(size));
    for (int i = 0; i < size; ++i) {
      const int64_t phone = first_phone + i;
      const size_t k = static_cast<size_t>(phone);
      const std::string name =
          std::string(kFirst[k % kFirst.size()]) + " " + kLast[(k / kFirst.size()) % kLast.size()];
      const Role role = i == 0 ? Role::kChair : i == 1 ? Role::kTreasurer : Role::kMember;
      Result<int64_t> id = AddMember(*group, "+254" + std::to_string(700000000 + phone), name,
                                     role, "en", true, Training::kSteps1And2, now_ - 6 * kMonth);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    const int64_t chair = ids[0];
    const int64_t treasurer = ids.size() > 1 ? ids[1] : 0;
    for (int64_t id : ids) {
      // A group of one has nobody to confirm her savings: she has none.
      const int64_t decider = id == treasurer || treasurer == 0 ? chair : treasurer;
      if (decider == id) continue;
      for (int64_t months_ago = 3; months_ago >= 1; --months_ago) {
        SHG_RETURN_IF_ERROR(
            ConfirmedSaving(id, ToMinor(500, kes), now_ - months_ago * kMonth, decider));
      }
    }
    return Status::Ok();
  }

 private:
  Connection& db_;
  const PinHasher& pins_;
  int64_t now_;
};

std::vector<DemoMember> UpendoMembers() {
  const std::vector<int64_t> amina = {500, 500, 500, 500, 500, 500, 500, 750};
  const std::vector<int64_t> six500(6, 500);
  const std::vector<int64_t> four500(4, 500);
  std::vector<DemoMember> m = {
      {"+254700000001", "Amina Wekesa", Role::kMember, "en", true, Training::kSteps1And2, 240, amina},
      {"+254700000002", "Wanjiru Kamau", Role::kTreasurer, "en", true, Training::kSteps1And2, 300,
       six500},
      {"+254700000003", "Grace Achieng", Role::kChair, "en", true, Training::kSteps1And2, 300,
       six500},
      {"+254700000004", "Faith Njeri", Role::kMember, "en", false, Training::kNone, 14, {}},
      {"+254700000005", "Mary Otieno", Role::kMember, "en", true, Training::kStep1, 120,
       {300, 300, 300}},
      {"+254700000006", "Halima Hassan", Role::kMember, "sw", true, Training::kSteps1And2, 240,
       {400, 400, 400, 400, 400}},
      {"+254700000007", "Rose Mwangi", Role::kMember, "en", true, Training::kSteps1And2, 240,
       four500},
      {"+254700000007", "Joy Mwangi", Role::kMember, "en", true, Training::kSteps1And2, 240,
       {250, 250, 250, 250}},
  };
  static constexpr std::array<const char*, 12> kMore = {
      "Esther Wambui",  "Lucy Chebet",      "Nancy Akinyi", "Alice Nyambura",
      "Beatrice Auma",  "Catherine Mutua",  "Dorcas Jeptoo", "Eunice Wairimu",
      "Florence Adhiambo", "Janet Moraa",   "Lydia Nafula", "Sarah Chepkoech"};
  static constexpr std::array<const char*, 12> kMorePhones = {
      "+254700000008", "+254700000009", "+254700000010", "+254700000011",
      "+254700000012", "+254700000013", "+254700000014", "+254700000015",
      "+254700000016", "+254700000017", "+254700000018", "+254700000019"};
  for (size_t i = 0; i < kMore.size(); ++i) {
    m.push_back({kMorePhones[i], kMore[i], Role::kMember, "en", true, Training::kSteps1And2,
                 240, four500});
  }
  return m;
}

std::vector<DemoMember> TumainiMembers() {
  static constexpr std::array<const char*, 10> kNames = {
      "Sarah Nakato",   "Joan Namubiru",  "Grace Achan",   "Ruth Nabirye",  "Esther Auma",
      "Prossy Nansubuga", "Betty Akello", "Harriet Namuli", "Doreen Kyomuhendo", "Florence Atim"};
  static constexpr std::array<const char*, 10> kPhones = {
      "+256700000001", "+256700000002", "+256700000003", "+256700000004", "+256700000005",
      "+256700000006", "+256700000007", "+256700000008", "+256700000009", "+256700000010"};
  std::vector<DemoMember> m;
  for (size_t i = 0; i < kNames.size(); ++i) {
    const Role role = i == 0 ? Role::kChair : i == 1 ? Role::kTreasurer : Role::kMember;
    m.push_back({kPhones[i], kNames[i], role, "en", true, Training::kSteps1And2,
                 180, {10000, 10000}});
  }
  return m;
}

Status Load(Connection& db, const PinHasher& pins, int total_members, int64_t now) {
  {
    Result<int64_t> groups = store::QueryInt(db.Prepare(kCountGroups), 0);
    if (!groups.ok()) return groups.status();
    if (*groups > 0) {
      return Status::FailedPrecondition("the database already has groups; demo data needs an "
                                        "empty database");
    }
  }
  Result<Currency> kes = FindCurrency("KES");
  if (!kes.ok()) return kes.status();
  Result<Currency> ugx = FindCurrency("UGX");
  if (!ugx.ok()) return ugx.status();

  Loader loader(db, pins, now);
  SHG_RETURN_IF_ERROR(loader.Modules());

  // Upendo lends from its own fund: a year's cycle since it formed, 10% a
  // month flat for up to 3 months, KES 20 to the social fund each meeting.
  CycleRules upendo_cycle;
  upendo_cycle.lends = true;
  upendo_cycle.social_fund_per_meeting = 2000;
  upendo_cycle.share_out_unit = 100;
  Result<int64_t> upendo = loader.AddGroup("Upendo Women Group", "KE", "KES", "Tuesday",
                                           "Kibera social hall", now - 12 * kMonth, upendo_cycle);
  if (!upendo.ok()) return upendo.status();
  std::vector<DemoMember> upendo_members = UpendoMembers();
  SHG_RETURN_IF_ERROR(loader.FixedGroup(*upendo, *kes, upendo_members));

  Result<int64_t> tumaini = loader.AddGroup("Tumaini Group", "UG", "UGX", "Thursday",
                                            "Kawempe community centre", now - 9 * kMonth);
  if (!tumaini.ok()) return tumaini.status();
  SHG_RETURN_IF_ERROR(loader.FixedGroup(*tumaini, *ugx, TumainiMembers()));

  int loaded = kDemoFixedMembers;
  int64_t next_phone = 21;
  for (int n = 1; loaded < total_members; ++n) {
    const int size = std::min(kDemoGroupSize, total_members - loaded);
    SHG_RETURN_IF_ERROR(loader.DemoGroup(n, size, next_phone, *kes));
    loaded += size;
    next_phone += size;
  }
  return Status::Ok();
}

}  // namespace

Status LoadDemo(store::Store& store, const PinHasher& pins, int total_members, int64_t now) {
  return store.Run(
      [&](Connection& db) { return Load(db, pins, total_members, now); });
}

}  // namespace shg
