#include "watch/watcher.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "index/index_dir.h"
#include "store/catalog.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A derived index in memory: the live block ids of each file, as committed.
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
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [path, ids] : pending_) {
      if (ids.empty())
        committed_.erase(path);
      else
        committed_[path] = ids;
    }
    pending_.clear();
    return Status::OK();
  }
  Status Clear() override {
    std::lock_guard<std::mutex> lock(mu_);
    committed_.clear();
    pending_.clear();
    return Status::OK();
  }
  uint64_t SizeBytes() const override { return 0; }
  std::set<int64_t> AllIds() {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<int64_t> all;
    for (auto& [p, ids] : committed_) all.insert(ids.begin(), ids.end());
    return all;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::set<int64_t>> committed_, pending_;
};

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "codeindex-watch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    tmp_ = fs::canonical(tmpl).string();
    ws_ = tmp_ + "/ws";
    fs::create_directories(ws_);
    fs::create_directories(tmp_ + "/home");
    // The user's git configuration must not leak into the tests.
    for (const char* v : {"HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM",
                          "CODEINDEX_INDEX_DIR"}) {
      const char* old = getenv(v);
      saved_.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
    }
    setenv("HOME", (tmp_ + "/home").c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("GIT_CONFIG_GLOBAL");
    unsetenv("CODEINDEX_INDEX_DIR");
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    options_.indexer.workspace = ws_;
    options_.indexer.index_dir = IndexDirFor(ws_);
    options_.indexer.content_hash = "v1";
    options_.indexer.threads = 2;
    options_.debounce = std::chrono::milliseconds(20);
    options_.rescan_interval = std::chrono::milliseconds(0);  // only when a test asks
  }

  void TearDown() override {
    if (watcher_) watcher_->Stop();
    watcher_.reset();
    for (auto& [k, v] : saved_) {
      if (v)
        setenv(k.c_str(), v->c_str(), 1);
      else
        unsetenv(k.c_str());
    }
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = rel[0] == '/' ? fs::path(rel) : fs::path(ws_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void Append(const std::string& rel, const std::string& content) {
    std::ofstream(fs::path(ws_) / rel, std::ios::binary | std::ios::app) << content;
  }
  void GitInit() { ASSERT_EQ(std::system(("git init -q " + ws_).c_str()), 0); }

  // One block per non-empty line. `gate_`, when set, holds every call until it opens.
  FileProcessor Processor() {
    return [this](const std::string&, const std::string& text) -> Result<ProcessedFile> {
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++processed_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !gate_closed_; });
      }
      ProcessedFile pf;
      int line = 0;
      size_t start = 0;
      while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        ++line;
        if (nl > start) {
          BlockRecord b;
          b.start_line = b.end_line = line;
          b.type = "line";
          b.content = text.substr(start, nl - start);
          b.segment_hash = std::to_string(line);
          pf.blocks.push_back(b);
        }
        start = nl + 1;
      }
      return pf;
    };
  }

  void StartWatcher() {
    options_.on_pass = [this](const PassReport& r) {
      std::lock_guard<std::mutex> lock(mu_);
      passes_.push_back(r);
      cv_.notify_all();
    };
    options_.on_warning = [this](const std::string& w) {
      std::lock_guard<std::mutex> lock(mu_);
      warnings_.push_back(w);
    };
    options_.on_state = [this](WatchState s, const std::string&) {
      std::lock_guard<std::mutex> lock(mu_);
      states_.push_back(std::string(WatchStateName(s)));
    };
    options_.on_indexed = [this](const std::vector<IndexedFile>& files) {
      std::lock_guard<std::mutex> lock(mu_);
      for (const IndexedFile& f : files) indexed_.push_back((f.removed ? "-" : "+") + f.path);
    };
    watcher_ =
        std::make_unique<Watcher>(options_, Processor(), std::vector<DerivedIndex*>{&derived_});
    ASSERT_TRUE(watcher_->Start().ok());
    Status ready = watcher_->WaitUntilReady();
    ASSERT_TRUE(ready.ok()) << ready.ToString();
  }

  std::vector<std::string> CatalogPaths() {
    auto c = Catalog::Open(options_.indexer.index_dir, Catalog::Mode::kReadOnly);
    std::vector<std::string> out;
    if (!c.ok()) return out;
    for (const FileRecord& f : *(*c)->ListFiles()) out.push_back(f.path);
    return out;
  }
  size_t Blocks(const std::string& path) {
    auto c = Catalog::Open(options_.indexer.index_dir, Catalog::Mode::kReadOnly);
    return (*c)->GetFileBlocks(path)->size();
  }

  // Waits (at most 20 s, re-checking after every pass) until `cond` holds.
  bool WaitFor(const std::function<bool()>& cond) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      size_t seen = passes_.size();
      lock.unlock();
      if (cond()) return true;
      lock.lock();
      if (!cv_.wait_until(lock, deadline, [&] { return passes_.size() != seen; })) {
        lock.unlock();
        return cond();
      }
    }
  }
  bool WaitForPaths(const std::vector<std::string>& want) {
    return WaitFor([&] { return CatalogPaths() == want; });
  }
  size_t Passes() {
    std::lock_guard<std::mutex> lock(mu_);
    return passes_.size();
  }
  std::vector<PassReport> PassesSince(size_t first) {
    std::lock_guard<std::mutex> lock(mu_);
    return std::vector<PassReport>(passes_.begin() + static_cast<ptrdiff_t>(first), passes_.end());
  }

  // The derived index holds exactly the catalog's live blocks.
  void ExpectConsistent() {
    auto c = *Catalog::Open(options_.indexer.index_dir, Catalog::Mode::kReadOnly);
    std::set<int64_t> live;
    for (const FileRecord& f : *c->ListFiles()) {
      for (const BlockRecord& b : *c->GetFileBlocks(f.path)) live.insert(b.id);
    }
    EXPECT_EQ(derived_.AllIds(), live);
    EXPECT_EQ(c->Counts()->dirty, 0);
  }

  std::string tmp_, ws_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
  WatcherOptions options_;
  FakeDerived derived_;
  std::unique_ptr<Watcher> watcher_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PassReport> passes_;
  std::vector<std::string> warnings_, states_, indexed_;
  int processed_ = 0;
  bool gate_closed_ = false;
};

