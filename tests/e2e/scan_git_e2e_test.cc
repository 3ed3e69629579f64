// Differential test: `codeindex files` against git itself. Each case builds a temporary git
// repository (nested .gitignore files with tricky patterns, info/exclude, core.excludesFile,
// sometimes tracked files that an ignore pattern matches) and checks that codeindex lists
// exactly what `git ls-files -co --exclude-standard` lists, minus tracked-but-ignored files
// (we never read the index, see scan/scanner.h), filtered by the rules git does not know:
// hidden names, the original's ignored directories, the extension list (read from
// `codeindex files --help`), the 1 MiB limit and the binary check.
//
// HOME and XDG_CONFIG_HOME point into the temporary directory and GIT_CONFIG_NOSYSTEM is set,
// so neither process sees the user's git configuration. Nothing outside the temporary
// directory is read.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "harness.h"

namespace codeindex::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SplitNul(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\0', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

class ScanGitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = tmp_.Mkdir("home");
    xdg_ = tmp_.Mkdir("xdg");
    for (const char* v :
         {"HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_DIR",
          "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"}) {
      const char* old = getenv(v);
      saved_.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
      unsetenv(v);
    }
    setenv("HOME", home_.c_str(), 1);
    setenv("XDG_CONFIG_HOME", xdg_.c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    ASSERT_EQ(RunProgram({"git", "--version"}).exit_code, 0) << "git is required";
    // The extension list, as the contract prints it.
    RunResult help = RunCodeindex({"files", "--help"});
    ASSERT_EQ(help.exit_code, 0);
    bool in_list = false;
    for (const std::string& line : SplitLines(help.out)) {
      if (line.find("Supported extensions") != std::string::npos) {
        in_list = true;
        continue;
      }
      if (!in_list) continue;
      if (line.empty()) break;
      std::istringstream words(line);
      std::string w;
      while (words >> w) {
        if (w.size() > 1 && w[0] == '.') extensions_.insert(w);
      }
    }
    ASSERT_GT(extensions_.size(), 40u);
  }
  void TearDown() override {
    for (auto& [k, v] : saved_) {
      if (v)
        setenv(k.c_str(), v->c_str(), 1);
      else
        unsetenv(k.c_str());
    }
  }

  void Git(const std::string& repo, std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo});
    RunResult r = RunProgram(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // What codeindex must list for `workspace` (a directory of a repository), from git.
  // `tracked`: some files were added to the index (then tracked-but-ignored ones are
  // removed from git's list).
  std::vector<std::string> Expected(const std::string& workspace, bool tracked = false) {
    RunResult listed = RunProgram({"git", "-C", workspace, "-c", "core.quotepath=off", "ls-files",
                                   "-z", "-c", "-o", "--exclude-standard"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    std::set<std::string> drop;
    if (tracked) {
      RunResult tracked_ignored = RunProgram({"git", "-C", workspace, "-c", "core.quotepath=off",
                                              "ls-files", "-z", "-c", "-i", "--exclude-standard"});
      EXPECT_EQ(tracked_ignored.exit_code, 0) << tracked_ignored.err;
      for (const std::string& p : SplitNul(tracked_ignored.out)) drop.insert(p);
    }
    std::set<std::string> out;
    for (const std::string& p : SplitNul(listed.out)) {
      if (!drop.count(p) && Indexable(workspace, p)) out.insert(p);
    }
    return {out.begin(), out.end()};
  }

  // The non-git rules, restated independently of src/scan.
  bool Indexable(const std::string& workspace, const std::string& rel) {
    static const std::set<std::string> kDirs = {
        "node_modules", "__pycache__", "env",  "venv", "dist", "out", "bundle",
        "vendor",       "tmp",         "temp", "deps", "pkg",  "Pods"};
    std::vector<std::string> parts;
    std::stringstream ss(rel);
    for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].empty() || parts[i][0] == '.' || kDirs.count(parts[i])) return false;
      if (i + 1 < parts.size() && ((parts[i] == "target" && parts[i + 1] == "dependency") ||
                                   (parts[i] == "build" && parts[i + 1] == "dependencies"))) {
        return false;
      }
    }
    const std::string& name = parts.back();
    size_t dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) return false;
    std::string ext = name.substr(dot);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!extensions_.count(ext)) return false;
    std::string full = workspace + "/" + rel;
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    if (st.st_size > (1 << 20)) return false;
    std::ifstream f(full, std::ios::binary);
    std::string head(8192, '\0');
    f.read(head.data(), 8192);
    head.resize(static_cast<size_t>(f.gcount()));
    return head.find('\0') == std::string::npos;
  }

  std::vector<std::string> Listed(const std::string& workspace) {
    RunResult r = RunCodeindex({"files", "-0", "--workspace", workspace});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return SplitNul(r.out);
  }

  // Compares and, on a difference, prints it with every ignore file of the repository.
  // Every ignore file and git config of `repo`, for failure messages.
  static std::string DumpIgnoreFiles(const std::string& repo) {
    std::ostringstream msg;
    for (auto it = fs::recursive_directory_iterator(repo); it != fs::recursive_directory_iterator();
         ++it) {
      std::string name = it->path().filename().string();
      if (name == ".gitignore" || name == "exclude" || name == "config") {
        std::ifstream f(it->path());
        std::stringstream b;
        b << f.rdbuf();
        msg << "--- " << it->path().string() << "\n" << b.str();
      }
    }
    return msg.str();
  }

  // Returns the number of files listed.
  size_t ExpectSame(const std::string& repo, const std::string& workspace, const std::string& what,
                    bool tracked = false) {
    std::vector<std::string> want = Expected(workspace, tracked);
    std::vector<std::string> got = Listed(workspace);
    if (want == got) return got.size();
    std::ostringstream msg;
    msg << what << ": codeindex and git disagree\n";
    std::set<std::string> w(want.begin(), want.end()), g(got.begin(), got.end());
    for (const std::string& p : w) {
      if (!g.count(p)) msg << "  missing (git lists it): " << Quote(p) << "\n";
    }
    for (const std::string& p : g) {
      if (!w.count(p)) msg << "  extra (git ignores it): " << Quote(p) << "\n";
    }
    msg << DumpIgnoreFiles(repo);
    ADD_FAILURE() << msg.str();
    return got.size();
  }

  TempDir tmp_;
  std::string home_, xdg_;
  std::set<std::string> extensions_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// ---------------------------------------------------------------------------------------
