#include "dialogs/catalogue.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace shg::dialogs {
namespace {

Status ParseLanguage(const std::string& code, const std::string& text, std::string* name,
                     std::map<std::string, std::string, std::less<>>* out) {
  toml::table tbl;
  try {
    tbl = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("catalogue " + code + ": " + std::string(e.description()));
  }
  *name = tbl["name"].value_or(code);
  const toml::table* texts = tbl["text"].as_table();
  if (texts == nullptr) return Status::InvalidArgument("catalogue " + code + ": missing [text]");
  for (const auto& [key, node] : *texts) {
    const auto* s = node.as_string();
    if (s == nullptr) {
      return Status::InvalidArgument("catalogue " + code + ": text." + std::string(key.str()) +
                                     " is not a string");
    }
    out->emplace(std::string(key.str()), s->get());
  }
  return Status::Ok();
}

}  // namespace

Result<Catalogue> Catalogue::FromTexts(
    const std::vector<std::pair<std::string, std::string>>& code_and_toml) {
  if (code_and_toml.empty()) return Status::InvalidArgument("no languages configured");
  Catalogue c;
  for (const auto& [code, text] : code_and_toml) {
    Language lang;
    SHG_RETURN_IF_ERROR(ParseLanguage(code, text, &lang.name, &lang.text));
    c.codes_.push_back(code);
    c.langs_.emplace(code, std::move(lang));
  }
  return c;
}

Result<Catalogue> Catalogue::Load(const std::string& dir, const std::vector<std::string>& codes) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& code : codes) {
    std::ifstream in(dir + "/" + code + ".toml");
    if (!in) return Status::InvalidArgument("cannot read catalogue " + dir + "/" + code + ".toml");
    std::stringstream ss;
    ss << in.rdbuf();
    texts.emplace_back(code, ss.str());
  }
  return FromTexts(texts);
}

bool Catalogue::HasLanguage(std::string_view code) const { return langs_.find(code) != langs_.end(); }

std::string Catalogue::LanguageName(std::string_view code) const {
  auto it = langs_.find(code);
  return it == langs_.end() ? std::string(code) : it->second.name;
}

const std::string& Catalogue::Template(std::string_view lang, std::string_view key) const {
  if (auto it = langs_.find(lang); it != langs_.end()) {
    if (auto t = it->second.text.find(key); t != it->second.text.end()) return t->second;
  }
  const Language& fallback = langs_.find(codes_.front())->second;
  if (auto t = fallback.text.find(key); t != fallback.text.end()) return t->second;
  missing_ = "[" + std::string(key) + "]";
  return missing_;
}

std::vector<std::string> Catalogue::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [k, v] : langs_.find(codes_.front())->second.text) keys.push_back(k);
  return keys;
}

std::vector<std::string> Catalogue::MissingKeys(std::string_view lang) const {
  std::vector<std::string> missing;
  auto it = langs_.find(lang);
  for (const auto& key : Keys()) {
    if (it == langs_.end() || it->second.text.find(key) == it->second.text.end()) missing.push_back(key);
  }
  return missing;
}

namespace {

// The value of `name` in `fields`, or nullptr.
const std::string_view* Field(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
    std::string_view name) {
  for (const auto& field : fields) {
    if (field.first == name) return &field.second;
  }
  return nullptr;
}

}  // namespace

bool IsPluralOne(std::string_view count) { return count == "1"; }

std::string Format(std::string_view tmpl,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view inside = tmpl.substr(i + 1, close - i - 1);
        const size_t bar = inside.find('|');
        const std::string_view* value = Field(fields, inside.substr(0, bar));
        if (value != nullptr && bar == std::string_view::npos) {
          out.append(*value);
          i = close + 1;
          continue;
        }
        if (value != nullptr) {
          // {field|one|other}: exactly two forms, else left visible as a defect.
          std::string_view forms = inside.substr(bar + 1);
          const size_t second = forms.find('|');
          if (second != std::string_view::npos &&
              forms.find('|', second + 1) == std::string_view::npos) {
            out.append(IsPluralOne(*value) ? forms.substr(0, second) : forms.substr(second + 1));
            i = close + 1;
            continue;
          }
        }
      }
    }
    out.push_back(tmpl[i++]);
  }
  return out;
}

}  // namespace shg::dialogs
