#include "index/indexer.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "index/index_dir.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

// A derived index kept in memory: which block ids are present, per file. It can be told to
// fail its Nth commit, to simulate a crash between the catalog and the derived stores.
class FakeDerived : public DerivedIndex {
 public:
  std::string name() const override { return "fake"; }
  Status Update(const std::vector<DirtyFile>& files) override {
    for (const DirtyFile& f : files) {
      auto& ids = pending_[f.path];
      ids.clear();
      for (const BlockRecord& b : f.live_blocks) ids.insert(b.id);
    }
    return Status::OK();
  }
  Status Commit() override {
    if (fail_commit_ == 1) {
      fail_commit_ = 0;
      pending_.clear();
      return Status::IOError("injected failure");
    }
    if (fail_commit_ > 1) --fail_commit_;
    for (auto& [path, ids] : pending_) {
      if (ids.empty())
        committed_.erase(path);
      else
        committed_[path] = ids;
    }
    pending_.clear();
    ++commits_;
    return Status::OK();
  }
  Status Clear() override {
    committed_.clear();
    pending_.clear();
    return Status::OK();
  }
  uint64_t SizeBytes() const override { return 0; }

  std::set<int64_t> AllIds() const {
    std::set<int64_t> all;
    for (auto& [p, ids] : committed_) all.insert(ids.begin(), ids.end());
    return all;
  }
  int fail_commit_ = 0;
  int commits_ = 0;
  std::map<std::string, std::set<int64_t>> committed_, pending_;
};

class IndexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("indexer-test-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  // One block per non-empty line; counts calls.
  FileProcessor Processor() {
    return [this](const std::string& path, const std::string& text) -> Result<ProcessedFile> {
      ++parsed_;
      if (text.find("FAIL") != std::string::npos) return Status::InvalidArgument("cannot parse");
      ProcessedFile pf;
      int line = 0;
      size_t start = 0;
      while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        ++line;
        if (nl > start) {
          BlockRecord b;
          b.start_line = b.end_line = line;
          b.type = "line";
          b.content = text.substr(start, nl - start);
          b.segment_hash = path + ":" + std::to_string(line);
          pf.blocks.push_back(b);
        }
        start = nl + 1;
      }
      pf.symbols.push_back({"sym_" + fs::path(path).stem().string(), "function", "", 1, 1, ""});
      return pf;
    };
  }

  IndexerOptions Options(const std::string& content_hash = "v1") {
    IndexerOptions o;
    o.workspace = root_.string();
    o.index_dir = IndexDirFor(root_.string());
    o.content_hash = content_hash;
    o.threads = 2;
    o.batch_blocks = 3;  // many small batches
    return o;
  }

  Result<IndexStats> Run(const std::string& content_hash = "v1") {
    Indexer indexer(Options(content_hash), Processor(), {&derived_});
    return indexer.Run();
  }

  std::vector<std::string> CatalogPaths() {
    std::vector<std::string> out;
    for (const FileRecord& f : *OpenCatalog()->ListFiles()) out.push_back(f.path);
    return out;
  }

  std::unique_ptr<Catalog> OpenCatalog() {
    return *Catalog::Open(IndexDirFor(root_.string()), Catalog::Mode::kReadOnly);
  }

  // The derived index holds exactly the catalog's live blocks.
  void ExpectConsistent() {
    auto c = OpenCatalog();
    std::set<int64_t> live;
    for (const FileRecord& f : *c->ListFiles()) {
      for (const BlockRecord& b : *c->GetFileBlocks(f.path)) live.insert(b.id);
    }
    EXPECT_EQ(derived_.AllIds(), live);
    EXPECT_EQ(c->Counts()->dirty, 0);
  }

  fs::path root_;
  FakeDerived derived_;
  int parsed_ = 0;
};

