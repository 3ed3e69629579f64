#include "scan/scanner.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace codeindex {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "codeindex-scan-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    tmp_ = fs::canonical(tmpl).string();
    ws_ = tmp_ + "/ws";
    fs::create_directories(ws_);
    // The user's git configuration must not leak into the tests.
    for (const char* v : {"HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"}) {
      const char* old = getenv(v);
      saved_.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
    }
    setenv("HOME", (tmp_ + "/home").c_str(), 1);
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
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(
             tmp_, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
      }
    }
    fs::remove_all(tmp_, ec);
  }

  // Writes `content` to `rel` under the workspace (or an absolute path under tmp_).
  void Write(const std::string& rel, const std::string& content = "x = 1\n") {
    fs::path p = rel[0] == '/' ? fs::path(rel) : fs::path(ws_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary);
    f << content;
  }
  void Mkdir(const std::string& rel) { fs::create_directories(fs::path(ws_) / rel); }
  // A minimal git directory: enough for discovery (HEAD), like `git init`.
  void GitInit(const std::string& dir) {
    Write(dir + "/.git/HEAD", "ref: refs/heads/main\n");
    fs::create_directories(dir + "/.git/info");
  }

  std::vector<std::string> Paths(ScanOptions options = {}) {
    if (options.workspace.empty()) options.workspace = ws_;
    Result<ScanResult> r = Scan(options);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    if (!r.has_value()) return {};
    last_ = std::move(r).value();
    std::vector<std::string> out;
    for (const ScannedFile& f : last_.files) out.push_back(f.path);
    return out;
  }

  std::string tmp_;
  std::string ws_;
  ScanResult last_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(ScannerTest, ExtensionsHiddenNamesAndIgnoredDirectories) {
  Write("a.py");
  Write("B.PY");  // extensions compare lower-cased
  Write("notes.txt");
  Write("Makefile");
  Write(".hidden.py");
  Write(".config/x.py");
  Write("src/.cache/y.py");
  Write("src/ok.ts");
  for (const char* d : {"node_modules", "__pycache__", "env", "venv", "dist", "out", "bundle",
                        "vendor", "tmp", "temp", "deps", "pkg", "Pods"}) {
    Write(std::string("src/") + d + "/z.py");
  }
  Write("environment/kept.py");  // only exact names
  Write("target/dependency/a.java");
  Write("x/target/dependency/b.java");
  Write("target/other/c.java");
  Write("dependency/d.java");  // the pair needs its parent
  Write("build/dependencies/e.java");
  Write("build/src/f.java");
  EXPECT_THAT(Paths(), ElementsAre("B.PY", "a.py", "build/src/f.java", "dependency/d.java",
                                   "environment/kept.py", "src/ok.ts", "target/other/c.java"));
  EXPECT_EQ(last_.stats.skipped_extension, 2u);
}

TEST_F(ScannerTest, OnlyComponentsBelowTheRootCount) {
  std::string ws = tmp_ + "/.hidden/dist/node_modules/proj";
  Write(ws + "/main.go");
  ScanOptions o;
  o.workspace = ws;
  EXPECT_THAT(Paths(o), ElementsAre("main.go"));
}

TEST_F(ScannerTest, SizeLimitIsStrict) {
  Write("exact.py", std::string(1 << 20, 'a'));
  Write("over.py", std::string((1 << 20) + 1, 'a'));
  Write("small.py", "print(1)\n");
  EXPECT_THAT(Paths(), ElementsAre("exact.py", "small.py"));
  EXPECT_EQ(last_.stats.skipped_size, 1u);
  ScanOptions o;
  o.max_file_size = 100;
  EXPECT_THAT(Paths(o), ElementsAre("small.py"));
}

TEST_F(ScannerTest, BinaryMeansNulInTheFirst8KiB) {
  std::string early(100, 'a');
  early[50] = '\0';
  std::string edge(8192, 'a');
  edge[8191] = '\0';
  std::string late(9000, 'a');
  late[8192] = '\0';
  Write("early.c", early);
  Write("edge.c", edge);
  Write("late.c", late);
  Write("empty.c", "");
  EXPECT_THAT(Paths(), ElementsAre("empty.c", "late.c"));
  EXPECT_EQ(last_.stats.skipped_binary, 2u);
  ScanOptions o;
  o.skip_binary = false;
  EXPECT_THAT(Paths(o), ElementsAre("early.c", "edge.c", "empty.c", "late.c"));
}

