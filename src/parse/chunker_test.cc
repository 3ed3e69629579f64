// The original's test vectors (docs/original.md §4.6) in compat mode (the original exactly)
// and in the default mode (the fixes of docs/FIDELITY.md).
#include "parse/chunker.h"

#include <gtest/gtest.h>

#include "base/hash.h"
#include "parse/parser.h"
#include "parse/text.h"

namespace codeindex {
namespace {

struct Expect {
  std::string type;
  int start, end;
  size_t length;  // UTF-16 units of the content
};

std::vector<CodeBlock> Parse(const std::string& path, const std::string& content, bool compat) {
  ParseOptions o;
  o.chunker = Chunker::kQuery;  // the original's chunker (fixed unless compat)
  o.compat = compat;
  auto r = ParseBlocks(path, content, o);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? *r : std::vector<CodeBlock>{};
}

void ExpectBlocks(const std::vector<CodeBlock>& got, const std::vector<Expect>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("block " + std::to_string(i));
    EXPECT_EQ(got[i].type, want[i].type);
    EXPECT_EQ(got[i].start_line, want[i].start);
    EXPECT_EQ(got[i].end_line, want[i].end);
    EXPECT_EQ(parse_internal::Utf16Length(got[i].content), want[i].length);
  }
}

std::string NumberedLines(int count, char filler) {
  std::string s;
  for (int n = 1; n <= count; ++n) {
    char head[16];
    std::snprintf(head, sizeof(head), "L%03d", n);
    if (n > 1) s += '\n';
    s += head;
    s += std::string(45, filler);
  }
  return s;
}

// The content of lines [first, last] (1-based) of s.
std::string LinesOf(const std::string& s, int first, int last) {
  auto lines = parse_internal::SplitLines(s);
  size_t b = lines.begin(first - 1), e = lines.end(last - 1);
  return s.substr(b, e - b);
}

TEST(TestVectors, TvA_FortyLines) {
  std::string s = NumberedLines(40, 'a');
  ASSERT_EQ(s.size(), 1999u);
  for (bool compat : {true, false}) {
    ExpectBlocks(Parse("/p/a.vb", s, compat),
                 {{"fallback_chunk", 1, 23, 1149}, {"fallback_chunk", 24, 40, 849}});
  }
}

TEST(TestVectors, TvB_RebalanceQuirkInCompat) {
  std::string s = NumberedLines(25, 'b');
  auto blocks = Parse("/p/b.vb", s, true);
  ExpectBlocks(blocks, {{"fallback_chunk", 1, 21, 1149}, {"fallback_chunk", 22, 25, 99}});
  // The quirk: labels say 1-21 and 22-25, content is lines 1-23 and 24-25.
  EXPECT_EQ(blocks[0].content, LinesOf(s, 1, 23));
  EXPECT_EQ(blocks[1].content, LinesOf(s, 24, 25));
}

TEST(TestVectors, TvB_LabelsMatchContentByDefault) {
  std::string s = NumberedLines(25, 'b');
  auto blocks = Parse("/p/b.vb", s, false);
  ExpectBlocks(blocks, {{"fallback_chunk", 1, 23, 1149}, {"fallback_chunk", 24, 25, 99}});
  EXPECT_EQ(blocks[0].content, LinesOf(s, 1, 23));
  EXPECT_EQ(blocks[1].content, LinesOf(s, 24, 25));
}

std::string TvC() {
  return std::string(48, 'x') + "\n" + std::string(2500, 'z') + "\n" + std::string(59, 'y');
}

TEST(TestVectors, TvC_OversizedLineLosesLineOneInCompat) {
  ExpectBlocks(Parse("/p/c.vb", TvC(), true), {{"fallback_chunk_segment", 2, 2, 1000},
                                               {"fallback_chunk_segment", 2, 2, 1000},
                                               {"fallback_chunk_segment", 2, 2, 500},
                                               {"fallback_chunk", 3, 3, 59}});
}

TEST(TestVectors, TvC_LineOneKeptByDefault) {
  auto blocks = Parse("/p/c.vb", TvC(), false);
  ExpectBlocks(blocks, {{"fallback_chunk", 1, 1, 48},
                        {"fallback_chunk_segment", 2, 2, 1000},
                        {"fallback_chunk_segment", 2, 2, 1000},
                        {"fallback_chunk_segment", 2, 2, 500},
                        {"fallback_chunk", 3, 3, 59}});
  EXPECT_EQ(blocks[0].content, std::string(48, 'x'));
}

TEST(TestVectors, TvD_TinyFileYieldsNothing) {
  for (bool compat : {true, false}) {
    EXPECT_TRUE(Parse("/p/d.vb", std::string(30, 'd'), compat).empty());
    EXPECT_TRUE(Parse("/p/d.py", std::string(30, 'd'), compat).empty());
  }
}

TEST(TestVectors, TvE_TrailingNewlineCounts) {
  for (bool compat : {true, false}) {
    ExpectBlocks(Parse("/p/e.vb", std::string(49, 'a') + "\n", compat),
                 {{"fallback_chunk", 1, 2, 50}});
  }
}

TEST(TestVectors, TvF_FortyNineCharChunk) {
  for (bool compat : {true, false}) {
    ExpectBlocks(Parse("/p/f.vb", std::string(49, 'a') + "\n" + std::string(1140, 'b'), compat),
                 {{"fallback_chunk", 1, 1, 49}, {"fallback_chunk", 2, 2, 1140}});
  }
}

std::string TvG() {
  return std::string(75, 'i') + "\n\n# Title\nShort.\n\nSetext Heading\n" + std::string(14, '-') +
         "\n" + std::string(77, 'w') + "\n## Tiny\nok\n";
}

TEST(TestVectors, TvG_Markdown) {
  for (bool compat : {true, false}) {
    auto blocks = Parse("/p/g.md", TvG(), compat);
    ExpectBlocks(blocks, {{"markdown_content", 1, 2, 76}, {"markdown_header_h2", 6, 8, 107}});
    EXPECT_FALSE(blocks[0].identifier.has_value());
    EXPECT_EQ(blocks[1].identifier.value_or(""), "Setext Heading");
  }
}

TEST(TestVectors, TvH_Hashes) {
  const std::string content = "function add(a, b) {\n  return a + b // adds two numbers\n}";
  ASSERT_EQ(content.size(), 57u);
  std::vector<CodeBlock> out;
  parse_internal::BlockEmitter em("/home/user/project/src/app.ts", Sha256Hex(content), &out);
  ASSERT_TRUE(em.Emit("function_declaration", "add", 1, 3, content, 57));
  EXPECT_FALSE(em.Emit("function_declaration", "add", 1, 3, content, 57));  // dedup
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].segment_hash,
            "02f16323bfec09e1c005d0be3ab0868f234023a0b87889594e52a825a0873e7a");
  EXPECT_EQ(PointId(out[0]), "a61992b3-934c-569d-90e4-c42ec46f8bf0");
  EXPECT_EQ(FileHash(content), "dc20dd68484921d2eb531b8a9575ac091c3b7a5e39777b0349669dfeaf38211e");
  // The same through the TypeScript grammar: the function is the only capture.
  auto blocks = Parse("/home/user/project/src/app.ts", content, true);
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks[0].segment_hash, out[0].segment_hash);
  EXPECT_EQ(blocks[0].identifier.value_or(""), "add");
}

