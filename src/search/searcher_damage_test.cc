// A damaged part of an index gives a clear error from the searcher, never wrong or empty
// results (index/health.h): the text index or catalog fail the open, the vector index fails
// semantic and hybrid searches while text search still answers.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "embed/testing.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "search/searcher.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

class SearcherDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("searcher-damage-test-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "ws");
    model_ = (root_ / "model").string();
    fs::create_directories(model_);
    ASSERT_TRUE(testing::WriteTinyStaticModel(model_, testing::TinyStaticModel{}).ok());
    for (int i = 0; i < 8; ++i) {
      Write("src/m" + std::to_string(i) + ".py",
            "def parse_file_" + std::to_string(i) + "(path):\n    return read(path)\n\n"
            "def format_bytes_" + std::to_string(i) + "(n):\n    return str(n) + 'B'\n");
    }
    ASSERT_TRUE(Index().ok());
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = root_ / "ws" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  std::string IndexDir() const { return IndexDirFor((root_ / "ws").string()); }

  Result<IndexStats> Index() {
    PipelineOptions po;
    po.sync = false;
    po.config.embedder.provider = Provider::kStatic;
    po.config.embedder.model = model_;
    ASSIGN_OR_RETURN(Pipeline p, OpenPipeline(IndexDir(), po));
    IndexerOptions o;
    o.workspace = (root_ / "ws").string();
    o.index_dir = IndexDir();
    o.content_hash = p.content_hash;
    o.meta = {{"embedder", p.embedder_json}};
    o.threads = 2;
    o.on_repair = [](const std::string&) {};
    Indexer indexer(o, p.processor, p.DerivedPointers());
    return indexer.Run();
  }

  static void Garble(const std::string& path) {
    const auto size = fs::file_size(path);
    const auto n = std::min<uintmax_t>(4096, size);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size > 4096 ? size / 2 - 2048 : 0));
    for (uintmax_t i = 0; i < n; ++i) f.put(static_cast<char>((i * 7919) >> 3));
  }

  Result<SearchResponse> Search(const Searcher& s, SearchMode mode) {
    SearchRequest r;
    r.query = "parse file";
    r.mode = mode;
    r.min_score = -1.0;
    return s.Search(r);
  }

  static void ExpectRepairMessage(const Status& s, const std::string& part) {
    EXPECT_EQ(s.code(), Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find("the " + part), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("run `codeindex index` to repair"), std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << "one line";
  }

  fs::path root_;
  std::string model_;
};

TEST_F(SearcherDamageTest, DamagedTextIndexFailsTheOpen) {
  // The whole table: noise in one of its free blocks would damage nothing.
  const std::string table = IndexDir() + "/text/postlist.glass";
  std::ofstream(table, std::ios::binary | std::ios::in | std::ios::out)
      << std::string(fs::file_size(table), '\x5a');
  auto s = Searcher::Open(IndexDir());
  ASSERT_FALSE(s.ok());
  ExpectRepairMessage(s.error(), "text index");
}

TEST_F(SearcherDamageTest, DamagedCatalogFailsTheOpen) {
  Garble(IndexDir() + "/catalog.db");
  auto s = Searcher::Open(IndexDir());
  ASSERT_FALSE(s.ok());
  ExpectRepairMessage(s.error(), "catalog");
}

TEST_F(SearcherDamageTest, DamagedVectorsFailSemanticSearchOnly) {
  for (const auto& e : fs::directory_iterator(IndexDir() + "/vectors")) {
    if (e.path().extension() == ".vec") Garble(e.path().string());
  }
  auto s = Searcher::Open(IndexDir());
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto text = Search(**s, SearchMode::kText);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  EXPECT_FALSE(text->results.empty());
  for (SearchMode mode : {SearchMode::kSemantic, SearchMode::kHybrid}) {
    auto r = Search(**s, mode);
    ASSERT_FALSE(r.ok());
    ExpectRepairMessage(r.error(), "vector index");
  }
}

// Issue 18, finding 2: a vector index that lost its MANIFEST and was begun again (what the
// indexer did before it compared stamps) holds a few vectors only: the searcher says so.
TEST_F(SearcherDamageTest, VectorIndexBehindTheCatalogIsReported) {
  const std::string vectors = IndexDir() + "/vectors";
  fs::copy(vectors, root_ / "old-vectors", fs::copy_options::recursive);
  Write("src/m0.py", "def changed():\n    return 0\n");
  ASSERT_TRUE(Index().ok());
  fs::remove_all(vectors);
  fs::copy(root_ / "old-vectors", vectors, fs::copy_options::recursive);
  auto s = Searcher::Open(IndexDir());
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto r = Search(**s, SearchMode::kSemantic);
  ASSERT_FALSE(r.ok());
  ExpectRepairMessage(r.error(), "vector index");
  EXPECT_NE(r.error().message().find("behind"), std::string::npos) << r.error().message();
  // The next index repairs it.
  ASSERT_TRUE(Index().ok());
  s = Searcher::Open(IndexDir());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(Search(**s, SearchMode::kSemantic).ok());
}

TEST_F(SearcherDamageTest, MissingManifestIsReported) {
  fs::remove(IndexDir() + "/vectors/MANIFEST");
  auto s = Searcher::Open(IndexDir());
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto r = Search(**s, SearchMode::kSemantic);
  ASSERT_FALSE(r.ok());
  ExpectRepairMessage(r.error(), "vector index");
}

}  // namespace
}  // namespace codeindex