TEST(LooksBinaryTest, NulWithinTheProbe) {
  EXPECT_FALSE(LooksBinary(""));
  EXPECT_FALSE(LooksBinary("plain text\n"));
  EXPECT_TRUE(LooksBinary(std::string("a\0b", 3)));
  std::string edge(kBinaryProbeBytes, 'a');
  edge.back() = '\0';
  EXPECT_TRUE(LooksBinary(edge));
  edge += std::string("\0", 1);
  edge[kBinaryProbeBytes - 1] = 'a';
  EXPECT_FALSE(LooksBinary(edge));  // the NUL is at offset 8192, past the probe
}

TEST_F(ScannerTest, RawByteNamesAndByteOrder) {
  Write("with space.py");
  Write("new\nline.py");
  Write("bad\xff\xfe.py");
  Write("caf\xc3\xa9.py");
  Write("Z.py");
  Write("a/b.py");
  Write("a.py");
  Write("a-b.py");
  // Sorted by bytes: '\n' < ' ' < '-' < '.' < '/' < 'Z' < 'a' < 0xc3 < 0xff.
  EXPECT_THAT(Paths(), ElementsAre("Z.py", "a-b.py", "a.py", "a/b.py", "bad\xff\xfe.py",
                                   "caf\xc3\xa9.py", "new\nline.py", "with space.py"));
}

TEST_F(ScannerTest, SymlinksAreFollowedWithoutLooping) {
  Write("real/a.py");
  Write("real/sub/b.py");
  fs::create_directory_symlink(ws_ + "/real", ws_ + "/alias");          // dir reached twice
  fs::create_directory_symlink("..", ws_ + "/real/sub/up");             // loop to an ancestor
  fs::create_directory_symlink(ws_ + "/real", ws_ + "/real/sub/self");  // loop, absolute
  fs::create_symlink("real/a.py", ws_ + "/link.py");                    // link to a file
  fs::create_symlink("missing.py", ws_ + "/broken.py");                 // dangling
  Write(tmp_ + "/outside/o.py");
  fs::create_directory_symlink(tmp_ + "/outside", ws_ + "/ext");  // outside the workspace
  EXPECT_THAT(Paths(), ElementsAre("alias/a.py", "alias/sub/b.py", "link.py", "real/a.py",
                                   "real/sub/b.py"));
  EXPECT_EQ(last_.stats.symlink_loops, 4u);  // up and self, under real/ and under alias/
  EXPECT_EQ(last_.stats.broken_links, 1u);
  EXPECT_EQ(last_.stats.links_outside, 1u);  // ext
  EXPECT_THAT(last_.errors, IsEmpty());
  ScanOptions all;
  all.follow_symlinks = FollowSymlinks::kAll;  // the original's `rg --follow`
  EXPECT_THAT(Paths(all), ElementsAre("alias/a.py", "alias/sub/b.py", "ext/o.py", "link.py",
                                      "real/a.py", "real/sub/b.py"));
  EXPECT_EQ(last_.stats.links_outside, 0u);
}

