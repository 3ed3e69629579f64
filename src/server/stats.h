// Counters and latency percentiles of the searches a server answered, for `status`.
//
// The latency window is the last kLatencyWindow searches (a ring buffer): percentiles describe
// recent behaviour, not the whole uptime, and the memory is fixed. Percentiles are
// nearest-rank over the window (p50 of 1..100 ms is 50 ms).
//
// Thread safety: all methods are thread-safe (one mutex; Record() holds it for a store).
#ifndef CODEINDEX_SERVER_STATS_H_
#define CODEINDEX_SERVER_STATS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace codeindex {

inline constexpr size_t kLatencyWindow = 4096;

struct LatencySummary {
  uint64_t count = 0;  // searches in the window
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentile `p` (0..100) of `values` (reordered). 0 when empty.
double Percentile(std::vector<double>& values, double p);

class ServerStats {
 public:
  ServerStats();
  ServerStats(const ServerStats&) = delete;
  ServerStats& operator=(const ServerStats&) = delete;

  // A search answered (ok or not) after `ms` milliseconds in the server (queue + work).
  void RecordSearch(double ms, bool ok);
  // Any HTTP request answered with `status`, or an MCP tool call (status 200 / 500).
  void RecordRequest(int status);
  void RecordTimeout() { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  void RecordRejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }

  LatencySummary Latency() const;
  uint64_t searches() const { return searches_.load(std::memory_order_relaxed); }
  uint64_t search_errors() const { return search_errors_.load(std::memory_order_relaxed); }
  uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  uint64_t client_errors() const { return client_errors_.load(std::memory_order_relaxed); }
  uint64_t server_errors() const { return server_errors_.load(std::memory_order_relaxed); }
  uint64_t timeouts() const { return timeouts_.load(std::memory_order_relaxed); }
  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  double uptime_seconds() const;

  // Live gauges maintained by the transport.
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> sse_clients{0};
  std::atomic<int64_t> in_flight{0};

 private:
  const std::chrono::steady_clock::time_point started_;
  std::atomic<uint64_t> searches_{0}, search_errors_{0}, requests_{0}, client_errors_{0},
      server_errors_{0}, timeouts_{0}, rejected_{0};
  mutable std::mutex mu_;
  std::vector<double> window_;  // GUARDED_BY(mu_), ring of kLatencyWindow
  size_t next_ = 0;             // GUARDED_BY(mu_)
};

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_STATS_H_
