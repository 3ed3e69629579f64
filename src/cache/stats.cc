#include "cache/stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace codeindex {

int Counter::StripeIndex() {
  static std::atomic<int> next{0};
  thread_local int index = next.fetch_add(1, std::memory_order_relaxed) % kStripes;
  return index;
}

uint64_t Counter::Value() const {
  uint64_t total = 0;
  for (const Cell& c : cells_) total += c.v.load(std::memory_order_relaxed);
  return total;
}

// Buckets 0..7 hold the values 0..7 exactly; above, octave o >= 1 covers [2^(o+2), 2^(o+3))
// in 8 equal sub-buckets.
int Histogram::BucketFor(uint64_t micros) {
  if (micros < kHistogramSubBuckets) return static_cast<int>(micros);
  const int e = std::bit_width(micros) - 1;  // floor(log2), >= 3
  const int octave = e - 2;
  if (octave >= kHistogramOctaves) return kHistogramBuckets - 1;
  const int sub = static_cast<int>((micros >> (e - 3)) & (kHistogramSubBuckets - 1));
  return octave * kHistogramSubBuckets + sub;
}

uint64_t Histogram::BucketUpperBound(int bucket) {
  const int octave = bucket / kHistogramSubBuckets;
  const int sub = bucket % kHistogramSubBuckets;
  if (octave == 0) return static_cast<uint64_t>(sub);
  const int e = octave + 2;
  const uint64_t width = uint64_t{1} << (e - 3);
  return (uint64_t{1} << e) + static_cast<uint64_t>(sub) * width + width - 1;
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  for (int i = 0; i < kHistogramBuckets; ++i) {
    s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count += s.buckets[i];
  }
  s.sum_us = sum_us_.load(std::memory_order_relaxed);
  s.max_us = max_us_.load(std::memory_order_relaxed);
  return s;
}

double HistogramSnapshot::PercentileUs(double p) const {
  if (count == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count)));
  rank = std::clamp<uint64_t>(rank, 1, count);
  uint64_t seen = 0;
  for (int i = 0; i < kHistogramBuckets; ++i) {
    seen += buckets[i];
    if (seen >= rank) {
      return static_cast<double>(std::min(Histogram::BucketUpperBound(i), max_us));
    }
  }
  return static_cast<double>(max_us);
}

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry* registry = new MetricsRegistry();
  return *registry;
}

MetricsRegistry::Family* MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
  }
  // One name, one kind: a second kind under the same name would make invalid exposition.
  return it->second.kind == kind ? &it->second : nullptr;
}

Counter* MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family* f = FamilyFor(name, help, Kind::kCounter);
  if (f == nullptr) return nullptr;
  auto& slot = f->counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family* f = FamilyFor(name, help, Kind::kGauge);
  if (f == nullptr) return nullptr;
  auto& slot = f->gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family* f = FamilyFor(name, help, Kind::kHistogram);
  if (f == nullptr) return nullptr;
  auto& slot = f->histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>();
  return slot.get();
}

int MetricsRegistry::AddCollector(Collector collector) {
  std::lock_guard lock(mu_);
  const int id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return id;
}

void MetricsRegistry::RemoveCollector(int id) {
  std::lock_guard lock(mu_);
  collectors_.erase(id);
}

// Collectors run under mu_, so that RemoveCollector() returning means the collector is no
// longer running; a collector must not call back into the registry.
std::vector<MetricSample> MetricsRegistry::CollectSamples() const {
  std::vector<MetricSample> samples;
  for (const auto& [id, c] : collectors_) c(&samples);
  return samples;
}

namespace {

std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelText(const MetricLabels& labels, std::string_view extra_key = {},
                      std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + EscapeLabel(v) + "\"";
  }
  if (!extra_key.empty()) {
    if (!first) out += ',';
    out += std::string(extra_key) + "=\"" + std::string(extra_value) + "\"";
  }
  out += '}';
  return out;
}

std::string Number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

nlohmann::json LabelsJson(const MetricLabels& labels) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : labels) j[k] = v;
  return j;
}

double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace

std::string MetricsRegistry::PrometheusText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    switch (f.kind) {
      case Kind::kCounter:
        out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " counter\n";
        for (const auto& [labels, c] : f.counters) {
          out += name + LabelText(labels) + " " + Number(static_cast<double>(c->Value())) + "\n";
        }
        break;
      case Kind::kGauge:
        out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " gauge\n";
        for (const auto& [labels, g] : f.gauges) {
          out += name + LabelText(labels) + " " + Number(static_cast<double>(g->Value())) + "\n";
        }
        break;
      case Kind::kHistogram:
        out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " summary\n";
        for (const auto& [labels, h] : f.histograms) {
          const HistogramSnapshot s = h->Snapshot();
          for (double q : {0.5, 0.9, 0.99}) {
            out += name + LabelText(labels, "quantile", Number(q)) + " " +
                   Number(s.PercentileUs(q * 100) / 1e6) + "\n";
          }
          out += name + "_sum" + LabelText(labels) + " " +
                 Number(static_cast<double>(s.sum_us) / 1e6) + "\n";
          out += name + "_count" + LabelText(labels) + " " +
                 Number(static_cast<double>(s.count)) + "\n";
        }
        break;
    }
  }
  // Collector samples, grouped by name in first-seen order.
  std::vector<MetricSample> samples = CollectSamples();
  std::vector<std::string> order;
  std::map<std::string, std::vector<const MetricSample*>> by_name;
  for (const MetricSample& s : samples) {
    auto& v = by_name[s.name];
    if (v.empty()) order.push_back(s.name);
    v.push_back(&s);
  }
  for (const std::string& name : order) {
    const auto& v = by_name[name];
    out += "# HELP " + name + " " + v.front()->help + "\n# TYPE " + name + " " +
           (v.front()->counter ? "counter" : "gauge") + "\n";
    for (const MetricSample* s : v) out += name + LabelText(s->labels) + " " + Number(s->value) + "\n";
  }
  return out;
}

nlohmann::json MetricsRegistry::ToJson() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, f] : families_) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [labels, c] : f.counters) {
      arr.push_back({{"labels", LabelsJson(labels)}, {"value", c->Value()}});
    }
    for (const auto& [labels, g] : f.gauges) {
      arr.push_back({{"labels", LabelsJson(labels)}, {"value", g->Value()}});
    }
    for (const auto& [labels, h] : f.histograms) {
      const HistogramSnapshot s = h->Snapshot();
      arr.push_back({{"labels", LabelsJson(labels)},
                     {"count", s.count},
                     {"mean_ms", Round3(s.MeanUs() / 1000)},
                     {"p50_ms", Round3(s.PercentileUs(50) / 1000)},
                     {"p90_ms", Round3(s.PercentileUs(90) / 1000)},
                     {"p99_ms", Round3(s.PercentileUs(99) / 1000)},
                     {"max_ms", Round3(static_cast<double>(s.max_us) / 1000)}});
    }
    out[name] = std::move(arr);
  }
  for (const MetricSample& s : CollectSamples()) {
    out[s.name].push_back({{"labels", LabelsJson(s.labels)}, {"value", s.value}});
  }
  return out;
}

}  // namespace codeindex