// Random repositories.

class RandomRepo {
 public:
  RandomRepo(uint32_t seed, const std::string& root) : rng_(seed), root_(root) {}

  void Build() {
    MakeDir("", 0);
    // Ignore files: the root, and about a third of the directories.
    WriteGitignore("");
    for (const std::string& d : dirs_) {
      if (Chance(35)) WriteGitignore(d);
    }
  }

  // Random gitignore lines for a file in `dir` (workspace-relative, "" = root).
  std::string Patterns(const std::string& dir, int count) {
    std::vector<std::string> names, subdirs;
    for (const std::string& f : files_) {
      if (Under(dir, f)) names.push_back(Base(f));
    }
    for (const std::string& d : dirs_) {
      if (Under(dir, d)) {
        names.push_back(Base(d));
        subdirs.push_back(Rel(dir, d));
      }
    }
    if (names.empty()) names.push_back("nothing");
    if (subdirs.empty()) subdirs.push_back("nodir");
    static const char* kExts[] = {".py", ".md", ".txt", ".js", ".c", ".log", ".PY", ".json"};
    std::string out;
    for (int i = 0; i < count; ++i) {
      const std::string name = Pick(names);
      const std::string sub = Pick(subdirs);
      const std::string ext = kExts[Uniform(0, 7)];
      std::string line;
      switch (Uniform(0, 30)) {
        case 0:
          line = name;
          break;
        case 1:
          line = "/" + name;
          break;
        case 2:
          line = name + "/";
          break;
        case 3:
          line = "/" + name + "/";
          break;
        case 4:
          line = "*" + ext;
          break;
        case 5:
          line = "!*" + ext;
          break;
        case 6:
          line = "!" + name;
          break;
        case 7:
          line = sub + "/" + name;
          break;
        case 8:
          line = sub + "/*";
          break;
        case 9:
          line = sub + "/**";
          break;
        case 10:
          line = "**/" + name;
          break;
        case 11:
          line = sub + "/**/" + name;
          break;
        case 12:
          line = "*" + name.substr(name.size() / 2) + "*";
          break;
        case 13:
          line = name.size() > 1 ? name.substr(0, 1) + "?" + name.substr(2) : "?";
          break;
        case 14:
          line = "[a-m]*" + ext;
          break;
        case 15:
          line = "[!a-m]*";
          break;
        case 16:
          line = "!" + sub + "/";
          break;
        case 17:
          line = name + "   ";
          break;  // trailing spaces are stripped
        case 18:
          line = "\\" + name;
          break;  // escaped first character
        case 19:
          line = "# " + name;
          break;  // comment
        case 20:
          line = "";
          break;
        case 21:
          line = "*";
          break;
        case 22:
          line = "!*/";
          break;
        case 23:
          line = "/" + sub + "/*" + ext;
          break;
        case 24:
          line = "**/" + sub + "/";
          break;
        case 25:
          line = name.substr(0, name.size() / 2 + 1) + "*";
          break;
        case 26:
          line = "!" + sub + "/**/*" + ext;
          break;
        case 27:
          line = "*/" + name;
          break;
        case 28:
          line = "[[:upper:]]*";
          break;
        case 29:
          line = name + "\\ ";
          break;  // escaped trailing space
        default:
          line = "!" + sub + "/" + name;
          break;
      }
      out += line + (Chance(10) ? "\r\n" : "\n");
    }
    return out;
  }

  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }

  const std::vector<std::string>& dirs() const { return dirs_; }
  const std::vector<std::string>& files() const { return files_; }

 private:
  static bool Under(const std::string& dir, const std::string& p) {
    return dir.empty() ||
           (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
  }
  static std::string Rel(const std::string& dir, const std::string& p) {
    return dir.empty() ? p : p.substr(dir.size() + 1);
  }
  static std::string Base(const std::string& p) {
    size_t s = p.rfind('/');
    return s == std::string::npos ? p : p.substr(s + 1);
  }

  void MakeDir(const std::string& rel, int depth) {
    static const std::vector<std::string> kDirNames = {
        "src",  "lib",  "a",           "b",   "build",        "Build",  "docs",       "test",
        "gen",  "x y",  "caf\xc3\xa9", "out", "node_modules", "target", "dependency", ".hidden",
        "keep", "deep", "logs",        "A"};
    static const std::vector<std::string> kFileNames = {
        "main",      "util",    "foo",   "bar",   "Foo",    "a",
        "b",         "test_x",  "x.min", "keep",  "secret", "name with space",
        "new\nline", "bad\xff", "#hash", "!bang", "readme", "Index"};
    static const std::vector<std::string> kExts = {".py", ".PY", ".js",  ".md",   ".txt", ".c",
                                                   ".h",  ".o",  ".log", ".json", ".ts",  ""};
    fs::create_directories(fs::path(root_) / rel);
    int nfiles = Uniform(1, 6);
    for (int i = 0; i < nfiles; ++i) {
      std::string name = Pick(kFileNames) + Pick(kExts);
      if (Chance(5)) name = "." + name;
      std::string path = rel.empty() ? name : rel + "/" + name;
      if (!taken_.insert(path).second) continue;  // a file or directory of that name exists
      std::string content = "content of " + name + "\n";
      if (Chance(8)) content[3] = '\0';                                      // binary
      if (Chance(2)) content = std::string((1 << 20) + Uniform(0, 1), 'x');  // at the limit
      std::ofstream(fs::path(root_) / path, std::ios::binary) << content;
      files_.push_back(path);
    }
    if (depth >= 3) return;
    int ndirs = Uniform(0, depth == 0 ? 4 : 3);
    for (int i = 0; i < ndirs; ++i) {
      std::string name = Pick(kDirNames);
      std::string path = rel.empty() ? name : rel + "/" + name;
      if (!taken_.insert(path).second) continue;
      dirs_.push_back(path);
      MakeDir(path, depth + 1);
    }
  }

  void WriteGitignore(const std::string& dir) {
    std::ofstream(fs::path(root_) / dir / ".gitignore", std::ios::binary)
        << Patterns(dir, Uniform(1, 8));
  }

  std::mt19937 rng_;
  std::string root_;
  std::vector<std::string> dirs_;
  std::vector<std::string> files_;
  std::set<std::string> taken_;  // every path created so far
};

