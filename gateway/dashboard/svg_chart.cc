// The savings-by-month bar chart as inline SVG (no script, no external
// asset): the last 12 months that have savings, oldest on the left.
#include <algorithm>

#include "gateway/dashboard/page.h"

namespace shg::gateway::dashboard {
namespace {

// "2026-04" -> "Apr 2026".
std::string MonthLabel(const std::string& month) {
  static const char* kNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (month.size() != 7) return month;
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  if (m < 1 || m > 12) return month;
  return std::string(kNames[m - 1]) + " " + month.substr(0, 4);
}

}  // namespace

void SavingsChart(Html& h, const std::vector<MonthTotal>& all, const std::string& currency) {
  if (all.empty()) {
    h.element("p", "No confirmed savings yet.", {{"class", "muted"}, {"id", "savings-chart-empty"}});
    return;
  }
  const size_t first = all.size() > 12 ? all.size() - 12 : 0;
  std::vector<MonthTotal> months(all.begin() + static_cast<std::ptrdiff_t>(first), all.end());
  int64_t top = 1;
  for (const MonthTotal& m : months) top = std::max(top, m.amount);
  constexpr int kBar = 44, kGap = 12, kLeft = 10, kTop = 24, kHeight = 160, kBottom = 40;
  const int width = kLeft * 2 + static_cast<int>(months.size()) * (kBar + kGap);
  const int height = kTop + kHeight + kBottom;
  h.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                 {"id", "savings-chart"},
                 {"role", "img"},
                 {"aria-labelledby", "savings-chart-title"},
                 {"viewBox", "0 0 " + std::to_string(width) + " " + std::to_string(height)},
                 {"width", std::to_string(width)},
                 {"height", std::to_string(height)}});
  h.element("title", "Confirmed savings by month (" + currency + ")",
            {{"id", "savings-chart-title"}});
  h.empty("line", {{"x1", std::to_string(kLeft)},
                   {"y1", std::to_string(kTop + kHeight)},
                   {"x2", std::to_string(width - kLeft)},
                   {"y2", std::to_string(kTop + kHeight)},
                   {"stroke", "#999"}});
  h.close("line");
  for (size_t i = 0; i < months.size(); ++i) {
    const MonthTotal& m = months[i];
    const int x = kLeft + static_cast<int>(i) * (kBar + kGap) + kGap / 2;
    // A month of net reversals draws no bar (its amount is still labelled).
    const int64_t shown = std::max<int64_t>(0, m.amount);
    const int bar = static_cast<int>(shown * kHeight / top);
    const int y = kTop + kHeight - bar;
    const std::string label = Money(m.amount, currency);
    h.open("g");
    h.element("title", m.month + ": " + label);
    h.empty("rect", {{"x", std::to_string(x)},
                     {"y", std::to_string(y)},
                     {"width", std::to_string(kBar)},
                     {"height", std::to_string(bar)},
                     {"fill", "#2f6f4f"},
                     {"data-month", m.month},
                     {"data-amount", std::to_string(m.amount)}});
    h.close("rect");
    // The amount above the bar in whole thousands would lose cents: the
    // exact figure is in the tooltip and the table below; the bar shows the
    // month under it.
    h.element("text", MonthLabel(m.month),
              {{"x", std::to_string(x + kBar / 2)},
               {"y", std::to_string(kTop + kHeight + 16)},
               {"font-size", "10"},
               {"text-anchor", "middle"},
               {"fill", "#333"}});
    h.close("g");
  }
  h.close("svg");
}

}  // namespace shg::gateway::dashboard