TEST_F(WatcherTest, InitialRunThenCreateModifyRenameDelete) {
  Write("a.py", "a1\n");
  StartWatcher();
  EXPECT_THAT(CatalogPaths(), ElementsAre("a.py"));
  ASSERT_GE(Passes(), 1u);
  EXPECT_EQ(PassesSince(0)[0].kind, PassReport::Kind::kInitial);

  Write("b.py", "b1\nb2\n");
  ASSERT_TRUE(WaitForPaths({"a.py", "b.py"}));
  EXPECT_EQ(Blocks("b.py"), 2u);

  Append("a.py", "a2\na3\n");
  ASSERT_TRUE(WaitFor([&] { return Blocks("a.py") == 3; }));

  fs::rename(ws_ + "/b.py", ws_ + "/c.py");
  ASSERT_TRUE(WaitForPaths({"a.py", "c.py"}));

  fs::remove(ws_ + "/a.py");
  ASSERT_TRUE(WaitForPaths({"c.py"}));
  ExpectConsistent();
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_THAT(indexed_, ::testing::IsSupersetOf({"+b.py", "+c.py", "-b.py", "-a.py"}));
  EXPECT_EQ(states_.front(), "Indexing");  // the initial run had a file to read
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(WatcherTest, DeleteAndRecreateWithinTheDebounceWindowLeavesNoStaleBlocks) {
  options_.debounce = std::chrono::milliseconds(300);
  Write("a.py", "one\ntwo\nthree\n");
  StartWatcher();
  fs::remove(ws_ + "/a.py");
  Write("a.py", "four\n");  // the original keeps the three old blocks here (docs/original.md §6)
  ASSERT_TRUE(WaitFor([&] { return Blocks("a.py") == 1; }));
  ExpectConsistent();
}

TEST_F(WatcherTest, NewDirectoriesAreWatchedBeforeTheyAreListed) {
  StartWatcher();
  const size_t dirs_before = watcher_->Stats().watched_dirs;
  // Files created right after their directories, before any pass could watch them.
  Write("d/e/f/x.py", "x\n");
  Write("d/y.py", "y\n");
  ASSERT_TRUE(WaitForPaths({"d/e/f/x.py", "d/y.py"}));
  EXPECT_EQ(watcher_->Stats().watched_dirs, dirs_before + 3);
  // The new directories are watched: a later file in the deepest one is seen.
  Write("d/e/f/z.py", "z\n");
  ASSERT_TRUE(WaitForPaths({"d/e/f/x.py", "d/e/f/z.py", "d/y.py"}));

  fs::remove_all(ws_ + "/d");
  ASSERT_TRUE(WaitForPaths({}));
  EXPECT_EQ(watcher_->Stats().watched_dirs, dirs_before);
  ExpectConsistent();
}

TEST_F(WatcherTest, DirectoryRenamedKeepsItsWatchesUnderTheNewName) {
  Write("old/sub/a.py", "a\n");
  StartWatcher();
  fs::rename(ws_ + "/old", ws_ + "/new");
  ASSERT_TRUE(WaitForPaths({"new/sub/a.py"}));
  Write("new/sub/b.py", "b\n");
  ASSERT_TRUE(WaitForPaths({"new/sub/a.py", "new/sub/b.py"}));
  ExpectConsistent();
}

TEST_F(WatcherTest, DirectoryReplacedByANewOneOfTheSameNameIsWatchedAgain) {
  options_.debounce = std::chrono::milliseconds(300);
  Write("d/a.py", "a\n");
  StartWatcher();
  // Moved out of the tree (its watch stays valid, on the old inode), then a new "d" within
  // the same debounce window: the pass must watch the new directory, not keep the old watch.
  fs::rename(ws_ + "/d", tmp_ + "/moved-away");
  Write("d/b.py", "b\n");
  ASSERT_TRUE(WaitForPaths({"d/b.py"}));
  // Events of the old directory (now outside) no longer matter; the new one's are seen.
  Write(tmp_ + "/moved-away/c.py", "c\n");
  Write("d/e.py", "e\n");
  ASSERT_TRUE(WaitForPaths({"d/b.py", "d/e.py"}));
  ExpectConsistent();
}

TEST_F(WatcherTest, NewGitignoreLineDropsTheFile) {
  GitInit();
  Write("src/keep.py", "k\n");
  Write("src/gen.py", "g\n");
  Write("src/build/out.py", "o\n");
  StartWatcher();
  ASSERT_THAT(CatalogPaths(), ElementsAre("src/build/out.py", "src/gen.py", "src/keep.py"));
  const size_t dirs_before = watcher_->Stats().watched_dirs;
  Write("src/.gitignore", "gen.py\nbuild/\n");
  ASSERT_TRUE(WaitForPaths({"src/keep.py"}));
  EXPECT_EQ(watcher_->Stats().watched_dirs, dirs_before - 1);  // src/build is no longer walked
  // And back: the rule removed, the directory is walked and watched again.
  fs::remove(ws_ + "/src/.gitignore");
  ASSERT_TRUE(WaitForPaths({"src/build/out.py", "src/gen.py", "src/keep.py"}));
  EXPECT_EQ(watcher_->Stats().watched_dirs, dirs_before);
}

TEST_F(WatcherTest, RuleFileOutsideTheTreeTriggersAFullRun) {
  GitInit();
  Write("a.py", "a\n");
  Write("b.py", "b\n");
  StartWatcher();
  const size_t first = Passes();
  Write(ws_ + "/.git/info/exclude", "b.py\n");
  ASSERT_TRUE(WaitForPaths({"a.py"}));
  std::vector<PassReport> passes = PassesSince(first);
  ASSERT_FALSE(passes.empty());
  EXPECT_EQ(passes.back().kind, PassReport::Kind::kFull);
  EXPECT_EQ(passes.back().reason, "rules");
}

TEST_F(WatcherTest, FileGrowingOverOneMebibyteDropsOut) {
  Write("a.py", "small\n");
  StartWatcher();
  Write("a.py", std::string((1 << 20) + 1, 'x'));
  ASSERT_TRUE(WaitForPaths({}));
  ExpectConsistent();
}

TEST_F(WatcherTest, SymlinkedDirectoriesAreFollowed) {
  Write(tmp_ + "/outside/o.py", "o\n");
  fs::create_directory_symlink(tmp_ + "/outside", ws_ + "/linked");
  // A target outside the workspace is followed only with follow_symlinks = "all".
  options_.indexer.scan.follow_symlinks = FollowSymlinks::kAll;
  StartWatcher();
  ASSERT_THAT(CatalogPaths(), ElementsAre("linked/o.py"));
  Write(tmp_ + "/outside/p.py", "p\n");  // changed through the link's target
  ASSERT_TRUE(WaitForPaths({"linked/o.py", "linked/p.py"}));
}

TEST_F(WatcherTest, BurstCoalescesIntoFewPasses) {
  // The coalescing, not the timing, is under test: a debounce far above the time the writes
  // take keeps the burst in one window even on a loaded machine.
  options_.debounce = std::chrono::milliseconds(400);
  StartWatcher();
  const size_t first = Passes();
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) {
    std::string name = "f" + std::to_string(1000 + i) + ".py";
    Write(name, "v" + std::to_string(i) + "\n");
    want.push_back(name);
  }
  ASSERT_TRUE(WaitForPaths(want));
  std::vector<PassReport> passes = PassesSince(first);
  EXPECT_LE(passes.size(), 2u);
  size_t events = 0, parsed = 0;
  for (const PassReport& p : passes) {
    events += p.events;
    parsed += p.stats.files_parsed;
  }
  EXPECT_GE(events, 200u);
  EXPECT_EQ(parsed, 200u);  // each file read once, however many events it had
  ExpectConsistent();
}