TEST_F(IndexerTest, ColdThenWarmRunParsesNothing) {
  Write("a.py", "def a():\n  pass\n");
  Write("src/b.py", "x = 1\ny = 2\nz = 3\n");
  Write("notes.txt", "not indexed\n");
  auto s = Run();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->files_scanned, 2u);
  EXPECT_EQ(s->files_parsed, 2u);
  EXPECT_EQ(s->blocks_added, 5u);
  EXPECT_TRUE(s->rebuilt);
  ExpectConsistent();
  EXPECT_EQ(*OpenCatalog()->GetMeta(kMetaState), "Indexed");

  parsed_ = 0;
  s = Run();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(parsed_, 0);
  EXPECT_EQ(s->files_parsed, 0u);
  EXPECT_EQ(s->files_unchanged, 2u);
  EXPECT_FALSE(s->rebuilt);
  ExpectConsistent();
}

TEST_F(IndexerTest, OnlyChangedFilesAreReparsedAndRemovedOnesDropOut) {
  Write("a.py", "a1\n");
  Write("b.py", "b1\n");
  Write("c.py", "c1\n");
  ASSERT_TRUE(Run().ok());
  parsed_ = 0;
  Write("a.py", "a1\na2\n");      // changed content
  fs::remove(root_ / "b.py");     // deleted
  Write(".gitignore", "c.py\n");  // newly ignored
  // .gitignore applies inside a git repository (as ripgrep does).
  ASSERT_EQ(std::system(("git init -q " + root_.string()).c_str()), 0);
  Write("big.py", std::string((1 << 20) + 1, 'x'));  // over 1 MiB: never indexed
  auto s = Run();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(parsed_, 1);
  EXPECT_EQ(s->files_removed, 2u);
  auto c = OpenCatalog();
  auto files = *c->ListFiles();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "a.py");
  EXPECT_EQ(c->GetFileBlocks("a.py")->size(), 2u);
  EXPECT_TRUE(c->FindSymbols("sym_b", 5)->empty());
  ExpectConsistent();
}

TEST_F(IndexerTest, SameContentNewMtimeIsNotReparsed) {
  Write("a.py", "same\n");
  ASSERT_TRUE(Run().ok());
  parsed_ = 0;
  fs::last_write_time(root_ / "a.py", fs::file_time_type::clock::now() + std::chrono::hours(1));
  auto s = Run();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(parsed_, 0);
  EXPECT_EQ(s->files_unchanged, 1u);
}

TEST_F(IndexerTest, ContentHashChangeRebuilds) {
  Write("a.py", "a\n");
  ASSERT_TRUE(Run("v1").ok());
  parsed_ = 0;
  auto s = Run("v2");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->rebuilt);
  EXPECT_EQ(parsed_, 1);
  ExpectConsistent();
}

TEST_F(IndexerTest, FailedDerivedCommitIsRecoveredByNextRun) {
  for (int i = 0; i < 10; ++i) Write("f" + std::to_string(i) + ".py", "l1\nl2\n");
  derived_.fail_commit_ = 3;
  auto s = Run();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("injected failure"), std::string::npos);
  EXPECT_GT(OpenCatalog()->Counts()->dirty, 0);
  s = Run();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_GT(s->files_recovered, 0u);
  ExpectConsistent();
}

TEST_F(IndexerTest, PerFileErrorsDoNotStopTheRun) {
  Write("good.py", "ok\n");
  Write("bad.py", "FAIL\n");
  auto s = Run();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->files_failed, 1u);
  ASSERT_EQ(s->errors.size(), 1u);
  EXPECT_NE(s->errors[0].ToString().find("bad.py"), std::string::npos);
  EXPECT_EQ(OpenCatalog()->ListFiles()->size(), 1u);
}

TEST_F(IndexerTest, BinaryFilesAreSkippedAndDropOut) {
  Write("text.py", "ok\n");
  Write("blob.py", "ok\n");
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(OpenCatalog()->ListFiles()->size(), 2u);
  Write("blob.py", std::string("x\0y\n", 4));  // became binary
  auto s = Run();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->files_skipped, 1u);
  EXPECT_EQ(s->files_failed, 0u);
  auto files = *OpenCatalog()->ListFiles();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "text.py");
  ExpectConsistent();
}