TEST_F(ScannerTest, TheWorkspaceIsTheBoundaryForLinks) {
  Write("real/a.py");
  Write(tmp_ + "/outside/secret.py");
  Write(tmp_ + "/sibling/repo.py");
  fs::create_symlink(tmp_ + "/outside/secret.py", ws_ + "/leak.py");  // a file outside
  fs::create_symlink("../outside/secret.py", ws_ + "/rel-leak.py");   // relative, outside
  fs::create_directory_symlink("..", ws_ + "/up");                    // the workspace's parent
  fs::create_directory_symlink("/", ws_ + "/slash");                  // the file-system root
  fs::create_symlink("real/a.py", ws_ + "/inside.py");                // inside: followed
  // A link inside whose target is reached through another link that leaves and re-enters.
  fs::create_directory_symlink(tmp_ + "/ws/real", tmp_ + "/outside/back");
  fs::create_directory_symlink(tmp_ + "/outside/back", ws_ + "/reentry");
  EXPECT_THAT(Paths(), ElementsAre("inside.py", "real/a.py", "reentry/a.py"));
  EXPECT_EQ(last_.stats.links_outside, 4u);

  // Every mode: `/` and a directory above the workspace are never walked.
  ScanOptions all;
  all.follow_symlinks = FollowSymlinks::kAll;
  EXPECT_THAT(Paths(all), ElementsAre("inside.py", "leak.py", "real/a.py", "reentry/a.py",
                                      "rel-leak.py"));
  EXPECT_EQ(last_.stats.links_outside, 2u);  // up, slash

  ScanOptions none;
  none.follow_symlinks = FollowSymlinks::kNone;
  EXPECT_THAT(Paths(none), ElementsAre("real/a.py"));
  EXPECT_EQ(last_.stats.links_outside, 6u);

  // ScanPaths applies the same rule to each component of the path it is given.
  for (const char* p : {"leak.py", "up/sibling/repo.py", "slash/etc", "up"}) {
    ScanOptions o;
    o.workspace = ws_;
    Result<ScanResult> r = ScanPaths(o, {p});
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_THAT(r->files, IsEmpty()) << p;
  }
}

TEST_F(ScannerTest, SystemRootsAreRefused) {
  for (const char* root : {"/", "/usr", "/etc", "/proc", "/home", "/tmp"}) {
    ScanOptions o;
    o.workspace = root;
    Result<ScanResult> r = Scan(o);
    ASSERT_FALSE(r.has_value()) << root;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << root;
    EXPECT_NE(r.error().message().find("system directory"), std::string::npos);
  }
  EXPECT_TRUE(CheckWorkspaceRoot("/usr/include").ok());
  EXPECT_TRUE(CheckWorkspaceRoot(ws_).ok());
  // A link to `/` named as the workspace is refused too (the check sees the real path).
  fs::create_directory_symlink("/", tmp_ + "/rootlink");
  ScanOptions o;
  o.workspace = tmp_ + "/rootlink";
  EXPECT_FALSE(Scan(o).has_value());
}

TEST_F(ScannerTest, CancelStopsTheWalk) {
  for (int d = 0; d < 50; ++d) Write("d" + std::to_string(d) + "/f.py");
  std::atomic<bool> cancel{true};
  ScanOptions o;
  o.workspace = ws_;
  o.cancel = &cancel;
  Result<ScanResult> r = Scan(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kCancelled);
  cancel = false;
  EXPECT_EQ(Paths(o).size(), 50u);
}

