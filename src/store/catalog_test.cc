#include "store/catalog.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace codeindex {
namespace {

namespace fs = std::filesystem;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("catalog-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Catalog> OpenRW() {
    auto c = Catalog::Open(dir_, Catalog::Mode::kReadWrite);
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return std::move(c).value();
  }

  static FileUpdate File(const std::string& path, const std::string& hash, int nblocks) {
    FileUpdate u;
    u.path = path;
    u.hash = hash;
    u.size = 100;
    u.mtime_ns = 42;
    for (int i = 0; i < nblocks; ++i) {
      BlockRecord b;
      b.start_line = i * 10 + 1;
      b.end_line = i * 10 + 9;
      b.type = "function_definition";
      if (i % 2 == 0) b.identifier = "f" + std::to_string(i);
      b.segment_hash = hash + "-" + std::to_string(i);
      b.content = "def f" + std::to_string(i) + "(): pass  # " + hash;
      u.blocks.push_back(b);
    }
    u.symbols.push_back({"Greeter", "class", "", 1, 20, ""});
    u.symbols.push_back({"greet", "method", "Greeter", 3, 5, ""});
    u.imports.push_back({"import os", 1});
    return u;
  }

  std::string dir_;
};

TEST_F(CatalogTest, ApplyThenFinishDirtyLifecycle) {
  auto c = OpenRW();
  CatalogBatch b1;
  b1.updates.push_back(File("src/a.py", "h1", 3));
  b1.updates.push_back(File("src/b.py", "h2", 2));
  ASSERT_EQ(*c->Apply(b1), 1);

  auto dirty = *c->ListDirty();
  ASSERT_EQ(dirty.size(), 2u);
  EXPECT_EQ(dirty[0].path, "src/a.py");
  EXPECT_EQ(dirty[0].live_blocks.size(), 3u);
  EXPECT_TRUE(dirty[0].stale_block_ids.empty());
  EXPECT_EQ(dirty[0].live_blocks[0].identifier, "f0");
  EXPECT_FALSE(dirty[0].live_blocks[1].identifier.has_value());
  std::vector<int64_t> old_ids;
  for (auto& b : dirty[0].live_blocks) old_ids.push_back(b.id);
  ASSERT_TRUE(c->FinishDirty({"src/a.py", "src/b.py"}).ok());
  EXPECT_TRUE(c->ListDirty()->empty());

  // Change a.py: old blocks stay readable (superseded) until FinishDirty.
  CatalogBatch b2;
  b2.updates.push_back(File("src/a.py", "h3", 1));
  ASSERT_EQ(*c->Apply(b2), 2);
  EXPECT_EQ(c->GetBlocks(old_ids)->size(), 3u);
  dirty = *c->ListDirty();
  ASSERT_EQ(dirty.size(), 1u);
  EXPECT_EQ(dirty[0].stale_block_ids, old_ids);
  ASSERT_EQ(dirty[0].live_blocks.size(), 1u);
  EXPECT_GT(dirty[0].live_blocks[0].id, old_ids.back()) << "block ids are never reused";
  EXPECT_EQ(c->GetFile("src/a.py")->value().hash, "h3");
  EXPECT_EQ(c->Counts()->blocks, 3);  // 1 live in a.py + 2 in b.py
  ASSERT_TRUE(c->FinishDirty({"src/a.py"}).ok());
  EXPECT_TRUE(c->GetBlocks(old_ids)->empty());
  EXPECT_EQ(c->GetFileBlocks("src/a.py")->size(), 1u);
}

TEST_F(CatalogTest, RemovalKeepsBlocksUntilFinished) {
  auto c = OpenRW();
  CatalogBatch b1;
  b1.updates.push_back(File("gone.py", "h", 2));
  ASSERT_TRUE(c->Apply(b1).ok());
  ASSERT_TRUE(c->FinishDirty({"gone.py"}).ok());
  auto ids = *c->GetFileBlocks("gone.py");
  ASSERT_EQ(ids.size(), 2u);

  CatalogBatch b2;
  b2.removals.push_back("gone.py");
  b2.removals.push_back("never-indexed.py");
  ASSERT_TRUE(c->Apply(b2).ok());
  EXPECT_FALSE(c->GetFile("gone.py")->has_value());
  EXPECT_TRUE(c->FindSymbols("Greeter", 10)->empty());
  auto dirty = *c->ListDirty();
  ASSERT_EQ(dirty.size(), 1u);
  EXPECT_EQ(dirty[0].stale_block_ids.size(), 2u);
  EXPECT_TRUE(dirty[0].live_blocks.empty());
  EXPECT_EQ(c->GetBlocks({ids[0].id})->size(), 1u);
  ASSERT_TRUE(c->FinishDirty({"gone.py"}).ok());
  EXPECT_TRUE(c->GetBlocks({ids[0].id})->empty());
  EXPECT_EQ(c->Counts()->files, 0);
}

