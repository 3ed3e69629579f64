#include "cache/cache.h"

#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

class ManualClock : public CacheClock {
 public:
  int64_t NowNanos() const override { return now_.load(); }
  void Advance(std::chrono::nanoseconds d) { now_ += d.count(); }

 private:
  std::atomic<int64_t> now_{1'000'000'000};
};

CacheKey K(int i) { return HashKey("key " + std::to_string(i)); }

std::shared_ptr<const std::string> V(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

CacheOptions Small(EvictionPolicy policy, size_t capacity, int shard_bits = 0) {
  CacheOptions o;
  o.capacity_bytes = capacity;
  o.policy = policy;
  o.shard_bits = shard_bits;
  return o;
}

TEST(KeyBuilderTest, FieldsAreDelimited) {
  auto key = [](std::string_view a, std::string_view b) {
    KeyBuilder k;
    k.Add(a).Add(b);
    return k.Finish();
  };
  EXPECT_EQ(key("ab", "c"), key("ab", "c"));
  EXPECT_FALSE(key("ab", "c") == key("a", "bc"));
  EXPECT_FALSE(key("", "abc") == key("abc", ""));
  KeyBuilder a, b;
  a.Add(uint64_t{1}).Add(2.5).Add(true);
  b.Add(uint64_t{1}).Add(2.5).Add(false);
  EXPECT_FALSE(a.Finish() == b.Finish());
  EXPECT_EQ(HashKey("x"), HashKey("x"));
  EXPECT_FALSE(HashKey("x") == HashKey("y"));
}

TEST(EvictionPolicyTest, NamesRoundTrip) {
  for (EvictionPolicy p : {EvictionPolicy::kLru, EvictionPolicy::kTinyLfu}) {
    EXPECT_EQ(*ParseEvictionPolicy(EvictionPolicyName(p)), p);
  }
  EXPECT_FALSE(ParseEvictionPolicy("fifo").ok());
}

class CacheTest : public ::testing::TestWithParam<EvictionPolicy> {};

TEST_P(CacheTest, GetAfterPutAndSpacesAreSeparate) {
  Cache cache(Small(GetParam(), 1 << 20));
  const int a = cache.Space("a");
  const int b = cache.Space("b");
  EXPECT_EQ(cache.Space("a"), a);
  EXPECT_NE(a, b);
  EXPECT_EQ(cache.Get<std::string>(a, K(1)), nullptr);
  cache.Put<std::string>(a, K(1), V("one"), 10);
  ASSERT_NE(cache.Get<std::string>(a, K(1)), nullptr);
  EXPECT_EQ(*cache.Get<std::string>(a, K(1)), "one");
  EXPECT_EQ(cache.Get<std::string>(b, K(1)), nullptr);  // other space
  EXPECT_EQ(cache.Get<int>(a, K(1)), nullptr);          // other type
  const CacheSpaceStats s = cache.Stats(a);
  EXPECT_EQ(s.name, "a");
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.inserts, 1u);
  EXPECT_EQ(s.entries, 1);
  EXPECT_EQ(s.bytes, 10);
  EXPECT_EQ(cache.Stats(b).misses, 1u);
}

TEST_P(CacheTest, PutReplacesAndEraseRemoves) {
  Cache cache(Small(GetParam(), 1 << 20));
  const int s = cache.Space("s");
  cache.Put<std::string>(s, K(1), V("old"), 100);
  cache.Put<std::string>(s, K(1), V("new"), 30);
  EXPECT_EQ(*cache.Get<std::string>(s, K(1)), "new");
  EXPECT_EQ(cache.bytes(), 30u);
  EXPECT_EQ(cache.entries(), 1u);
  cache.Erase(s, K(1));
  EXPECT_EQ(cache.Get<std::string>(s, K(1)), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.Stats(s).bytes, 0);
}

TEST_P(CacheTest, NeverHoldsMoreThanItsCapacity) {
  constexpr size_t kCap = 100'000;
  Cache cache(Small(GetParam(), kCap, 2));
  const int s = cache.Space("s");
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int k = static_cast<int>(rng() % 3000);
    if (!cache.Get<std::string>(s, K(k))) cache.Put<std::string>(s, K(k), V("v"), 100 + rng() % 900);
    ASSERT_LE(cache.bytes(), kCap);
  }
  const CacheSpaceStats st = cache.Stats(s);
  EXPECT_EQ(static_cast<size_t>(st.bytes), cache.bytes());
  EXPECT_EQ(static_cast<size_t>(st.entries), cache.entries());
  EXPECT_GT(st.evictions, 0u);
  EXPECT_EQ(st.inserts - st.evictions, static_cast<uint64_t>(st.entries));
}

