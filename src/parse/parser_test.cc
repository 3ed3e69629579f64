// ParseBlocks on hostile inputs: bounded work, blocks inside the file, a clear per-file
// error at worst. Also the options hash and point ids.
#include "parse/parser.h"

#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "parse/text.h"

namespace codeindex {
namespace {

void ExpectWellFormed(const std::vector<CodeBlock>& blocks, const std::string& content) {
  const int lines = static_cast<int>(parse_internal::SplitLines(content).size());
  for (const CodeBlock& b : blocks) {
    EXPECT_GE(b.start_line, 1);
    EXPECT_LE(b.start_line, b.end_line);
    EXPECT_LE(b.end_line, lines);
    EXPECT_EQ(b.segment_hash.size(), 64u);
    EXPECT_TRUE(parse_internal::IsValidUtf8(b.content));
  }
}

TEST(ParserTest, OneMegabyteMinifiedJavaScript) {
  std::string js;
  for (int i = 0; js.size() < (1u << 20); ++i) {
    js += "var a" + std::to_string(i) + "=function(x){return x*" + std::to_string(i) + "+1};";
  }
  for (bool compat : {false, true}) {
    ParseOptions o;
    o.compat = compat;
    o.parse_timeout_ms = 0;  // sanitizer builds are slow; the budget is tested below
    auto r = ParseBlocks("/p/min.js", js, o);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    ExpectWellFormed(*r, js);
    // Every capture (var aN=function...) is < 50 chars: the original yields nothing, the
    // default line-chunks the file (its one line is cut into 1000-char segments).
    EXPECT_EQ(r->empty(), compat);
    for (const CodeBlock& b : *r) EXPECT_EQ(b.start_line, 1);
  }
}

TEST(ParserTest, ParseBudgetGivesAPerFileError) {
  std::string js;
  for (int i = 0; js.size() < (1u << 20); ++i) js += "f(" + std::to_string(i) + ",[1,{a:2}]);";
  ParseOptions o;
  o.parse_timeout_ms = 1;
  auto r = ParseBlocks("/p/slow.js", js, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("/p/slow.js"), std::string::npos) << r.error().ToString();
  // The thread's parser is usable again afterwards.
  auto ok =
      ParseBlocks("/p/fine.js", "function fine() { return 'a string long enough to matter'; }\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 1u);
}

TEST(ParserTest, DeeplyNestedBrackets) {
  const int depth = 5000;
  std::string js = "const x = " + std::string(depth, '[') + "1" + std::string(depth, ']') + ";\n";
  std::string py = "x = " + std::string(depth, '(') + "1" + std::string(depth, ')') + "\n";
  std::string json = std::string(depth, '[') + std::string(depth, ']');
  for (const auto& [path, text] : std::vector<std::pair<std::string, std::string>>{
           {"/p/deep.js", js}, {"/p/deep.py", py}, {"/p/deep.json", json}}) {
    SCOPED_TRACE(path);
    auto r = ParseBlocks(path, text);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    ExpectWellFormed(*r, text);
  }
}

TEST(ParserTest, OnlyCommentsIsKept) {
  std::string py;
  for (int i = 0; i < 40; ++i) py += "# comment line number " + std::to_string(i) + " of many\n";
  // Default: blocks of comment lines; the original's query chunker (fixed): line chunks.
  auto r = ParseBlocks("/p/c.py", py);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].type, "comment");
  ExpectWellFormed(*r, py);
  r = ParseBlocks("/p/c.py", py, *ParseOptionsForChunker("fixed"));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].type, "fallback_chunk");
}

TEST(ParserTest, RandomBytesInEveryRoute) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (const char* path : {"/p/r.py", "/p/r.js", "/p/r.md", "/p/r.vb", "/p/r.html", "/p/r.c"}) {
    for (int round = 0; round < 5; ++round) {
      std::string s(3000 + round * 500, ' ');
      for (char& c : s) c = static_cast<char>(byte(rng));
      auto r = ParseBlocks(path, s);
      ASSERT_TRUE(r.ok()) << path << ": " << r.error().ToString();
      ExpectWellFormed(*r, parse_internal::RepairUtf8(s));
    }
  }
}

TEST(ParserTest, UnsupportedOrEmptyGivesNoBlocks) {
  auto r = ParseBlocks("/p/notes.txt", std::string(500, 'x'));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  r = ParseBlocks("/p/a.py", "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(ParserTest, ConcurrentCallsGiveTheSameBlocks) {
  std::string py;
  for (int i = 0; i < 30; ++i) {
    py += "def function_number_" + std::to_string(i) + "(argument):\n    return argument * " +
          std::to_string(i) + " + 12345\n\n";
  }
  auto expected = ParseBlocks("/p/t.py", py);
  ASSERT_TRUE(expected.ok());
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto r = ParseBlocks(t % 2 ? "/p/t.py" : "/p/t.js", py);
        if (t % 2 && r.ok() && r->size() == expected->size() &&
            (*r)[0].segment_hash == (*expected)[0].segment_hash) {
          ++ok[t];
        }
        if (t % 2 == 0 && r.ok()) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[t], 5) << t;
}

TEST(ParserTest, OptionsHashChangesWithEveryField) {
  ParseOptions base;
  const uint64_t h = ParseOptionsHash(base);
  EXPECT_EQ(h, ParseOptionsHash(ParseOptions{}));
  ParseOptions o = base;
  o.compat = true;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.min_block_chars = 40;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.max_block_chars = 1200;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.max_chars_tolerance_factor = 1.2;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.min_chunk_remainder_chars = 100;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.chunker = Chunker::kQuery;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.complete_max_chars = 2000;
  EXPECT_NE(ParseOptionsHash(o), h);
  o = base;
  o.complete_min_chars = 100;
  EXPECT_NE(ParseOptionsHash(o), h);
}

TEST(ParserTest, LanguageNames) {
  EXPECT_EQ(LanguageNameForPath("a/b.PY"), "python");
  EXPECT_EQ(LanguageNameForPath("x.tsx"), "tsx");
  EXPECT_EQ(LanguageNameForPath("x.swift"), "swift");
  EXPECT_EQ(LanguageNameForPath("x.vb"), "");
  EXPECT_EQ(LanguageNameForPath("x.md"), "");
  EXPECT_GE(SupportedLanguages().size(), 30u);
}

}  // namespace
}  // namespace codeindex
