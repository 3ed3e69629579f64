// A concurrent Bloom filter over CacheKeys: "certainly never inserted" or "maybe inserted".
//
// Put in front of a slower store (the persistent embedding cache) so that lookups of keys
// never stored skip it. Sized at construction for `expected_items` at a target false-positive
// rate: m = -n ln p / (ln 2)^2 bits, k = (m / n) ln 2 probes, positions lo + i * hi (mod m)
// from the key's two 64-bit halves (Kirsch and Mitzenmacher's double hashing, as good as k
// independent hashes for a Bloom filter). Past expected_items the false-positive rate rises
// (never false negatives); the owner may check items() and rebuild a larger one.
//
// Thread safety: Add() and MayContain() may run concurrently from any threads (bits are set
// with atomic fetch_or and never cleared). A MayContain() concurrent with the Add() of the same
// key may see it or not; once Add() has returned, every later MayContain() sees it.
#ifndef CODEINDEX_CACHE_BLOOM_H_
#define CODEINDEX_CACHE_BLOOM_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "cache/cache.h"

namespace codeindex {

class BloomFilter {
 public:
  // REQUIRES: expected_items >= 1, 0 < false_positive_rate < 1.
  BloomFilter(size_t expected_items, double false_positive_rate);
  BloomFilter(const BloomFilter&) = delete;
  BloomFilter& operator=(const BloomFilter&) = delete;

  void Add(const CacheKey& key);
  bool MayContain(const CacheKey& key) const;

  size_t bits() const { return bits_; }
  int probes() const { return probes_; }
  size_t items() const { return items_.load(std::memory_order_relaxed); }
  size_t expected_items() const { return expected_items_; }
  size_t memory_bytes() const { return words_ * sizeof(uint64_t); }

 private:
  const size_t expected_items_;
  size_t bits_;
  size_t words_;
  int probes_;
  std::unique_ptr<std::atomic<uint64_t>[]> table_;
  std::atomic<size_t> items_{0};
};

}  // namespace codeindex

#endif  // CODEINDEX_CACHE_BLOOM_H_
