// Prometheus text exposition (format 0.0.4) rendered by shg::http::Registry.
#include "gateway/http/metrics.h"

#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace shg::http {
namespace {

struct RenderCase {
  std::string name;
  std::function<void(Registry&)> setup;
  std::string expected;
};

std::vector<RenderCase> RenderCases() {
  return {
      {"LabelledCounter",
       [](Registry& r) {
         Counter& c = r.AddCounter("shg_ussd_requests_total", "USSD callbacks received.",
                                   {"channel", "outcome"});
         c.Inc({"at-ug", "rejected"});
         c.Inc({"at-ke", "ok"});
         c.Inc({"at-ke", "ok"}, 2);
       },
       "# HELP shg_ussd_requests_total USSD callbacks received.\n"
       "# TYPE shg_ussd_requests_total counter\n"
       "shg_ussd_requests_total{channel=\"at-ke\",outcome=\"ok\"} 3\n"
       "shg_ussd_requests_total{channel=\"at-ug\",outcome=\"rejected\"} 1\n"},
      {"LabelledCounterWithoutSeries",
       [](Registry& r) { r.AddCounter("shg_x_total", "X.", {"channel"}); },
       "# HELP shg_x_total X.\n"
       "# TYPE shg_x_total counter\n"},
      {"UnlabelledCounterStartsAtZero",
       [](Registry& r) { r.AddCounter("shg_restarts_total", "Restarts.", {}); },
       "# HELP shg_restarts_total Restarts.\n"
       "# TYPE shg_restarts_total counter\n"
       "shg_restarts_total 0\n"},
      {"UnlabelledCounterFractional",
       [](Registry& r) {
         Counter& c = r.AddCounter("shg_cost_total", "Cost.", {});
         c.Inc({}, 1.25);
         c.Inc({}, 0.25);
         c.Inc({}, -5);  // ignored: counters only go up
       },
       "# HELP shg_cost_total Cost.\n"
       "# TYPE shg_cost_total counter\n"
       "shg_cost_total 1.5\n"},
      {"EscapesHelpAndLabelValues",
       [](Registry& r) {
         r.AddCounter("shg_e_total", "Back\\slash and\nnewline \"quoted\".", {"v"})
             .Inc({"a\"b\\c\nd"});
       },
       "# HELP shg_e_total Back\\\\slash and\\nnewline \"quoted\".\n"
       "# TYPE shg_e_total counter\n"
       "shg_e_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"},
      {"Gauges",
       [](Registry& r) {
         r.AddGauge("shg_zero", "Never set.");
         r.AddGauge("shg_negative", "Negative.").Set(-3.5);
         r.AddGauge("shg_big", "Big.").Set(1e21);
         r.AddGauge("shg_inf", "Inf.").Set(std::numeric_limits<double>::infinity());
         r.AddGauge("shg_nan", "NaN.").Set(std::numeric_limits<double>::quiet_NaN());
       },
       "# HELP shg_zero Never set.\n# TYPE shg_zero gauge\nshg_zero 0\n"
       "# HELP shg_negative Negative.\n# TYPE shg_negative gauge\nshg_negative -3.5\n"
       "# HELP shg_big Big.\n# TYPE shg_big gauge\nshg_big 1e+21\n"
       "# HELP shg_inf Inf.\n# TYPE shg_inf gauge\nshg_inf +Inf\n"
       "# HELP shg_nan NaN.\n# TYPE shg_nan gauge\nshg_nan NaN\n"},
      {"LabelledHistogramIsCumulative",
       [](Registry& r) {
         Histogram& h = r.AddHistogram("shg_ussd_latency_seconds", "Answer latency.",
                                       {"channel"}, {0.005, 0.25, 1, 2.5});
         h.Observe({"at-ke"}, 0.25);  // on a bound: counts in that bucket (le)
         h.Observe({"at-ke"}, 0.5);
         h.Observe({"at-ke"}, 4);  // only in +Inf
         h.Observe({"at-bf"}, 0.001);
       },
       "# HELP shg_ussd_latency_seconds Answer latency.\n"
       "# TYPE shg_ussd_latency_seconds histogram\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-bf\",le=\"0.005\"} 1\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-bf\",le=\"0.25\"} 1\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-bf\",le=\"1\"} 1\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-bf\",le=\"2.5\"} 1\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-bf\",le=\"+Inf\"} 1\n"
       "shg_ussd_latency_seconds_sum{channel=\"at-bf\"} 0.001\n"
       "shg_ussd_latency_seconds_count{channel=\"at-bf\"} 1\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-ke\",le=\"0.005\"} 0\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-ke\",le=\"0.25\"} 1\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-ke\",le=\"1\"} 2\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-ke\",le=\"2.5\"} 2\n"
       "shg_ussd_latency_seconds_bucket{channel=\"at-ke\",le=\"+Inf\"} 3\n"
       "shg_ussd_latency_seconds_sum{channel=\"at-ke\"} 4.75\n"
       "shg_ussd_latency_seconds_count{channel=\"at-ke\"} 3\n"},
      {"UnlabelledHistogramStartsEmpty",
       [](Registry& r) { r.AddHistogram("shg_commit_seconds", "Commit time.", {}, {0.1, 1}); },
       "# HELP shg_commit_seconds Commit time.\n"
       "# TYPE shg_commit_seconds histogram\n"
       "shg_commit_seconds_bucket{le=\"0.1\"} 0\n"
       "shg_commit_seconds_bucket{le=\"1\"} 0\n"
       "shg_commit_seconds_bucket{le=\"+Inf\"} 0\n"
       "shg_commit_seconds_sum 0\n"
       "shg_commit_seconds_count 0\n"},
      {"HistogramBoundsSortedAndInfImplicit",
       [](Registry& r) {
         Histogram& h = r.AddHistogram("shg_h", "H.", {},
                                       {1, std::numeric_limits<double>::infinity(), 0.5, 1});
         h.Observe({}, 0.75);
         h.Observe({}, 0.5);
       },
       "# HELP shg_h H.\n"
       "# TYPE shg_h histogram\n"
       "shg_h_bucket{le=\"0.5\"} 1\n"
       "shg_h_bucket{le=\"1\"} 2\n"
       "shg_h_bucket{le=\"+Inf\"} 2\n"
       "shg_h_sum 1.25\n"
       "shg_h_count 2\n"},
      {"RegistrationOrder",
       [](Registry& r) {
         r.AddGauge("shg_b", "B.").Set(2);
         r.AddCounter("shg_a_total", "A.", {}).Inc({});
       },
       "# HELP shg_b B.\n# TYPE shg_b gauge\nshg_b 2\n"
       "# HELP shg_a_total A.\n# TYPE shg_a_total counter\nshg_a_total 1\n"},
  };
}

class RenderTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(RenderTest, Exact) {
  Registry r;
  GetParam().setup(r);
  EXPECT_EQ(r.Render(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Table, RenderTest, ::testing::ValuesIn(RenderCases()),
                         [](const auto& info) { return info.param.name; });

TEST(MetricsTest, EmptyRegistryRendersNothing) { EXPECT_EQ(Registry().Render(), ""); }

TEST(MetricsTest, ReRegisteringReturnsTheSameMetric) {
  Registry r;
  Counter& a = r.AddCounter("shg_c_total", "C.", {"x"});
  Counter& b = r.AddCounter("shg_c_total", "C.", {"x"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&r.AddGauge("shg_g", "G."), &r.AddGauge("shg_g", "G."));
  EXPECT_THROW(r.AddGauge("shg_c_total", "C."), std::logic_error);
}

TEST(MetricsTest, AccessorsForTests) {
  Registry r;
  Counter& c = r.AddCounter("shg_c_total", "C.", {"x"});
  c.Inc({"a"}, 2);
  EXPECT_EQ(c.Value({"a"}), 2);
  EXPECT_EQ(c.Value({"b"}), 0);
  Histogram& h = r.AddHistogram("shg_h", "H.", {"x"}, {1});
  h.Observe({"a"}, 3);
  h.Observe({"a"}, 0);
  EXPECT_EQ(h.Count({"a"}), 2u);
  EXPECT_EQ(h.Count({"b"}), 0u);
  Gauge& g = r.AddGauge("shg_g", "G.");
  g.Set(4.5);
  EXPECT_EQ(g.Value(), 4.5);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  Counter& c = r.AddCounter("shg_c_total", "C.", {"x"});
  Histogram& h = r.AddHistogram("shg_h", "H.", {}, {0.5});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        c.Inc({"a"});
        h.Observe({}, 1);
        if (i % 1000 == 0) (void)r.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value({"a"}), kThreads * kPerThread);
  EXPECT_EQ(h.Count({}), static_cast<uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace shg::http
