// The engine's one in-memory cache: query embeddings, search responses and parse results
// (and anything else worth keeping) share a single memory budget, a single eviction policy
// and a single time to live, with hit and miss counts per kind of data.
//
// A Cache maps (space, key) to an immutable value held by std::shared_ptr<const T>:
//   - A *space* is a named partition ("embedding", "search", "parse"). Spaces never see each
//     other's keys and each has its own statistics; they share the byte budget, so memory
//     goes wherever the hits are.
//   - A *key* is a 128-bit XXH3 hash (CacheKey, built by KeyBuilder from length-prefixed
//     fields). Two different keys collide with probability ~2^-128 per pair; the cache trusts
//     the hash and does not keep the key bytes. XXH3 was chosen over BLAKE3 and SHA-256 by
//     bench/cache_bench.cc (bench/README.md "cache"): keys are not adversarial here, and
//     hashing a 40-byte query key costs a few nanoseconds instead of ~100+.
//   - A value is charged the bytes its caller says it holds (`charge`, the entry's weight);
//     the cache keeps the sum of charges at or under CacheOptions::capacity_bytes, evicting
//     by the policy below. Each entry expires ttl after its insertion.
//   - Values are shared, not copied: Get() hands out a shared_ptr, so an entry evicted while
//     a reader holds it stays alive until the reader drops it (leveldb's handle rule, with
//     shared_ptr doing the reference counting). The memory cap therefore bounds what the
//     cache holds, not what readers still hold.
//
// Eviction (CacheOptions::policy): kTinyLfu, W-TinyLFU as Caffeine does it (a 1 % LRU window
// admits new entries, a count-min sketch of recent access frequencies decides whether a
// window victim may displace the main segment's victim, the main segment is a segmented LRU
// of probation and protected entries), or kLru. W-TinyLFU is the default: on the weighted
// traces of bench/cache_bench.cc it had the higher hit rate at 13 of 15 (trace, cap) points,
// +1.4 to +11 points on Zipf traces and with scans; LRU was better only when the working set
// shifts and the cap holds most of it (bench/README.md "cache"). A lookup costs a few hundred
// nanoseconds either way, against milliseconds for what is cached.
//
// Concurrency: the cache is split into 2^shard_bits shards by key hash, each with its own
// mutex, LRU lists and sketch (leveldb's ShardedLRUCache). Lookups take one shard's mutex for
// a few pointer moves; statistics are lock-free counters (cache/stats.h). Every method is
// thread-safe.
//
// Why hand-written: Debian's libleveldb-dev offers a sharded, charge-weighted LRU cache, but
// no expiry and no admission policy, and its Slice keys and void* values would need the same
// wrapper this file is; no Debian or npm C++ library offers W-TinyLFU.
#ifndef CODEINDEX_CACHE_CACHE_H_
#define CODEINDEX_CACHE_CACHE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "base/status.h"

namespace codeindex {

// A 128-bit key hash.
struct CacheKey {
  uint64_t lo = 0;
  uint64_t hi = 0;
  friend bool operator==(const CacheKey& a, const CacheKey& b) = default;
};

// XXH3-128 of `bytes`.
CacheKey HashKey(std::string_view bytes);

// Builds a CacheKey from fields. Each field is hashed with its length, so ("ab", "c") and
// ("a", "bc") give different keys. Cheap to create; not thread-safe (one per key).
class KeyBuilder {
 public:
  KeyBuilder();
  ~KeyBuilder();
  KeyBuilder(const KeyBuilder&) = delete;
  KeyBuilder& operator=(const KeyBuilder&) = delete;

  KeyBuilder& Add(std::string_view bytes);
  KeyBuilder& Add(uint64_t value);
  KeyBuilder& Add(int64_t value) { return Add(static_cast<uint64_t>(value)); }
  KeyBuilder& Add(int value) { return Add(static_cast<uint64_t>(static_cast<int64_t>(value))); }
  KeyBuilder& Add(bool value) { return Add(static_cast<uint64_t>(value)); }
  KeyBuilder& Add(double value);
  KeyBuilder& Add(const CacheKey& key);
  CacheKey Finish() const;

