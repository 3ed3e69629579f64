#include "train/denylist.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "base/file.h"

namespace codeindex::train {
namespace {

// The source tree: CODEINDEX_SOURCE_DIR when set, else the tree this test was configured
// from (ctest runs it from the build directory, where "./train" is the trainer binary).
std::string SourceDir() {
  const char* d = std::getenv("CODEINDEX_SOURCE_DIR");
  return d != nullptr && *d != '\0' ? d : CODEINDEX_CONFIGURED_SOURCE_DIR;
}

Denylist Load() {
  Result<Denylist> d = Denylist::Load(SourceDir() + "/train/denylist.txt");
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().ToString());
  return d.ok() ? std::move(d).value() : Denylist();
}

TEST(DenylistTest, MatchesEveryPackagingOfTheBenchmarkCodebases) {
  const Denylist d = Load();
  ASSERT_GT(d.entries().size(), 100u);
  for (const char* name :
       {"python3-jinja2", "golang-github-sirupsen-logrus-dev", "ruby-rack",
        "librust-serde-json-dev", "golang-github-gorilla-mux-dev", "php-twig",
        "libtree-sitter-dev", "tree-sitter", "rxjs", "python3-oauthlib",
        "golang-github-spf13-cobra-dev", "librust-regex-syntax-dev", "lodash", "node-lodash",
        "axios", "node-axios", "ruby-activesupport", "php-guzzlehttp-guzzle", "python3-flask",
        "libcommons-lang3-java", "libjackson2-databind-java", "libcurl4-openssl-dev",
        "libuv1-dev", "libabsl-dev", "@babel/core", "@vue/runtime-core", "python3-grpcio",
        "golang-k8s-client-go-dev", "serde_json-1.0.87", "librust-tokio-util-dev",
        "librust-actix-http-dev", "bats"}) {
    EXPECT_NE(d.Match(name), nullptr) << name;
  }
  for (const char* name : {"python3-attr", "golang-github-google-go-cmp-dev", "ruby-rspec",
                           "librust-itoa-dev", "php-psr-log", "node-semver", "libpython3.11-stdlib",
                           "rust-src", "linux-source-6.1", "python3-jsonschema", "ruby-json"}) {
    EXPECT_EQ(d.Match(name), nullptr) << name << " matched " << d.Match(name)->repo;
  }
}

TEST(DenylistTest, MatchesVendoredCopiesInPaths) {
  const Denylist d = Load();
  for (const char* path :
       {"usr/lib/python3/dist-packages/pip/_vendor/requests/api.py",
        "usr/share/nodejs/foo/node_modules/lodash/map.js", "vendor/lodash.js",
        "usr/share/gocode/src/github.com/sirupsen/logrus/entry.go",
        "usr/share/cargo/registry/serde_json-1.0.87/src/de.rs",
        "usr/share/rubygems-integration/all/gems/rack-2.2.22/lib/rack.rb"}) {
    EXPECT_NE(d.MatchPath(path), nullptr) << path;
  }
  for (const char* path :
       {"usr/lib/python3/dist-packages/attr/_make.py",
        "usr/share/gocode/src/github.com/google/go-cmp/cmp/compare.go",
        "usr/share/cargo/registry/itoa-1.0.4/src/lib.rs"}) {
    EXPECT_EQ(d.MatchPath(path), nullptr) << path;
  }
}

// The copy in the repository holds every codebase of the shared list (when the shared
// folder is beside the checkout, as on the developers' machines and CI).
TEST(DenylistTest, HoldsEveryNameOfTheSharedList) {
  std::string shared;
  for (const char* up : {"/../shared", "/../../shared"}) {
    if (std::filesystem::exists(SourceDir() + up + "/devbench/DENYLIST.md")) {
      shared = SourceDir() + up + "/devbench/DENYLIST.md";
      break;
    }
  }
  if (shared.empty()) GTEST_SKIP() << "../shared/devbench/DENYLIST.md not found";
  Result<std::string> text = ReadFile(shared);
  ASSERT_TRUE(text.ok());
  const Denylist d = Load();
  std::set<std::string> ours;
  for (const auto& e : d.entries()) ours.insert(e.repo);
  const std::regex repo(R"(([A-Za-z0-9_.\-]+)/([A-Za-z0-9_.\-]+))");
  size_t n = 0;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;  // headings name no codebase
    for (auto it = std::sregex_iterator(line.begin(), line.end(), repo);
         it != std::sregex_iterator(); ++it) {
      std::string r = it->str();
      while (!r.empty() && r.back() == '.') r.pop_back();  // end of a sentence
      if (r.find("..") != std::string::npos) continue;     // a relative path
      ++n;
      EXPECT_TRUE(ours.count(r)) << r << " is in " << shared << " but not in train/denylist.txt";
    }
  }
  EXPECT_GT(n, 100u);
}

// No package of the training corpus is a denied codebase.
TEST(DenylistTest, CorpusLockHasNoDeniedPackage) {
  const Denylist d = Load();
  std::ifstream in(SourceDir() + "/train/corpus.lock");
  ASSERT_TRUE(in) << "train/corpus.lock";
  std::string line;
  size_t rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string kind, name, version, digest, license;
    fields >> kind >> name >> version >> digest >> license;
    ASSERT_TRUE(kind == "deb" || kind == "npm") << line;
    EXPECT_FALSE(license.empty()) << "no license column: " << line;
    ++rows;
    const Denylist::Entry* e = d.Match(name);
    EXPECT_EQ(e, nullptr) << name << " is " << (e ? e->repo : "") << " (train/denylist.txt)";
  }
  EXPECT_GT(rows, 0u);
}

TEST(DenylistTest, RejectsMalformedLines) {
  EXPECT_FALSE(Denylist::Parse("justaname\n").ok());
  EXPECT_FALSE(Denylist::Parse("a/b:\n").ok());
  Result<Denylist> d = Denylist::Parse("# c\nowner/Some.Name  # trailing\nx/json: serde-json\n");
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d->Match("python3-some-name"), nullptr);
  EXPECT_NE(d->Match("librust-serde-json-dev"), nullptr);
  EXPECT_EQ(d->Match("python3-json"), nullptr);
}

}  // namespace
}  // namespace codeindex::train
