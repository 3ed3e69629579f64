#include "server/stats.h"

#include <algorithm>
#include <cmath>

namespace codeindex {

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  size_t k = rank == 0 ? 0 : rank - 1;
  k = std::min(k, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

ServerStats::ServerStats() : started_(std::chrono::steady_clock::now()) {
  window_.reserve(kLatencyWindow);
}

void ServerStats::RecordSearch(double ms, bool ok) {
  searches_.fetch_add(1, std::memory_order_relaxed);
  if (!ok) search_errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  if (window_.size() < kLatencyWindow) {
    window_.push_back(ms);
  } else {
    window_[next_] = ms;
  }
  next_ = (next_ + 1) % kLatencyWindow;
}

void ServerStats::RecordRequest(int status) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (status >= 400 && status < 500) client_errors_.fetch_add(1, std::memory_order_relaxed);
  if (status >= 500) server_errors_.fetch_add(1, std::memory_order_relaxed);
}

LatencySummary ServerStats::Latency() const {
  std::vector<double> v;
  {
    std::lock_guard lock(mu_);
    v = window_;
  }
  LatencySummary s;
  s.count = v.size();
  if (v.empty()) return s;
  s.max_ms = *std::max_element(v.begin(), v.end());
  s.p50_ms = Percentile(v, 50);
  s.p90_ms = Percentile(v, 90);
  s.p99_ms = Percentile(v, 99);
  return s;
}

double ServerStats::uptime_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace codeindex
