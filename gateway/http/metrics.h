// Prometheus metrics: counters, gauges and histograms with fixed label
// names, rendered in the text exposition format (version 0.0.4).
//
// Thread-safety: all methods are safe to call concurrently. Label values must
// never carry a PIN, a secret or a full phone number.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shg::http {

class Registry;

class Counter {
 public:
  void Inc(const std::vector<std::string>& label_values, double by = 1);
  // Sets a series (for gauges with labels, see Registry::AddLabeledGauge).
  void Set(const std::vector<std::string>& label_values, double v);
  double Value(const std::vector<std::string>& label_values) const;  // for tests
 private:
  friend class Registry;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, double> values_;
};

class Gauge {
 public:
  void Set(double v) { value_.store(v); }
  double Value() const { return value_.load(); }
 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {}
  void Observe(const std::vector<std::string>& label_values, double v);
  uint64_t Count(const std::vector<std::string>& label_values) const;  // for tests
 private:
  friend class Registry;
  struct Series {
    std::vector<uint64_t> buckets;  // cumulative at render time
    uint64_t count = 0;
    double sum = 0;
  };
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, Series> series_;
};

class Registry {
 public:
  Counter& AddCounter(const std::string& name, const std::string& help,
                      std::vector<std::string> label_names);
  Gauge& AddGauge(const std::string& name, const std::string& help);
  // A gauge with labels: set each series with Counter::Set.
  Counter& AddLabeledGauge(const std::string& name, const std::string& help,
                           std::vector<std::string> label_names);
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names, std::vector<double> bounds);
  // The text exposition of every metric, in registration order.
  std::string Render() const;

 private:
  struct Entry {
    std::string name, help, type;
    std::vector<std::string> label_names;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace shg::http