// All repositories sit side by side in one directory that is not itself a repository, and
// one `codeindex files` run lists them all (each is met as a nested repository, its own
// scope); git runs once per repository. Half of them are also scanned from a
// subdirectory. This keeps the test to a few seconds under ASan.
//
// For a longer search, CODEINDEX_SCAN_DIFF_REPOS=N and CODEINDEX_SCAN_DIFF_FIRST_SEED=S change
// the number of repositories (default 50) and the first seed (default 1).
TEST_F(ScanGitTest, RandomRepositoriesAgreeWithGit) {
  const char* n_env = getenv("CODEINDEX_SCAN_DIFF_REPOS");
  const char* seed_env = getenv("CODEINDEX_SCAN_DIFF_FIRST_SEED");
  const int repos = n_env ? std::max(1, atoi(n_env)) : 50;
  const int first_seed = seed_env ? atoi(seed_env) : 1;
  const std::string parent = tmp_.Mkdir("repos");
  // One default core.excludesFile ($XDG_CONFIG_HOME/git/ignore) for the whole run; a third
  // of the repositories use it, a third set their own, a third point at a missing file.
  {
    RandomRepo patterns(1000, parent);
    fs::create_directories(xdg_ + "/git");
    std::ofstream(xdg_ + "/git/ignore", std::ios::binary)
        << "*.log\n"
        << patterns.Patterns("", 2) << "!keep.log\n";
  }
  std::vector<std::string> want;
  std::vector<std::string> names;
  size_t candidates = 0;  // files that pass the non-git rules
  struct Sub {
    std::string repo, dir;
    bool tracked;
  };
  std::vector<Sub> subs;
  for (int seed = first_seed; seed < first_seed + repos; ++seed) {
    const std::string name = "r" + std::to_string(seed);
    const std::string repo = parent + "/" + name;
    fs::create_directories(repo);
    Git(repo, {"init", "-q"});
    RandomRepo gen(static_cast<uint32_t>(seed), repo);
    gen.Build();
    if (gen.Chance(50)) {
      std::ofstream(repo + "/.git/info/exclude", std::ios::app) << gen.Patterns("", 3);
    }
    switch (gen.Uniform(0, 2)) {
      case 0: {
        std::string file = tmp_.path() + "/excludes." + name;
        std::ofstream(file, std::ios::binary) << gen.Patterns("", 3);
        Git(repo, {"config", "core.excludesFile", file});
        break;
      }
      case 1:
        Git(repo, {"config", "core.excludesFile", "~/missing-ignore-file"});
        break;
      default:
        break;  // the XDG default
    }
    // Sometimes track a few files (some of them ignored: `add -f`).
    bool tracked = gen.Chance(30) && !gen.files().empty();
    if (tracked) {
      std::vector<std::string> add = {"git", "-C", repo, "add", "-f", "--"};
      for (int i = 0; i < 3; ++i) add.push_back(gen.Pick(gen.files()));
      RunProgram(add);
    }
    for (const std::string& p : Expected(repo, tracked)) want.push_back(name + "/" + p);
    for (const std::string& f : gen.files()) candidates += Indexable(repo, f) ? 1 : 0;
    names.push_back(name);
    // A workspace below the top of the work tree, when git does not ignore it.
    if (seed % 2 == 0 && !gen.dirs().empty()) {
      // Pick a directory that git does not ignore. check-ignore does not look at parent
      // directories, so a directory is eligible only when none of its prefixes is ignored
      // (a workspace inside an ignored directory is walked on purpose, see scanner.h).
      std::string stdin_data;
      for (const std::string& d : gen.dirs()) stdin_data += d + '\0';
      RunResult ignored = RunProgram(
          {"git", "-C", repo, "check-ignore", "-z", "--stdin", "--no-index"}, "", stdin_data);
      std::vector<std::string> ig = SplitNul(ignored.out);
      std::set<std::string> ignored_dirs(ig.begin(), ig.end());
      std::vector<std::string> eligible;
      for (const std::string& d : gen.dirs()) {
        bool ok = d[0] != '.' && d.find("/.") == std::string::npos;
        for (size_t pos = 0; ok && pos != std::string::npos; pos = d.find('/', pos + 1)) {
          if (ignored_dirs.count(d.substr(0, pos == 0 ? std::string::npos : pos))) ok = false;
        }
        if (ok) eligible.push_back(d);
      }
      if (!eligible.empty()) subs.push_back({repo, repo + "/" + gen.Pick(eligible), tracked});
    }
  }
  std::sort(want.begin(), want.end());
  std::vector<std::string> got = Listed(parent);
  if (got != want) {
    std::set<std::string> w(want.begin(), want.end()), g(got.begin(), got.end());
    std::set<std::string> bad_repos;
    std::ostringstream msg;
    for (const std::string& p : w) {
      if (!g.count(p)) msg << "  missing (git lists it): " << Quote(p) << "\n";
      if (!g.count(p)) bad_repos.insert(p.substr(0, p.find('/')));
    }
    for (const std::string& p : g) {
      if (!w.count(p)) msg << "  extra (git ignores it): " << Quote(p) << "\n";
      if (!w.count(p)) bad_repos.insert(p.substr(0, p.find('/')));
    }
    for (const std::string& r : bad_repos) msg << DumpIgnoreFiles(parent + "/" + r);
    ADD_FAILURE() << "codeindex and git disagree\n" << msg.str();
  }
  for (const Sub& sub : subs) ExpectSame(sub.repo, sub.dir, sub.dir, sub.tracked);
  // The trees must exercise both sides: many files listed, many removed by git's rules.
  EXPECT_GT(want.size(), 4u * repos);
  EXPECT_GT(candidates - want.size(), 4u * repos);
  EXPECT_GE(subs.size(), repos / 4u);
  std::cout << repos << " repositories: " << candidates << " candidate files, " << want.size()
            << " listed, " << candidates - want.size() << " ignored by git's rules; " << subs.size()
            << " subdirectory workspaces\n";
}

