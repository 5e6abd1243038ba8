#include "domain/member_import.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

#include "domain/phone.h"
#include "domain/store/sqlite.h"

namespace shg {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kMaxName = 100;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// As Services::AddMember compares names: ASCII case and runs of spaces aside.
std::string NameKey(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c == ' ' || c == '\t') {
      if (!key.empty() && key.back() != ' ') key.push_back(' ');
    } else {
      key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    const unsigned char c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7F;
  });
}

// Well-formed UTF-8 (no overlongs, no surrogates).
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

enum class Column { kName, kPhone, kRole, kLanguage };

std::optional<Column> ColumnNamed(std::string_view header) {
  if (header == "name") return Column::kName;
  if (header == "phone") return Column::kPhone;
  if (header == "role") return Column::kRole;
  if (header == "language") return Column::kLanguage;
  return std::nullopt;
}

const char* ColumnName(Column c) {
  switch (c) {
    case Column::kName: return "name";
    case Column::kPhone: return "phone";
    case Column::kRole: return "role";
    case Column::kLanguage: return "language";
  }
  return "";
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : ", ") + v[i];
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> ParseCsv(std::string_view text, int* error_row,
                                               std::string* error_message) {
  *error_row = 0;
  error_message->clear();
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  const size_t n = text.size();
  // Where the current record started (its 1-based number is records+1).
  auto fail = [&](std::string message) {
    *error_row = static_cast<int>(records.size()) + 1;
    *error_message = std::move(message);
    return records;
  };
  if (n == 0) return records;
  while (true) {
    // One field.
    field.clear();
    if (i < n && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += text[i++];
      }
      if (!closed) return fail("a quoted field is not closed (a \" is missing)");
      if (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
        return fail("text after a closing quote: a \" inside a quoted field must be doubled (\"\")");
      }
    } else {
      while (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') field += text[i++];
    }
    record.push_back(std::move(field));
    if (i < n && text[i] == ',') {
      ++i;
      continue;
    }
    // End of the record: CRLF, LF, a lone CR, or the end of the text.
    records.push_back(std::move(record));
    record.clear();
    if (i >= n) break;
    if (text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    if (i >= n) break;  // a final line break ends the last record, adds none
  }
  return records;
}

ImportCheck CheckMemberImport(std::string_view csv, const ImportRules& rules,
                              const std::vector<Member>& existing) {
  ImportCheck out;
  auto error = [&out](int row, std::string column, std::string value, std::string message) {
    out.errors.push_back({row, std::move(column), std::move(value), std::move(message)});
  };
  if (csv.substr(0, kBom.size()) == kBom) csv.remove_prefix(kBom.size());

  int parse_error_row = 0;
  std::string parse_error;
  // The whole text: blank rows do not count towards the cap, so a record
  // bound could stop short of it (the body limit bounds the text).
  std::vector<std::vector<std::string>> records = ParseCsv(csv, &parse_error_row, &parse_error);
  if (records.empty() && parse_error_row == 0) {
    error(1, "", "", "the file is empty: a header row (name, phone, role, language) is required");
    return out;
  }

  // --- the header
  std::map<Column, size_t> index;
  std::vector<std::string> columns;  // per position: the column's name, or its header text
  std::vector<size_t> unnamed;       // positions whose header cell is empty
  bool header_usable = !records.empty();
  if (!records.empty()) {
    for (size_t c = 0; c < records[0].size(); ++c) {
      const std::string text = Trim(records[0][c]);
      const std::string key = Lower(text);
      std::optional<Column> col = ColumnNamed(key);
      columns.push_back(col ? key : text);
      if (text.empty()) {
        // Spreadsheets export trailing empty columns: fine while empty.
        unnamed.push_back(c);
        continue;
      }
      if (!col) {
        error(1, text, text, "unknown column: the columns are name, phone, role and language");
        continue;
      }
      if (!index.emplace(*col, c).second) {
        error(1, key, text, "the column appears twice");
        header_usable = false;
      }
    }
    for (Column required : {Column::kName, Column::kPhone}) {
      if (index.count(required) == 0) {
        error(1, ColumnName(required), "",
              std::string("missing column: the header must name the ") + ColumnName(required) +
                  " column");
        header_usable = false;
      }
    }
  }

  // --- the rows
  // phone + "\n" + name key of each active member -> her name and id, as shown.
  std::map<std::string, std::string> in_group_name;
  for (const Member& m : existing) {
    if (!m.active) continue;
    const std::string k = m.phone + "\n" + NameKey(m.name);
    in_group_name.emplace(k, m.name + " (member " + std::to_string(m.id) + ")");
  }
  std::map<std::string, int> first_row;  // phone + name key -> the row that has it first
  const auto cell = [&](const std::vector<std::string>& r, Column c) -> std::string {
    auto it = index.find(c);
    if (it == index.end() || it->second >= r.size()) return "";
    return Trim(r[it->second]);
  };
  bool too_many = false;
  for (size_t ri = 1; ri < records.size(); ++ri) {
    const std::vector<std::string>& r = records[ri];
    const int row = static_cast<int>(ri) + 1;
    if (std::all_of(r.begin(), r.end(), [](const std::string& f) { return Trim(f).empty(); })) {
      continue;  // a blank row
    }
    if (rules.max_rows > 0 && out.rows == rules.max_rows) {
      error(row, "", "",
            "too many rows: at most " + std::to_string(rules.max_rows) +
                " members per file (split the file)");
      too_many = true;
      break;
    }
    ++out.rows;
    if (!header_usable) continue;
    const size_t before = out.errors.size();
    if (r.size() > records[0].size()) {
      error(row, "", Trim(r[records[0].size()]),
            "this row has " + std::to_string(r.size()) + " cells; the header has " +
                std::to_string(records[0].size()));
    }
    for (size_t c : unnamed) {
      if (c < r.size() && !Trim(r[c]).empty()) {
        error(row, "", Trim(r[c]),
              "a cell under a column with no name (column " + std::to_string(c + 1) + ")");
      }
    }
    ImportRow m;
    m.row = row;
    m.name = cell(r, Column::kName);
    const std::string phone = cell(r, Column::kPhone);
    const std::string role = cell(r, Column::kRole);
    const std::string language = cell(r, Column::kLanguage);

    if (m.name.empty()) {
      error(row, "name", "", "the name is empty");
    } else if (m.name.size() > kMaxName) {
      error(row, "name", m.name, "a name has at most 100 characters");
    } else if (!IsUtf8(m.name)) {
      error(row, "name", m.name, "not UTF-8 text (save the file as CSV UTF-8)");
    } else if (HasControl(m.name)) {
      // It is shown on USSD screens and in SMS, one line.
      error(row, "name", m.name, "a name cannot hold a line break or a control character");
    }

    bool phone_ok = false;
    if (phone.empty()) {
      error(row, "phone", "", "the phone is empty");
    } else if (Result<std::string> e164 = ParsePhone(phone, rules.country); !e164.ok()) {
      error(row, "phone", phone, "not a phone number: " + e164.status().message());
    } else if (std::string_view country = PhoneCountry(*e164); country != rules.country) {
      error(row, "phone", phone,
            "a number of " + std::string(country.empty() ? "another country" : country) +
                ", not of the group's country (" + rules.country + ")");
    } else {
      m.phone = *e164;
      phone_ok = true;
    }

    if (!role.empty()) {
      std::optional<Role> parsed = ParseRole(Lower(role));
      if (!parsed) {
        error(row, "role", role, "unknown role: member, treasurer, chair or secretary");
      } else {
        m.role = *parsed;
      }
    }

    m.language = language.empty() ? rules.default_language : Lower(language);
    if (std::find(rules.languages.begin(), rules.languages.end(), m.language) ==
        rules.languages.end()) {
      error(row, "language", language.empty() ? m.language : language,
            "unknown language: " + Joined(rules.languages));
    }

    if (phone_ok && !m.name.empty()) {
      const std::string k = m.phone + "\n" + NameKey(m.name);
      if (auto it = first_row.find(k); it != first_row.end()) {
        error(row, "phone", phone,
              "the same phone and name as row " + std::to_string(it->second) +
                  " (a shared phone needs another name)");
      } else {
        first_row.emplace(k, row);
        if (auto g = in_group_name.find(k); g != in_group_name.end()) {
          error(row, "phone", phone,
                "already registered in the group to " + g->second +
                    " (a shared phone needs another name)");
        }
      }
    }
    if (out.errors.size() == before) out.members.push_back(std::move(m));
  }

  if (too_many) {
    // The rows past the cap were not read: a parse error there is moot.
  } else if (parse_error_row != 0) {
    const int row = parse_error_row;
    error(row, "", "", parse_error);
  } else if (header_usable && out.rows == 0) {
    error(2, "", "", "no member rows after the header");
  }
  // Row order, then the column's position in the header.
  auto position = [&](const ImportError& e) -> size_t {
    if (e.row == 1 || e.column.empty()) return SIZE_MAX;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] == e.column) return c;
    }
    return SIZE_MAX;
  };
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [&](const ImportError& a, const ImportError& b) {
                     if (a.row != b.row) return a.row < b.row;
                     return position(a) < position(b);
                   });
  if (!out.errors.empty()) out.members.clear();
  return out;
}

Result<std::vector<int64_t>> ImportMembers(Services& services, int64_t group_id,
                                           const std::vector<ImportRow>& rows,
                                           int64_t joined_at) {
  return store::InSavepoint(services.connection(), [&]() -> Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    ids.reserve(rows.size());
    for (const ImportRow& r : rows) {
      Member m;
      m.group_id = group_id;
      m.name = r.name;
      m.phone = r.phone;
      m.role = r.role;
      m.language = r.language;
      m.joined_at = joined_at;
      Result<int64_t> id = services.AddMember(m);
      if (!id.ok()) {
        const std::string message = "row " + std::to_string(r.row) + ": " + id.status().message();
        switch (id.status().code()) {
          case Status::Code::kAlreadyExists: return Status::AlreadyExists(message);
          case Status::Code::kInvalidArgument: return Status::InvalidArgument(message);
          case Status::Code::kNotFound: return Status::NotFound(message);
          default: return id.status();
        }
      }
      ids.push_back(*id);
    }
    return ids;
  });
}

}  // namespace shg
