// cache_bench: the measurements behind src/cache's choices (bench/README.md, "cache").
//
//   build/release/bench/cache_bench                      # everything
//   build/release/bench/cache_bench --benchmark_filter=Hash
//   build/release/bench/cache_bench --benchmark_filter=HitRate
//
// 1. Key hash: XXH3-64, XXH3-128 (libxxhash), BLAKE3 (C sources from Debian's
//    librust-blake3-dev, when present), SHA-256 (OpenSSL) on key-sized and file-sized inputs.
// 2. Hit rate of LRU and W-TinyLFU on weighted traces (entry sizes 256 B to 64 KiB,
//    log-uniform): Zipf popularity at three skews, a Zipf stream interrupted by one-off scans
//    (what re-indexing a directory does to a parse cache), and a working set that shifts (an
//    agent moving from one task to the next); at caps of 2 %, 10 % and 30 % of the distinct
//    bytes. Reported as counters (hit_rate, byte_hit_rate).
// 3. Concurrent lookups: our sharded cache against leveldb's ShardedLRUCache
//    (libleveldb-dev, when present), 1, 2 and 4 threads, Zipf keys, all hits.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <openssl/sha.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "cache/cache.h"

#ifdef CODEINDEX_BENCH_BLAKE3
#include "blake3.h"
#endif
#ifdef CODEINDEX_BENCH_LEVELDB
#include <leveldb/cache.h>
#endif

