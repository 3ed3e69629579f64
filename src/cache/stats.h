// Lock-free performance statistics: counters, gauges and fixed-bucket latency histograms,
// gathered in a registry that renders them as JSON (status, /v1/status, MCP index_status)
// and as Prometheus text (GET /metrics). One registry per process (MetricsRegistry::Global())
// so that every front end reads the same numbers.
//
// Recording never takes a lock and never allocates:
//   Counter    a monotonically increasing uint64, striped over kStripes cache lines so that
//              threads on different cores do not fight over one line; Value() sums them.
//   Gauge      an int64 that goes up and down (connections, bytes in a cache), one atomic.
//   Histogram  latencies in microseconds in kHistogramBuckets fixed log-linear buckets
//              (8 per power of two: a percentile is exact to within 12.5 %, from 1 µs to
//              ~38 hours); p50/p90/p99 by nearest rank over the buckets, reported as the
//              bucket's upper bound clamped to the largest value seen.
//
// Invariants (what the 16-thread test checks):
//   1. Every Add()/Record() is counted exactly once: relaxed fetch_add on a word that only
//      ever grows, no read-modify-write split across two words.
//   2. A histogram's count is the sum of its buckets (not a separate counter), so a snapshot
//      taken while others record may lag but is never internally inconsistent in its count.
//   3. Snapshots read with relaxed loads: they are a consistent sum of what each thread had
//      recorded at some point during the read, which is what a monitoring read needs.
//
// Registration (MetricsRegistry::GetCounter/GetGauge/GetHistogram, AddCollector) takes a mutex
// and returns a pointer that stays valid for the registry's lifetime: look a metric up once
// and keep the pointer on the hot path.
//
// Thread safety: everything here is thread-safe.
#ifndef CODEINDEX_CACHE_STATS_H_
#define CODEINDEX_CACHE_STATS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace codeindex {

// Label pairs of one metric, e.g. {{"mode", "hybrid"}}. Order is kept as given.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  static constexpr int kStripes = 16;
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Add(uint64_t n = 1) {
    cells_[StripeIndex()].v.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const;

 private:
  struct alignas(64) Cell {
    std::atomic<uint64_t> v{0};
  };
  // A small per-thread index, assigned round-robin the first time a thread records.
  static int StripeIndex();
  std::array<Cell, kStripes> cells_;
};

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;
  void Add(int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  int64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

inline constexpr int kHistogramSubBuckets = 8;  // per power of two
inline constexpr int kHistogramOctaves = 38;    // 1 µs .. 2^37 µs
inline constexpr int kHistogramBuckets = kHistogramSubBuckets * kHistogramOctaves;

struct HistogramSnapshot {
  uint64_t count = 0;
  uint64_t sum_us = 0;
  uint64_t max_us = 0;
  std::array<uint64_t, kHistogramBuckets> buckets{};
  // Nearest-rank percentile p (0..100) in microseconds: the upper bound of the bucket that
  // holds the rank, never above max_us. 0 when empty.
  double PercentileUs(double p) const;
  double MeanUs() const { return count ? static_cast<double>(sum_us) / count : 0; }
};

class Histogram {
 public:
  Histogram() = default;
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Record(uint64_t micros) {
    buckets_[BucketFor(micros)].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(micros, std::memory_order_relaxed);
    uint64_t m = max_us_.load(std::memory_order_relaxed);
    while (micros > m && !max_us_.compare_exchange_weak(m, micros, std::memory_order_relaxed)) {
    }
  }
  void RecordDuration(std::chrono::nanoseconds d) {
    Record(static_cast<uint64_t>(std::max<int64_t>(0, d.count()) / 1000));
  }
  HistogramSnapshot Snapshot() const;

  // Bucket of a value and the largest value a bucket holds (exposed for tests).
  static int BucketFor(uint64_t micros);
  static uint64_t BucketUpperBound(int bucket);

 private:
  std::array<std::atomic<uint64_t>, kHistogramBuckets> buckets_{};
  std::atomic<uint64_t> sum_us_{0};
  std::atomic<uint64_t> max_us_{0};
};

// Records the time from construction to destruction (or Stop()) into a histogram.
class ScopedLatency {
 public:
  explicit ScopedLatency(Histogram* h) : h_(h), start_(std::chrono::steady_clock::now()) {}
  ~ScopedLatency() { Stop(); }
  ScopedLatency(const ScopedLatency&) = delete;
  ScopedLatency& operator=(const ScopedLatency&) = delete;
  void Stop() {
    if (h_ != nullptr) h_->RecordDuration(std::chrono::steady_clock::now() - start_);
    h_ = nullptr;
  }

 private:
  Histogram* h_;
  std::chrono::steady_clock::time_point start_;
};

// What a collector reports at read time (e.g. a cache's entries and bytes): one sample.
struct MetricSample {
  std::string name;  // Prometheus name, e.g. "codeindex_cache_hits_total"
  std::string help;
  bool counter = false;  // else a gauge
  MetricLabels labels;
  double value = 0;
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The process's registry (never destroyed).
  static MetricsRegistry& Global();

  // The metric named `name` with `labels`, created on first use. `name` follows Prometheus
  // rules ([a-zA-Z_:][a-zA-Z0-9_:]*; counters end in _total by convention); `help` is kept
  // from the first registration of the name. Returned pointers live as long as the registry.
  Counter* GetCounter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge* GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  // A latency histogram, exported as a Prometheus summary in seconds (quantiles 0.5, 0.9,
  // 0.99, _sum, _count) and in JSON as count, mean/p50/p90/p99/max in milliseconds.
  Histogram* GetHistogram(std::string_view name, std::string_view help,
                          const MetricLabels& labels = {});

  // A function called at read time for values owned elsewhere (a cache's occupancy). Returns
  // an id for RemoveCollector; the collector must stay callable until removed.
  using Collector = std::function<void(std::vector<MetricSample>*)>;
  int AddCollector(Collector collector);
  void RemoveCollector(int id);

  // Prometheus text exposition format 0.0.4.
  std::string PrometheusText() const;
  // {"<name>": [{"labels": {...}, "value": n} | {"labels", "count", "mean_ms", "p50_ms",
  //  "p90_ms", "p99_ms", "max_ms"}]} with collectors' samples included.
  nlohmann::json ToJson() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    // labels -> metric; std::map so that output order is stable.
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
  };
  Family* FamilyFor(std::string_view name, std::string_view help, Kind kind);  // REQUIRES(mu_)
  std::vector<MetricSample> CollectSamples() const;

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // GUARDED_BY(mu_)
  std::map<int, Collector> collectors_;                  // GUARDED_BY(mu_)
  int next_collector_ = 1;                               // GUARDED_BY(mu_)
};

}  // namespace codeindex

#endif  // CODEINDEX_CACHE_STATS_H_
