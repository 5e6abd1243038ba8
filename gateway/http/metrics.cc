#include "gateway/http/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace shg::http {
namespace {

// A sample value as Prometheus clients print it: shortest round-trip form,
// "+Inf", "-Inf", "NaN".
void AppendNumber(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, end);
  }
}

void AppendNumber(std::string* out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

// HELP text: backslash and line feed escaped.
void AppendHelp(std::string* out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// Label value: backslash, double quote and line feed escaped.
void AppendLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// `{a="x",b="y"}` (with an optional trailing le="..."), or nothing when there
// are no labels at all.
void AppendLabels(std::string* out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, const std::string* le = nullptr) {
  if (names.empty() && le == nullptr) return;
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out->push_back(',');
    first = false;
    out->append(names[i]);
    out->append("=\"");
    AppendLabelValue(out, values[i]);
    out->push_back('"');
  }
  if (le != nullptr) {
    if (!first) out->push_back(',');
    out->append("le=\"");
    out->append(*le);
    out->push_back('"');
  }
  out->push_back('}');
}

void AppendHeader(std::string* out, const std::string& name, const std::string& help,
                  const std::string& type) {
  out->append("# HELP ").append(name).push_back(' ');
  AppendHelp(out, help);
  out->append("\n# TYPE ").append(name).push_back(' ');
  out->append(type).push_back('\n');
}

// A series whose label count does not match the metric's label names is a
// caller bug: asserted in debug builds, skipped in release builds.
bool LabelsMatch(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  assert(names.size() == values.size());
  return names.size() == values.size();
}

}  // namespace

void Counter::Set(const std::vector<std::string>& label_values, double v) {
  std::lock_guard<std::mutex> lock(mu_);
  values_[label_values] = v;
}

void Counter::Inc(const std::vector<std::string>& label_values, double by) {
  if (!(by >= 0)) return;  // counters only go up (also drops NaN)
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(label_values);
  if (it == values_.end()) {
    values_.emplace(label_values, by);
  } else {
    it->second += by;
  }
}

double Counter::Value(const std::vector<std::string>& label_values) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(label_values);
  return it == values_.end() ? 0 : it->second;
}

void Histogram::Observe(const std::vector<std::string>& label_values, double v) {
  // First bucket whose upper bound is >= v ("le"); past the end is +Inf only.
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(label_values);
  if (it == series_.end()) {
    it = series_.emplace(label_values, Series{}).first;
    it->second.buckets.assign(bounds_.size(), 0);
  }
  Series& s = it->second;
  if (bucket < s.buckets.size() && !std::isnan(v)) ++s.buckets[bucket];
  ++s.count;
  s.sum += v;
}

uint64_t Histogram::Count(const std::vector<std::string>& label_values) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second.count;
}

namespace {

template <typename Entry>
Entry* FindEntry(const std::vector<std::unique_ptr<Entry>>& entries, const std::string& name,
                 const std::string& type) {
  for (const auto& e : entries) {
    if (e->name != name) continue;
    if (e->type != type) {
      throw std::logic_error("metric " + name + " registered as " + e->type + " and " + type);
    }
    return e.get();
  }
  return nullptr;
}

}  // namespace

Counter& Registry::AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindEntry(entries_, name, "counter")) return *e->counter;
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "counter";
  e->label_names = std::move(label_names);
  e->counter = std::make_unique<Counter>();
  entries_.push_back(std::move(e));
  return *entries_.back()->counter;
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindEntry(entries_, name, "gauge")) return *e->gauge;
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "gauge";
  e->gauge = std::make_unique<Gauge>();
  entries_.push_back(std::move(e));
  return *entries_.back()->gauge;
}

Counter& Registry::AddLabeledGauge(const std::string& name, const std::string& help,
                                   std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindEntry(entries_, name, "gauge")) return *e->counter;
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "gauge";
  e->label_names = std::move(label_names);
  e->counter = std::make_unique<Counter>();
  entries_.push_back(std::move(e));
  return *entries_.back()->counter;
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindEntry(entries_, name, "histogram")) return *e->histogram;
  // Buckets must be increasing; +Inf (and NaN) are implicit / meaningless.
  std::erase_if(bounds, [](double b) { return std::isnan(b) || std::isinf(b); });
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "histogram";
  e->label_names = std::move(label_names);
  e->histogram = std::make_unique<Histogram>(std::move(bounds));
  entries_.push_back(std::move(e));
  return *entries_.back()->histogram;
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : entries_) {
    AppendHeader(&out, e->name, e->help, e->type);
    if (e->counter) {
      std::lock_guard<std::mutex> metric_lock(e->counter->mu_);
      if (e->label_names.empty() && e->counter->values_.empty()) {
        out.append(e->name).append(" 0\n");
      }
      for (const auto& [values, v] : e->counter->values_) {
        if (!LabelsMatch(e->label_names, values)) continue;
        out.append(e->name);
        AppendLabels(&out, e->label_names, values);
        out.push_back(' ');
        AppendNumber(&out, v);
        out.push_back('\n');
      }
    } else if (e->gauge) {
      out.append(e->name).push_back(' ');
      AppendNumber(&out, e->gauge->Value());
      out.push_back('\n');
    } else if (e->histogram) {
      const Histogram& h = *e->histogram;
      std::vector<std::string> les;
      les.reserve(h.bounds_.size() + 1);
      for (double b : h.bounds_) {
        std::string le;
        AppendNumber(&le, b);
        les.push_back(std::move(le));
      }
      les.push_back("+Inf");
      const std::string bucket_name = e->name + "_bucket";
      auto render_series = [&](const std::vector<std::string>& values, const Histogram::Series& s) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < les.size(); ++i) {
          cumulative = i < s.buckets.size() ? cumulative + s.buckets[i] : s.count;
          out.append(bucket_name);
          AppendLabels(&out, e->label_names, values, &les[i]);
          out.push_back(' ');
          AppendNumber(&out, cumulative);
          out.push_back('\n');
        }
        out.append(e->name).append("_sum");
        AppendLabels(&out, e->label_names, values);
        out.push_back(' ');
        AppendNumber(&out, s.sum);
        out.append("\n").append(e->name).append("_count");
        AppendLabels(&out, e->label_names, values);
        out.push_back(' ');
        AppendNumber(&out, s.count);
        out.push_back('\n');
      };
      std::lock_guard<std::mutex> metric_lock(h.mu_);
      if (e->label_names.empty() && h.series_.empty()) {
        Histogram::Series empty;
        empty.buckets.assign(h.bounds_.size(), 0);
        render_series({}, empty);
      }
      for (const auto& [values, s] : h.series_) {
        if (LabelsMatch(e->label_names, values)) render_series(values, s);
      }
    }
  }
  return out;
}

}  // namespace shg::http