namespace codeindex {
namespace {

std::string RandomBytes(size_t n) {
  std::mt19937_64 rng(n);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

void BM_HashXxh3_64(benchmark::State& state) {
  const std::string s = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(XXH3_64bits(s.data(), s.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HashXxh3_64)->Arg(40)->Arg(256)->Arg(4096)->Arg(65536);

void BM_HashXxh3_128(benchmark::State& state) {
  const std::string s = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(HashKey(s));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HashXxh3_128)->Arg(40)->Arg(256)->Arg(4096)->Arg(65536);

void BM_HashKeyBuilder(benchmark::State& state) {  // a search key: query + 6 fields
  const std::string q = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    KeyBuilder k;
    k.Add(q).Add(uint64_t{2}).Add(uint64_t{50}).Add(0.4).Add("src/").Add(false).Add(uint64_t{7});
    benchmark::DoNotOptimize(k.Finish());
  }
}
BENCHMARK(BM_HashKeyBuilder)->Arg(40);

#ifdef CODEINDEX_BENCH_BLAKE3
void BM_HashBlake3(benchmark::State& state) {
  const std::string s = RandomBytes(static_cast<size_t>(state.range(0)));
  uint8_t out[16];
  for (auto _ : state) {
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, s.data(), s.size());
    blake3_hasher_finalize(&h, out, sizeof out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HashBlake3)->Arg(40)->Arg(256)->Arg(4096)->Arg(65536);
#endif

void BM_HashSha256(benchmark::State& state) {
  const std::string s = RandomBytes(static_cast<size_t>(state.range(0)));
  uint8_t out[32];
  for (auto _ : state) {
    SHA256(reinterpret_cast<const uint8_t*>(s.data()), s.size(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HashSha256)->Arg(40)->Arg(256)->Arg(4096)->Arg(65536);

// ------------------------------------------------------------------------------------------
// Traces

struct Access {
  uint32_t key;
};

class Zipf {
 public:
  Zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(static_cast<double>(i + 1), s));
    for (double& c : cdf_) c /= sum;
  }
  uint32_t operator()(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<uint32_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

constexpr size_t kKeys = 50000;
constexpr size_t kAccesses = 400000;

std::vector<uint32_t> Sizes() {
  std::mt19937_64 rng(42);
  std::vector<uint32_t> sizes(4 * kKeys);
  for (auto& s : sizes) s = static_cast<uint32_t>(std::exp2(8 + 8 * std::uniform_real_distribution<double>(0, 1)(rng)));
  return sizes;
}

// Keys are permuted so that popularity does not follow the id (ids pick sizes).
std::vector<uint32_t> ZipfTrace(double skew) {
  std::mt19937_64 rng(1);
  Zipf z(kKeys, skew);
  std::vector<uint32_t> perm(kKeys);
  for (uint32_t i = 0; i < kKeys; ++i) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<uint32_t> t(kAccesses);
  for (auto& k : t) k = perm[z(rng)];
  return t;
}

// Zipf 0.9, and every 20000 accesses a scan of 5000 keys never seen before.
std::vector<uint32_t> ScanTrace() {
  std::vector<uint32_t> base = ZipfTrace(0.9);
  std::vector<uint32_t> t;
  uint32_t next_scan = kKeys;
  for (size_t i = 0; i < base.size(); ++i) {
    t.push_back(base[i]);
    if (i % 20000 == 19999) {
      for (int j = 0; j < 5000; ++j) t.push_back(next_scan++ % static_cast<uint32_t>(4 * kKeys));
    }
  }
  return t;
}

// Four phases; each draws Zipf 0.9 over its own 10000 keys, half shared with the previous
// phase (an agent's next task touches some of the same code).
std::vector<uint32_t> ShiftTrace() {
  std::mt19937_64 rng(3);
  Zipf z(10000, 0.9);
  std::vector<uint32_t> t;
  for (uint32_t phase = 0; phase < 4; ++phase) {
    for (size_t i = 0; i < kAccesses / 4; ++i) t.push_back(phase * 5000 + z(rng));
  }
  return t;
}

void RunHitRate(benchmark::State& state, const std::vector<uint32_t>& trace,
                EvictionPolicy policy) {
  static const std::vector<uint32_t> sizes = Sizes();
  std::vector<bool> seen(sizes.size());
  double distinct = 0;
  for (uint32_t k : trace) {
    if (!seen[k]) distinct += sizes[k];
    seen[k] = true;
  }
  const double fraction = static_cast<double>(state.range(0)) / 100.0;
  double hits = 0, byte_hits = 0, bytes = 0;
  for (auto _ : state) {
    CacheOptions o;
    o.capacity_bytes = static_cast<size_t>(distinct * fraction);
    o.policy = policy;
    o.ttl = std::chrono::nanoseconds(0);
    Cache cache(o);
    const int s = cache.Space("s");
    auto value = std::make_shared<const int>(0);
    hits = byte_hits = bytes = 0;
    for (uint32_t k : trace) {
      const CacheKey key = HashKey(std::string_view(reinterpret_cast<const char*>(&k), sizeof k));
      bytes += sizes[k];
      if (cache.Get<int>(s, key)) {
        hits += 1;
        byte_hits += sizes[k];
      } else {
        cache.Put<int>(s, key, value, sizes[k]);
      }
    }
  }
  state.counters["hit_rate"] = hits / static_cast<double>(trace.size());
  state.counters["byte_hit_rate"] = byte_hits / bytes;
}

#define HIT_RATE(name, trace_fn)                                                   \
  void BM_HitRate_##name##_Lru(benchmark::State& state) {                          \
    static const auto trace = trace_fn;                                            \
    RunHitRate(state, trace, EvictionPolicy::kLru);                                \
  }                                                                                \
  BENCHMARK(BM_HitRate_##name##_Lru)->Arg(2)->Arg(10)->Arg(30)->Iterations(1);     \
  void BM_HitRate_##name##_TinyLfu(benchmark::State& state) {                      \
    static const auto trace = trace_fn;                                            \
    RunHitRate(state, trace, EvictionPolicy::kTinyLfu);                            \
  }                                                                                \
  BENCHMARK(BM_HitRate_##name##_TinyLfu)->Arg(2)->Arg(10)->Arg(30)->Iterations(1);

HIT_RATE(Zipf07, ZipfTrace(0.7))
HIT_RATE(Zipf09, ZipfTrace(0.9))
HIT_RATE(Zipf11, ZipfTrace(1.1))
HIT_RATE(ZipfWithScans, ScanTrace())
HIT_RATE(ShiftingWorkingSet, ShiftTrace())

// ------------------------------------------------------------------------------------------
// Concurrent lookups (all hits): the cost of the cache itself.

constexpr int kLookupKeys = 100000;

std::vector<uint32_t> LookupTrace() {
  std::vector<uint32_t> t = ZipfTrace(0.9);
  for (auto& k : t) k %= kLookupKeys;
  return t;
}

void BM_LookupOurs(benchmark::State& state) {
  static Cache* cache = nullptr;
  static int space = 0;
  static std::vector<CacheKey> keys;
  static const std::vector<uint32_t> trace = LookupTrace();
  if (state.thread_index() == 0) {
    CacheOptions o;
    o.capacity_bytes = size_t{1} << 30;
    o.policy = state.range(0) ? EvictionPolicy::kTinyLfu : EvictionPolicy::kLru;
    cache = new Cache(o);
    space = cache->Space("s");
    keys.clear();
    for (int i = 0; i < kLookupKeys; ++i) {
      keys.push_back(HashKey(std::to_string(i)));
      cache->Put<int>(space, keys.back(), std::make_shared<const int>(i), 64);
    }
  }
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache->Get<int>(space, keys[trace[i++ % trace.size()]]));
  }
  if (state.thread_index() == 0) {
    delete cache;
    cache = nullptr;
  }
}
BENCHMARK(BM_LookupOurs)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

#ifdef CODEINDEX_BENCH_LEVELDB
void BM_LookupLeveldb(benchmark::State& state) {
  static leveldb::Cache* cache = nullptr;
  static std::vector<std::string> keys;
  static const std::vector<uint32_t> trace = LookupTrace();
  if (state.thread_index() == 0) {
    cache = leveldb::NewLRUCache(size_t{1} << 30);
    keys.clear();
    for (int i = 0; i < kLookupKeys; ++i) {
      const CacheKey k = HashKey(std::to_string(i));
      keys.emplace_back(reinterpret_cast<const char*>(&k), sizeof k);
      cache->Release(cache->Insert(keys.back(), new int(i), 64,
                                   [](const leveldb::Slice&, void* v) { delete static_cast<int*>(v); }));
    }
  }
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    leveldb::Cache::Handle* h = cache->Lookup(keys[trace[i++ % trace.size()]]);
    benchmark::DoNotOptimize(cache->Value(h));
    cache->Release(h);
  }
  if (state.thread_index() == 0) {
    delete cache;
    cache = nullptr;
  }
}
BENCHMARK(BM_LookupLeveldb)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
#endif

}  // namespace
}  // namespace codeindex

BENCHMARK_MAIN();