TEST_F(CatalogTest, SymbolsImportsAndRawPaths) {
  auto c = OpenRW();
  CatalogBatch b;
  std::string weird = std::string("dir with space/new\nline/\xff\xfe.py");
  b.updates.push_back(File(weird, "h", 1));
  b.updates.push_back(File("z.py", "h2", 1));
  b.updates.back().symbols = {{"greeter", "function", "", 2, 3, ""}};
  ASSERT_TRUE(c->Apply(b).ok());
  auto files = *c->ListFiles();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, weird);
  auto syms = *c->FindSymbols("Greeter", 10);
  ASSERT_EQ(syms.size(), 2u);
  EXPECT_EQ(syms[0].file_path, weird) << "exact-case match ranks first";
  EXPECT_EQ(syms[1].name, "greeter");
  EXPECT_EQ(c->FileSymbols(weird)->at(1).scope, "Greeter");
  EXPECT_EQ(c->FileImports(weird)->at(0).text, "import os");
}

TEST_F(CatalogTest, BlocksOverlappingALineRange) {
  auto c = OpenRW();
  CatalogBatch b;
  b.updates.push_back(File("a.py", "h", 3));  // blocks 1-9, 11-19, 21-29
  b.updates.push_back(File("b.py", "h2", 3));
  ASSERT_TRUE(c->Apply(b).ok());
  auto starts = [&](std::string_view path, int first, int last) {
    std::vector<int> out;
    for (const BlockRecord& r : *c->GetBlocksOverlapping(path, first, last)) {
      EXPECT_EQ(r.file_path, path);
      out.push_back(r.start_line);
    }
    return out;
  };
  EXPECT_EQ(starts("a.py", 5, 5), std::vector<int>({1}));
  EXPECT_EQ(starts("a.py", 9, 11), std::vector<int>({1, 11}));  // touching both ends
  EXPECT_EQ(starts("a.py", 10, 10), std::vector<int>());        // between blocks
  EXPECT_EQ(starts("a.py", 1, 100), std::vector<int>({1, 11, 21}));
  EXPECT_EQ(starts("c.py", 1, 100), std::vector<int>());
  // Content comes with them (the searcher shows them as results).
  EXPECT_EQ(c->GetBlocksOverlapping("a.py", 12, 12)->at(0).content, "def f1(): pass  # h");
}

TEST_F(CatalogTest, BlockIdsUnderPrefixMatchesWholeComponents) {
  auto c = OpenRW();
  CatalogBatch b;
  for (const char* p : {"src/a.py", "src/sub/b.py", "srcx/c.py", "src.py", "lib/src/d.py"}) {
    b.updates.push_back(File(p, "h", 1));
  }
  ASSERT_TRUE(c->Apply(b).ok());
  auto paths_of = [&](const std::string& prefix) {
    std::set<std::string> out;
    for (const BlockRecord& r : *c->GetBlocks(*c->BlockIdsUnderPrefix(prefix))) {
      out.insert(r.file_path);
    }
    return out;
  };
  std::set<std::string> src = {"src/a.py", "src/sub/b.py"};
  EXPECT_EQ(paths_of("src"), src);
  EXPECT_EQ(paths_of("src/"), src);
  EXPECT_EQ(paths_of("./src/"), src);
  EXPECT_EQ(paths_of("src/sub"), std::set<std::string>{"src/sub/b.py"});
  EXPECT_EQ(paths_of("src.py"), std::set<std::string>{"src.py"});
  EXPECT_EQ(paths_of("").size(), 5u);
  EXPECT_EQ(paths_of(".").size(), 5u);
  EXPECT_TRUE(paths_of("nope").empty());
  EXPECT_EQ(NormalizePathPrefix("//./a/b//"), "a/b");
}

TEST_F(CatalogTest, StampsOnlyTouchStatData) {
  auto c = OpenRW();
  CatalogBatch b;
  b.updates.push_back(File("a.py", "h", 1));
  ASSERT_TRUE(c->Apply(b).ok());
  ASSERT_TRUE(c->FinishDirty({"a.py"}).ok());
  CatalogBatch s;
  s.stamps.push_back({"a.py", 200, 99});
  ASSERT_TRUE(c->Apply(s).ok());
  auto f = c->GetFile("a.py")->value();
  EXPECT_EQ(f.size, 200u);
  EXPECT_EQ(f.mtime_ns, 99);
  EXPECT_EQ(f.hash, "h");
  EXPECT_TRUE(c->ListDirty()->empty());
}

TEST_F(CatalogTest, GenerationCountsChangesOfBlocksOnly) {
  auto c = OpenRW();
  CatalogBatch b;
  b.updates.push_back(File("a.py", "h", 2));
  ASSERT_EQ(*c->Apply(b), 1);
  ASSERT_TRUE(c->FinishDirty({"a.py"}).ok());
  CatalogBatch stamps;  // no derived index commits for it: the generation stays
  stamps.stamps.push_back({"a.py", 200, 99});
  EXPECT_EQ(*c->Apply(stamps), 1);
  CatalogBatch unknown;  // the removal of a file the catalog never had changes nothing
  unknown.removals.push_back("never.py");
  EXPECT_EQ(*c->Apply(unknown), 1);
  CatalogBatch removal;
  removal.removals.push_back("a.py");
  EXPECT_EQ(*c->Apply(removal), 2);
  ASSERT_TRUE(c->Clear().ok());  // a rebuild is a change too
  EXPECT_EQ(*c->Generation(), 3);
}

