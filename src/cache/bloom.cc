#include "cache/bloom.h"

#include <algorithm>
#include <cmath>

namespace codeindex {

BloomFilter::BloomFilter(size_t expected_items, double false_positive_rate)
    : expected_items_(std::max<size_t>(1, expected_items)) {
  const double p = std::clamp(false_positive_rate, 1e-9, 0.5);
  const double ln2 = std::log(2.0);
  const double m = -static_cast<double>(expected_items_) * std::log(p) / (ln2 * ln2);
  words_ = std::max<size_t>(1, static_cast<size_t>(std::ceil(m / 64)));
  bits_ = words_ * 64;
  probes_ = std::clamp(
      static_cast<int>(std::lround(static_cast<double>(bits_) / expected_items_ * ln2)), 1, 30);
  table_.reset(new std::atomic<uint64_t>[words_]);
  for (size_t i = 0; i < words_; ++i) table_[i].store(0, std::memory_order_relaxed);
}

void BloomFilter::Add(const CacheKey& key) {
  const uint64_t h2 = key.hi | 1;  // odd, so the k positions differ
  uint64_t h = key.lo;
  for (int i = 0; i < probes_; ++i, h += h2) {
    const size_t bit = static_cast<size_t>(h % bits_);
    table_[bit / 64].fetch_or(uint64_t{1} << (bit % 64), std::memory_order_release);
  }
  items_.fetch_add(1, std::memory_order_relaxed);
}

bool BloomFilter::MayContain(const CacheKey& key) const {
  const uint64_t h2 = key.hi | 1;
  uint64_t h = key.lo;
  for (int i = 0; i < probes_; ++i, h += h2) {
    const size_t bit = static_cast<size_t>(h % bits_);
    if ((table_[bit / 64].load(std::memory_order_acquire) & (uint64_t{1} << (bit % 64))) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace codeindex
