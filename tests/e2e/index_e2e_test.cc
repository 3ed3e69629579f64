// `codeindex index` and `codeindex search` through the binary, under the two failures issue 4
// names: SIGKILL at random moments of `index` (the next run must make the index whole, with no
// duplicate or missing block), and `search` running while `index` rewrites every file (each
// search sees either the old or the new state of each file, never both, never neither).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

extern char** environ;

namespace codeindex::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

// `codeindex args...` in the background, output discarded.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args) {
    const char* bin = std::getenv("CODEINDEX_BIN");
    std::vector<std::string> full = {bin != nullptr ? bin : "codeindex"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  bool started() const { return pid_ > 0; }
  // True while the process runs; records its exit code when it ends.
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  int Wait() {
    if (pid_ > 0) {
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return exit_code_;
  }
  void Kill() {
    if (pid_ > 0) kill(pid_, SIGKILL);
    Wait();
  }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// A Python file of `functions` functions; each block holds the word "zebracommon", the file's
// own marker and its version, so one query lists every block with what it contains.
std::string SourceFile(int file, int version, int functions) {
  std::string s;
  for (int f = 0; f < functions; ++f) {
    s += "def handler_" + std::to_string(file) + "_" + std::to_string(f) + "(request, context):\n";
    s += "    # zebracommon marker" + std::to_string(file) + " version" + std::to_string(version) +
         "\n";
    s += "    value = compute_total(request.items, context.options)\n";
    s += "    if value > " + std::to_string(file * 7 + f) + ":\n";
    s += "        return render_response(value, request, status_code=200)\n";
    s += "    return render_response(None, request, status_code=404)\n\n";
  }
  return s;
}

// Every block the index returns for "zebracommon": (file, start, end, chunk), sorted.
using BlockSet = std::multiset<std::tuple<std::string, int, int, std::string>>;

BlockSet AllBlocks(const std::string& workspace, const std::string& mode, std::string* error) {
  RunResult r = RunCodeindex({"search", "zebracommon", "--workspace", workspace, "--mode", mode,
                              "--limit", "10000", "--min-score", "0", "--json"});
  BlockSet blocks;
  if (r.exit_code != 0) {
    *error = "search exit " + std::to_string(r.exit_code) + ": " + r.err;
    return blocks;
  }
  json j = json::parse(r.out, nullptr, false);
  if (j.is_discarded() || !j.contains("results")) {
    *error = "unparseable search output: " + r.out.substr(0, 200);
    return blocks;
  }
  for (const json& res : j["results"]) {
    blocks.emplace(res["file_path"].get<std::string>(), res["start_line"].get<int>(),
                   res["end_line"].get<int>(), res["code_chunk"].get<std::string>());
  }
  return blocks;
}

json Status(const std::string& workspace) {
  RunResult r = RunCodeindex({"status", "--workspace", workspace, "--json"});
  json j = json::parse(r.out, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

void CopyTreeWithoutIndex(const std::string& from, const std::string& to) {
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    fs::path rel = fs::relative(e.path(), from);
    if (*rel.begin() == ".codeindex") continue;
    if (e.is_directory())
      fs::create_directories(fs::path(to) / rel);
    else if (e.is_regular_file())
      fs::copy_file(e.path(), fs::path(to) / rel);
  }
}

// Batches of a few blocks: a small run then has many commit points to be killed around.
class IndexE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("CODEINDEX_TEST_BATCH_BLOCKS", "40", 1); }
  void TearDown() override { unsetenv("CODEINDEX_TEST_BATCH_BLOCKS"); }
};

TEST_F(IndexE2eTest, KilledAtRandomMomentsThenIndexEqualsAFreshIndex) {
  TempDir ws;
  std::mt19937 rng(20261127);  // fixed: a failure reproduces
  constexpr int kFiles = 120;
  std::map<int, int> version;  // live files -> version
  for (int i = 0; i < kFiles; ++i) {
    version[i] = 0;
    ws.Write("app/m" + std::to_string(i % 7) + "/f" + std::to_string(i) + ".py",
             SourceFile(i, 0, 3));
  }
  auto path_of = [](int i) {
    return "app/m" + std::to_string(i % 7) + "/f" + std::to_string(i) + ".py";
  };

  // A complete run first, timed, so the kills land inside a run of this size.
  auto t0 = Clock::now();
  RunResult first = RunCodeindex({"index", "--workspace", ws.path()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();

  int next_file = kFiles;
  int killed_mid_run = 0;
  for (int round = 0; round < 12; ++round) {
    // Change a third of the files, delete a few, add a few.
    for (auto& [i, v] : version) {
      if (rng() % 3 == 0) {
        ++v;
        ws.Write(path_of(i), SourceFile(i, v, 1 + static_cast<int>(rng() % 4)));
      }
    }
    for (int d = 0; d < 4 && !version.empty(); ++d) {
      auto it = std::next(version.begin(), static_cast<long>(rng() % version.size()));
      fs::remove(fs::path(ws.path()) / path_of(it->first));
      version.erase(it);
    }
    for (int a = 0; a < 4; ++a, ++next_file) {
      version[next_file] = 0;
      ws.Write(path_of(next_file), SourceFile(next_file, 0, 2));
    }
    Background index({"index", "--workspace", ws.path()});
    ASSERT_TRUE(index.started());
    // Anywhere from process start-up to past the end of a full run.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(rng() % static_cast<unsigned>(full_ms + 50)));
    if (index.Running()) ++killed_mid_run;
    index.Kill();
  }
  EXPECT_GT(killed_mid_run, 4) << "the kills should mostly land inside a run";

  RunResult final_run = RunCodeindex({"index", "--workspace", ws.path()});
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;

  TempDir fresh;
  CopyTreeWithoutIndex(ws.path(), fresh.path());
  RunResult fresh_run = RunCodeindex({"index", "--workspace", fresh.path()});
  ASSERT_EQ(fresh_run.exit_code, 0) << fresh_run.err;

  for (const std::string mode : {"text", "semantic"}) {
    std::string err1, err2;
    BlockSet recovered = AllBlocks(ws.path(), mode, &err1);
    BlockSet expected = AllBlocks(fresh.path(), mode, &err2);
    // An index built without an embedding model has no vectors: nothing to compare.
    if (mode == "semantic" && err1.find("no vectors") != std::string::npos &&
        err2.find("no vectors") != std::string::npos) {
      continue;
    }
    ASSERT_EQ(err1, "");
    ASSERT_EQ(err2, "");
    EXPECT_EQ(recovered.size(), expected.size()) << mode;
    EXPECT_TRUE(recovered == expected) << mode << ": recovered index differs from a fresh one";
  }
  // Every live file is there at its current version; deleted files are gone.
  std::string err;
  BlockSet blocks = AllBlocks(ws.path(), "text", &err);
  std::set<std::string> files;
  for (const auto& [file, start, end, chunk] : blocks) {
    files.insert(file);
    int i = std::stoi(file.substr(file.rfind("/f") + 2));
    ASSERT_TRUE(version.count(i)) << file << " was deleted but is still indexed";
    EXPECT_NE(chunk.find("version" + std::to_string(version[i]) + "\n"), std::string::npos)
        << file << " is indexed at a stale version";
  }
  EXPECT_EQ(files.size(), version.size());

  json a = Status(ws.path()), b = Status(fresh.path());
  EXPECT_EQ(a.value("state", ""), "Indexed");
  EXPECT_EQ(a["counts"], b["counts"]) << a.dump() << " vs " << b.dump();
}

TEST_F(IndexE2eTest, SearchDuringIndexSeesOldOrNewStateOfEachFile) {
  TempDir ws;
  constexpr int kFiles = 400;
  for (int i = 0; i < kFiles; ++i) {
    ws.Write("src/d" + std::to_string(i % 10) + "/f" + std::to_string(i) + ".py",
             SourceFile(i, 1, 1));
  }
  // A budget of one function (~330 characters) per block, so that two functions make two
  // blocks (the default budget would pack both into one).
  ws.Write(".codeindex/config.toml", "[index]\nmax_chars = 400\nmin_chars = 100\n");
  RunResult first = RunCodeindex({"index", "--workspace", ws.path()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // Version 2 of every file has two blocks instead of one.
  for (int i = 0; i < kFiles; ++i) {
    ws.Write("src/d" + std::to_string(i % 10) + "/f" + std::to_string(i) + ".py",
             SourceFile(i, 2, 2));
  }

  Background index({"index", "--workspace", ws.path()});
  ASSERT_TRUE(index.started());
  int searches = 0, mixed_seen = 0;
  while (index.Running()) {
    std::string err;
    BlockSet blocks = AllBlocks(ws.path(), "text", &err);
    ASSERT_EQ(err, "");
    ++searches;
    std::map<std::string, std::set<int>> versions;  // file -> versions seen
    std::map<std::string, int> count;
    for (const auto& [file, start, end, chunk] : blocks) {
      ++count[file];
      versions[file].insert(chunk.find("version2") != std::string::npos ? 2 : 1);
    }
    EXPECT_EQ(versions.size(), static_cast<size_t>(kFiles)) << "a file vanished mid-index";
    int v1 = 0, v2 = 0;
    for (const auto& [file, vs] : versions) {
      ASSERT_EQ(vs.size(), 1u) << file << " shows old and new blocks at once";
      EXPECT_EQ(count[file], *vs.begin()) << file << " has a wrong number of blocks";
      (*vs.begin() == 1 ? v1 : v2)++;
    }
    if (v1 > 0 && v2 > 0) ++mixed_seen;
  }
  EXPECT_EQ(index.Wait(), 0);
  EXPECT_GE(searches, 1);
  std::string err;
  BlockSet after = AllBlocks(ws.path(), "text", &err);
  EXPECT_EQ(after.size(), static_cast<size_t>(2 * kFiles));
  // Not asserted (depends on timing), but reported: how often a search saw a partial index.
  std::cout << "searches during index: " << searches
            << ", saw a partly updated index: " << mixed_seen << "\n";
}

}  // namespace
}  // namespace codeindex::testing