TEST_F(IndexerTest, CancelLeavesAConsistentIndex) {
  // More files than the workers' queue holds, so that cancelling stops them early.
  constexpr size_t kFiles = 400;
  for (size_t i = 0; i < kFiles; ++i) Write("f" + std::to_string(i) + ".py", "l1\nl2\n");
  std::atomic<bool> cancel{false};
  IndexerOptions o;
  o.workspace = root_.string();
  o.index_dir = IndexDirFor(root_.string());
  o.content_hash = "v1";
  o.threads = 1;
  o.batch_blocks = 4;
  int seen = 0;
  o.progress = [&](const IndexProgress& p) {
    if (p.phase == IndexProgress::Phase::kIndexing && ++seen == 10) cancel = true;
  };
  o.cancel = &cancel;
  Indexer indexer(o, Processor(), {&derived_});
  auto s = indexer.Run();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kCancelled);
  ExpectConsistent();
  EXPECT_LT(OpenCatalog()->ListFiles()->size(), kFiles);
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(OpenCatalog()->ListFiles()->size(), kFiles);
  ExpectConsistent();
}

// UpdatePaths ---------------------------------------------------------------------------------

class UpdatePathsTest : public IndexerTest {
 protected:
  void SetUp() override {
    IndexerTest::SetUp();
    IndexerOptions o = Options();
    o.committed = [this](const std::vector<IndexedFile>& files) {
      for (const IndexedFile& f : files) committed_.push_back((f.removed ? "-" : "+") + f.path);
    };
    indexer_ = std::make_unique<Indexer>(o, Processor(), std::vector<DerivedIndex*>{&derived_});
  }
  Result<IndexStats> Update(const std::vector<std::string>& paths) {
    committed_.clear();
    parsed_ = 0;
    return indexer_->UpdatePaths(paths);
  }
  std::unique_ptr<Indexer> indexer_;
  std::vector<std::string> committed_;
};

