#include "scan/git_repo.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

namespace codeindex {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> Find(const std::vector<GitConfigEntry>& entries, std::string_view key) {
  std::optional<std::string> v;
  for (const GitConfigEntry& e : entries) {
    if (e.key == key) v = e.value.value_or("<bare>");
  }
  return v;
}

TEST(GitConfigTest, SectionsKeysAndValues) {
  auto e = ParseGitConfig(
      "# comment\n"
      "[core]\n"
      "\texcludesFile = ~/global ignore  ; trailing comment\n"
      "\tIgnoreCase\n"
      "[remote \"origin\"]\n"
      "\texcludesfile = /not/core\n"
      "[CORE]\n"
      "  editor = \"vim -f\" # quoted\n");
  EXPECT_EQ(Find(e, "core.excludesfile"), "~/global ignore");
  EXPECT_EQ(Find(e, "core.ignorecase"), "<bare>");
  EXPECT_EQ(Find(e, "core.editor"), "vim -f");
  // Subsections are not the core section.
  for (const GitConfigEntry& x : e) EXPECT_NE(x.value.value_or(""), "/not/core");
}

TEST(GitConfigTest, EscapesQuotesAndContinuation) {
  auto e = ParseGitConfig(
      "[core]\n"
      "a = \"x;y#z\"\n"
      "b = one\\\n"
      "two\n"
      "c = tab\\there \\\"q\\\"\n"
      "d = \"  keep  \"  \n");
  EXPECT_EQ(Find(e, "core.a"), "x;y#z");
  EXPECT_EQ(Find(e, "core.b"), "onetwo");
  EXPECT_EQ(Find(e, "core.c"), "tab\there \"q\"");
  EXPECT_EQ(Find(e, "core.d"), "  keep  ");
}

TEST(GitConfigTest, Booleans) {
  EXPECT_EQ(ParseGitBool("true"), true);
  EXPECT_EQ(ParseGitBool("Yes"), true);
  EXPECT_EQ(ParseGitBool("on"), true);
  EXPECT_EQ(ParseGitBool("1"), true);
  EXPECT_EQ(ParseGitBool("7"), true);
  EXPECT_EQ(ParseGitBool("false"), false);
  EXPECT_EQ(ParseGitBool("OFF"), false);
  EXPECT_EQ(ParseGitBool("0"), false);
  EXPECT_EQ(ParseGitBool(""), false);
  EXPECT_EQ(ParseGitBool("maybe"), std::nullopt);
}

class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "codeindex-gitrepo-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = fs::canonical(tmpl).string();
    for (const char* v : {"HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"}) {
      const char* old = getenv(v);
      saved_.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
    }
    setenv("HOME", (dir_ + "/home").c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("GIT_CONFIG_GLOBAL");
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  }
  void TearDown() override {
    for (auto& [k, v] : saved_) {
      if (v)
        setenv(k.c_str(), v->c_str(), 1);
      else
        unsetenv(k.c_str());
    }
    fs::remove_all(dir_);
  }
  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(dir_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void MakeRepo(const std::string& rel) {
    Write(rel + "/.git/HEAD", "ref: refs/heads/main\n");
    fs::create_directories(fs::path(dir_) / rel / ".git/objects");
  }

  std::string dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(GitRepoTest, DiscoversTheNearestWorkTree) {
  MakeRepo("outer");
  MakeRepo("outer/sub/inner");
  fs::create_directories(dir_ + "/outer/a/b");
  fs::create_directories(dir_ + "/outer/sub/inner/c");
  auto r = DiscoverGitRepo(dir_ + "/outer/a/b");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->work_tree, dir_ + "/outer");
  r = DiscoverGitRepo(dir_ + "/outer/sub/inner/c");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->work_tree, dir_ + "/outer/sub/inner");
  fs::create_directories(dir_ + "/elsewhere");
  EXPECT_FALSE(DiscoverGitRepo(dir_ + "/elsewhere").has_value());
}

TEST_F(GitRepoTest, AnEmptyDotGitIsNotARepository) {
  fs::create_directories(dir_ + "/fake/.git");
  EXPECT_FALSE(OpenGitRepoAt(dir_ + "/fake").has_value());
}

TEST_F(GitRepoTest, GitFileAndCommonDir) {
  MakeRepo("main");
  Write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/x\n");
  Write("main/.git/worktrees/wt/commondir", "../..\n");
  Write("wt/.git", "gitdir: " + dir_ + "/main/.git/worktrees/wt\n");
  auto r = OpenGitRepoAt(dir_ + "/wt");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->git_dir, dir_ + "/main/.git/worktrees/wt");
  EXPECT_EQ(fs::canonical(r->common_dir).string(), dir_ + "/main/.git");
}

TEST_F(GitRepoTest, ExcludesFileDefaultsToXdgThenHome) {
  MakeRepo("r");
  auto repo = OpenGitRepoAt(dir_ + "/r");
  ASSERT_TRUE(repo.has_value());
  EXPECT_EQ(ReadGitIgnoreSettings(*repo).excludes_file, dir_ + "/home/.config/git/ignore");
  setenv("XDG_CONFIG_HOME", (dir_ + "/xdg").c_str(), 1);
  EXPECT_EQ(ReadGitIgnoreSettings(*repo).excludes_file, dir_ + "/xdg/git/ignore");
}

TEST_F(GitRepoTest, LaterConfigFilesOverrideEarlierOnes) {
  MakeRepo("r");
  Write("home/.gitconfig", "[core]\n\texcludesFile = ~/global.ignore\n\tignorecase = true\n");
  auto repo = OpenGitRepoAt(dir_ + "/r");
  GitIgnoreSettings s = ReadGitIgnoreSettings(*repo);
  EXPECT_EQ(s.excludes_file, dir_ + "/home/global.ignore");
  EXPECT_TRUE(s.ignore_case);
  Write("r/.git/config", "[core]\n\tignorecase = false\n\texcludesfile = rel/ignore\n");
  s = ReadGitIgnoreSettings(*repo);
  EXPECT_EQ(s.excludes_file, dir_ + "/r/rel/ignore");  // relative to the work tree top
  EXPECT_FALSE(s.ignore_case);
}

TEST_F(GitRepoTest, IncludePathIsFollowedInPlace) {
  MakeRepo("r");
  Write("home/.gitconfig", "[core]\n\texcludesFile = /first\n[include]\n\tpath = extra.inc\n");
  Write("home/extra.inc", "[core]\n\texcludesFile = /from-include\n");
  auto repo = OpenGitRepoAt(dir_ + "/r");
  EXPECT_EQ(ReadGitIgnoreSettings(*repo).excludes_file, "/from-include");
  Write("home/.gitconfig", "[include]\n\tpath = extra.inc\n[core]\n\texcludesFile = /after\n");
  EXPECT_EQ(ReadGitIgnoreSettings(*repo).excludes_file, "/after");
}

TEST_F(GitRepoTest, GitConfigGlobalReplacesTheUserFiles) {
  MakeRepo("r");
  Write("home/.gitconfig", "[core]\n\texcludesFile = /home-value\n");
  Write("alt.config", "[core]\n\texcludesFile = /alt-value\n");
  setenv("GIT_CONFIG_GLOBAL", (dir_ + "/alt.config").c_str(), 1);
  auto repo = OpenGitRepoAt(dir_ + "/r");
  EXPECT_EQ(ReadGitIgnoreSettings(*repo).excludes_file, "/alt-value");
}

}  // namespace
}  // namespace codeindex
