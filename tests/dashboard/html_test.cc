// The dashboard's HTML builder and cookie parsing: what reaches the page
// from data is escaped wherever it goes (text, attribute values).
#include <gtest/gtest.h>

#include "gateway/dashboard/dashboard.h"
#include "gateway/dashboard/html.h"

namespace shg::gateway::dashboard {
namespace {

TEST(HtmlTest, EscapesTheFiveSpecialCharactersAndNothingElse) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& c : std::vector<Case>{
           {"", ""},
           {"Amina Wekesa", "Amina Wekesa"},
           {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
           {"a & b", "a &amp; b"},
           {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
           {"&amp;", "&amp;amp;"},
           {"Zawadi Ñandú", "Zawadi Ñandú"},  // UTF-8 passes through
       }) {
    EXPECT_EQ(Escape(c.in), c.out) << c.in;
  }
}

TEST(HtmlTest, TextAndAttributeValuesAreEscaped) {
  Html h;
  h.element("td", "<b>x</b>", {{"data-name", "\" onmouseover=\"alert(1)"}, {"", "skipped"}});
  EXPECT_EQ(h.str(),
            "<td data-name=\"&quot; onmouseover=&quot;alert(1)\">&lt;b&gt;x&lt;/b&gt;</td>");
  Html f;
  f.csrf("tok\"en");
  EXPECT_EQ(f.str(), "<input type=\"hidden\" name=\"csrf\" value=\"tok&quot;en\">");
}

TEST(HtmlTest, UrlEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(UrlEncode("in_arrears"), "in_arrears");
  EXPECT_EQ(UrlEncode("a b&c=d/<"), "a%20b%26c%3Dd%2F%3C");
}

TEST(CookieTest, FindsTheNamedCookieOnly) {
  struct Case {
    const char* header;
    const char* want;
  };
  for (const Case& c : std::vector<Case>{
           {"", ""},
           {"shg_session=abc", "abc"},
           {"a=1; shg_session=abc; b=2", "abc"},
           {"a=1;shg_session=abc", "abc"},
           {"xshg_session=abc", ""},
           {"shg_session_old=abc", ""},
           {"shg_session", ""},
           {"shg_login=1; shg_session=", ""},
       }) {
    EXPECT_EQ(CookieValue(c.header, kSessionCookie), c.want) << c.header;
  }
}

}  // namespace
}  // namespace shg::gateway::dashboard
