// An escaping HTML builder for the staff dashboard: every string that comes
// from a user, a member or the database goes through text() or an
// attribute value, which escape & < > " ' so that it renders as text
// (a member named <script>alert(1)</script> is shown, never run). Tag and
// attribute NAMES are program literals; raw() is for trusted markup built by
// this code only (never for data).
// Thread-safety: a builder is a plain value, one per thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace shg::gateway::dashboard {

// & < > " ' as entities; every other byte as it is (UTF-8 passes through).
std::string Escape(std::string_view s);

struct Attr {
  std::string_view name;  // a literal: "id", "href", "name"...
  std::string value;      // escaped when written
};

class Html {
 public:
  // <tag a="v" ...>; an attribute with an empty name is skipped (optional
  // attributes: {cond ? "checked" : "", ...}).
  Html& open(std::string_view tag, std::initializer_list<Attr> attrs = {});
  Html& close(std::string_view tag);
  // <tag a="v"> (void elements: input, br, meta).
  Html& empty(std::string_view tag, std::initializer_list<Attr> attrs = {});
  // <tag attrs>escaped text</tag>
  Html& element(std::string_view tag, std::string_view text,
                std::initializer_list<Attr> attrs = {});
  Html& text(std::string_view s);
  Html& raw(std::string_view trusted_markup);
  Html& append(const Html& other) { return raw(other.out_); }

  // A hidden CSRF field: <input type="hidden" name="csrf" value="...">.
  Html& csrf(std::string_view token);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void attrs(std::initializer_list<Attr> list);
  std::string out_;
};

// A URL query component (percent-encoded: unreserved characters kept).
std::string UrlEncode(std::string_view s);

}  // namespace shg::gateway::dashboard
