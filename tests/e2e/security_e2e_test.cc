// The workspace is the boundary (docs/security.md): links that lead outside are neither
// indexed nor served, system roots are refused, and bad arguments get one-line errors.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

namespace codeindex::testing {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = tmp_.Mkdir("ws");
    tmp_.Write("ws/app.py", "def handler():\n    return 'inside'\n");
    tmp_.Write("outside/secret.py", "ZEBRACORN_TOKEN = 'never served'\n");
    tmp_.Write("sibling/other.py", "QUAGGAFISH = 1\n");
    ASSERT_EQ(::symlink((tmp_.path() + "/outside/secret.py").c_str(), (ws_ + "/leak.py").c_str()),
              0);
    ASSERT_EQ(::symlink("../outside/secret.py", (ws_ + "/rel_leak.py").c_str()), 0);
    ASSERT_EQ(::symlink("..", (ws_ + "/up").c_str()), 0);
    ASSERT_EQ(::symlink("app.py", (ws_ + "/alias.py").c_str()), 0);  // inside: followed
  }
  TempDir tmp_;
  std::string ws_;
};

TEST_F(SecurityTest, LinksLeadingOutsideAreNeitherIndexedNorServed) {
  RunResult files = RunCodeindex({"files", "-w", ws_});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_EQ(files.out, "alias.py\napp.py\n");

  RunResult idx = RunCodeindex({"index", "-w", ws_, "--provider", "none"});
  ASSERT_EQ(idx.exit_code, 0) << idx.err;
  for (const char* word : {"ZEBRACORN_TOKEN", "QUAGGAFISH"}) {
    RunResult s = RunCodeindex({"search", "-w", ws_, "--mode", "text", "--json", word});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    nlohmann::json j = nlohmann::json::parse(s.out);
    EXPECT_EQ(j["results"].size(), 0u) << word << ": " << s.out;
  }
  RunResult inside = RunCodeindex({"search", "-w", ws_, "--mode", "text", "--json", "handler"});
  ASSERT_EQ(inside.exit_code, 0) << inside.err;
  EXPECT_GE(nlohmann::json::parse(inside.out)["results"].size(), 1u);
}

TEST_F(SecurityTest, FollowSymlinksAllIsTheOriginalButNeverAboveTheRoot) {
  tmp_.Write("ws/.codeindex/config.toml", "follow_symlinks = \"all\"\n");
  RunResult files = RunCodeindex({"files", "-w", ws_});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_EQ(files.out, "alias.py\napp.py\nleak.py\nrel_leak.py\n");  // never up/...

  tmp_.Write("ws/.codeindex/config.toml", "follow_symlinks = \"none\"\n");
  files = RunCodeindex({"files", "-w", ws_});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_EQ(files.out, "app.py\n");

  tmp_.Write("ws/.codeindex/config.toml", "follow_symlinks = \"sometimes\"\n");
  files = RunCodeindex({"files", "-w", ws_});
  EXPECT_EQ(files.exit_code, 1);
  EXPECT_NE(files.err.find("follow_symlinks"), std::string::npos) << files.err;
}

TEST_F(SecurityTest, AFileSwappedForALinkAfterIndexingIsNotServed) {
  ASSERT_EQ(RunCodeindex({"index", "-w", ws_, "--provider", "none"}).exit_code, 0);
  // app.py becomes a link to the outside file; the index still holds app.py's old blocks.
  ASSERT_EQ(::unlink((ws_ + "/app.py").c_str()), 0);
  ASSERT_EQ(::symlink((tmp_.path() + "/outside/secret.py").c_str(), (ws_ + "/app.py").c_str()),
            0);
  RunResult s = RunCodeindex({"search", "-w", ws_, "--mode", "text", "--json", "handler"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["results"].size(), 0u) << s.out;
  // The next index drops it (and reads nothing outside).
  RunResult idx = RunCodeindex({"index", "-w", ws_, "--provider", "none"});
  ASSERT_EQ(idx.exit_code, 0) << idx.err;
  s = RunCodeindex({"search", "-w", ws_, "--mode", "text", "--json", "ZEBRACORN_TOKEN"});
  EXPECT_EQ(nlohmann::json::parse(s.out)["results"].size(), 0u) << s.out;
}

TEST(SecurityRootTest, SystemRootsAreRefusedWithoutWritingThere) {
  const bool had_index = Exists("/.codeindex");
  for (const char* cmd : {"index", "watch", "files"}) {
    RunResult r = RunCodeindex({cmd, "--workspace", "/"});
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("system directory"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
  }
  RunResult r = RunCodeindex({"serve", "--workspace", "/usr", "--port", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  if (!had_index) {
    EXPECT_FALSE(Exists("/.codeindex"));
  }
}

TEST(SecurityArgsTest, LowFindingsAreOneLineErrors) {
  TempDir tmp;
  RunResult r = RunCodeindex({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'frobnicate' is not a codeindex command"), std::string::npos) << r.err;

  for (const char* bad : {"nan", "inf", "-inf", "abc"}) {
    r = RunCodeindex({"search", "-w", tmp.path(), "--min-score", bad, "q"});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("finite"), std::string::npos) << r.err;
  }

  r = RunCodeindex({"status", "-w", tmp.path() + "/nonexistent"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;

  // chunks refuses what the index would skip instead of parsing it with ~100x its size.
  tmp.Write("big.py", std::string((1 << 20) + 1, '#'));
  r = RunCodeindex({"chunks", tmp.path() + "/big.py"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("larger than"), std::string::npos) << r.err;
}

TEST(SecurityMcpTest, AnOversizedLineIsRejectedAndTheNextOneAnswered) {
  TempDir tmp;
  tmp.Write("a.py", "x = 1\n");
  std::string input(5u << 20, 'x');  // above the 4 MiB limit, not JSON
  input += "\n";
  input += R"({"jsonrpc":"2.0","id":7,"method":"ping"})";
  input += "\n";
  RunResult r = RunCodeindex({"serve", "--mcp", "-w", tmp.path()}, "", input);
  std::vector<std::string> lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 2u) << r.err;
  EXPECT_NE(lines[0].find("message too large"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"id\":7"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace codeindex::testing
