// The search stage with the engine cache (SearcherOptions::cache): repeated requests are
// answered from it, and an index change is never hidden by it (search, edit, search).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "embed/testing.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "search/searcher.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

class SearchCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("search-cache-test-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "ws");
    model_ = (root_ / "model").string();
    fs::create_directories(model_);
    auto table = testing::WriteTinyStaticModel(model_, testing::TinyStaticModel{});
    ASSERT_TRUE(table.ok()) << table.error().ToString();
    Write("src/parser.py",
          "def parse_file(path):\n    \"\"\"Read and parse one file.\"\"\"\n"
          "    with open(path) as f:\n        return parse_text(f.read())\n");
    Write("lib/util.py",
          "def format_bytes(count):\n    units = ['B', 'KB', 'MB', 'GB']\n"
          "    return str(count) + units[0] + ' formatted for display'\n");
    CacheOptions o;
    o.capacity_bytes = 16 << 20;
    cache_ = std::make_shared<Cache>(o);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = root_ / "ws" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  std::string IndexDir() const { return IndexDirFor((root_ / "ws").string()); }

  void Index() {
    PipelineOptions po;
    po.sync = false;
    po.config.embedder.provider = Provider::kStatic;
    po.config.embedder.model = model_;
    auto p = OpenPipeline(IndexDir(), po);
    ASSERT_TRUE(p.ok()) << p.error().ToString();
    IndexerOptions o;
    o.workspace = (root_ / "ws").string();
    o.index_dir = IndexDir();
    o.content_hash = p->content_hash;
    o.meta = {{"embedder", p->embedder_json}};
    o.threads = 2;
    Indexer indexer(o, p->processor, p->DerivedPointers());
    auto stats = indexer.Run();
    ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  }

  std::unique_ptr<Searcher> Open(bool cached) {
    SearcherOptions so;
    if (cached) so.cache = cache_;
    auto s = Searcher::Open(IndexDir(), so);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static std::string Json(const Result<SearchResponse>& r) {
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    if (!r.ok()) return "";
    SearchResponse copy = CopySearchResponse(*r);
    copy.took_ms = 0;
    return SearchResponseToJson(copy, true);
  }

  CacheSpaceStats Space(const char* name) { return cache_->Stats(cache_->Space(name)); }

  fs::path root_;
  std::string model_;
  std::shared_ptr<Cache> cache_;
};

TEST_F(SearchCacheTest, RepeatedRequestIsAHitWithTheSameAnswer) {
  Index();
  auto cached = Open(true);
  auto plain = Open(false);
  for (SearchMode mode : {SearchMode::kText, SearchMode::kSemantic, SearchMode::kHybrid}) {
    SearchRequest req;
    req.query = "parse file";
    req.mode = mode;
    req.explain = true;
    const std::string first = Json(cached->Search(req));
    const std::string second = Json(cached->Search(req));
    EXPECT_EQ(first, second) << SearchModeName(mode);
    EXPECT_EQ(first, Json(plain->Search(req))) << SearchModeName(mode);
  }
  EXPECT_EQ(Space("search").hits, 3u);
  EXPECT_EQ(Space("search").misses, 3u);
  // Semantic and hybrid embed the same query once.
  EXPECT_EQ(Space("embedding").misses, 1u);
  EXPECT_GE(Space("embedding").hits, 1u);
}

TEST_F(SearchCacheTest, EveryRequestFieldIsPartOfTheKey) {
  Index();
  auto cached = Open(true);
  SearchRequest base;
  base.query = "parse file";
  base.mode = SearchMode::kHybrid;
  std::vector<SearchRequest> variants(8, SearchRequest{});
  for (auto& v : variants) {
    v.query = base.query;
    v.mode = base.mode;
  }
  variants[1].query = "parse files";
  variants[2].mode = SearchMode::kText;
  variants[3].limit = 1;
  variants[4].min_score = 0.1;
  variants[5].path_prefix = "src";
  variants[6].explain = true;
  variants[7].rank.rrf_k = 10;
  for (const SearchRequest& v : variants) ASSERT_TRUE(cached->Search(v).ok());
  EXPECT_EQ(Space("search").misses, variants.size());
  EXPECT_EQ(Space("search").hits, 0u);
  SearchRequest tokens = base;
  tokens.max_tokens = 50;
  ASSERT_TRUE(cached->Search(tokens).ok());
  EXPECT_EQ(Space("search").hits, 0u);
}

// The acceptance test: search, edit, search never returns the stale answer.
TEST_F(SearchCacheTest, SearchEditSearchNeverReturnsAStaleAnswer) {
  Index();
  auto cached = Open(true);
  SearchRequest req;
  req.query = "format bytes";
  req.mode = SearchMode::kText;
  auto before = cached->Search(req);
  ASSERT_TRUE(before.ok());
  ASSERT_FALSE(before->results.empty());
  EXPECT_NE(before->results[0].code_chunk.find("units[0]"), std::string::npos);
  ASSERT_TRUE(cached->Search(req).ok());  // now cached
  ASSERT_EQ(Space("search").hits, 1u);

  Write("lib/util.py",
        "def format_bytes(count):\n    units = ['B', 'KiB', 'MiB']\n"
        "    return str(count) + units[-1] + ' formatted bytes for display'\n");
  Index();
  // The same Searcher (the text index and the catalog move on under it)...
  auto after = cached->Search(req);
  ASSERT_TRUE(after.ok());
  ASSERT_FALSE(after->results.empty());
  EXPECT_NE(after->results[0].code_chunk.find("units[-1]"), std::string::npos)
      << after->results[0].code_chunk;
  EXPECT_EQ(Space("search").hits, 1u);  // a miss: new generation
  // ...and a new one, as the server opens after each run, in every mode.
  auto reopened = Open(true);
  auto plain = Open(false);
  for (SearchMode mode : {SearchMode::kText, SearchMode::kSemantic, SearchMode::kHybrid}) {
    SearchRequest r = req;
    r.mode = mode;
    r.min_score = 0.0;
    const std::string got = Json(reopened->Search(r));
    EXPECT_EQ(got, Json(plain->Search(r))) << SearchModeName(mode);
    EXPECT_EQ(got.find("units[0]"), std::string::npos) << SearchModeName(mode);
  }

  // A file removed from the index disappears from answers too.
  fs::remove(root_ / "ws" / "lib" / "util.py");
  Index();
  auto gone = cached->Search(req);
  ASSERT_TRUE(gone.ok());
  for (const SearchResult& r : gone->results) EXPECT_NE(r.file_path, "lib/util.py");
}

TEST_F(SearchCacheTest, DisabledCacheCachesNothing) {
  Index();
  CacheOptions o;
  o.capacity_bytes = 0;
  cache_ = std::make_shared<Cache>(o);
  auto cached = Open(true);
  SearchRequest req;
  req.query = "parse file";
  ASSERT_TRUE(cached->Search(req).ok());
  ASSERT_TRUE(cached->Search(req).ok());
  EXPECT_EQ(cache_->entries(), 0u);
}

}  // namespace
}  // namespace codeindex