TEST_F(WatcherTest, QueueOverflowTriggersAFullRun) {
  std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
  int limit = 0;
  limit_file >> limit;
  if (limit <= 0 || limit > 100000) GTEST_SKIP() << "max_queued_events = " << limit;
  Write("a.py", "a\n");
  Write("b.py", "b\n");
  StartWatcher();
  const size_t first = Passes();
  {
    std::lock_guard<std::mutex> lock(mu_);
    gate_closed_ = true;
    processed_ = 0;
  }
  // Hold the watcher inside a pass, then queue more events than the kernel keeps.
  Write("a.py", "a2\n");
  ASSERT_TRUE([&] {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return processed_ > 0; });
  }());
  {
    // Alternating files: the kernel merges only identical consecutive events.
    std::ofstream a(ws_ + "/a.py", std::ios::app), b(ws_ + "/b.py", std::ios::app);
    for (int i = 0; i < limit + 100; ++i) {
      (i % 2 ? a : b) << "x" << std::flush;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    gate_closed_ = false;
  }
  cv_.notify_all();
  ASSERT_TRUE(WaitFor([&] {
    for (const PassReport& p : PassesSince(first)) {
      if (p.reason == "overflow") return true;
    }
    return false;
  }));
  EXPECT_GE(watcher_->Stats().overflows, 1u);
  // "a2" or "b" and a line of x: two blocks each, whatever the events said.
  ASSERT_TRUE(WaitFor([&] { return Blocks("b.py") == 2 && Blocks("a.py") == 2; }));
  ExpectConsistent();
}

