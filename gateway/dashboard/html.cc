#include "gateway/dashboard/html.h"

namespace shg::gateway::dashboard {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void Html::attrs(std::initializer_list<Attr> list) {
  for (const Attr& a : list) {
    if (a.name.empty()) continue;
    out_ += ' ';
    out_ += a.name;
    out_ += "=\"";
    out_ += Escape(a.value);
    out_ += '"';
  }
}

Html& Html::open(std::string_view tag, std::initializer_list<Attr> list) {
  out_ += '<';
  out_ += tag;
  attrs(list);
  out_ += '>';
  return *this;
}

Html& Html::close(std::string_view tag) {
  out_ += "</";
  out_ += tag;
  out_ += '>';
  return *this;
}

Html& Html::empty(std::string_view tag, std::initializer_list<Attr> list) {
  return open(tag, list);
}

Html& Html::element(std::string_view tag, std::string_view content,
                    std::initializer_list<Attr> list) {
  open(tag, list);
  text(content);
  return close(tag);
}

Html& Html::text(std::string_view s) {
  out_ += Escape(s);
  return *this;
}

Html& Html::raw(std::string_view trusted_markup) {
  out_ += trusted_markup;
  return *this;
}

Html& Html::csrf(std::string_view token) {
  return empty("input", {{"type", "hidden"}, {"name", "csrf"}, {"value", std::string(token)}});
}

std::string UrlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace shg::gateway::dashboard