 private:
  void* state_;  // XXH3_state_t*
};

enum class EvictionPolicy { kLru, kTinyLfu };

// "lru", "tinylfu".
std::string_view EvictionPolicyName(EvictionPolicy p);
Result<EvictionPolicy> ParseEvictionPolicy(std::string_view name);

// Time source for expiry; tests inject a manual one.
class CacheClock {
 public:
  virtual ~CacheClock() = default;
  virtual int64_t NowNanos() const = 0;
};

struct CacheOptions {
  // Sum of the entries' charges kept at most. 256 MiB holds about a thousand full search
  // responses (50 results with code, ~100-250 KiB each) plus every query embedding and the
  // parse results of a few hundred files; 0 disables the cache (every Get misses, Put drops).
  size_t capacity_bytes = size_t{256} << 20;
  // Entries expire this long after insertion; zero means never. 300 s, the seed's choice:
  // long enough for an agent's working session on a few files, short enough that memory
  // returns when the session moves on.
  std::chrono::nanoseconds ttl = std::chrono::seconds(300);
  EvictionPolicy policy = EvictionPolicy::kTinyLfu;
  // 2^shard_bits shards; 16 keeps mutex contention negligible at the server's worker count.
  // A shard's capacity is capacity_bytes / 2^shard_bits, so an entry must fit in it.
  int shard_bits = 4;
  // Not owned; null means the steady clock.
  const CacheClock* clock = nullptr;
};

// Counts of one space (or, summed, of the cache). Counters are totals since construction.
struct CacheSpaceStats {
  std::string name;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t inserts = 0;
  uint64_t evictions = 0;    // removed to make room (or refused admission)
  uint64_t expirations = 0;  // found expired by a lookup or an eviction pass
  int64_t entries = 0;
  int64_t bytes = 0;
  double HitRate() const {
    return hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0;
  }
};

class Cache {
 public:
  // At most this many spaces per cache.
  static constexpr int kMaxSpaces = 16;

  explicit Cache(const CacheOptions& options = CacheOptions());
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // The id of the space named `name`, created on first use (the same name always gives the
  // same id). Returns -1 past kMaxSpaces.
  int Space(std::string_view name);

  // The value stored under (space, key) if present, unexpired and of type T; else null.
  // Counts a hit or a miss in `space`.
  template <typename T>
  std::shared_ptr<const T> Get(int space, const CacheKey& key) {
    return std::static_pointer_cast<const T>(GetErased(space, key, &typeid(T)));
  }

  // Stores `value` under (space, key), replacing any previous value, charged `charge` bytes.
  // An entry larger than a shard's capacity is not stored.
  template <typename T>
  void Put(int space, const CacheKey& key, std::shared_ptr<const T> value, size_t charge) {
    PutErased(space, key, std::move(value), &typeid(T), charge);
  }

  // Get, or compute, store and return. `compute` returns Result<T>; errors are returned and
  // not cached. `charge_of` gives the bytes of a computed value. Two threads missing the same
  // key at once may both compute (no lock is held while computing); the later Put wins.
  template <typename T, typename Compute, typename ChargeOf>
  Result<std::shared_ptr<const T>> GetOrCompute(int space, const CacheKey& key, Compute compute,
                                                ChargeOf charge_of) {
    if (auto hit = Get<T>(space, key)) return hit;
    Result<T> r = compute();
    if (!r.ok()) return r.error();
    auto value = std::make_shared<const T>(std::move(r).value());
    Put<T>(space, key, value, charge_of(*value));
    return value;
  }

  void Erase(int space, const CacheKey& key);
  // Drops every entry of `space` (all spaces when space < 0). Counts nothing as evicted.
  void Clear(int space = -1);

  // Drops every expired entry now (lookups and inserts already drop the expired entries of
  // the shard they touch; this reaches idle shards too, for a periodic caller).
  void PurgeExpired();

  bool enabled() const { return options_.capacity_bytes > 0; }
  const CacheOptions& options() const { return options_; }
  size_t bytes() const;
  size_t entries() const;

  // Statistics of every space defined so far, in definition order.
  std::vector<CacheSpaceStats> Stats() const;
  CacheSpaceStats Stats(int space) const;

 private:
  struct Shard;
  struct SpaceCounters;

  std::shared_ptr<const void> GetErased(int space, const CacheKey& key,
                                        const std::type_info* type);
  void PutErased(int space, const CacheKey& key, std::shared_ptr<const void> value,
                 const std::type_info* type, size_t charge);
  Shard& ShardFor(const CacheKey& key) const;
  int64_t Now() const;

  const CacheOptions options_;
  std::unique_ptr<Shard[]> shards_;
  const int num_shards_;
  std::unique_ptr<SpaceCounters[]> spaces_;
  std::atomic<int> num_spaces_{0};
  mutable std::mutex spaces_mu_;  // serialises Space() creation
};

}  // namespace codeindex

#endif  // CODEINDEX_CACHE_CACHE_H_