TEST_P(CacheTest, EntryLargerThanAShardIsNotStored) {
  Cache cache(Small(GetParam(), 1000, 1));  // two shards of 500 bytes
  const int s = cache.Space("s");
  cache.Put<std::string>(s, K(1), V("big"), 501);
  EXPECT_EQ(cache.Get<std::string>(s, K(1)), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST_P(CacheTest, EntriesExpireAfterTtl) {
  ManualClock clock;
  CacheOptions o = Small(GetParam(), 1 << 20);
  o.ttl = std::chrono::seconds(300);
  o.clock = &clock;
  Cache cache(o);
  const int s = cache.Space("s");
  cache.Put<std::string>(s, K(1), V("a"), 10);
  clock.Advance(std::chrono::seconds(200));
  cache.Put<std::string>(s, K(2), V("b"), 10);
  clock.Advance(std::chrono::seconds(99));
  EXPECT_NE(cache.Get<std::string>(s, K(1)), nullptr);  // 299 s old
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(cache.Get<std::string>(s, K(1)), nullptr);  // 300 s old
  EXPECT_NE(cache.Get<std::string>(s, K(2)), nullptr);
  clock.Advance(std::chrono::seconds(200));
  cache.PurgeExpired();
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.Stats(s).expirations, 2u);
  EXPECT_EQ(cache.Stats(s).bytes, 0);
}

TEST_P(CacheTest, ZeroTtlNeverExpires) {
  ManualClock clock;
  CacheOptions o = Small(GetParam(), 1 << 20);
  o.ttl = std::chrono::nanoseconds(0);
  o.clock = &clock;
  Cache cache(o);
  const int s = cache.Space("s");
  cache.Put<std::string>(s, K(1), V("a"), 10);
  clock.Advance(std::chrono::hours(24 * 365));
  EXPECT_NE(cache.Get<std::string>(s, K(1)), nullptr);
}

TEST_P(CacheTest, EvictedValuesAreReleasedButReadersKeepTheirs) {
  Cache cache(Small(GetParam(), 1000));
  const int s = cache.Space("s");
  auto held = V("held");
  std::weak_ptr<const std::string> weak = held;
  cache.Put<std::string>(s, K(0), held, 100);
  held.reset();
  auto reader = cache.Get<std::string>(s, K(0));
  for (int i = 1; i < 200; ++i) {
    cache.Put<std::string>(s, K(i), V("x"), 100);
    cache.Get<std::string>(s, K(i));
  }
  cache.Clear();
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_FALSE(weak.expired());  // the reader's copy
  reader.reset();
  EXPECT_TRUE(weak.expired());
}

TEST_P(CacheTest, GetOrComputeCachesValuesNotErrors) {
  Cache cache(Small(GetParam(), 1 << 20));
  const int s = cache.Space("s");
  int calls = 0;
  auto compute = [&]() -> Result<std::string> {
    ++calls;
    return std::string("value");
  };
  auto charge = [](const std::string& v) { return v.size(); };
  EXPECT_EQ(**cache.GetOrCompute<std::string>(s, K(1), compute, charge), "value");
  EXPECT_EQ(**cache.GetOrCompute<std::string>(s, K(1), compute, charge), "value");
  EXPECT_EQ(calls, 1);
  auto fail = [&]() -> Result<std::string> {
    ++calls;
    return Status::IOError("no");
  };
  EXPECT_FALSE(cache.GetOrCompute<std::string>(s, K(2), fail, charge).ok());
  EXPECT_FALSE(cache.GetOrCompute<std::string>(s, K(2), fail, charge).ok());
  EXPECT_EQ(calls, 3);
}

TEST_P(CacheTest, DisabledCacheAlwaysMisses) {
  Cache cache(Small(GetParam(), 0));
  EXPECT_FALSE(cache.enabled());
  const int s = cache.Space("s");
  cache.Put<std::string>(s, K(1), V("a"), 1);
  EXPECT_EQ(cache.Get<std::string>(s, K(1)), nullptr);
  EXPECT_EQ(cache.Stats(s).misses, 1u);
}

TEST_P(CacheTest, ConcurrentUseKeepsCountsAndCapacity) {
  constexpr size_t kCap = 200'000;
  Cache cache(Small(GetParam(), kCap, 3));
  const int s = cache.Space("s");
  constexpr int kThreads = 8, kOps = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kOps; ++i) {
        const int k = static_cast<int>(rng() % 2000);
        auto v = cache.Get<std::string>(s, K(k));
        if (v) {
          ASSERT_EQ(*v, std::to_string(k));
        } else {
          cache.Put<std::string>(s, K(k), V(std::to_string(k)), 50 + k % 200);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const CacheSpaceStats st = cache.Stats(s);
  EXPECT_EQ(st.hits + st.misses, static_cast<uint64_t>(kThreads * kOps));
  EXPECT_LE(cache.bytes(), kCap);
  EXPECT_EQ(static_cast<size_t>(st.bytes), cache.bytes());
  EXPECT_GT(st.hits, 0u);
}

INSTANTIATE_TEST_SUITE_P(Policies, CacheTest,
                         ::testing::Values(EvictionPolicy::kLru, EvictionPolicy::kTinyLfu),
                         [](const auto& p) { return std::string(EvictionPolicyName(p.param)); });

// A hot set that is read again and again survives a one-off scan under W-TinyLFU; under LRU
// the scan flushes it.
TEST(TinyLfuTest, HotSetSurvivesAScan) {
  for (EvictionPolicy p : {EvictionPolicy::kLru, EvictionPolicy::kTinyLfu}) {
    Cache cache(Small(p, 100 * 100));  // room for 100 entries of 100 bytes
    const int s = cache.Space("s");
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 50; ++i) {
        if (!cache.Get<std::string>(s, K(i))) cache.Put<std::string>(s, K(i), V("hot"), 100);
      }
    }
    for (int i = 1000; i < 1500; ++i) {
      if (!cache.Get<std::string>(s, K(i))) cache.Put<std::string>(s, K(i), V("scan"), 100);
    }
    int hot_left = 0;
    for (int i = 0; i < 50; ++i) hot_left += cache.Get<std::string>(s, K(i)) != nullptr;
    if (p == EvictionPolicy::kTinyLfu) {
      EXPECT_GE(hot_left, 45) << "tinylfu";
    } else {
      EXPECT_EQ(hot_left, 0) << "lru";
    }
  }
}

}  // namespace
}  // namespace codeindex
