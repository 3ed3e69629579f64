#include "scan/ignore.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

// --- WildMatch: git's wildmatch vectors (t/t3070-wildmatch.sh), with and without
// WM_PATHNAME. ---

struct WildCase {
  const char* pattern;
  const char* text;
  bool glob;      // expected without pathname semantics ('*' crosses '/')
  bool pathname;  // expected with WM_PATHNAME
};

const WildCase kWildCases[] = {
    {"foo", "foo", true, true},
    {"bar", "foo", false, false},
    {"", "", true, true},
    {"???", "foo", true, true},
    {"??", "foo", false, false},
    {"*", "foo", true, true},
    {"f*", "foo", true, true},
    {"*f", "foo", false, false},
    {"*foo*", "foo", true, true},
    {"*ob*a*r*", "foobar", true, true},
    {"*ab", "aaaaaaabababab", true, true},
    {"foo\\*", "foo*", true, true},
    {"foo\\*bar", "foobar", false, false},
    {"f\\\\oo", "f\\oo", true, true},
    {"*[al]?", "ball", true, true},
    {"[ten]", "ten", false, false},
    {"**[!te]", "ten", true, true},
    {"**[!ten]", "ten", false, false},
    {"t[a-g]n", "ten", true, true},
    {"t[!a-g]n", "ten", false, false},
    {"t[!a-g]n", "ton", true, true},
    {"t[^a-g]n", "ton", true, true},
    {"a[]]b", "a]b", true, true},
    {"a[]-]b", "a-b", true, true},
    {"a[]-]b", "a]b", true, true},
    {"a[]-]b", "aab", false, false},
    {"a[]a-]b", "aab", true, true},
    {"]", "]", true, true},
    {"foo*bar", "foo/baz/bar", true, false},
    {"foo**bar", "foo/baz/bar", true, false},
    {"foo/**/bar", "foo/baz/bar", true, true},
    {"foo/**/**/bar", "foo/baz/bar", true, true},
    {"foo/**/bar", "foo/b/a/z/bar", true, true},
    {"foo/**/bar", "foo/bar", true, true},
    {"foo?bar", "foo/bar", true, false},
    {"foo[/]bar", "foo/bar", true, false},
    {"foo[^a-z]bar", "foo/bar", true, false},
    {"*/foo", "foo", false, false},
    {"**/foo", "foo", true, true},
    {"**/foo", "XXX/foo", true, true},
    {"**/foo", "bar/baz/foo", true, true},
    {"*/foo", "bar/baz/foo", true, false},
    {"**/bar*", "foo/bar/baz", true, false},
    {"**/bar/*", "deep/foo/bar/baz", true, true},
    {"**/bar/*", "deep/foo/bar/baz/", true, false},
    {"**/bar/**", "deep/foo/bar/baz/", true, true},
    {"**/bar/*", "deep/foo/bar", false, false},
    {"**/bar/**", "deep/foo/bar/", true, true},
    {"**/bar**", "foo/bar/baz", true, false},
    {"*/bar/**", "foo/bar/baz/x", true, true},
    {"*/bar/**", "deep/foo/bar/baz/x", true, false},
    {"**/bar/*/*", "deep/foo/bar/baz/x", true, true},
    {"a[c-c]st", "acrt", false, false},
    {"a[c-c]rt", "acrt", true, true},
    {"[!]-]", "]", false, false},
    {"[!]-]", "a", true, true},
    {"[\\]]", "]", true, true},
    {"[\\]]", "\\", false, false},
    {"[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true, true},
    {"[[:digit:][:upper:][:space:]]", "a", false, false},
    {"[[:digit:][:upper:][:space:]]", "A", true, true},
    {"[[:digit:][:upper:][:space:]]", "1", true, true},
    {"[[:digit:][:upper:][:spaci:]]", "1", false, false},
    {"[[:space:]]", " ", true, true},
    {"[[:xdigit:]]", "5", true, true},
    {"[[:xdigit:]]", "f", true, true},
    {"[[:xdigit:]]", "D", true, true},
    {"[a-c[:digit:]x-z]", "5", true, true},
    {"[a-c[:digit:]x-z]", "b", true, true},
    {"[a-c[:digit:]x-z]", "y", true, true},
    {"[a-c[:digit:]x-z]", "q", false, false},
    {"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1",
     true, true},
    {"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1",
     false, false},
    {"**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", true, true},
    {"**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", false, false},
    {"*/*/*", "foo/bba/arr", true, true},
    {"*/*/*", "foo/bb/aa/rr", true, false},
    {"**/**/**", "foo/bb/aa/rr", true, true},
    {"*X*i", "abcXdefXghi", true, true},
    {"*/*X*/*/*i", "ab/cXd/efXg/hi", true, true},
    {"*Xg*i", "ab/cXd/efXg/hi", true, false},
    {"a\\", "a\\", false, false},  // a trailing backslash never matches
    {"[", "[", false, false},      // unterminated class aborts
};

TEST(WildMatchTest, GitVectors) {
  for (const WildCase& c : kWildCases) {
    EXPECT_EQ(WildMatch(c.pattern, c.text, /*pathname=*/false), c.glob)
        << "pattern '" << c.pattern << "' text '" << c.text << "' without pathname";
    EXPECT_EQ(WildMatch(c.pattern, c.text, /*pathname=*/true), c.pathname)
        << "pattern '" << c.pattern << "' text '" << c.text << "' with pathname";
  }
}

TEST(WildMatchTest, CaseFold) {
  EXPECT_FALSE(WildMatch("*.TXT", "a.txt", true, false));
  EXPECT_TRUE(WildMatch("*.TXT", "a.txt", true, true));
  EXPECT_TRUE(WildMatch("[A-Z]", "a", true, true));
  EXPECT_TRUE(WildMatch("[a-z]", "A", true, true));
  EXPECT_TRUE(WildMatch("[[:upper:]]", "a", true, true));
  EXPECT_FALSE(WildMatch("[[:upper:]]", "a", true, false));
}

// --- IgnoreList: gitignore(5) lines applied to one path. Every expectation below was
// checked against `git check-ignore --no-index -v` (git 2.39) on a real file or directory.
// ---

enum Expect { kNone, kIgn, kWhite };

struct IgnoreCase {
  const char* patterns;  // the .gitignore content (at the root of the repository)
  const char* path;      // relative to the root
  bool is_dir;
  Expect expect;
};

const IgnoreCase kIgnoreCases[] = {
    // Basename patterns (no slash) match at any depth.
    {"*.o", "a.o", false, kIgn},
    {"*.o", "dir/sub/a.o", false, kIgn},
    {"*.o", "a.oo", false, kNone},
    {"*.o", "a.o.txt", false, kNone},
    {"*.txt", "notes.txt", true, kIgn},  // also directories
    {"foo", "foo", false, kIgn},
    {"foo", "a/b/foo", true, kIgn},
    {"foo", "foobar", false, kNone},
    {"foo", "xfoo", false, kNone},
    {"foo*", "foobar", false, kIgn},
    {"foo*", "xfoo", false, kNone},
    {"*foo*", "afoob", false, kIgn},
    {"**", "x/y", false, kIgn},
    // A leading or middle slash anchors to the .gitignore's directory.
    {"/foo", "foo", false, kIgn},
    {"/foo", "a/foo", false, kNone},
    {"a/b", "a/b", false, kIgn},
    {"a/b", "x/a/b", false, kNone},
    {"doc/*.txt", "doc/notes.txt", false, kIgn},
    {"doc/*.txt", "doc/server/arch.txt", false, kNone},
    {"*/foo", "x/foo", false, kIgn},
    {"*/foo", "x/y/foo", false, kNone},
    // Trailing slash: directories only.
    {"foo/", "foo", true, kIgn},
    {"foo/", "foo", false, kNone},
    {"foo/", "a/foo", true, kIgn},
    {"a/b/", "a/b", true, kIgn},
    {"a/b/", "a/b", false, kNone},
    {"**/", "x", true, kIgn},
    {"**/", "x", false, kNone},
    {"/", "x", true, kNone},
    // `**` leading, trailing, middle; elsewhere it is a plain `*`.
    {"**/foo", "foo", false, kIgn},
    {"**/foo", "a/b/foo", false, kIgn},
    {"**/foo/bar", "x/foo/bar", false, kIgn},
    {"**/foo/bar", "foo/bar", false, kIgn},
    {"abc/**", "abc/x", false, kIgn},
    {"abc/**", "abc/x/y", false, kIgn},
    {"abc/**", "abc", true, kNone},
    {"a/**/b", "a/b", false, kIgn},
    {"a/**/b", "a/x/y/b", false, kIgn},
    {"a/**/b", "a/xb", false, kNone},
    {"a/**b", "a/xb", false, kIgn},
    {"a/**b", "a/x/b", false, kNone},
    {"foo/**/", "foo/a/b", true, kIgn},
    {"foo/**/", "foo/b", false, kNone},
    {"a/*/b", "a/x/b", false, kIgn},
    {"a/*/b", "a/x/y/b", false, kNone},
    {"a/*", "a/x", false, kIgn},
    {"a/*.c", "a/x/y.c", false, kNone},
    // Negation, last match wins.
    {"!foo", "foo", false, kWhite},
    {"*.o\n!keep.o", "keep.o", false, kWhite},
    {"*.o\n!keep.o", "x.o", false, kIgn},
    {"!keep.o\n*.o", "keep.o", false, kIgn},
    {"!/foo/", "foo", true, kWhite},
    // Comments and escapes.
    {"#foo", "#foo", false, kNone},
    {"\\#foo", "#foo", false, kIgn},
    {"\\!foo", "!foo", false, kIgn},
    {"\\!foo", "foo", false, kNone},
    {"\\*", "*", false, kIgn},
    {"\\*", "x", false, kNone},
    {"a\\b", "ab", false, kIgn},
    {"foo\\", "foo\\", false, kNone},
    // Trailing spaces: stripped unless escaped; leading spaces are significant.
    {"foo   ", "foo", false, kIgn},
    {"foo   ", "foo   ", false, kNone},
    {"foo\\ ", "foo ", false, kIgn},
    {"foo\\  ", "foo ", false, kIgn},
    {"foo\\ ", "foo", false, kNone},
    {" foo", "foo", false, kNone},
    {" foo", " foo", false, kIgn},
    {"foo\t", "foo", false, kNone},  // tabs are not trimmed
    // Wildcards.
    {"f?o", "fxo", false, kIgn},
    {"f?o", "fo", false, kNone},
    {"a?c", "x/a/c", false, kNone},
    {"[abc].txt", "b.txt", false, kIgn},
    {"[abc].txt", "d.txt", false, kNone},
    {"[!abc].txt", "d.txt", false, kIgn},
    {"[!abc].txt", "a.txt", false, kNone},
    {"[^abc].txt", "d.txt", false, kIgn},
    {"[a-c]x", "bx", false, kIgn},
    {"[a-c]x", "dx", false, kNone},
    {"[]]x", "]x", false, kIgn},
    {"[a-]x", "-x", false, kIgn},
    {"*.[oa]", "lib.a", false, kIgn},
    {"[[:digit:]]*", "9lives", false, kIgn},
    {"[[:digit:]]*", "x9", false, kNone},
    {"a[/]b", "a/b", false, kNone},
    // Case: byte-exact by default (core.ignoreCase=false).
    {"FOO", "foo", false, kNone},
    {"*.PY", "a.py", false, kNone},
    // File format: CRLF, BOM, blank lines.
    {"foo\r\n", "foo", false, kIgn},
    {"\xEF\xBB\xBF"
     "foo",
     "foo", false, kIgn},
    {"\n\n   \nfoo\n\n", "foo", false, kIgn},
    {"", "foo", false, kNone},
};

TEST(IgnoreListTest, GitSemanticsTable) {
  static_assert(sizeof(kIgnoreCases) / sizeof(kIgnoreCases[0]) >= 40);
  for (const IgnoreCase& c : kIgnoreCases) {
    IgnoreList list = IgnoreList::Parse(c.patterns, "");
    IgnoreMatch m = list.Match(c.path, c.is_dir);
    Expect got = m == IgnoreMatch::kIgnore ? kIgn : m == IgnoreMatch::kWhitelist ? kWhite : kNone;
    EXPECT_EQ(got, c.expect) << "patterns '" << c.patterns << "' path '" << c.path << "'"
                             << (c.is_dir ? " (dir)" : "");
  }
}

TEST(IgnoreListTest, CaseFoldWhenConfigured) {
  IgnoreList list = IgnoreList::Parse("FOO\n*.PY\n/Build/\n", "", /*casefold=*/true);
  EXPECT_EQ(list.Match("foo", false), IgnoreMatch::kIgnore);
  EXPECT_EQ(list.Match("x/a.py", false), IgnoreMatch::kIgnore);
  EXPECT_EQ(list.Match("build", true), IgnoreMatch::kIgnore);
  EXPECT_EQ(list.Match("bar", false), IgnoreMatch::kNone);
}

TEST(IgnoreListTest, AnchoredPatternsAreRelativeToTheFilesDirectory) {
  IgnoreList list = IgnoreList::Parse("/x\nfoo/bar\n*.log\n", "sub");
  EXPECT_EQ(list.Match("sub/x", false), IgnoreMatch::kIgnore);
  EXPECT_EQ(list.Match("sub/y/x", false), IgnoreMatch::kNone);
  EXPECT_EQ(list.Match("sub/foo/bar", false), IgnoreMatch::kIgnore);
  EXPECT_EQ(list.Match("sub/z/foo/bar", false), IgnoreMatch::kNone);
  EXPECT_EQ(list.Match("sub/deep/er/a.log", false), IgnoreMatch::kIgnore);
  // A sibling that merely starts with the same bytes is not under the base.
  EXPECT_EQ(list.Match("subx/x", false), IgnoreMatch::kNone);
}

TEST(IgnoreListTest, FastPathsAreChosen) {
  using Kind = IgnorePattern::Kind;
  IgnoreList list = IgnoreList::Parse("foo\n*.o\nlib*\n*.[ch]\n/a/b\nbuild/\n", "");
  ASSERT_EQ(list.size(), 6u);
  EXPECT_EQ(list.patterns()[0].kind, Kind::kBasenameLiteral);
  EXPECT_EQ(list.patterns()[1].kind, Kind::kBasenameEndsWith);
  EXPECT_EQ(list.patterns()[2].kind, Kind::kBasenamePrefix);
  EXPECT_EQ(list.patterns()[3].kind, Kind::kBasenameGlob);
  EXPECT_EQ(list.patterns()[4].kind, Kind::kPathname);
  EXPECT_EQ(list.patterns()[5].kind, Kind::kBasenameLiteral);
  EXPECT_TRUE(list.patterns()[5].flags & IgnorePattern::kMustBeDir);
}

TEST(IgnoreListTest, LastMatchingNamesTheLine) {
  IgnoreList list = IgnoreList::Parse("# c\n*.o\n\n!keep.o\n", "", false, ".gitignore");
  const IgnorePattern* p = list.LastMatching("keep.o", false);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->line, 4u);
  EXPECT_EQ(p->text, "keep.o");
  EXPECT_EQ(list.source(), ".gitignore");
}