// ---------------------------------------------------------------------------------------
// Hand-written repositories for the rules random trees rarely hit.

TEST_F(ScanGitTest, NestedPrecedenceAndReinclusion) {
  std::string repo = tmp_.Mkdir("hand1");
  Git(repo, {"init", "-q"});
  tmp_.Write("hand1/.gitignore", "*.log.py\n/build/\ndocs/*\n!docs/keep/\nsecret*\n");
  tmp_.Write("hand1/src/.gitignore", "!important.log.py\n/local.py\nsub/**/gen.py\n");
  tmp_.Write("hand1/src/important.log.py", "x\n");
  tmp_.Write("hand1/src/other.log.py", "x\n");
  tmp_.Write("hand1/src/local.py", "x\n");
  tmp_.Write("hand1/src/deeper/local.py", "x\n");
  tmp_.Write("hand1/src/sub/gen.py", "x\n");
  tmp_.Write("hand1/src/sub/a/b/gen.py", "x\n");
  tmp_.Write("hand1/build/out.py", "x\n");
  tmp_.Write("hand1/lib/build/kept.py", "x\n");
  tmp_.Write("hand1/docs/a.md", "x\n");
  tmp_.Write("hand1/docs/keep/b.md", "x\n");
  tmp_.Write("hand1/docs/keep/secret.md", "x\n");
  tmp_.Write("hand1/trailing .py", "x\n");
  tmp_.Write("hand1/.gitignore",
             "*.log.py\n/build/\ndocs/*\n!docs/keep/\nsecret*\ntrailing\\ .py\n");
  ExpectSame(repo, repo, "hand1");
  ExpectSame(repo, repo + "/src", "hand1/src");
}

