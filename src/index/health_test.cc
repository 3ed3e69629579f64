// The checks of index/health.h and the repairs of the indexer: each part of a real index
// (catalog, text, vectors made with a tiny static model) is removed or damaged, and the
// next full run must say what it rebuilds and leave the index as a fresh one.
#include "index/health.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "embed/testing.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "text/text_index.h"
#include "vector/vector_index.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------
// CatalogStamp and CompareWithCatalog, table-driven.

TEST(CatalogStampTest, RoundTripsAndRejectsWhatIsNotAStamp) {
  CatalogStamp s{"0123abcd", 42};
  EXPECT_EQ(s.ToString(), "0123abcd/42");
  EXPECT_EQ(CatalogStamp::Parse("0123abcd/42"), s);
  for (const char* bad : {"", "/", "abc", "abc/", "/12", "abc/12x", "abc/-", "abc/ 1"}) {
    EXPECT_FALSE(CatalogStamp::Parse(bad).has_value()) << bad;
  }
}

TEST(CompareWithCatalogTest, Cases) {
  const CatalogState catalog{"id1", 7, 40, 0};
  const CatalogState dirty{"id1", 7, 40, 3};
  const CatalogState empty{"id1", 2, 0, 0};
  struct Case {
    std::optional<CatalogStamp> stamp;
    uint64_t count;
    CountRule rule;
    CatalogState catalog;
    bool strict;
    std::string want;  // a substring of the answer; "" = agrees
  } cases[] = {
      {CatalogStamp{"id1", 7}, 40, CountRule::kEqual, catalog, true, ""},
      {CatalogStamp{"id1", 7}, 39, CountRule::kAtMost, catalog, true, ""},
      {CatalogStamp{"id1", 7}, 39, CountRule::kEqual, catalog, true, "holds 39 blocks"},
      {CatalogStamp{"id1", 7}, 41, CountRule::kAtMost, catalog, true, "41 vectors for 40"},
      {std::nullopt, 0, CountRule::kEqual, catalog, true, "is empty but the catalog has 40"},
      {std::nullopt, 0, CountRule::kEqual, empty, true, ""},  // a new index
      {CatalogStamp{"old", 9}, 0, CountRule::kEqual, empty, true, ""},
      {std::nullopt, 40, CountRule::kEqual, catalog, true, "records no catalog state"},
      {CatalogStamp{"id0", 7}, 40, CountRule::kEqual, catalog, true, "another catalog"},
      {CatalogStamp{"id1", 5}, 40, CountRule::kEqual, catalog, true, "is behind"},
      {CatalogStamp{"id1", 5}, 40, CountRule::kEqual, catalog, false, "is behind"},
      {CatalogStamp{"id1", 8}, 40, CountRule::kEqual, catalog, true, "is ahead"},
      // A reader that read the catalog before a writer's next commit.
      {CatalogStamp{"id1", 8}, 45, CountRule::kEqual, catalog, false, ""},
      // A reader between two steps of a writer concludes nothing.
      {CatalogStamp{"id1", 5}, 3, CountRule::kEqual, dirty, false, ""},
      {CatalogStamp{"id1", 5}, 3, CountRule::kEqual, dirty, true, "is behind"},
  };
  for (const Case& c : cases) {
    DerivedState d{c.stamp, c.count};
    std::string got = CompareWithCatalog(d, c.rule, c.catalog, c.strict);
    if (c.want.empty()) {
      EXPECT_EQ(got, "") << (c.stamp ? c.stamp->ToString() : "none") << " " << c.count;
    } else {
      EXPECT_NE(got.find(c.want), std::string::npos) << got << " / want " << c.want;
    }
  }
}

// ---------------------------------------------------------------------------------------
// A real index: repairs by the next full run, and what CheckIndex reports before it.

class HealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("heal-test-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "ws");
    model_ = (root_ / "model").string();
    fs::create_directories(model_);
    ASSERT_TRUE(testing::WriteTinyStaticModel(model_, testing::TinyStaticModel{}).ok());
    for (int i = 0; i < 6; ++i) {
      std::string body;
      for (int f = 0; f < 4; ++f) {
        body += "def handler_" + std::to_string(i) + "_" + std::to_string(f) +
                "(request):\n    return render(request, " + std::to_string(i * 10 + f) +
                ")\n\n";
      }
      Write("pkg" + std::to_string(i % 2) + "/mod" + std::to_string(i) + ".py", body);
    }
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
    o.on_repair = [this](const std::string& line) { repairs_.push_back(line); };
    Indexer indexer(o, p.processor, p.DerivedPointers());
    return indexer.Run();
  }

  // (files, live blocks, text documents, vectors) as the index now holds them.
  struct Shape {
    int64_t files = 0, blocks = 0;
    uint64_t text = 0, vectors = 0;
    bool operator==(const Shape&) const = default;
  };
  Shape Measure() {
    Shape s;
    auto report = CheckIndex(IndexDir(), CheckDepth::kFull);
    EXPECT_TRUE(report.ok());
    EXPECT_TRUE(report->problems.empty()) << report->problems.front().part << ": "
                                          << report->problems.front().problem;
    s.files = report->files;
    s.blocks = report->catalog.live_blocks;
    s.text = report->text_blocks.value_or(0);
    s.vectors = report->vectors.value_or(0);
    return s;
  }

  // Overwrites all of `path` with noise.
  static void Overwrite(const std::string& path) {
    std::string noise(fs::file_size(path), '\0');
    std::mt19937 rng(11);
    for (char& c : noise) c = static_cast<char>(rng());
    std::ofstream(path, std::ios::binary | std::ios::in | std::ios::out) << noise;
  }
  // Overwrites 4 KiB in the middle of `path` (the whole file if smaller) with noise.
  static void Garble(const std::string& path) {
    const auto size = static_cast<uint64_t>(fs::file_size(path));
    const uint64_t n = std::min<uint64_t>(4096, size);
    const uint64_t off = size > 4096 ? size / 2 - 2048 : 0;
    std::string noise(n, '\0');
    std::mt19937 rng(7);
    for (char& c : noise) c = static_cast<char>(rng());
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, noise.data(), n, static_cast<off_t>(off)), static_cast<ssize_t>(n));
    ::close(fd);
  }
  std::string RowsFile(const std::string& ext) const {
    for (const auto& e : fs::directory_iterator(IndexDir() + "/vectors")) {
      const std::string n = e.path().filename().string();
      if (n.rfind("rows-", 0) == 0 && e.path().extension() == ext) return e.path().string();
    }
    return "";
  }
  bool RepairMentions(const std::string& what) const {
    for (const std::string& r : healing_repairs_) {
      if (r.find(what) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<IndexProblem> Problems(CheckDepth depth = CheckDepth::kQuick) {
    auto report = CheckIndex(IndexDir(), depth);
    EXPECT_TRUE(report.ok());
    return report.ok() ? report->problems : std::vector<IndexProblem>{};
  }

  // Builds, damages with `damage`, expects CheckIndex to see it (as `part`), runs again and
  // expects a repair line naming `part` and the fresh index's shape, with nothing re-parsed
  // unless the catalog itself was rebuilt.
  void DamageAndHeal(const std::function<void()>& damage, const std::string& part,
                     bool catalog_rebuilt = false) {
    auto first = Index();
    ASSERT_TRUE(first.ok()) << first.error().ToString();
    const Shape fresh = Measure();
    ASSERT_GT(fresh.blocks, 0);
    ASSERT_GT(fresh.vectors, 0u);
    repairs_.clear();
    damage();
    std::vector<IndexProblem> found = Problems();
    ASSERT_FALSE(found.empty()) << "the quick check missed damage to the " << part;
    EXPECT_EQ(found.front().part, part) << found.front().problem;
    auto healed = Index();
    ASSERT_TRUE(healed.ok()) << healed.error().ToString();
    ASSERT_FALSE(repairs_.empty());
    EXPECT_NE(repairs_.front().find(part), std::string::npos) << repairs_.front();
    healing_repairs_ = repairs_;
    EXPECT_EQ(healed->rebuilt, catalog_rebuilt);
    if (!catalog_rebuilt) {
      EXPECT_EQ(healed->files_parsed, 0u);
    }
    EXPECT_EQ(Measure(), fresh);
    repairs_.clear();
    auto again = Index();  // healed for good: nothing more to repair
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(repairs_.empty()) << repairs_.front();
  }

  fs::path root_;
  std::string model_;
  std::vector<std::string> repairs_;
  std::vector<std::string> healing_repairs_;  // of the run that repaired (DamageAndHeal)
};

TEST_F(HealTest, SoundIndexHasNoProblemAndNoRepair) {
  ASSERT_TRUE(Index().ok());
  EXPECT_TRUE(repairs_.empty()) << "a first run repairs nothing: " << repairs_.front();
  EXPECT_TRUE(Problems(CheckDepth::kFull).empty());
  repairs_.clear();
  auto again = Index();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(repairs_.empty());
  EXPECT_TRUE(again->derived_rebuilt.empty());
}

// Issue 18, finding 2: a lost MANIFEST silently lost the semantic index.
TEST_F(HealTest, Issue18LostVectorManifestIsRebuiltFromTheCatalog) {
  DamageAndHeal([&] { fs::remove(IndexDir() + "/vectors/MANIFEST"); }, "vector index");
  EXPECT_TRUE(RepairMentions("MANIFEST is missing"));
}

// Issue 18, finding 3: `rm text/iamglass` made `index` fail.
TEST_F(HealTest, Issue18LostTextVersionFileIsRebuilt) {
  DamageAndHeal([&] { fs::remove(IndexDir() + "/text/iamglass"); }, "text index");
  EXPECT_TRUE(RepairMentions("iamglass"));
}

// (A table of a small index is a few 8 KiB blocks, some of them free: noise in a free block
// damages nothing. Here the whole table is overwritten.)
TEST_F(HealTest, DamagedTextTableIsRebuilt) {
  DamageAndHeal([&] { Overwrite(IndexDir() + "/text/postlist.glass"); }, "text index");
}

TEST_F(HealTest, DamagedVectorRowsAreRebuilt) {
  DamageAndHeal([&] { Garble(RowsFile(".vec")); }, "vector index");
  EXPECT_TRUE(RepairMentions("checksum"));
}

TEST_F(HealTest, TruncatedVectorIdsAreRebuilt) {
  DamageAndHeal([&] { fs::resize_file(RowsFile(".ids"), fs::file_size(RowsFile(".ids")) / 2); },
                "vector index");
}

TEST_F(HealTest, DamagedCatalogRebuildsTheWholeIndex) {
  DamageAndHeal([&] { Garble(IndexDir() + "/catalog.db"); }, "catalog",
                /*catalog_rebuilt=*/true);
}

TEST_F(HealTest, DeletedCatalogRebuildsTheWholeIndex) {
  auto first = Index();
  ASSERT_TRUE(first.ok());
  const Shape fresh = Measure();
  fs::remove(IndexDir() + "/catalog.db");
  repairs_.clear();
  auto healed = Index();
  ASSERT_TRUE(healed.ok()) << healed.error().ToString();
  EXPECT_TRUE(healed->rebuilt);
  ASSERT_EQ(repairs_.size(), 1u);
  EXPECT_NE(repairs_[0].find("catalog.db is missing"), std::string::npos) << repairs_[0];
  EXPECT_EQ(Measure(), fresh);
}

// A derived index restored from an older state (or one that lost commits) is behind the
// catalog: its stamp says so even when its files are sound.
TEST_F(HealTest, DerivedIndexBehindTheCatalogIsRebuilt) {
  ASSERT_TRUE(Index().ok());
  fs::copy(IndexDir() + "/text", root_ / "old-text", fs::copy_options::recursive);
  Write("pkg0/mod0.py", "def changed():\n    return 1\n");
  ASSERT_TRUE(Index().ok());
  const Shape fresh = Measure();
  fs::remove_all(IndexDir() + "/text");
  fs::copy(root_ / "old-text", IndexDir() + "/text", fs::copy_options::recursive);
  std::vector<IndexProblem> found = Problems();
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found.front().problem.find("is behind"), std::string::npos) << found.front().problem;
  repairs_.clear();
  ASSERT_TRUE(Index().ok());
  ASSERT_FALSE(repairs_.empty());
  EXPECT_NE(repairs_.front().find("is behind the catalog"), std::string::npos) << repairs_[0];
  EXPECT_EQ(Measure(), fresh);
}

// A batch of stamps only (touched, unchanged files) keeps the generation, so the derived
// indexes, which commit nothing for it, still agree with the catalog.
TEST_F(HealTest, TouchingFilesDoesNotPutTheDerivedIndexesBehind) {
  ASSERT_TRUE(Index().ok());
  for (const auto& e : fs::recursive_directory_iterator(root_ / "ws")) {
    if (e.is_regular_file() && e.path().extension() == ".py") {
      fs::last_write_time(e.path(), fs::last_write_time(e.path()) + std::chrono::seconds(5));
    }
  }
  repairs_.clear();
  auto s = Index();
  ASSERT_TRUE(s.ok());
  EXPECT_GT(s->files_unchanged, 0u);
  EXPECT_TRUE(repairs_.empty()) << repairs_.front();
  EXPECT_TRUE(Problems().empty());
}

// The full check reports every damaged part, one problem per part.
TEST_F(HealTest, FullCheckReportsEveryDamagedPart) {
  ASSERT_TRUE(Index().ok());
  Garble(RowsFile(".vec"));
  Overwrite(IndexDir() + "/text/termlist.glass");
  std::set<std::string> parts;
  for (const IndexProblem& p : Problems(CheckDepth::kFull)) parts.insert(p.part);
  EXPECT_EQ(parts, (std::set<std::string>{"text index", "vector index"}));
}

TEST_F(HealTest, NoIndexIsNotAProblem) {
  auto report = CheckIndex(IndexDir(), CheckDepth::kFull);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->exists);
  EXPECT_TRUE(report->problems.empty());
}

}  // namespace
}  // namespace codeindex
