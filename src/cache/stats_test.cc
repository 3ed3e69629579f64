#include "cache/stats.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace codeindex {
namespace {

TEST(HistogramTest, BucketsCoverEveryValueInOrder) {
  for (uint64_t v : {0ULL, 1ULL, 7ULL, 8ULL, 9ULL, 15ULL, 16ULL, 17ULL, 1000ULL, 123456789ULL}) {
    const int b = Histogram::BucketFor(v);
    EXPECT_GE(Histogram::BucketUpperBound(b), v) << v;
    if (b > 0) {
      EXPECT_LT(Histogram::BucketUpperBound(b - 1), v) << v;
    }
  }
  // Relative width stays within 12.5 % above the first octave.
  for (int b = 16; b < kHistogramBuckets - 1; ++b) {
    const double lo = static_cast<double>(Histogram::BucketUpperBound(b - 1) + 1);
    const double hi = static_cast<double>(Histogram::BucketUpperBound(b));
    EXPECT_LE((hi - lo + 1) / lo, 0.125 + 1e-12) << b;
  }
  EXPECT_EQ(Histogram::BucketFor(~uint64_t{0}), kHistogramBuckets - 1);
}

TEST(HistogramTest, PercentilesByNearestRank) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v * 1000);  // 1..100 ms
  const HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.max_us, 100000u);
  EXPECT_EQ(s.sum_us, 5050000u);
  // Within the bucket width of the exact nearest-rank values 50, 90, 99 ms.
  EXPECT_GE(s.PercentileUs(50), 50000);
  EXPECT_LE(s.PercentileUs(50), 50000 * 1.125);
  EXPECT_GE(s.PercentileUs(90), 90000);
  EXPECT_LE(s.PercentileUs(90), 90000 * 1.125);
  EXPECT_GE(s.PercentileUs(99), 99000);
  EXPECT_LE(s.PercentileUs(99), 100000);  // clamped to the max
  EXPECT_EQ(Histogram().Snapshot().PercentileUs(50), 0);
}

// The acceptance test: 16 threads record 1M events each; no count is lost and the
// histogram's totals are exact, bucket by bucket.
TEST(StatsConcurrencyTest, SixteenThreadsMillionEventsEachLoseNothing) {
  constexpr int kThreads = 16;
  constexpr uint64_t kEvents = 1'000'000;
  Counter counter;
  Gauge gauge;
  Histogram histogram;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; i < kEvents; ++i) {
        counter.Add();
        gauge.Add(t % 2 == 0 ? 1 : -1);
        histogram.Record((i + static_cast<uint64_t>(t)) % 5000);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter.Value(), kThreads * kEvents);
  EXPECT_EQ(gauge.Value(), 0);
  const HistogramSnapshot s = histogram.Snapshot();
  EXPECT_EQ(s.count, kThreads * kEvents);
  // Expected buckets and sum, computed single-threaded.
  std::vector<uint64_t> expected(kHistogramBuckets, 0);
  uint64_t sum = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (uint64_t v = 0; v < 5000; ++v) {
      // Each thread records every residue kEvents / 5000 = 200 times.
      expected[Histogram::BucketFor(v)] += kEvents / 5000;
      sum += v * (kEvents / 5000);
    }
  }
  for (int b = 0; b < kHistogramBuckets; ++b) ASSERT_EQ(s.buckets[b], expected[b]) << b;
  EXPECT_EQ(s.sum_us, sum);
  EXPECT_EQ(s.max_us, 4999u);
}

TEST(MetricsRegistryTest, SameNameAndLabelsGiveTheSameMetric) {
  MetricsRegistry r;
  Counter* a = r.GetCounter("x_total", "help", {{"mode", "text"}});
  Counter* b = r.GetCounter("x_total", "other help", {{"mode", "text"}});
  Counter* c = r.GetCounter("x_total", "help", {{"mode", "hybrid"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(r.GetGauge("x_total", "a counter already"), nullptr);
}

TEST(MetricsRegistryTest, PrometheusTextAndJson) {
  MetricsRegistry r;
  r.GetCounter("codeindex_searches_total", "Searches answered.", {{"mode", "text"}})->Add(3);
  r.GetGauge("codeindex_connections", "Open connections.")->Set(2);
  Histogram* h = r.GetHistogram("codeindex_search_seconds", "Search latency.", {{"mode", "text"}});
  h->Record(1000);
  h->Record(3000);
  const int id = r.AddCollector([](std::vector<MetricSample>* out) {
    out->push_back({"codeindex_cache_entries", "Entries.", false, {{"space", "search"}}, 7});
  });
  const std::string text = r.PrometheusText();
  EXPECT_NE(text.find("# TYPE codeindex_searches_total counter\n"
                      "codeindex_searches_total{mode=\"text\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("codeindex_connections 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE codeindex_search_seconds summary"), std::string::npos) << text;
  EXPECT_NE(text.find("codeindex_search_seconds{mode=\"text\",quantile=\"0.5\"} 0.001023\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("codeindex_search_seconds_count{mode=\"text\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("codeindex_search_seconds_sum{mode=\"text\"} 0.004\n"), std::string::npos);
  EXPECT_NE(text.find("codeindex_cache_entries{space=\"search\"} 7\n"), std::string::npos);

  const nlohmann::json j = r.ToJson();
  EXPECT_EQ(j["codeindex_searches_total"][0]["value"], 3);
  EXPECT_EQ(j["codeindex_searches_total"][0]["labels"]["mode"], "text");
  EXPECT_EQ(j["codeindex_search_seconds"][0]["count"], 2);
  EXPECT_DOUBLE_EQ(j["codeindex_search_seconds"][0]["max_ms"].get<double>(), 3.0);
  EXPECT_EQ(j["codeindex_cache_entries"][0]["value"], 7);

  r.RemoveCollector(id);
  EXPECT_EQ(r.PrometheusText().find("codeindex_cache_entries"), std::string::npos);
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  MetricsRegistry r;
  r.GetCounter("a_total", "h", {{"q", "say \"hi\"\\\n"}})->Add();
  EXPECT_NE(r.PrometheusText().find("a_total{q=\"say \\\"hi\\\"\\\\\\n\"} 1"), std::string::npos)
      << r.PrometheusText();
}

}  // namespace
}  // namespace codeindex