TEST_F(UpdatePathsTest, RequiresAFullRunFirst) {
  Write("a.py", "a\n");
  auto s = Update({"a.py"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kFailedPrecondition);
  ASSERT_TRUE(indexer_->Run().ok());
  EXPECT_TRUE(Update({"a.py"}).ok());
  EXPECT_EQ(Update({"../x.py"}).error().code(), Code::kInvalidArgument);
}

TEST_F(UpdatePathsTest, OnlyTheGivenPathsAreChecked) {
  Write("a.py", "a1\n");
  Write("b.py", "b1\n");
  ASSERT_TRUE(indexer_->Run().ok());
  Write("a.py", "a1\na2\n");
  Write("b.py", "b1\nb2\n");
  Write("c.py", "c1\n");
  auto s = Update({"a.py"});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(parsed_, 1);
  EXPECT_EQ(s->files_parsed, 1u);
  EXPECT_EQ(s->blocks_added, 2u);
  EXPECT_THAT(committed_, ::testing::ElementsAre("+a.py"));
  EXPECT_EQ(CatalogPaths(), (std::vector<std::string>{"a.py", "b.py"}));  // c.py not checked
  EXPECT_EQ(OpenCatalog()->GetFileBlocks("b.py")->size(), 1u);            // b.py not re-read
  ExpectConsistent();
  // Unchanged content: read and stamped, not parsed, not reported.
  s = Update({"a.py"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(parsed_, 0);
  EXPECT_TRUE(committed_.empty());
}

TEST_F(UpdatePathsTest, CreateDeleteRenameAndDirectories) {
  Write("keep.py", "k\n");
  Write("old.py", "o\n");
  Write("dir/x.py", "x\n");
  Write("dir/sub/y.py", "y\n");
  Write("dir-b/z.py", "z\n");  // sorts between "dir" and "dir/": must not be touched
  Write("dir.py", "d\n");
  ASSERT_TRUE(indexer_->Run().ok());

  fs::rename(root_ / "old.py", root_ / "new.py");
  auto s = Update({"old.py", "new.py"});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->files_removed, 1u);
  EXPECT_THAT(committed_, ::testing::UnorderedElementsAre("+new.py", "-old.py"));

  fs::remove_all(root_ / "dir");
  Write("fresh/a.py", "a\n");
  Write("fresh/deep/b.py", "b\n");
  s = Update({"dir", "fresh"});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->files_removed, 2u);
  EXPECT_EQ(s->files_parsed, 2u);
  EXPECT_EQ(CatalogPaths(), (std::vector<std::string>{"dir-b/z.py", "dir.py", "fresh/a.py",
                                                      "fresh/deep/b.py", "keep.py", "new.py"}));
  ExpectConsistent();

  // A directory replaced by a file of the same name (within one pass).
  fs::remove_all(root_ / "fresh");
  Write("fresh", "not a directory\n");
  ASSERT_TRUE(Update({"fresh"}).ok());
  EXPECT_EQ(CatalogPaths(),
            (std::vector<std::string>{"dir-b/z.py", "dir.py", "keep.py", "new.py"}));
  ExpectConsistent();
}

TEST_F(UpdatePathsTest, IgnoredBinaryAndOversizedFilesDropOut) {
  ASSERT_EQ(std::system(("git init -q " + root_.string()).c_str()), 0);
  Write("src/gen.py", "g\n");
  Write("src/big.py", "b\n");
  Write("src/bin.py", "b\n");
  Write("src/ok.py", "o\n");
  ASSERT_TRUE(indexer_->Run().ok());
  Write("src/.gitignore", "gen.py\n");
  Write("src/big.py", std::string((1 << 20) + 1, 'x'));
  Write("src/bin.py", std::string("x\0y\n", 4));
  auto s = Update({"src"});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(CatalogPaths(), (std::vector<std::string>{"src/ok.py"}));
  EXPECT_THAT(committed_,
              ::testing::UnorderedElementsAre("-src/gen.py", "-src/big.py", "-src/bin.py"));
  ExpectConsistent();
}

// After random changes, updating the changed paths leaves the same catalog as a full run.
TEST_F(UpdatePathsTest, AgreesWithAFullRun) {
  std::mt19937 rng(7);
  const std::vector<std::string> names = {"a.py",   "b.py",     "d/c.py", "d/e/f.py",
                                          "g/h.py", "d-x/i.py", "d.py"};
  for (const std::string& n : names) Write(n, "v0\n");
  ASSERT_TRUE(indexer_->Run().ok());
  for (int round = 0; round < 8; ++round) {
    std::vector<std::string> touched;
    for (int k = 0; k < 3; ++k) {
      const std::string n = names[rng() % names.size()];
      switch (rng() % 3) {
        case 0:
          Write(n, "v" + std::to_string(rng() % 5) + "\nmore\n");
          touched.push_back(n);
          break;
        case 1:
          fs::remove(root_ / n);
          touched.push_back(n);
          break;
        default: {
          std::string dir = n.substr(0, n.find('/') == std::string::npos ? 0 : n.find('/'));
          if (!dir.empty()) {
            fs::remove_all(root_ / dir);
            touched.push_back(dir);
          }
        }
      }
    }
    ASSERT_TRUE(Update(touched).ok());
    std::vector<std::string> after_update = CatalogPaths();
    ExpectConsistent();
    auto full = Run();
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(full->files_parsed, 0u) << "round " << round;
    EXPECT_EQ(full->files_removed, 0u) << "round " << round;
    EXPECT_EQ(CatalogPaths(), after_update);
  }
}

TEST(WriterLockTest, SecondWriterIsRefusedWhileFirstHoldsIt) {
  std::string dir =
      (fs::temp_directory_path() / ("lock-test-" + std::to_string(getpid()))).string();
  {
    auto first = WriterLock::Acquire(dir, false);
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(WriterLock::IsHeld(dir));
    // flock locks belong to open file descriptions: a second open in the same process
    // conflicts just like another process would.
    auto second = WriterLock::Acquire(dir, false);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code(), Code::kFailedPrecondition);
    EXPECT_NE(second.error().message().find("pid " + std::to_string(getpid())), std::string::npos);
  }
  EXPECT_FALSE(WriterLock::IsHeld(dir));
  EXPECT_TRUE(WriterLock::Acquire(dir, false).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace codeindex