TEST_F(WatcherTest, WatchLimitDegradesToPeriodicRescans) {
  Write("a/x.py", "x\n");
  Write("b/y.py", "y\n");
  Write("c/z.py", "z\n");
  options_.max_watches = 2;  // the root and one directory
  options_.degraded_rescan_interval = std::chrono::milliseconds(50);
  StartWatcher();
  EXPECT_EQ(watcher_->Stats().watched_dirs, 2u);
  EXPECT_TRUE(watcher_->Stats().degraded);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSERT_EQ(warnings_.size(), 1u);
    EXPECT_NE(warnings_[0].find("cannot watch every directory"), std::string::npos);
  }
  // A change in every directory, watched or not, is indexed (events or the rescan).
  Write("a/x2.py", "x\n");
  Write("b/y2.py", "y\n");
  Write("c/z2.py", "z\n");
  ASSERT_TRUE(WaitForPaths({"a/x.py", "a/x2.py", "b/y.py", "b/y2.py", "c/z.py", "c/z2.py"}));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(warnings_.size(), 1u);  // once
}

TEST_F(WatcherTest, RequestFullRunRunsOneWithoutEvents) {
  Write("a.py", "a\n");
  StartWatcher();
  const size_t first = Passes();
  watcher_->RequestFullRun();
  ASSERT_TRUE(WaitFor([&] { return Passes() > first; }));
  EXPECT_EQ(PassesSince(first)[0].reason, "requested");
}

TEST_F(WatcherTest, PeriodicRescanCatchesWhatEventsMissed) {
  Write("a.py", "a\n");
  options_.rescan_interval = std::chrono::milliseconds(100);
  StartWatcher();
  const size_t first = Passes();
  ASSERT_TRUE(WaitFor([&] { return Passes() > first; }));
  EXPECT_EQ(PassesSince(first)[0].reason, "periodic");
}

TEST_F(WatcherTest, IndexDirectoryInsideTheWorkspaceIsNotWatched) {
  setenv("CODEINDEX_INDEX_DIR", (ws_ + "/idx").c_str(), 1);
  options_.indexer.index_dir = IndexDirFor(ws_);
  Write("src/a.py", "a\n");
  StartWatcher();
  EXPECT_EQ(watcher_->Stats().watched_dirs, 2u);  // the root and src, not idx
  Write("src/b.py", "b\n");
  ASSERT_TRUE(WaitForPaths({"src/a.py", "src/b.py"}));
}