TEST(FollowSymlinksTest, NamesRoundTrip) {
  for (FollowSymlinks m : {FollowSymlinks::kInside, FollowSymlinks::kAll, FollowSymlinks::kNone}) {
    Result<FollowSymlinks> parsed = ParseFollowSymlinks(FollowSymlinksName(m));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_FALSE(ParseFollowSymlinks("yes").has_value());
  EXPECT_TRUE(PathInsideRoot("/a/b", "/a"));
  EXPECT_TRUE(PathInsideRoot("/a", "/a"));
  EXPECT_FALSE(PathInsideRoot("/ab", "/a"));
  EXPECT_TRUE(PathInsideRoot("/x", "/"));
}

TEST_F(ScannerTest, SymlinkLoopOfLinksIsABrokenLink) {
  fs::create_symlink("b.py", ws_ + "/a.py");
  fs::create_symlink("a.py", ws_ + "/b.py");
  Write("c.py");
  EXPECT_THAT(Paths(), ElementsAre("c.py"));
  EXPECT_EQ(last_.stats.broken_links, 2u);
}

TEST_F(ScannerTest, UnreadableDirectoryIsReportedOnceAndSkipped) {
  Write("ok.py");
  Write("locked/secret.py");
  Write("locked/deeper/more.py");
  ASSERT_EQ(::chmod((ws_ + "/locked").c_str(), 0), 0);
  if (::access((ws_ + "/locked").c_str(), R_OK) == 0) {
    GTEST_SKIP() << "running with CAP_DAC_OVERRIDE (root): chmod 000 does not prevent reading";
  }
  EXPECT_THAT(Paths(), ElementsAre("ok.py"));
  ASSERT_EQ(last_.errors.size(), 1u);
  EXPECT_EQ(last_.errors[0].message(), ws_ + "/locked: Permission denied");
}

TEST_F(ScannerTest, UnreadableFileIsReported) {
  Write("ok.py");
  Write("closed.py");
  ASSERT_EQ(::chmod((ws_ + "/closed.py").c_str(), 0), 0);
  if (::access((ws_ + "/closed.py").c_str(), R_OK) == 0) {
    GTEST_SKIP() << "running with CAP_DAC_OVERRIDE (root): chmod 000 does not prevent reading";
  }
  EXPECT_THAT(Paths(), ElementsAre("ok.py"));
  ASSERT_EQ(last_.errors.size(), 1u);
  EXPECT_EQ(last_.errors[0].message(), ws_ + "/closed.py: Permission denied");
}

TEST_F(ScannerTest, MissingOrNonDirectoryWorkspace) {
  ScanOptions o;
  o.workspace = tmp_ + "/nope";
  Result<ScanResult> r = Scan(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_EQ(r.error().message(), tmp_ + "/nope: no such directory");
  Write("file.py");
  o.workspace = ws_ + "/file.py";
  r = Scan(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

TEST_F(ScannerTest, GitignoreAppliesOnlyInsideARepository) {
  Write(".gitignore", "ignored.py\n");
  Write("ignored.py");
  Write("kept.py");
  EXPECT_THAT(Paths(), ElementsAre("ignored.py", "kept.py"));
  ScanOptions o;
  o.require_git = false;
  EXPECT_THAT(Paths(o), ElementsAre("kept.py"));
  GitInit(ws_);
  EXPECT_THAT(Paths(), ElementsAre("kept.py"));
  o = {};
  o.git_ignore = false;
  EXPECT_THAT(Paths(o), ElementsAre("ignored.py", "kept.py"));
}

TEST_F(ScannerTest, NestedGitignoresDeeperWins) {
  GitInit(ws_);
  Write(".gitignore", "*.py\n!/keep/\n");
  Write("a.py");
  Write("a.md");
  Write("keep/.gitignore", "!*.py\nsecret.py\n");
  Write("keep/b.py");
  Write("keep/secret.py");
  Write("keep/deep/c.py");
  Write("keep/deep/.gitignore", "c.py\n");
  Write("other/d.py");
  EXPECT_THAT(Paths(), ElementsAre("a.md", "keep/b.py"));
}

TEST_F(ScannerTest, ExcludedDirectoryCannotBeReincluded) {
  GitInit(ws_);
  Write(".gitignore", "build/\n!build/keep.py\n");
  Write("build/keep.py");
  Write("build/.gitignore", "!keep.py\n");  // not even read: build/ is excluded
  Write("src/main.py");
  EXPECT_THAT(Paths(), ElementsAre("src/main.py"));
  // Excluding the contents (not the directory) lets a negation re-include.
  Write(".gitignore", "build/*\n!build/keep.py\n");
  EXPECT_THAT(Paths(), ElementsAre("build/keep.py", "src/main.py"));
}

TEST_F(ScannerTest, InfoExcludeAndExcludesFile) {
  GitInit(ws_);
  Write(".git/info/exclude", "local_only.py\n");
  Write(tmp_ + "/home/.config/git/ignore", "*.gen.py\n");
  Write("local_only.py");
  Write("x.gen.py");
  Write("y.py");
  EXPECT_THAT(Paths(), ElementsAre("y.py"));
  // core.excludesFile overrides the default location; .gitignore beats both.
  Write(".git/config", "[core]\n\texcludesFile = " + tmp_ + "/my.ignore\n");
  Write(tmp_ + "/my.ignore", "y.py\n");
  Write(".gitignore", "!local_only.py\n");
  EXPECT_THAT(Paths(), ElementsAre("local_only.py", "x.gen.py"));
}

TEST_F(ScannerTest, IgnoreCaseFromConfig) {
  GitInit(ws_);
  Write(".gitignore", "*.PY\n");
  Write("a.py");
  EXPECT_THAT(Paths(), ElementsAre("a.py"));
  Write(".git/config", "[core]\n\tignorecase = true\n");
  EXPECT_THAT(Paths(), IsEmpty());
}

TEST_F(ScannerTest, WorkspaceBelowTheTopOfTheWorkTree) {
  std::string top = tmp_ + "/repo";
  GitInit(top);
  Write(top + "/.gitignore", "/sub/ws/anchored.py\n*.log.py\n");
  Write(top + "/sub/.gitignore", "ws/gen/\n");
  Write(top + "/sub/ws/anchored.py");
  Write(top + "/sub/ws/x.log.py");
  Write(top + "/sub/ws/gen/g.py");
  Write(top + "/sub/ws/main.py");
  Write(top + "/sub/ws/lib/anchored.py");
  ScanOptions o;
  o.workspace = top + "/sub/ws";
  EXPECT_THAT(Paths(o), ElementsAre("lib/anchored.py", "main.py"));
}

TEST_F(ScannerTest, WorkspaceInsideAnIgnoredDirectoryIsStillWalked) {
  std::string top = tmp_ + "/repo";
  GitInit(top);
  Write(top + "/.gitignore", "build/\n*.tmp.py\n");
  Write(top + "/build/gen/a.py");
  Write(top + "/build/gen/b.tmp.py");
  ScanOptions o;
  o.workspace = top + "/build/gen";
  EXPECT_THAT(Paths(o), ElementsAre("a.py"));
}

TEST_F(ScannerTest, NestedRepositoryStartsFresh) {
  GitInit(ws_);
  Write(".gitignore", "*.gen.py\n");
  Write(".git/info/exclude", "outer_only.py\n");
  GitInit(ws_ + "/lib");
  Write("lib/.gitignore", "inner.py\n");
  Write("lib/x.gen.py");  // outer .gitignore does not apply inside the nested repository
  Write("lib/outer_only.py");
  Write("lib/inner.py");
  Write("y.gen.py");
  Write("outer_only.py");
  EXPECT_THAT(Paths(), ElementsAre("lib/outer_only.py", "lib/x.gen.py"));
}

TEST_F(ScannerTest, CodeindexIgnoreFilesLayerOnTop) {
  GitInit(ws_);
  Write(".gitignore", "gen/\n*.log.py\n");
  Write(".codeindexignore", "!gen/\nfixtures/\n");
  Write("sub/.rooignore", "!x.log.py\nlocal.py\n");
  Write("sub/.codeindexignore", "!local.py\n");  // same directory: read after .rooignore
  Write("gen/g.py");
  Write("fixtures/f.py");
  Write("sub/x.log.py");
  Write("sub/y.log.py");
  Write("sub/local.py");
  Write("main.py");
  EXPECT_THAT(Paths(), ElementsAre("gen/g.py", "main.py", "sub/local.py", "sub/x.log.py"));
  ScanOptions o;
  o.extra_ignore_files = false;
  EXPECT_THAT(Paths(o), ElementsAre("fixtures/f.py", "main.py", "sub/local.py"));
}

TEST_F(ScannerTest, IgnoreFileThatIsADirectoryOrALinkIsNotAnError) {
  GitInit(ws_);
  Write(".gitignore/inner.py");  // a directory named .gitignore (hidden: not listed)
  Write(".rooignore/x.py");
  Write("sub/real-ignore", "a.py\n");
  fs::create_symlink("real-ignore", ws_ + "/sub/.gitignore");  // git does not follow it
  Write("sub/a.py");
  Write("b.py");
  EXPECT_THAT(Paths(), ElementsAre("b.py", "sub/a.py"));
  EXPECT_THAT(last_.errors, IsEmpty());
}

TEST_F(ScannerTest, RooIgnoreWorksWithoutGit) {
  Write(".rooignore", "secrets/\n*.min.js\n");
  Write("secrets/key.py");
  Write("app.min.js");
  Write("app.js");
  EXPECT_THAT(Paths(), ElementsAre("app.js"));
}

TEST_F(ScannerTest, DirectoryOnlyPatternMatchesALinkedDirectory) {
  GitInit(ws_);
  Write(".gitignore", "linked/\n");
  Write(tmp_ + "/target/t.py");
  fs::create_directory_symlink(tmp_ + "/target", ws_ + "/linked");
  Write("kept.py");
  ScanOptions all;  // the target is outside the workspace: follow it to test the pattern
  all.follow_symlinks = FollowSymlinks::kAll;
  EXPECT_THAT(Paths(all), ElementsAre("kept.py"));
}

TEST_F(ScannerTest, SizesAndTimesComeFromTheTarget) {
  Write("a.py", "12345");
  fs::create_symlink("a.py", ws_ + "/b.py");
  Paths();
  ASSERT_EQ(last_.files.size(), 2u);
  for (const ScannedFile& f : last_.files) {
    EXPECT_EQ(f.size, 5u) << f.path;
    EXPECT_GT(f.mtime_ns, 0) << f.path;
  }
}

TEST_F(ScannerTest, ThreadCountDoesNotChangeTheResult) {
  for (int d = 0; d < 30; ++d) {
    for (int f = 0; f < 20; ++f) {
      Write("d" + std::to_string(d) + "/s" + std::to_string(f % 3) + "/f" + std::to_string(f) +
            (f % 4 == 0 ? ".txt" : ".py"));
    }
  }
  ScanOptions one;
  one.threads = 1;
  std::vector<std::string> a = Paths(one);
  ScanStats sa = last_.stats;
  ScanOptions many;
  many.threads = 4;
  std::vector<std::string> b = Paths(many);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 30u * 15u);
  EXPECT_EQ(sa.dirs_visited, last_.stats.dirs_visited);
  EXPECT_EQ(sa.files_seen, last_.stats.files_seen);
}

// ScanPaths ---------------------------------------------------------------------------------

// What Scan() lists at or below `path` ("" = everything).
std::vector<std::string> Under(const std::vector<std::string>& all, const std::string& path) {
  std::vector<std::string> out;
  for (const std::string& f : all) {
    if (path.empty() || f == path ||
        (f.size() > path.size() && f.compare(0, path.size(), path) == 0 && f[path.size()] == '/'))
      out.push_back(f);
  }
  return out;
}

class ScanPathsTest : public ScannerTest {
 protected:
  std::vector<std::string> PathsOf(const std::vector<std::string>& rel, ScanOptions options = {}) {
    if (options.workspace.empty()) options.workspace = ws_;
    Result<ScanResult> r = ScanPaths(options, rel);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    if (!r.has_value()) return {};
    std::vector<std::string> out;
    for (const ScannedFile& f : r->files) out.push_back(f.path);
    return out;
  }
};

TEST_F(ScanPathsTest, FilesDirectoriesAndMissingPaths) {
  Write("a.py");
  Write("notes.txt");
  Write("src/b.py");
  Write("src/deep/c.py");
  Write("srcx/d.py");
  Write("src-e/e.py");
  EXPECT_THAT(PathsOf({"a.py"}), ElementsAre("a.py"));
  EXPECT_THAT(PathsOf({"notes.txt"}), IsEmpty());  // not a listed file
  EXPECT_THAT(PathsOf({"src"}), ElementsAre("src/b.py", "src/deep/c.py"));
  EXPECT_THAT(PathsOf({"src/", "./src/deep//c.py"}), ElementsAre("src/b.py", "src/deep/c.py"));
  EXPECT_THAT(PathsOf({"missing.py", "src/missing", "a.py/below"}), IsEmpty());
  EXPECT_THAT(PathsOf({""}),
              ElementsAre("a.py", "src-e/e.py", "src/b.py", "src/deep/c.py", "srcx/d.py"));
  EXPECT_THAT(PathsOf({}), IsEmpty());
}

TEST_F(ScanPathsTest, RulesOfEveryAncestorApply) {
  GitInit(ws_);
  Write(".gitignore", "gen/\n*.log.py\n");
  Write("a/.gitignore", "!keep.log.py\nb/skip.py\n");
  Write("a/b/.ignore", "x.py\n");
  Write("a/b/keep.log.py");
  Write("a/b/drop.log.py");
  Write("a/b/skip.py");
  Write("a/b/x.py");
  Write("a/b/y.py");
  Write("gen/g.py");
  Write("node_modules/n.py");
  Write("target/dependency/t.java");
  GitInit(ws_ + "/lib");  // a nested repository: the outer .gitignore stops applying
  Write("lib/.gitignore", "inner.py\n");
  Write("lib/z.log.py");
  Write("lib/inner.py");
  EXPECT_THAT(PathsOf({"a/b/keep.log.py", "a/b/drop.log.py", "a/b/skip.py", "a/b/x.py", "a/b/y.py",
                       "gen/g.py", "gen", "node_modules/n.py", "target/dependency", "lib/z.log.py",
                       "lib/inner.py"}),
              ElementsAre("a/b/keep.log.py", "a/b/y.py", "lib/z.log.py"));
}

TEST_F(ScanPathsTest, RejectsPathsOutsideTheWorkspace) {
  ScanOptions o;
  o.workspace = ws_;
  EXPECT_EQ(ScanPaths(o, {"/etc/passwd"}).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(ScanPaths(o, {"a/../../x.py"}).error().code(), Code::kInvalidArgument);
}

TEST_F(ScanPathsTest, OnDirectoryReportsWhatTheWalkEnters) {
  Write("a/b/c.py");
  Write("a/d/e.py");
  Write("f/g.py");
  ScanOptions o;
  std::mutex mu;
  std::set<std::string> seen;
  o.on_directory = [&](const std::string& rel) {
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(rel);
  };
  PathsOf({"a", "f/g.py"}, o);
  EXPECT_THAT(seen, ElementsAre("a", "a/b", "a/d"));  // not the root, not f
  seen.clear();
  o.workspace = ws_;
  ASSERT_TRUE(Scan(o).ok());
  EXPECT_THAT(seen, ElementsAre("", "a", "a/b", "a/d", "f"));
}

TEST(MinimalPathCoverTest, DropsDuplicatesAndPathsBelowOthers) {
  EXPECT_THAT(MinimalPathCover({"a/b", "a", "a-b", "a/b/c", "b", "a0", "a"}),
              ElementsAre("a", "a-b", "a0", "b"));
  EXPECT_THAT(MinimalPathCover({"x", ""}), ElementsAre(""));
  EXPECT_THAT(MinimalPathCover({"a-b/c", "a/x", "a-b"}), ElementsAre("a-b", "a/x"));
}

TEST(NormalizeRelPathTest, Forms) {
  EXPECT_EQ(*NormalizeRelPath(""), "");
  EXPECT_EQ(*NormalizeRelPath("."), "");
  EXPECT_EQ(*NormalizeRelPath("./a//b/./c/"), "a/b/c");
  EXPECT_FALSE(NormalizeRelPath("/a").ok());
  EXPECT_FALSE(NormalizeRelPath("a/../b").ok());
  EXPECT_EQ(*NormalizeRelPath("a/..b"), "a/..b");
}

// Random trees with every kind of rule; ScanPaths on random subsets of their paths must equal
// Scan() restricted to those paths.
TEST_F(ScanPathsTest, AgreesWithScanOnRandomTrees) {
  const std::vector<std::string> dir_names = {
      "a",    "b",      "sub",        "x",     "node_modules",
      ".hid", "target", "dependency", "build", "dependencies"};
  const std::vector<std::string> file_names = {"a.py",  "b1.py", "keep.py", "c.py",   "y.py",
                                               "z.txt", ".h.py", "big.py",  "bin.py", "e.js"};
  const std::vector<std::string> patterns = {"*.txt",   "b*",        "!b1.py", "/c.py",    "sub/",
                                             "**/y.py", "x/**/a.py", "*.py",   "!keep.py", "a?.py",
                                             "a/",      "!sub/",     "e.js",   "/x"};
  for (uint32_t seed = 1; seed <= 16; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::error_code ec;
    fs::remove_all(ws_, ec);
    fs::create_directories(ws_);
    std::mt19937 rng(seed);
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
    std::vector<std::string> all_paths{""};
    std::vector<std::string> dirs{""};
    if (chance(70)) GitInit(ws_);
    for (size_t i = 0; i < dirs.size() && dirs.size() < 25; ++i) {
      const std::string dir = dirs[i];
      const std::string prefix = dir.empty() ? "" : dir + "/";
      const int depth =
          dir.empty() ? 0 : static_cast<int>(std::count(dir.begin(), dir.end(), '/')) + 1;
      int nfiles = static_cast<int>(rng() % 5);
      for (int f = 0; f < nfiles; ++f) {
        std::string name = pick(file_names);
        std::string content = "x = 1\n";
        if (name == "big.py") content = std::string(200, 'x');
        if (name == "bin.py") content = std::string("a\0b", 3);
        Write(prefix + name, content);
        all_paths.push_back(prefix + name);
      }
      for (const char* ignore : {".gitignore", ".ignore", ".rooignore"}) {
        if (!chance(25)) continue;
        std::string text;
        for (int k = static_cast<int>(rng() % 3) + 1; k > 0; --k) text += pick(patterns) + "\n";
        Write(prefix + ignore, text);
      }
      if (depth > 0 && chance(20)) GitInit(ws_ + "/" + dir);  // a nested repository
      if (depth < 3) {
        for (int d = static_cast<int>(rng() % 3); d > 0; --d) {
          std::string sub = prefix + pick(dir_names);
          if (std::find(dirs.begin(), dirs.end(), sub) != dirs.end()) continue;
          Mkdir(sub);
          dirs.push_back(sub);
          all_paths.push_back(sub);
        }
      }
      if (depth > 0 && chance(10)) {  // a link to the parent (a loop) or to the root
        fs::create_directory_symlink(chance(50) ? ".." : ws_, ws_ + "/" + prefix + "up", ec);
        all_paths.push_back(prefix + "up");
        all_paths.push_back(prefix + "up/a.py");
      }
      if (chance(10)) {  // a second path to a directory
        fs::create_directory_symlink(ws_ + "/" + pick(dirs), ws_ + "/" + prefix + "alias", ec);
        all_paths.push_back(prefix + "alias");
      }
      if (chance(5)) {
        fs::create_symlink("missing.py", ws_ + "/" + prefix + "broken.py", ec);
        all_paths.push_back(prefix + "broken.py");
      }
      all_paths.push_back(prefix + "missing.py");
    }
    for (bool skip_binary : {true, false}) {
      ScanOptions o;
      o.workspace = ws_;
      o.max_file_size = 100;
      o.skip_binary = skip_binary;
      o.threads = 2;
      Result<ScanResult> full = Scan(o);
      ASSERT_TRUE(full.ok());
      std::vector<std::string> listed;
      for (const ScannedFile& f : full->files) listed.push_back(f.path);
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<std::string> subset;
        for (int k = static_cast<int>(rng() % 4) + 1; k > 0; --k) subset.push_back(pick(all_paths));
        std::set<std::string> want;
        for (const std::string& p : subset) {
          for (const std::string& f : Under(listed, p)) want.insert(f);
        }
        Result<ScanResult> part = ScanPaths(o, subset);
        ASSERT_TRUE(part.ok());
        std::vector<std::string> got;
        for (const ScannedFile& f : part->files) got.push_back(f.path);
        std::string where;
        for (const std::string& p : subset) where += "'" + p + "' ";
        EXPECT_EQ(got, std::vector<std::string>(want.begin(), want.end())) << where;
        // Same stat data as the full scan.
        for (const ScannedFile& f : part->files) {
          auto it = std::find_if(full->files.begin(), full->files.end(),
                                 [&](const ScannedFile& g) { return g.path == f.path; });
          ASSERT_NE(it, full->files.end());
          EXPECT_EQ(it->size, f.size);
          EXPECT_EQ(it->mtime_ns, f.mtime_ns);
        }
      }
    }
  }
}

}  // namespace
}  // namespace codeindex