TEST_F(ScanGitTest, NestedRepositoryIsItsOwnScope) {
  std::string outer = tmp_.Mkdir("outer");
  Git(outer, {"init", "-q"});
  tmp_.Write("outer/.gitignore", "*.gen.py\n");
  tmp_.Write("outer/a.py", "x\n");
  tmp_.Write("outer/b.gen.py", "x\n");
  std::string inner = tmp_.Mkdir("outer/inner");
  Git(inner, {"init", "-q"});
  tmp_.Write("outer/inner/.gitignore", "skip.py\n");
  tmp_.Write("outer/inner/c.gen.py", "x\n");
  tmp_.Write("outer/inner/skip.py", "x\n");
  tmp_.Write("outer/inner/d.py", "x\n");
  // git lists the nested repository as "inner/" from outside; inside, it is its own scope.
  std::vector<std::string> want;
  for (const std::string& p : Expected(outer)) {
    if (p.rfind("inner/", 0) != 0) want.push_back(p);
  }
  for (const std::string& p : Expected(inner)) want.push_back("inner/" + p);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Listed(outer), want);
  EXPECT_EQ(want, (std::vector<std::string>{"a.py", "inner/c.gen.py", "inner/d.py"}));
}

TEST_F(ScanGitTest, NotARepositoryIgnoresGitignore) {
  std::string dir = tmp_.Mkdir("plain");
  tmp_.Write("plain/.gitignore", "*.py\n");
  tmp_.Write("plain/.codeindexignore", "skip.md\n");
  tmp_.Write("plain/a.py", "x\n");
  tmp_.Write("plain/skip.md", "x\n");
  tmp_.Write("plain/keep.md", "x\n");
  EXPECT_EQ(Listed(dir), (std::vector<std::string>{"a.py", "keep.md"}));
}

}  // namespace
}  // namespace codeindex::testing
