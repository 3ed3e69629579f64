#include "eval/doc_comments.h"

#include <gtest/gtest.h>

namespace codeindex {
namespace {

struct DocCase {
  std::string path;
  std::string source;
  std::string name;  // the symbol expected to carry the doc
  std::string doc;   // its cleaned doc
  int doc_start_line;
  int doc_end_line;
};

class DocCommentsTest : public ::testing::TestWithParam<DocCase> {};

TEST_P(DocCommentsTest, FindsAndCleansTheDoc) {
  const DocCase& c = GetParam();
  auto docs = ExtractDocumentedSymbols(c.path, c.source);
  ASSERT_TRUE(docs.ok()) << docs.error().ToString();
  const DocumentedSymbol* found = nullptr;
  for (const DocumentedSymbol& d : *docs) {
    if (d.symbol.name == c.name) found = &d;
  }
  ASSERT_NE(found, nullptr) << "no doc for " << c.name;
  EXPECT_EQ(found->doc, c.doc);
  EXPECT_EQ(found->doc_start_line, c.doc_start_line);
  EXPECT_EQ(found->doc_end_line, c.doc_end_line);
}

INSTANTIATE_TEST_SUITE_P(
    Languages, DocCommentsTest,
    ::testing::Values(
        DocCase{"a.py",
                "import os\n\ndef join_path(a, b):\n    \"\"\"Join two paths.\n\n    Args:\n"
                "        a: first\n    \"\"\"\n    return a + b\n",
                "join_path", "Join two paths.", 4, 8},
        DocCase{"a.py",
                "class Cache(object):\n    '''An LRU cache.'''\n\n    def get(self,\n"
                "            key: str = 'a:b') -> int:  # comment\n"
                "        r\"\"\"Return the value of `key`, or None.\"\"\"\n        return 1\n",
                "get", "Return the value of key, or None.", 6, 6},
        DocCase{"a.go",
                "package a\n\n// Parse parses the thing and returns\n// a value.\n"
                "//go:noinline\nfunc Parse(s string) int {\n\treturn 0\n}\n",
                "Parse", "Parse parses the thing and returns a value.", 3, 4},
        DocCase{"a.rs",
                "/// Parses a thing.\n///\n/// More `text` here.\n///\n/// # Examples\n"
                "/// ```\n/// parse(\"x\");\n/// ```\n#[inline]\npub fn parse(s: &str) -> i32 "
                "{ 0 }\n",
                "parse", "Parses a thing.\n\nMore text here.", 1, 8},
        DocCase{"T.java",
                "public class T {\n  /**\n   * Returns the {@code int} value of\n"
                "   * {@link Foo#bar the bar}.<p>\n   * @param x the x\n   */\n"
                "  @Override\n  public int get(int x) { return x; }\n}\n",
                "get", "Returns the int value of the bar.", 2, 6},
        DocCase{"a.rb", "# Does a thing\n# really &lt;fast&gt;.\ndef foo(a)\n  a\nend\n", "foo",
                "Does a thing really <fast>.", 1, 2},
        DocCase{"a.ts",
                "export class C {\n  /** Removes the last element. */\n  pop(): void {}\n}\n",
                "pop", "Removes the last element.", 2, 2}));

TEST(DocCommentsTest, NoDocAcrossABlankLineOrForInnerDocs) {
  auto go = ExtractDocumentedSymbols("a.go", "package a\n\n// Orphan.\n\nfunc F() {}\n");
  ASSERT_TRUE(go.ok());
  EXPECT_TRUE(go->empty());
  auto rs = ExtractDocumentedSymbols("a.rs", "//! Crate docs.\nfn f() {}\n");
  ASSERT_TRUE(rs.ok());
  EXPECT_TRUE(rs->empty());
  // A docstring that is not the first statement is no docstring.
  auto py = ExtractDocumentedSymbols("a.py", "def f():\n    x = 1\n    \"\"\"Not a doc.\"\"\"\n");
  ASSERT_TRUE(py.ok());
  EXPECT_TRUE(py->empty());
  // An unsupported language is fine and empty.
  auto css = ExtractDocumentedSymbols("a.css", "/* x */\na { color: red; }\n");
  ASSERT_TRUE(css.ok());
  EXPECT_TRUE(css->empty());
}

TEST(DocCommentsTest, CodeWithoutDocRemovesTheDocstringOnly) {
  const std::string src =
      "def f(x):\n    \"\"\"Doubles x.\n\n    More.\n    \"\"\"\n    return 2 * x\n\nY = 1\n";
  auto docs = ExtractDocumentedSymbols("a.py", src);
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ(CodeWithoutDoc(src, (*docs)[0]), "def f(x):\n    return 2 * x\n");
  // A doc above the definition is outside its code already.
  const std::string go = "package a\n\n// F does f.\nfunc F() {\n}\n";
  auto g = ExtractDocumentedSymbols("a.go", go);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ(CodeWithoutDoc(go, (*g)[0]), "func F() {\n}\n");
}

TEST(DocCommentsTest, FirstSentence) {
  struct {
    std::string doc, want;
  } cases[] = {
      {"Join two paths. The second wins.", "Join two paths."},
      {"Use e.g. this one. Then that.", "Use e.g. this one."},
      {"Returns the version 1.2 of it", "Returns the version 1.2 of it"},
      {"First paragraph without stop\n\nSecond.", "First paragraph without stop"},
      {"Ends here! next one", "Ends here! next one"},  // no capital after: one sentence
      {"Is it? Yes.", "Is it?"},
  };
  for (const auto& c : cases) EXPECT_EQ(FirstSentence(c.doc), c.want) << c.doc;
  EXPECT_EQ(FirstSentence("a b c d e f", 3), "a b c");
  EXPECT_EQ(WordCount("  a  b\nc "), 3u);
}

}  // namespace
}  // namespace codeindex
