// `codeindex watch` through the binary: edits become searchable, a second writer is refused,
// SIGINT stops cleanly with exit 0, and a kill -9 in the middle of a reconcile pass leaves an
// index that `codeindex index` makes consistent.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "embed/testing.h"
#include "harness.h"

extern char** environ;

namespace codeindex::testing {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

// A `codeindex watch` process in the background, its stderr in a file.
class WatchProcess {
 public:
  WatchProcess(const std::string& workspace, const std::string& err_file,
               std::vector<std::string> extra = {})
      : err_file_(err_file) {
    const char* bin = std::getenv("CODEINDEX_BIN");  // set by ctest
    std::vector<std::string> args = {bin != nullptr ? bin : "codeindex", "watch", "--workspace",
                                     workspace};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~WatchProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Reap();
    }
  }

  std::string Err() const {
    std::ifstream f(err_file_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  // Waits (60 s at most) until stderr contains `text` `count` times; false if it exited.
  bool WaitForErr(const std::string& text, size_t count = 1) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      std::string err = Err();
      size_t n = 0;
      for (size_t pos = err.find(text); pos != std::string::npos; pos = err.find(text, pos + 1))
        ++n;
      if (n >= count) return true;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void Signal(int sig) { kill(pid_, sig); }
  // Exit code, or 128 + signal.
  int Reap() {
    int status = 0;
    if (pid_ <= 0) return -1;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::string err_file_;
  pid_t pid_ = -1;
};

// A word the analyzer keeps whole: lower-case letters only ("wrd" + base 26 of n).
std::string Token(int n) {
  std::string out = "wrd";
  for (int i = 0; i < 3; ++i, n /= 26) out.push_back(static_cast<char>('a' + n % 26));
  return out;
}

std::string PyFile(const std::string& token) {
  return "def function_" + token + "(argument):\n    return argument + '" + token +
         " shared_marker_token'\n";
}

// Text-search hits for `query` (file paths).
std::vector<std::string> Search(const std::string& ws, const std::string& query) {
  RunResult r = RunCodeindex(
      {"search", "--workspace", ws, "--mode", "text", "--limit", "10000", "--json", query});
  std::vector<std::string> out;
  if (r.exit_code != 0) return out;
  const json j = json::parse(r.out);
  for (const json& hit : j["results"]) out.push_back(hit["file_path"]);
  return out;
}

// The files semantic search finds for `query`, every score accepted.
std::vector<std::string> SemanticSearch(const std::string& ws, const std::string& query) {
  RunResult r = RunCodeindex({"search", "--workspace", ws, "--mode", "semantic", "--min-score=-1",
                              "--limit", "10000", "--json", query});
  std::vector<std::string> out;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return out;
  const json j = json::parse(r.out);
  for (const json& hit : j["results"]) out.push_back(hit["file_path"]);
  return out;
}

bool Eventually(const std::function<bool()>& cond) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

TEST(WatchE2eTest, EditsBecomeSearchableAndSigintStopsCleanly) {
  TempDir ws;
  ws.Write("src/a.py", PyFile("alpha"));
  // stderr goes to a hidden file of the workspace: never indexed, never watched.
  WatchProcess watch(ws.path(), ws.path() + "/.watch.err", {"--debounce-ms", "20"});
  ASSERT_TRUE(watch.WaitForErr("watching ")) << watch.Err();
  EXPECT_NE(watch.Err().find("indexed 1 files"), std::string::npos) << watch.Err();

  // Only one process writes an index.
  RunResult second = RunCodeindex({"index", "--workspace", ws.path()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("codeindex: the index"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("another process"), std::string::npos) << second.err;

  ws.Write("src/b.py", PyFile("bravo"));
  ASSERT_TRUE(Eventually([&] { return Search(ws.path(), "bravo").size() == 1; }));
  ASSERT_TRUE(watch.WaitForErr("updated 1 files")) << watch.Err();

  std::remove((ws.path() + "/src/a.py").c_str());
  ASSERT_TRUE(Eventually([&] { return Search(ws.path(), "alpha").empty(); }));

  watch.Signal(SIGINT);
  EXPECT_EQ(watch.Reap(), 0);
  // Nothing left to recover: a new index run parses nothing.
  RunResult index = RunCodeindex({"index", "--workspace", ws.path(), "--json"});
  ASSERT_EQ(index.exit_code, 0) << index.err;
  json j = json::parse(index.out);
  EXPECT_EQ(j["parsed"], 0);
  EXPECT_EQ(j["recovered"], 0);
  EXPECT_EQ(j["files"], 1);
}

TEST(WatchE2eTest, KillDuringAReconcileLeavesAnIndexThatIndexMakesConsistent) {
  TempDir ws;
  const std::string err_file = ws.path() + "/.watch.err";
  ws.Write("seed.py", PyFile("seed"));
  // With vectors (a tiny static model): a pass commits both derived indexes, and the kill
  // must leave both repairable.
  TempDir model;
  ASSERT_TRUE(WriteTinyStaticModel(model.path(), TinyStaticModel{}).ok());
  ws.Write(".codeindex/config.toml",
           "[embedding]\nprovider = \"static\"\nmodel = \"" + model.path() + "\"\n");
  constexpr int kRounds = 4;
  constexpr int kFiles = 120;
  int expected_files = 1;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    WatchProcess watch(ws.path(), err_file, {"--debounce-ms", "20"});
    ASSERT_TRUE(watch.WaitForErr("watching ")) << watch.Err();
    // A burst that makes a long pass: new files, rewritten files, deleted files.
    for (int i = 0; i < kFiles; ++i) {
      const std::string name = "r" + std::to_string(round) + "/f" + std::to_string(i) + ".py";
      ws.Write(name, PyFile(Token(round * 1000 + i)));
    }
    if (round > 0) {
      for (int i = 0; i < kFiles; i += 3) {
        std::remove(
            (ws.path() + "/r" + std::to_string(round - 1) + "/f" + std::to_string(i) + ".py")
                .c_str());
        --expected_files;
      }
    }
    expected_files += kFiles;
    // Kill at different moments: before the pass starts (it starts 20 ms after the last
    // write), while it reads and parses, while it commits. Which moment each round hits
    // depends on the machine; every one must leave an index that `index` completes.
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 80 * round));
    watch.Signal(SIGKILL);
    EXPECT_EQ(watch.Reap(), 128 + SIGKILL);

    RunResult index = RunCodeindex({"index", "--workspace", ws.path(), "--json"});
    ASSERT_EQ(index.exit_code, 0) << index.err;
    // What the killed pass left to do (in the test log: "recovered" > 0 or "parsed" below
    // the number of new files means it was killed in the middle).
    std::cerr << "round " << round << ": index after kill -9: " << index.out;
    RunResult status = RunCodeindex({"status", "--workspace", ws.path(), "--json"});
    ASSERT_EQ(status.exit_code, 0);
    json s = json::parse(status.out);
    EXPECT_EQ(s["state"], "Indexed");
    EXPECT_EQ(s["files"], expected_files);
    // Each file is one block holding the shared marker: the text index holds exactly the
    // catalog's blocks, no stale copy and no missing one.
    std::vector<std::string> hits = Search(ws.path(), "shared_marker_token");
    EXPECT_EQ(hits.size(), static_cast<size_t>(expected_files));
    EXPECT_EQ(s["blocks"], expected_files);
    // The vector index holds every live block (exact search at this size; stale vectors,
    // whose block ids the catalog no longer has, would be dropped from the results).
    EXPECT_EQ(SemanticSearch(ws.path(), "shared marker token").size(),
              static_cast<size_t>(expected_files));
    if (round > 0) {
      EXPECT_TRUE(Search(ws.path(), Token((round - 1) * 1000)).empty());  // deleted
      EXPECT_EQ(Search(ws.path(), Token((round - 1) * 1000 + 1)).size(), 1u);
    }
    EXPECT_EQ(Search(ws.path(), Token(round * 1000 + kFiles - 1)).size(), 1u);
  }
}

}  // namespace
}  // namespace codeindex::testing
