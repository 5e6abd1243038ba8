// Registering a group's members from a spreadsheet (CSV): parsing, checking
// every row against the group, and adding them all. Used by the staff API
// (POST /api/v1/groups/{id}/members/import) and the dashboard's upload
// screen, which show the same error list.
//
// The file (RFC 4180):
//   - a header row first, then one member per row; a UTF-8 BOM is skipped;
//   - fields separated by commas, records by CRLF or LF (a lone CR too);
//   - a field in double quotes may hold commas, line breaks and doubled
//     quotes ("" is one "); text after a closing quote is an error;
//   - columns, in any order, named without regard to ASCII case or the
//     spaces around them:
//       name      required, 1..100 bytes of UTF-8, one line (no control
//                 characters)
//       phone     required, as staff type it ("0712 345 678", "+256...");
//                 must be a number of the GROUP's country
//       role      optional: member (default), treasurer, chair, secretary
//       language  optional: one of the configured languages (default:
//                 the configured default language)
//     any other column, a repeated column or a missing required column is
//     an error of row 1; a column with an empty header cell is ignored
//     while its cells are empty (else an error of that row);
//   - every cell is trimmed of spaces and tabs; a row whose cells are all
//     empty is skipped (spreadsheets leave such rows at the end);
//   - at most ImportRules::max_rows member rows (5,000 by default).
//
// Row numbers are a spreadsheet's: the header is row 1, the first member
// row 2. A record whose quoted field spans lines is ONE row.
//
// Duplicates follow Services::AddMember: several members may share a phone,
// but the same phone with the same name (ASCII case and runs of spaces
// aside) is the same woman twice. Such a row is an error when an earlier
// row of the file has it, or when an active member of the group has it.
//
// Every problem is reported, not just the first: one ImportError per bad
// cell (a row may have several), in row order then column order.
//
// Thread-safety: the pure functions are; ImportMembers as its Services.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.h"
#include "domain/result.h"
#include "domain/services.h"

namespace shg {

inline constexpr int kMaxImportRows = 5000;

// What a file is checked against.
struct ImportRules {
  std::string country;                 // the group's (ISO 3166 alpha-2): phones must be of it
  std::vector<std::string> languages;  // configured languages
  std::string default_language = "en";
  int max_rows = kMaxImportRows;
};

// A member row that passed every check, ready for Services::AddMember.
struct ImportRow {
  int row = 0;           // spreadsheet row number (header = 1)
  std::string name;      // trimmed
  std::string phone;     // E.164
  Role role = Role::kMember;
  std::string language;  // a configured language
};

// One problem: the row and column at fault and the cell as given.
struct ImportError {
  int row = 0;           // spreadsheet row number (1 = header)
  std::string column;    // "name", "phone", "role", "language", a header's own
                         // text for an unknown column, "" for the whole row
  std::string value;     // the cell (trimmed), "" when none
  std::string message;   // for people: what is wrong and what is expected
};

struct ImportCheck {
  int rows = 0;                      // member rows read (blank rows not counted)
  std::vector<ImportRow> members;    // the good rows, in file order
  std::vector<ImportError> errors;   // empty = the whole file may be imported
  bool valid() const { return errors.empty(); }
};

// Parses RFC 4180 text into records of fields (no trimming, BOM kept).
// Stops at the first malformed record: *error_row is then its 1-based
// record number (0 when none) and the result holds the records before it.
// An empty text is no record; a final line break ends the last record.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text, int* error_row,
                                               std::string* error_message);

// Checks a whole file against the rules and the group's members (active or
// not: exited members are ignored). Pure: reads nothing, writes nothing.
ImportCheck CheckMemberImport(std::string_view csv, const ImportRules& rules,
                              const std::vector<Member>& existing);

// Adds every row of a VALID check to the group, all or nothing (one
// SAVEPOINT): the ids in row order. AlreadyExists/InvalidArgument from
// Services::AddMember when the group changed since the check (the message
// names the row: "row 7: phone: ..."). REQUIRES the writer connection.
Result<std::vector<int64_t>> ImportMembers(Services& services, int64_t group_id,
                                           const std::vector<ImportRow>& rows,
                                           int64_t joined_at);

}  // namespace shg