TEST(IgnoreListTest, TrimTrailingSpaces) {
  EXPECT_EQ(TrimTrailingSpaces("a  "), "a");
  EXPECT_EQ(TrimTrailingSpaces("a\\  "), "a\\ ");
  EXPECT_EQ(TrimTrailingSpaces("a\\"), "a\\");
  EXPECT_EQ(TrimTrailingSpaces("   "), "");
  EXPECT_EQ(TrimTrailingSpaces("a b"), "a b");
}

// The indexed lookup must pick exactly the pattern git's last-to-first loop picks.
TEST(IgnoreListTest, IndexedLookupEqualsLinearScan) {
  const std::vector<std::string> names = {"a.o", "b.tar.gz", "main.py", "Makefile", "x.gz",
                                          ".o",  "build",    "lib.a",   "a.O",      "gz"};
  const std::vector<std::string> dirs = {"", "src/", "build/", "a/b/"};
  const std::vector<std::string> pieces = {
      "a.o",  "*.o",  "*.gz",     "*.tar.gz", "*z",   "build",   "build/",   "!build",   "!*.o",
      "!a.o", "/a.o", "src/*.py", "*.[oa]",   "lib*", "**/x.gz", "a/**",     "!*.gz",    "*.O",
      "gz",   "*",    "main.py/", "!main.py", ".o",   "*.",      "Makefile", "!/build/", "*.py"};
  std::mt19937 rng(7);
  int compared = 0, decided = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    int n = std::uniform_int_distribution<int>(1, 12)(rng);
    for (int i = 0; i < n; ++i) {
      text += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)] + "\n";
    }
    IgnoreList list = IgnoreList::Parse(text, "");
    IgnoreList appended = IgnoreList::Parse("*.py\n!a.o\n", "");
    appended.Append(list);
    for (const std::string& d : dirs) {
      for (const std::string& name : names) {
        for (bool is_dir : {false, true}) {
          for (const IgnoreList* l : {&list, &appended}) {
            const IgnorePattern* fast = l->LastMatching(d + name, is_dir);
            const IgnorePattern* slow = l->LastMatchingLinear(d + name, is_dir);
            ASSERT_EQ(fast, slow) << "patterns:\n"
                                  << text << "path " << d + name << " dir " << is_dir;
            ++compared;
            decided += fast != nullptr;
          }
        }
      }
    }
  }
  EXPECT_GT(decided, compared / 4);
  EXPECT_LT(decided, compared);
}

TEST(IgnoreChainTest, DeeperListDecidesFirst) {
  auto root = std::make_shared<IgnoreNode>();
  root->list = IgnoreList::Parse("*.py\n", "");
  auto sub = std::make_shared<IgnoreNode>();
  sub->parent = root;
  sub->list = IgnoreList::Parse("!keep.py\n", "sub");
  EXPECT_EQ(MatchChain(sub.get(), "sub/keep.py", false), IgnoreMatch::kWhitelist);
  EXPECT_EQ(MatchChain(sub.get(), "sub/other.py", false), IgnoreMatch::kIgnore);
  EXPECT_EQ(MatchChain(sub.get(), "sub/x.md", false), IgnoreMatch::kNone);
}

}  // namespace
}  // namespace codeindex