TEST(TestVectors, TvI_TypeScriptClass) {
  const std::string src =
      "export class Greeter {\n"
      "  constructor(private name: string) {}\n"
      "  greet(): string {\n"
      "    return \"Hello, \" + this.name + \"! Welcome aboard.\";\n"
      "  }\n"
      "}";
  for (bool compat : {true, false}) {
    auto blocks = Parse("/p/greeter.ts", src, compat);
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].type, "class_declaration");
    EXPECT_EQ(blocks[0].start_line, 1);
    EXPECT_EQ(blocks[0].end_line, 6);
    EXPECT_EQ(blocks[0].identifier.value_or(""), "Greeter");
    EXPECT_EQ(blocks[0].content.rfind("class Greeter", 0), 0u);
    EXPECT_EQ(blocks[1].type, "method_definition");
    EXPECT_EQ(blocks[1].start_line, 3);
    EXPECT_EQ(blocks[1].end_line, 5);
    EXPECT_EQ(blocks[1].identifier.value_or(""), "greet");
  }
}

// ---- Beyond the vectors: the other losses, both modes -------------------------------

TEST(ChunkerTest, CapturesAllSmallYieldNothingInCompatAndFallbackByDefault) {
  // Many tiny functions: every capture < 50 chars, the file is > 50.
  std::string src;
  for (int i = 0; i < 6; ++i) src += "def f" + std::to_string(i) + "(): pass\n";
  EXPECT_TRUE(Parse("/p/small.py", src, true).empty());
  auto blocks = Parse("/p/small.py", src, false);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, "fallback_chunk");
  EXPECT_EQ(blocks[0].start_line, 1);
}

TEST(ChunkerTest, OversizedNodeWithSmallChildrenKeepsContentByDefault) {
  // A 1500-char function whose body is 100 short statements: every child < 50 chars.
  std::string src = "def big():\n";
  for (int i = 0; i < 100; ++i)
    src += "    x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  ASSERT_GT(src.size(), 1150u);
  auto compat = Parse("/p/big.py", src, true);
  EXPECT_TRUE(compat.empty());  // the original loses the whole function
  auto fixed = Parse("/p/big.py", src, false);
  ASSERT_FALSE(fixed.empty());
  std::string all;
  for (const auto& b : fixed) all += b.content + "\n";
  for (int i = 0; i < 100; ++i) {
    EXPECT_NE(all.find("x" + std::to_string(i) + " = "), std::string::npos) << i;
  }
  for (const auto& b : fixed) {
    EXPECT_LE(b.start_line, b.end_line);
    EXPECT_LE(parse_internal::Utf16Length(b.content), 1150u);
  }
}

