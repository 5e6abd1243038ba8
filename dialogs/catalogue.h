// Message catalogue: one TOML file per language under config/lang/
// (`<code>.toml` with `code`, `name` and a [text] table of templates).
// Templates use {placeholder} fields filled by Format(), and plural forms
// chosen by a count field: "{n} {n|try|tries} left", Kiswahili
// "{n|Jaribio|Majaribio} {n} {n|limebaki|yamebaki}".
//
// Thread-safety: immutable after Load; safe to share across threads.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace shg::dialogs {

class Catalogue {
 public:
  // Loads `<dir>/<code>.toml` for each code. The first language is the
  // fallback for keys a translation lacks. InvalidArgument on a missing or
  // malformed file.
  static Result<Catalogue> Load(const std::string& dir, const std::vector<std::string>& codes);
  // Builds from in-memory TOML texts (tests).
  static Result<Catalogue> FromTexts(const std::vector<std::pair<std::string, std::string>>& code_and_toml);

  bool HasLanguage(std::string_view code) const;
  const std::vector<std::string>& languages() const { return codes_; }
  // The language's own name ("Kiswahili").
  std::string LanguageName(std::string_view code) const;
  // The template for key in `lang` (falling back to the first language, then
  // to "[key]" so a missing key is visible, never a crash).
  const std::string& Template(std::string_view lang, std::string_view key) const;
  // Keys of the fallback language missing in `lang`.
  std::vector<std::string> MissingKeys(std::string_view lang) const;
  std::vector<std::string> Keys() const;  // keys of the fallback language

 private:
  struct Language {
    std::string name;
    std::map<std::string, std::string, std::less<>> text;
  };
  std::vector<std::string> codes_;
  std::map<std::string, Language, std::less<>> langs_;
  mutable std::string missing_;  // scratch for "[key]"; not thread-safe but only for defects
};

// True when `count` (a field's decimal text) takes the singular ("one")
// form: exactly 1. This is the rule of English and Kiswahili (0 is plural:
// "0 tries", "Majaribio 0"); a language with other plural rules needs a rule
// of its own here.
bool IsPluralOne(std::string_view count);

// Replaces each {name} in `tmpl` by its value, and each {name|one|other} by
// `one` when the value of name IsPluralOne, else by `other` (the forms are
// plain text: no braces or '|' inside). Unknown fields, and a selector that
// does not have exactly two forms, stay as-is (visible, never a crash).
std::string Format(std::string_view tmpl,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

}  // namespace shg::dialogs