TEST_F(CatalogTest, IdAndStateDescribeOneSnapshot) {
  std::string id;
  {
    auto c = OpenRW();
    id = *c->Id();
    EXPECT_EQ(id.size(), 32u);
    CatalogBatch b;
    b.updates.push_back(File("a.py", "h", 3));
    b.updates.push_back(File("b.py", "h", 1));
    ASSERT_TRUE(c->Apply(b).ok());
    CatalogState st = *c->State();
    EXPECT_EQ(st.id, id);
    EXPECT_EQ(st.generation, 1);
    EXPECT_EQ(st.live_blocks, 4);
    EXPECT_EQ(st.dirty, 2);
  }
  EXPECT_EQ(*OpenRW()->Id(), id) << "the id is made once";
  fs::remove_all(dir_);
  EXPECT_NE(*OpenRW()->Id(), id) << "a new catalog has a new id";
}

TEST_F(CatalogTest, ChecksFindDamagedPages) {
  {
    auto c = OpenRW();
    for (int i = 0; i < 40; ++i) {
      CatalogBatch b;
      b.updates.push_back(File("src/f" + std::to_string(i) + ".py", std::string(200, 'h'), 20));
      ASSERT_TRUE(c->Apply(b).ok());
    }
    EXPECT_TRUE(c->Check(Catalog::CheckDepth::kQuick)->empty());
    EXPECT_TRUE(c->Check(Catalog::CheckDepth::kFull)->empty());
  }
  const std::string db = dir_ + "/catalog.db";
  ASSERT_FALSE(fs::exists(db + "-wal")) << "checkpointed when the last connection closed";
  const auto size = fs::file_size(db);
  ASSERT_GT(size, 16384u);
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 - 2048));
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>((i * 7919) >> 3));
  }
  auto c = Catalog::Open(dir_, Catalog::Mode::kReadOnly);
  ASSERT_TRUE(c.ok()) << "page 1 is intact: the damage shows when pages are read";
  auto problems = (*c)->Check(Catalog::CheckDepth::kQuick);
  ASSERT_TRUE(problems.ok()) << problems.error().ToString();
  EXPECT_FALSE(problems->empty());
  // One problem asked: SQLite's header line does not take its place.
  problems = (*c)->Check(Catalog::CheckDepth::kQuick, 1);
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_EQ(problems->front().find("***"), std::string::npos) << problems->front();
  // A file that is not a database at all.
  c = Status::Corruption("closed");
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f << "this is not an SQLite database";
  }
  auto garbage = Catalog::Open(dir_, Catalog::Mode::kReadWrite);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code(), Code::kCorruption) << garbage.error().ToString();
}

TEST_F(CatalogTest, FormatVersionMismatchIsRefused) {
  {
    auto c = OpenRW();
    ASSERT_TRUE(c->SetMeta("catalog_format", "999").ok());
  }
  auto c = Catalog::Open(dir_, Catalog::Mode::kReadWrite);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(c.error().message().find("format 999"), std::string::npos);
}

TEST_F(CatalogTest, ReadOnlyOpenOfMissingIndexIsNotFound) {
  auto c = Catalog::Open(dir_, Catalog::Mode::kReadOnly);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kNotFound);
}

// A process killed in the middle of Apply leaves the previous committed state.
TEST_F(CatalogTest, KilledWriterLeavesLastCommit) {
  {
    auto c = OpenRW();
    CatalogBatch b;
    b.updates.push_back(File("a.py", "h1", 2));
    ASSERT_TRUE(c->Apply(b).ok());
  }
  for (int round = 0; round < 5; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto c = Catalog::Open(dir_, Catalog::Mode::kReadWrite);
      for (int i = 0;; ++i) {
        CatalogBatch b;
        for (int f = 0; f < 50; ++f)
          b.updates.push_back(File("f" + std::to_string(f) + ".py", "x" + std::to_string(i), 5));
        (void)(*c)->Apply(b);
      }
    }
    usleep(20000 + round * 15000);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    auto c = OpenRW();
    // Every file's live blocks belong to exactly one committed version of it.
    std::vector<FileRecord> files = *c->ListFiles();
    for (const FileRecord& f : files) {
      auto blocks = *c->GetFileBlocks(f.path);
      EXPECT_EQ(static_cast<int64_t>(blocks.size()), f.block_count) << f.path;
      for (const BlockRecord& b : blocks) {
        EXPECT_EQ(b.segment_hash.substr(0, f.hash.size()), f.hash) << f.path;
      }
    }
    EXPECT_TRUE(c->GetFile("a.py")->has_value());
  }
}

}  // namespace
}  // namespace codeindex
