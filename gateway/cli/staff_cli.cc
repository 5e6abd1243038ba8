#include "gateway/cli/staff_cli.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "domain/services.h"
#include "domain/staff.h"
#include "gateway/app.h"

namespace shg::cli {
namespace {

std::string By(const CliFlags& flags) {
  const char* user = std::getenv("USER");
  return Flag(flags, "by", user != nullptr && *user != '\0' ? user : "cli");
}

Status AuditCli(store::Connection& conn, const std::string& by, const std::string& action,
                const std::string& subject, const std::string& detail = "") {
  PinHasher unused("cli-audit-only-no-pins-here");
  DomainContext ctx{&unused, 3, gateway::SystemNow()};
  return Services(conn, ctx).Audit({"staff", by, action, subject, "cli", "", detail});
}

std::string ReadPasswordLine() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string FormatTime(int64_t t) {
  if (t == 0) return "-";
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::gmtime(&tt));
  return buf;
}

}  // namespace

int StaffCommand(const std::vector<std::string>& words, const CliFlags& flags,
                 const config::Settings& settings) {
  const std::string sub = words.empty() ? "" : words[0];
  if (sub != "add" && sub != "list" && sub != "disable" && sub != "password" && sub != "assign") {
    return Fail(Status::InvalidArgument("staff needs add, list, disable, password or assign"));
  }
  auto store = OpenStore(settings);
  if (!store.ok()) return Fail(store.status());
  const std::string by = By(flags);
  std::string output;
  std::string password;
  if ((sub == "add" && !Flag(flags, "password-stdin").empty()) || sub == "password") {
    password = ReadPasswordLine();
  }
  Status s = (*store)->Run([&](store::Connection& conn) -> Status {
    Staff staff(conn, gateway::SystemNow());
    if (sub == "list") {
      auto users = staff.List();
      if (!users.ok()) return users.status();
      std::ostringstream out;
      for (const StaffUser& u : *users) {
        out << u.id << "  " << u.name << "  " << StaffRoleName(u.role)
            << (u.partner_id.empty() ? "" : " (" + u.partner_id + ")") << "  "
            << (u.active ? "active" : "disabled") << (u.has_password ? "  password" : "");
        if (!u.groups.empty()) {
          out << "  groups:";
          for (int64_t g : u.groups) out << " " << g;
        }
        out << "\n";
      }
      output = out.str();
      return Status::Ok();
    }
    const std::string name = Flag(flags, "name");
    if (name.empty()) return Status::InvalidArgument("staff " + sub + " needs --name");
    if (sub == "add") {
      StaffUser u;
      u.name = name;
      u.display_name = Flag(flags, "display-name");
      auto role = ParseStaffRole(Flag(flags, "role"));
      if (!role) {
        return Status::InvalidArgument("--role must be admin, field_officer, read_only or partner");
      }
      u.role = *role;
      u.partner_id = Flag(flags, "partner");
      if (!u.partner_id.empty()) {
        bool known = false;
        for (const auto& p : settings.mfi_partners) known = known || p.id == u.partner_id;
        if (!known) return Status::InvalidArgument("--partner: not a configured [[mfi_partners]] id");
      }
      auto id = staff.Add(u, password);
      if (!id.ok()) return id.status();
      std::stringstream groups(Flag(flags, "groups"));
      for (std::string g; std::getline(groups, g, ',');) {
        if (g.empty()) continue;
        SHG_RETURN_IF_ERROR(staff.AssignGroup(*id, std::atoll(g.c_str())));
      }
      output = "staff user " + name + " added (" + StaffRoleName(u.role) + ")" +
               (password.empty() ? "; no password: API tokens only\n" : "\n");
      return AuditCli(conn, by, "staff.created", "staff:" + name,
                      std::string("role=") + StaffRoleName(u.role));
    }
    if (sub == "disable") {
      SHG_RETURN_IF_ERROR(staff.Disable(name));
      output = "staff user " + name + " disabled; her tokens are revoked\n";
      return AuditCli(conn, by, "staff.disabled", "staff:" + name);
    }
    if (sub == "password") {
      SHG_RETURN_IF_ERROR(staff.SetPassword(name, password));
      output = "password of " + name + " set\n";
      return AuditCli(conn, by, "staff.password", "staff:" + name);
    }
    auto user = staff.ByName(name);
    if (!user.ok()) return user.status();
    const int64_t group = std::atoll(Flag(flags, "group").c_str());
    SHG_RETURN_IF_ERROR(staff.AssignGroup(user->id, group));
    output = "group " + std::to_string(group) + " assigned to " + name + "\n";
    return AuditCli(conn, by, "staff.assigned", "staff:" + name, "group=" + std::to_string(group));
  });
  if (!s.ok()) return Fail(s);
  std::cout << output;
  return 0;
}

int TokenCommand(const std::vector<std::string>& words, const CliFlags& flags,
                 const config::Settings& settings) {
  const std::string sub = words.empty() ? "" : words[0];
  if (sub != "create" && sub != "list" && sub != "revoke") {
    return Fail(Status::InvalidArgument("token needs create, list or revoke"));
  }
  auto store = OpenStore(settings);
  if (!store.ok()) return Fail(store.status());
  const std::string by = By(flags);
  std::string output;
  Status s = (*store)->Run([&](store::Connection& conn) -> Status {
    const int64_t now = gateway::SystemNow();
    Staff staff(conn, now);
    if (sub == "create") {
      auto user = staff.ByName(Flag(flags, "staff"));
      if (!user.ok()) return user.status();
      const std::string days_flag = Flag(flags, "expires");
      int64_t expires_at = 0;
      if (!days_flag.empty()) {
        char* end = nullptr;
        long days = std::strtol(days_flag.c_str(), &end, 10);
        if (*end != '\0' || days < 1 || days > 3650) {
          return Status::InvalidArgument("--expires: days, 1 to 3650");
        }
        expires_at = now + days * 86400;
      }
      auto t = staff.CreateToken(user->id, Flag(flags, "name"), expires_at);
      if (!t.ok()) return t.status();
      output = "token " + std::to_string(t->id) + " (" + t->public_id + ") for " + user->name +
               (expires_at == 0 ? ", never expires" : ", expires " + FormatTime(expires_at)) +
               ". It is shown once; keep it secret:\n" + t->token + "\n";
      return AuditCli(conn, by, "token.created", "token:" + t->public_id, "staff=" + user->name);
    }
    if (sub == "revoke") {
      const std::string id = Flag(flags, "id");
      if (id.empty()) return Status::InvalidArgument("token revoke needs --id");
      SHG_RETURN_IF_ERROR(staff.RevokeToken(id));
      output = "token " + id + " revoked\n";
      return AuditCli(conn, by, "token.revoked", "token:" + id);
    }
    int64_t staff_id = 0;
    if (!Flag(flags, "staff").empty()) {
      auto user = staff.ByName(Flag(flags, "staff"));
      if (!user.ok()) return user.status();
      staff_id = user->id;
    }
    auto tokens = staff.Tokens(staff_id);
    if (!tokens.ok()) return tokens.status();
    std::ostringstream out;
    for (const TokenInfo& t : *tokens) {
      out << t.id << "  " << t.public_id << "  " << t.staff_name << "  "
          << (t.label.empty() ? "-" : t.label) << "  created " << FormatTime(t.created_at)
          << "  expires " << FormatTime(t.expires_at)
          << (t.revoked_at != 0 ? "  REVOKED " + FormatTime(t.revoked_at) : "") << "\n";
    }
    output = out.str();
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  std::cout << output;
  return 0;
}

}  // namespace shg::cli