TEST_F(WatcherTest, StopIsIdempotentPromptAndLeavesAConsistentIndex) {
  for (int i = 0; i < 300; ++i) Write("f" + std::to_string(i) + ".py", "l1\nl2\n");
  options_.indexer.batch_blocks = 10;
  std::thread stopper;
  options_.on_progress = [&](const IndexProgress& p) {
    // Stop from another thread while the initial run is in the middle of its files.
    if (p.phase == IndexProgress::Phase::kIndexing && p.files_done == 20) {
      stopper = std::thread([this] { watcher_->Stop(); });
    }
  };
  watcher_ =
      std::make_unique<Watcher>(options_, Processor(), std::vector<DerivedIndex*>{&derived_});
  ASSERT_TRUE(watcher_->Start().ok());
  Status ready = watcher_->WaitUntilReady();
  EXPECT_EQ(ready.code(), Code::kCancelled);
  EXPECT_TRUE(watcher_->Wait().ok());
  watcher_->Stop();
  watcher_->Stop();
  ASSERT_TRUE(stopper.joinable());
  stopper.join();
  EXPECT_LT(CatalogPaths().size(), 300u);  // interrupted, not run to the end
  ExpectConsistent();
  EXPECT_EQ(watcher_->Start().code(), Code::kFailedPrecondition);
}

TEST_F(WatcherTest, StopFromACallbackWhileAnotherThreadStopsDoesNotDeadlock) {
  for (int i = 0; i < 100; ++i) Write("f" + std::to_string(i) + ".py", "l1\nl2\n");
  options_.indexer.batch_blocks = 10;
  std::thread stopper;
  std::atomic<bool> called{false};
  options_.on_progress = [&](const IndexProgress& p) {
    if (p.phase != IndexProgress::Phase::kIndexing || p.files_done != 20 || called.exchange(true)) {
      return;
    }
    // Another thread enters Stop() and waits to join this thread; then the callback stops
    // too. Stop() from the watcher's thread must return at once, not wait for the lock that
    // the joining thread holds.
    stopper = std::thread([this] { watcher_->Stop(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    watcher_->Stop();
  };
  watcher_ =
      std::make_unique<Watcher>(options_, Processor(), std::vector<DerivedIndex*>{&derived_});
  ASSERT_TRUE(watcher_->Start().ok());
  EXPECT_EQ(watcher_->WaitUntilReady().code(), Code::kCancelled);
  EXPECT_TRUE(watcher_->Wait().ok());
  ASSERT_TRUE(stopper.joinable());
  stopper.join();
  ExpectConsistent();
}

TEST_F(WatcherTest, StopBeforeStart) {
  Watcher w(options_, Processor(), {&derived_});
  w.Stop();
  w.Stop();
  EXPECT_EQ(w.Start().code(), Code::kFailedPrecondition);
}

TEST_F(WatcherTest, StopFromACallbackDoesNotWaitForItself) {
  Write("a.py", "a\n");
  options_.on_pass = [this](const PassReport& r) {
    if (r.kind == PassReport::Kind::kPaths) watcher_->Stop();
  };
  watcher_ =
      std::make_unique<Watcher>(options_, Processor(), std::vector<DerivedIndex*>{&derived_});
  ASSERT_TRUE(watcher_->Start().ok());
  ASSERT_TRUE(watcher_->WaitUntilReady().ok());
  Write("b.py", "b\n");
  EXPECT_TRUE(watcher_->Wait().ok());  // ends after the pass that indexed b.py
  EXPECT_THAT(CatalogPaths(), ElementsAre("a.py", "b.py"));
}

TEST_F(WatcherTest, FailedInitialRunEndsTheWatcher) {
  Write("a.py", "a\n");
  options_.indexer.index_dir = ws_ + "/a.py";  // a file: the catalog cannot be created
  watcher_ =
      std::make_unique<Watcher>(options_, Processor(), std::vector<DerivedIndex*>{&derived_});
  ASSERT_TRUE(watcher_->Start().ok());
  Status ready = watcher_->WaitUntilReady();
  EXPECT_FALSE(ready.ok());
  EXPECT_NE(ready.code(), Code::kCancelled);
  EXPECT_EQ(watcher_->Wait().code(), ready.code());
}

}  // namespace
}  // namespace codeindex