TEST(ChunkerTest, SegmentCutThroughSurrogatePairBecomesReplacementChar) {
  // 999 'a', then U+1F600 (2 units) straddling the 1000-unit cut, then 300 'b'.
  std::string line = std::string(999, 'a') + "\xF0\x9F\x98\x80" + std::string(300, 'b');
  auto blocks = Parse("/p/s.vb", line, true);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].content, std::string(999, 'a') + "\xEF\xBF\xBD");
  EXPECT_EQ(blocks[1].content, "\xEF\xBF\xBD" + std::string(300, 'b'));
  EXPECT_EQ(parse_internal::Utf16Length(blocks[0].content), 1000u);
  EXPECT_EQ(parse_internal::Utf16Length(blocks[1].content), 301u);
}

TEST(ChunkerTest, InvalidUtf8DecodesLikeNode) {
  std::string bad = "x = '\xC3\x28 \xE2\x82 \xF0\x9F\x98 \xFF'\n";
  std::string s;
  for (int i = 0; i < 5; ++i) s += bad;
  auto blocks = Parse("/p/u.vb", s, true);
  ASSERT_EQ(blocks.size(), 1u);
  // C3 28 -> FFFD '(' ; E2 82 -> one FFFD ; F0 9F 98 -> one FFFD ; FF -> FFFD
  EXPECT_NE(blocks[0].content.find("x = '\xEF\xBF\xBD( \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD'"),
            std::string::npos);
  EXPECT_EQ(blocks[0].file_hash, FileHash(s));
}

TEST(ChunkerTest, MarkdownCrlfAtxHeadersOnlyByDefault) {
  std::string md = "# Title\r\n" + std::string(60, 't') + "\r\n# Second\r\n" + std::string(60, 's');
  auto compat = Parse("/p/c.md", md, true);
  ASSERT_EQ(compat.size(), 1u);
  EXPECT_EQ(compat[0].type, "markdown_content");
  auto fixed = Parse("/p/c.md", md, false);
  ASSERT_EQ(fixed.size(), 2u);
  EXPECT_EQ(fixed[0].type, "markdown_header_h1");
  EXPECT_EQ(fixed[0].identifier.value_or(""), "Title");
  EXPECT_EQ(fixed[1].identifier.value_or(""), "Second");
}

TEST(ChunkerTest, QuirkRoutesEmptyInCompatOnly) {
  std::string html = "<div>\n" + std::string(80, 'h') + "\n</div>\n";
  EXPECT_TRUE(Parse("/p/a.htm", html, true).empty());
  EXPECT_FALSE(Parse("/p/a.htm", html, false).empty());
  std::string erb = "<% items.each do |item| %>\n  <li><%= item.name %> " + std::string(60, 'e') +
                    "</li>\n<% end %>\n";
  EXPECT_TRUE(Parse("/p/a.erb", erb, true).empty());
  EXPECT_FALSE(Parse("/p/a.erb", erb, false).empty());
}

TEST(MarkdownRegexTest, Atx) {
  int level = 0;
  std::string text;
  EXPECT_TRUE(parse_internal::MatchAtxHeader("## Hello  ", &level, &text));
  EXPECT_EQ(level, 2);
  EXPECT_EQ(text, "Hello");
  EXPECT_FALSE(parse_internal::MatchAtxHeader("####### seven", &level, &text));
  EXPECT_FALSE(parse_internal::MatchAtxHeader("#nospace", &level, &text));
  EXPECT_FALSE(parse_internal::MatchAtxHeader("# ", &level, &text));
  EXPECT_FALSE(parse_internal::MatchAtxHeader("# Title\r", &level, &text));  // CR is not `.`
  EXPECT_TRUE(parse_internal::MatchAtxHeader("#\r x", &level, &text));       // CR is `\s`
  EXPECT_TRUE(parse_internal::MatchAtxHeader("#  ", &level, &text));         // `.` matches a space
  EXPECT_EQ(text, "");
}

TEST(MarkdownRegexTest, Setext) {
  EXPECT_TRUE(parse_internal::MatchSetextUnderline("===", '='));
  EXPECT_TRUE(parse_internal::MatchSetextUnderline("---  \r", '-'));
  EXPECT_FALSE(parse_internal::MatchSetextUnderline("--", '-'));
  EXPECT_FALSE(parse_internal::MatchSetextUnderline("--- x", '-'));
  EXPECT_TRUE(parse_internal::MatchSetextText("Ab"));
  EXPECT_FALSE(parse_internal::MatchSetextText("A"));
  EXPECT_FALSE(parse_internal::MatchSetextText("# heading"));
  EXPECT_FALSE(parse_internal::MatchSetextText("![img]"));
  EXPECT_TRUE(parse_internal::MatchSetextText("text ending in #"));  // last char is free
  EXPECT_TRUE(parse_internal::MatchSetextText("\tindented"));        // TAB in the \s* prefix
  EXPECT_FALSE(parse_internal::MatchSetextText("a\tb"));
}

}  // namespace
}  // namespace codeindex
