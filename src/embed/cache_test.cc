#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/file.h"
#include "cache/stats.h"
#include "embed/embedder.h"
#include "embed/testing.h"

namespace codeindex {
namespace {

std::vector<std::string> Keys(std::initializer_list<const char*> texts) {
  std::vector<std::string> out;
  for (const char* t : texts) out.push_back(EmbeddingCacheKey(t));
  return out;
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("cache"); }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string Path() const { return dir_ + "/embeddings.sqlite"; }
  std::string dir_;
};

TEST_F(CacheTest, PutThenGetAcrossReopen) {
  const auto keys = Keys({"a", "b", "c"});
  const std::vector<float> vecs = {1, 2, 3, 4, 5, 6};  // dim 2, for a and b
  {
    auto c = EmbeddingCache::Open(Path());
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    ASSERT_TRUE((*c)->Put("m1", std::span(keys).first(2), 2, vecs.data()).ok());
  }
  auto c = EmbeddingCache::Open(Path());
  ASSERT_TRUE(c.ok());
  std::vector<float> out(6, -1);
  bool found[3];
  ASSERT_TRUE((*c)->Get("m1", keys, 2, out.data(), found).ok());
  EXPECT_TRUE(found[0]);
  EXPECT_TRUE(found[1]);
  EXPECT_FALSE(found[2]);
  EXPECT_EQ(std::vector<float>(out.begin(), out.begin() + 4), (std::vector<float>{1, 2, 3, 4}));
  // Another model never sees m1's vectors.
  ASSERT_TRUE((*c)->Get("m2", keys, 2, out.data(), found).ok());
  EXPECT_FALSE(found[0]);
  EXPECT_EQ(*(*c)->Count("m1"), 2);
  EXPECT_EQ(*(*c)->Count("m2"), 0);
  // Same model, another dimension: a programming error, reported.
  EXPECT_EQ((*c)->Get("m1", keys, 3, out.data(), found).code(), Code::kInvalidArgument);
}

// The Bloom filter in front of SQLite: texts never stored are answered without a lookup,
// stored ones are always found, before and after more Puts (and past the filter's size).
TEST_F(CacheTest, BloomFilterNeverHidesAStoredVector) {
  auto c = *EmbeddingCache::Open(Path());
  Counter* skips = MetricsRegistry::Global().GetCounter(
      "codeindex_embed_cache_bloom_skips_total", "");
  auto keys_for = [](int from, int to) {
    std::vector<std::string> k;
    for (int i = from; i < to; ++i) k.push_back(EmbeddingCacheKey("text " + std::to_string(i)));
    return k;
  };
  std::vector<float> vecs(2 * 100);
  for (size_t i = 0; i < vecs.size(); ++i) vecs[i] = static_cast<float>(i);
  ASSERT_TRUE(c->Put("m", keys_for(0, 100), 2, vecs.data()).ok());
  auto check = [&](int stored_to, int probe_to) {
    const auto keys = keys_for(0, probe_to);
    std::vector<float> out(2 * keys.size());
    std::unique_ptr<bool[]> found(new bool[keys.size()]);
    const uint64_t before = skips->Value();
    ASSERT_TRUE(c->Get("m", keys, 2, out.data(), {found.get(), keys.size()}).ok());
    for (int i = 0; i < probe_to; ++i) ASSERT_EQ(found[i], i < stored_to) << i;
    // At 1 % false positives, most of the unstored keys never reach SQLite.
    EXPECT_GE(skips->Value() - before, static_cast<uint64_t>((probe_to - stored_to) * 9 / 10));
    EXPECT_EQ(out[2 * 7], 14);
  };
  check(100, 5000);
  // More vectors than the filter was built for: it is rebuilt, nothing is lost.
  std::vector<float> more(2 * 70000, 1);
  ASSERT_TRUE(c->Put("m", keys_for(100, 70100), 2, more.data()).ok());
  check(70100, 75000);
}

TEST_F(CacheTest, RetainOnlyDropsOtherModels) {
  auto c = *EmbeddingCache::Open(Path());
  const auto keys = Keys({"a"});
  const float v[2] = {1, 0};
  ASSERT_TRUE(c->Put("old", keys, 2, v).ok());
  ASSERT_TRUE(c->Put("new", keys, 2, v).ok());
  ASSERT_TRUE(c->RetainOnly("new").ok());
  EXPECT_EQ(*c->Count("old"), 0);
  EXPECT_EQ(*c->Count("new"), 1);
}

TEST_F(CacheTest, GarbageOrOtherVersionIsRebuilt) {
  ASSERT_TRUE(WriteFileAtomic(Path(), std::string(5000, 'x')).ok());
  auto c = EmbeddingCache::Open(Path());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  const auto keys = Keys({"a"});
  const float v[1] = {1};
  ASSERT_TRUE((*c)->Put("m", keys, 1, v).ok());
  c->reset();
  // Pretend an older format wrote the file: it is discarded, not misread.
  {
    auto again = *EmbeddingCache::Open(Path());
    EXPECT_EQ(*again->Count("m"), 1);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto again = *EmbeddingCache::Open(Path());
  EXPECT_EQ(*again->Count("m"), 0);
}

// An embedder that counts what it is asked to embed: vector = (length, 1) normalised.
class CountingEmbedder final : public Embedder {
 public:
  int dimension() const override { return 2; }
  std::string model_id() const override { return "counting"; }
  std::string fingerprint() const override { return "fp-counting"; }
  std::optional<double> recommended_min_score() const override { return 0.3; }
  Status Embed(std::span<const std::string_view> texts, EmbedKind, float* out) const override {
    std::lock_guard<std::mutex> l(mu_);
    for (size_t i = 0; i < texts.size(); ++i) {
      seen_.push_back(std::string(texts[i]));
      out[2 * i] = static_cast<float>(texts[i].size());
      out[2 * i + 1] = 1;
      NormalizeL2(out + 2 * i, 2);
    }
    return Status::OK();
  }
  std::vector<std::string> seen() const {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::vector<std::string> seen_;
};

TEST_F(CacheTest, CachingEmbedderEmbedsOnlyMisses) {
  auto cache = std::shared_ptr<EmbeddingCache>(std::move(*EmbeddingCache::Open(Path())));
  auto inner = std::make_unique<CountingEmbedder>();
  const CountingEmbedder* counter = inner.get();
  CachingEmbedder e(std::move(inner), cache);
  EXPECT_EQ(e.fingerprint(), "fp-counting");
  EXPECT_EQ(e.recommended_min_score(), 0.3);  // the wrapper forwards the model's threshold

  const std::vector<std::string_view> first = {"aa", "bbb"};
  std::vector<float> out1(4);
  ASSERT_TRUE(e.Embed(first, EmbedKind::kDocument, out1.data()).ok());
  const std::vector<std::string_view> second = {"bbb", "c", "aa"};
  std::vector<float> out2(6);
  ASSERT_TRUE(e.Embed(second, EmbedKind::kDocument, out2.data()).ok());
  EXPECT_EQ(counter->seen(), (std::vector<std::string>{"aa", "bbb", "c"}));
  EXPECT_EQ(e.hits(), 2u);
  EXPECT_EQ(e.misses(), 3u);
  // Cached vectors are bit-identical to fresh ones.
  EXPECT_EQ(out2[0], out1[2]);
  EXPECT_EQ(out2[1], out1[3]);
  EXPECT_EQ(out2[4], out1[0]);
  // Queries are never cached.
  ASSERT_TRUE(e.Embed(first, EmbedKind::kQuery, out1.data()).ok());
  EXPECT_EQ(counter->seen().size(), 5u);
}

TEST_F(CacheTest, ConcurrentPutsAndGets) {
  auto cache = std::shared_ptr<EmbeddingCache>(std::move(*EmbeddingCache::Open(Path())));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::vector<std::string> keys = {EmbeddingCacheKey(std::to_string(t * 1000 + i))};
        const float v[2] = {static_cast<float>(t), static_cast<float>(i)};
        ASSERT_TRUE(cache->Put("m", keys, 2, v).ok());
        float out[2];
        bool found[1];
        ASSERT_TRUE(cache->Get("m", keys, 2, out, found).ok());
        ASSERT_TRUE(found[0]);
        ASSERT_EQ(out[1], static_cast<float>(i));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(*cache->Count("m"), 200);
}

}  // namespace
}  // namespace codeindex
