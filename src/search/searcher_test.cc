// Index a small workspace with a tiny static model, then search it in every mode.
#include "search/searcher.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/file.h"
#include "embed/testing.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

class SearcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("searcher-test-" + std::to_string(getpid()) + "-" +
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
    Write("src/net/client.py",
          "class HttpClient:\n    def fetch(self, url, retries=3):\n"
          "        return self.session.get(url, timeout=10, retries=retries)\n");
    Write("lib/util.py",
          "def format_bytes(count):\n    units = ['B', 'KB', 'MB', 'GB']\n"
          "    return str(count) + units[0] + ' formatted for display'\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = root_ / "ws" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  std::string IndexDir() const { return IndexDirFor((root_ / "ws").string()); }

  Result<IndexStats> Index(const std::string& model) {
    PipelineOptions po;
    po.sync = false;
    po.config.embedder.provider = Provider::kStatic;
    po.config.embedder.model = model;
    ASSIGN_OR_RETURN(Pipeline p, OpenPipeline(IndexDir(), po));
    IndexerOptions o;
    o.workspace = (root_ / "ws").string();
    o.index_dir = IndexDir();
    o.content_hash = p.content_hash;
    o.meta = {{"embedder", p.embedder_json}};
    o.threads = 2;
    Indexer indexer(o, p.processor, p.DerivedPointers());
    return indexer.Run();
  }

  fs::path root_;
  std::string model_;
};

TEST_F(SearcherTest, SemanticResultsAreCosineRankedAndFiltered) {
  auto stats = Index(model_);
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  auto searcher = Searcher::Open(IndexDir());
  ASSERT_TRUE(searcher.ok()) << searcher.error().ToString();

  SearchRequest req;
  req.query = "parse a file";
  req.mode = SearchMode::kSemantic;
  req.min_score = -1.0;  // everything, to check the ordering
  req.explain = true;
  auto r = (*searcher)->Search(req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_FALSE(r->results.empty());
  for (size_t i = 0; i < r->results.size(); ++i) {
    const SearchResult& res = r->results[i];
    EXPECT_GE(res.score, -1.001);
    EXPECT_LE(res.score, 1.001);
    if (i > 0) {
      EXPECT_LE(res.score, r->results[i - 1].score);
    }
    ASSERT_TRUE(res.explanation && res.explanation->cosine);
    EXPECT_DOUBLE_EQ(*res.explanation->cosine, res.score);
  }

  req.path_prefix = "src/net";
  r = (*searcher)->Search(req);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->results.empty());
  for (const SearchResult& res : r->results) EXPECT_EQ(res.file_path, "src/net/client.py");

  req.path_prefix = "";
  req.min_score = 1.5;  // above any cosine
  r = (*searcher)->Search(req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->results.empty());

  std::string json = SearchResponseToJson(
      *(*searcher)->Search(SearchRequest{"fetch url", SearchMode::kText, 5, {}, "", true}), true);
  auto j = nlohmann::json::parse(json);
  ASSERT_FALSE(j["results"].empty());
  EXPECT_EQ(j["results"][0]["file_path"], "src/net/client.py");
  EXPECT_TRUE(j["results"][0].contains("debug"));
  EXPECT_TRUE(j.contains("took_ms"));
}

TEST_F(SearcherTest, ModelChangeRebuildsVectorsWithoutReparsing) {
  ASSERT_TRUE(Index(model_).ok());
  std::string other = (root_ / "model2").string();
  fs::create_directories(other);
  testing::TinyStaticModel m;
  m.seed = 7;
  m.dim = 24;
  ASSERT_TRUE(testing::WriteTinyStaticModel(other, m).ok());
  auto stats = Index(other);
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(stats->files_parsed, 0u);
  ASSERT_EQ(stats->derived_rebuilt.size(), 1u);
  EXPECT_EQ(stats->derived_rebuilt[0], "vector index");
  auto searcher = Searcher::Open(IndexDir());
  ASSERT_TRUE(searcher.ok());
  SearchRequest req;
  req.query = "format bytes for display";
  req.mode = SearchMode::kSemantic;
  req.min_score = -1.0;
  auto r = (*searcher)->Search(req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_FALSE(r->results.empty());
}

TEST_F(SearcherTest, NoEmbeddingsMeansClearSemanticError) {
  PipelineOptions po;
  po.sync = false;
  po.config.embeddings = false;
  auto p = OpenPipeline(IndexDir(), po);
  ASSERT_TRUE(p.ok());
  IndexerOptions o;
  o.workspace = (root_ / "ws").string();
  o.index_dir = IndexDir();
  o.content_hash = p->content_hash;
  o.meta = {{"embedder", p->embedder_json}};
  Indexer indexer(o, p->processor, p->DerivedPointers());
  ASSERT_TRUE(indexer.Run().ok());
  auto searcher = Searcher::Open(IndexDir());
  ASSERT_TRUE(searcher.ok());
  SearchRequest req;
  req.query = "parse";
  req.mode = SearchMode::kSemantic;
  auto r = (*searcher)->Search(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kFailedPrecondition);
  req.mode = SearchMode::kText;
  EXPECT_TRUE((*searcher)->Search(req).ok());
}

TEST_F(SearcherTest, HybridFusesBothListsAndExplainsEveryFactor) {
  Write("tests/test_parser.py",
        "def test_parse_file(tmp_path):\n    assert parse_file(tmp_path / 'x') is not None\n"
        "    assert parse_file(tmp_path / 'y') is not None\n");
  ASSERT_TRUE(Index(model_).ok());
  auto searcher = Searcher::Open(IndexDir());
  ASSERT_TRUE(searcher.ok()) << searcher.error().ToString();
  SearchRequest req;
  req.query = "parse_file";
  req.mode = SearchMode::kHybrid;
  req.explain = true;
  auto r = (*searcher)->Search(req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_GE(r->results.size(), 2u);
  EXPECT_EQ(r->query_shape, "symbol");
  // The definition beats the test that calls it twice (more BM25 term frequency).
  EXPECT_EQ(r->results[0].file_path, "src/parser.py");
  std::set<int64_t> ids;
  for (size_t i = 0; i < r->results.size(); ++i) {
    const SearchResult& res = r->results[i];
    EXPECT_TRUE(ids.insert(res.block_id).second) << "duplicate block";
    if (i > 0) {
      EXPECT_LE(res.score, r->results[i - 1].score);
    }
    ASSERT_TRUE(res.explanation);
    EXPECT_EQ(res.explanation->mode, "hybrid");
    double product = res.explanation->fused;
    for (const Signal& s : res.explanation->signals) product *= s.factor;
    EXPECT_DOUBLE_EQ(product, res.score) << "the factors explain the whole score";
    EXPECT_DOUBLE_EQ(res.explanation->fused, res.explanation->text_part +
                                                 res.explanation->semantic_part +
                                                 res.explanation->symbol_part);
  }
  bool saw_definition = false, saw_test_penalty = false;
  for (const SearchResult& res : r->results) {
    for (const Signal& s : res.explanation->signals) {
      saw_definition |= s.name == "definition" && res.file_path == "src/parser.py";
      saw_test_penalty |= s.name == "path" && res.file_path == "tests/test_parser.py";
    }
  }
  EXPECT_TRUE(saw_definition);
  EXPECT_TRUE(saw_test_penalty);
  auto j = nlohmann::json::parse(SearchResponseToJson(*r, true));
  EXPECT_EQ(j["query_shape"], "symbol");
  EXPECT_TRUE(j["results"][0]["debug"].contains("fusion"));
  EXPECT_TRUE(j["results"][0]["debug"]["fusion"].contains("signals"));

  // The limit holds, and the path filter applies to both lists.
  req.limit = 1;
  req.query = "fetch url";
  req.path_prefix = "src/net";
  r = (*searcher)->Search(req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->results.size(), 1u);
  EXPECT_EQ(r->results[0].file_path, "src/net/client.py");
}

// A class used far more often than it is defined: BM25 and the embedding find the uses; the
// symbols table finds the definition, first, in every mode.
TEST_F(SearcherTest, SymbolQueryFindsTheDefinitionFirstInEveryMode) {
  Write("src/lexer.py",
        "import re\n\n\nclass TokenStream:\n    \"\"\"The tokens of one template.\"\"\"\n\n"
        "    def __init__(self, tokens, name):\n        self.tokens = list(tokens)\n"
        "        self.name = name\n        self.pos = 0\n\n    def advance(self):\n"
        "        self.pos += 1\n        return self.tokens[self.pos - 1]\n");
  for (int i = 0; i < 6; ++i) {
    Write("lib/use" + std::to_string(i) + ".py",
          "def use" + std::to_string(i) + "(src):\n    a = TokenStream(src, 'a')\n"
          "    b = TokenStream(src, 'b')\n    return TokenStream(a.tokens + b.tokens, 'ab')\n");
  }
  ASSERT_TRUE(Index(model_).ok());
  auto searcher = Searcher::Open(IndexDir());
  ASSERT_TRUE(searcher.ok()) << searcher.error().ToString();
  SearchRequest req;
  req.query = "TokenStream";
  req.limit = 5;
  req.explain = true;
  req.min_score = -1.0;
  for (SearchMode mode : {SearchMode::kText, SearchMode::kSemantic, SearchMode::kHybrid}) {
    req.mode = mode;
    auto r = (*searcher)->Search(req);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    ASSERT_FALSE(r->results.empty());
    const SearchResult& top = r->results[0];
    EXPECT_EQ(top.file_path, "src/lexer.py") << SearchModeName(mode);
    EXPECT_LE(top.start_line, 4) << SearchModeName(mode);
    EXPECT_GE(top.end_line, 4) << SearchModeName(mode);
    ASSERT_TRUE(top.explanation);
    EXPECT_EQ(top.explanation->symbol_rank, 1);
    EXPECT_NE(top.explanation->symbol.find("class TokenStream (exact case"), std::string::npos)
        << top.explanation->symbol;
    EXPECT_EQ(top.explanation->mode, mode == SearchMode::kHybrid ? "hybrid" : "symbol");
    std::set<int64_t> ids;
    for (size_t i = 0; i < r->results.size(); ++i) {
      EXPECT_TRUE(ids.insert(r->results[i].block_id).second) << "duplicate block";
      if (i > 0) {
        EXPECT_LE(r->results[i].score, r->results[i - 1].score);
      }
    }
    EXPECT_LE(r->results.size(), req.limit);
    auto j = nlohmann::json::parse(SearchResponseToJson(*r, true));
    EXPECT_EQ(j["results"][0]["debug"]["symbol"]["rank"], 1) << SearchModeName(mode);
  }
  // Text alone ranks a use first: what the lookup changes.
  req.mode = SearchMode::kText;
  req.rank.symbol = false;
  auto plain = (*searcher)->Search(req);
  ASSERT_TRUE(plain.ok());
  ASSERT_FALSE(plain->results.empty());
  EXPECT_NE(plain->results[0].file_path, "src/lexer.py");
  req.rank.symbol = true;

  // Other case, a qualifier, a kind word: still the definition.
  for (const char* q : {"tokenstream", "lexer.TokenStream", "class TokenStream"}) {
    req.query = q;
    auto r = (*searcher)->Search(req);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->results.empty());
    EXPECT_EQ(r->results[0].file_path, "src/lexer.py") << q;
  }
  // The path filter applies to definitions too.
  req.query = "TokenStream";
  req.path_prefix = "lib";
  auto filtered = (*searcher)->Search(req);
  ASSERT_TRUE(filtered.ok());
  for (const SearchResult& res : filtered->results) EXPECT_EQ(res.file_path.substr(0, 4), "lib/");

  // Inside a sentence, a code-style name is a smaller third list.
  req.path_prefix = "";
  req.mode = SearchMode::kHybrid;
  req.query = "where does the TokenStream advance";
  auto sentence = (*searcher)->Search(req);
  ASSERT_TRUE(sentence.ok());
  bool found = false;
  for (const SearchResult& res : sentence->results) {
    if (res.file_path != "src/lexer.py" || res.explanation->symbol_rank == 0) continue;
    found = true;
    EXPECT_DOUBLE_EQ(res.explanation->symbol_part,
                     req.rank.symbol_weight_sentence / (req.rank.rrf_k + 1));
  }
  EXPECT_TRUE(found);
}

// The semantic threshold is the model's own when neither the request nor the config sets
// one (config.json "min_score"), else the original's 0.4.
TEST_F(SearcherTest, SemanticMinScoreDefaultsToTheModels) {
  ASSERT_TRUE(Index(model_).ok());
  {
    auto searcher = Searcher::Open(IndexDir());
    ASSERT_TRUE(searcher.ok());
    EXPECT_DOUBLE_EQ((*searcher)->DefaultMinScore(), kDefaultMinScore);
  }
  // The same model, now saying that any cosine counts.
  ASSERT_TRUE(WriteFileAtomic(model_ + "/config.json", R"({"min_score": -1})").ok());
  ASSERT_TRUE(Index(model_).ok());  // the fingerprint changed: vectors rebuilt
  auto searcher = Searcher::Open(IndexDir());
  ASSERT_TRUE(searcher.ok());
  EXPECT_DOUBLE_EQ((*searcher)->DefaultMinScore(), -1.0);
  SearchRequest req;
  req.query = "zzqx";  // nothing like any block
  req.mode = SearchMode::kSemantic;
  auto unset = (*searcher)->Search(req);
  ASSERT_TRUE(unset.ok());
  EXPECT_FALSE(unset->results.empty()) << "the model's -1 admits every block";
  req.min_score = 1.5;  // a request's own threshold still wins
  auto strict = (*searcher)->Search(req);
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->results.empty());
}

}  // namespace
}  // namespace codeindex
