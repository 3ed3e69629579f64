// The complete chunker: every non-blank line in exactly one block, within the budget,
// definitions whole while they fit, context for the pieces of a split definition.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "parse/parser.h"
#include "parse/text.h"

namespace codeindex {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Blank(std::string_view line) {
  return parse_internal::JsTrim(line).empty();
}

// Every non-blank line is in exactly one block (segments of one long line count once),
// no block starts or ends on a blank line, and every block is within the budget.
void ExpectComplete(const std::string& path, const std::string& text,
                    const std::vector<CodeBlock>& blocks, size_t max_units) {
  const parse_internal::Lines lines = parse_internal::SplitLines(text);
  std::vector<int> covered(lines.size() + 1, 0);
  int last_segment_line = -1;
  for (const CodeBlock& b : blocks) {
    ASSERT_GE(b.start_line, 1) << path;
    ASSERT_LE(b.end_line, static_cast<int>(lines.size())) << path;
    const bool segment = b.type.size() > 8 && b.type.ends_with("_segment");
    EXPECT_LE(parse_internal::Utf16Length(b.content), max_units) << path << ":" << b.start_line;
    if (segment) {
      EXPECT_EQ(b.start_line, b.end_line);
      if (b.start_line == last_segment_line) continue;
      last_segment_line = b.start_line;
    } else {
      EXPECT_FALSE(Blank(lines.line(static_cast<size_t>(b.start_line - 1)))) << path;
      EXPECT_FALSE(Blank(lines.line(static_cast<size_t>(b.end_line - 1)))) << path;
    }
    for (int l = b.start_line; l <= b.end_line; ++l) ++covered[static_cast<size_t>(l)];
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (Blank(lines.line(i))) continue;
    EXPECT_EQ(covered[i + 1], 1) << path << ": line " << i + 1 << " in " << covered[i + 1]
                                 << " blocks: " << lines.line(i);
  }
}

TEST(CompleteChunkerTest, EveryFixtureLineIsInExactlyOneBlock) {
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(CODEINDEX_PARSE_TESTDATA)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".json") && name.find(".golden") != std::string::npos) continue;
    const std::string text = ReadFile(e.path());
    auto r = ParseBlocks("/w/" + name, text);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().ToString();
    if (LanguageNameForPath(name).empty() && !name.ends_with(".md") &&
        !name.ends_with(".markdown") && r->empty()) {
      continue;  // an extension without a route (nothing indexed, not a loss)
    }
    ExpectComplete(name, text, *r, 1500);
    ++files;
  }
  EXPECT_GT(files, 20);
}

TEST(CompleteChunkerTest, RandomBudgetsKeepCoverage) {
  const std::string text = ReadFile(std::filesystem::path(CODEINDEX_PARSE_TESTDATA) / "sample.py");
  ASSERT_FALSE(text.empty());
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    ParseOptions o;
    o.complete_max_chars = 40 + static_cast<int>(rng() % 2000);
    o.complete_min_chars = static_cast<int>(rng() % 500);
    auto r = ParseBlocks("/w/sample.py", text, o);
    ASSERT_TRUE(r.ok());
    ExpectComplete("sample.py", text, *r, static_cast<size_t>(o.complete_max_chars));
  }
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The express pattern: every `app.x = function x() {...}` is a block of the file, none is
// lost (the original's query keeps none of them).
TEST(CompleteChunkerTest, AssignedFunctionsAreIndexed) {
  std::string js = "'use strict';\nvar app = exports = module.exports = {};\n\n";
  for (int i = 0; i < 12; ++i) {
    js += "/**\n * Handler number " + std::to_string(i) + ".\n */\n";
    js += "app.handler" + std::to_string(i) + " = function handler" + std::to_string(i) +
          "(req, res) {\n" + Repeat("  res.write('line of the handler body');\n", 6) + "};\n\n";
  }
  auto r = ParseBlocks("/w/application.js", js);
  ASSERT_TRUE(r.ok());
  ExpectComplete("application.js", js, *r, 1500);
  auto original = ParseBlocks("/w/application.js", js, *ParseOptionsForChunker("original"));
  ASSERT_TRUE(original.ok());
  // Each handler is whole in one block together with its doc comment.
  for (int i = 0; i < 12; ++i) {
    const std::string head = "app.handler" + std::to_string(i) + " = function";
    const std::string doc = "Handler number " + std::to_string(i) + ".";
    int found = 0;
    for (const CodeBlock& b : *r) {
      if (b.content.find(head) == std::string::npos) continue;
      ++found;
      EXPECT_NE(b.content.find(doc), std::string::npos) << b.content;
    }
    EXPECT_EQ(found, 1) << head;
  }
  // Each handler (~370 characters) is a block of its own.
  EXPECT_EQ(r->size(), 12u);
  // One-line functions are grouped, not one tiny block each.
  std::string tiny;
  for (int i = 0; i < 12; ++i) {
    tiny += "app.f" + std::to_string(i) + " = function () { return " + std::to_string(i) + "; };\n";
  }
  r = ParseBlocks("/w/tiny.js", tiny);
  ASSERT_TRUE(r.ok());
  ExpectComplete("tiny.js", tiny, *r, 1500);
  EXPECT_EQ(r->size(), 1u);
  // With block_cost 1, neighbouring handlers are packed up to the budget.
  ParseOptions packed;
  packed.complete_block_cost = 1.0;
  r = ParseBlocks("/w/application.js", js, packed);
  ASSERT_TRUE(r.ok());
  ExpectComplete("application.js", js, *r, 1500);
  EXPECT_LT(r->size(), 12u);
}

// A C function longer than the budget: its body is indexed, cut between statements, and
// every piece but the first carries the function's signature as context.
TEST(CompleteChunkerTest, LongCFunctionBodyIsSplitWithContext) {
  std::string c = "#include <stdio.h>\n\nstatic int process_request(struct request *req, int flags) {\n";
  for (int i = 0; i < 60; ++i) {
    c += "  if (req->field" + std::to_string(i) + " > flags) {\n    req->total += req->field" +
         std::to_string(i) + ";\n  }\n";
  }
  c += "  return req->total;\n}\n\nint main(void) { return 0; }\n";
  auto r = ParseBlocks("/w/server.c", c);
  ASSERT_TRUE(r.ok());
  ExpectComplete("server.c", c, *r, 1500);
  ASSERT_GE(r->size(), 3u);
  int with_context = 0;
  for (const CodeBlock& b : *r) {
    if (b.start_line > 3 && b.content.find("req->field") != std::string::npos) {
      EXPECT_EQ(b.context, "static int process_request(struct request *req, int flags) {")
          << b.start_line;
      ++with_context;
      // Cuts fall between statements: a piece starts at an `if`, never inside one.
      EXPECT_TRUE(b.content.starts_with("  if (") || b.content.starts_with("  return"))
          << b.content.substr(0, 40);
    }
  }
  EXPECT_GE(with_context, 2);
  EXPECT_EQ(r->front().identifier.value_or(""), "process_request");
}

// Definitions that fit stay whole: each function of about 1000 characters is exactly one
// block, never cut in the middle to fill a block.
TEST(CompleteChunkerTest, DefinitionsThatFitStayWhole) {
  std::string py;
  for (int f = 0; f < 4; ++f) {
    py += "def function_" + std::to_string(f) + "(a, b):\n";
    py += Repeat("    a = a + b * 2  # a line of the function body, ~55 chars\n", 17);
    py += "    return a\n\n\n";
  }
  auto r = ParseBlocks("/w/f.py", py);
  ASSERT_TRUE(r.ok());
  ExpectComplete("f.py", py, *r, 1500);
  ASSERT_EQ(r->size(), 4u);
  for (int f = 0; f < 4; ++f) {
    EXPECT_TRUE((*r)[static_cast<size_t>(f)].content.starts_with("def function_" +
                                                                 std::to_string(f)));
    EXPECT_EQ((*r)[static_cast<size_t>(f)].identifier.value_or(""),
              "function_" + std::to_string(f));
    EXPECT_EQ((*r)[static_cast<size_t>(f)].type, "function_definition");
  }
}

TEST(CompleteChunkerTest, MethodsOfALargeClassKeepTheClassAsContext) {
  std::string py = "import os\n\n\nclass Store(Base):\n    \"\"\"A store.\"\"\"\n\n";
  for (int m = 0; m < 8; ++m) {
    py += "    def method_" + std::to_string(m) + "(self, key):\n";
    py += Repeat("        value = self.lookup(key) or os.environ.get(key)\n", 6);
    py += "        return value\n\n";
  }
  auto r = ParseBlocks("/w/store.py", py);
  ASSERT_TRUE(r.ok());
  ExpectComplete("store.py", py, *r, 1500);
  ASSERT_GE(r->size(), 2u);
  for (size_t i = 1; i < r->size(); ++i) {
    EXPECT_EQ((*r)[i].context, "class Store(Base):") << (*r)[i].start_line;
    EXPECT_TRUE((*r)[i].content.starts_with("    def method_")) << (*r)[i].content;
  }
  // The class header goes with its first method(s), not alone.
  EXPECT_NE(r->front().content.find("def method_0"), std::string::npos);
}

TEST(CompleteChunkerTest, MinifiedLineBecomesSegments) {
  std::string js;
  while (js.size() < 5000) js += "var x=function(a){return a+1};";
  js += "\nfunction after() { return 1; }\n";
  auto r = ParseBlocks("/w/min.js", js);
  ASSERT_TRUE(r.ok());
  ExpectComplete("min.js", js, *r, 1500);
  std::string joined;
  for (const CodeBlock& b : *r) {
    if (b.start_line == 1) joined += b.content;
  }
  EXPECT_EQ(joined, js.substr(0, js.find('\n')));
}

TEST(CompleteChunkerTest, MarkdownBlocksAreNamedByTheirHeader) {
  std::string md = "# Title\n\nIntro text.\n\n## Install\n\n" + Repeat("Run the installer.\n", 80) +
                   "\n## Usage\n\n" + Repeat("Call the tool.\n", 80);
  auto r = ParseBlocks("/w/README.md", md);
  ASSERT_TRUE(r.ok());
  ExpectComplete("README.md", md, *r, 1500);
  // A block is named by the first header in it, else by the header it is under.
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].identifier.value_or(""), "Title");  // holds # Title and ## Install
  EXPECT_NE((*r)[1].content.find("## Usage"), std::string::npos);
  EXPECT_EQ((*r)[1].identifier.value_or(""), "Usage");
  for (const CodeBlock& b : *r) EXPECT_EQ(b.type, "markdown_section");
  // A block with no header of its own is named by the header above it.
  auto lines = ParseBlocks("/w/README.md", "# Top\n" + Repeat("Some words of text.\n", 150));
  ASSERT_TRUE(lines.ok());
  ASSERT_GE(lines->size(), 2u);
  EXPECT_EQ(lines->back().identifier.value_or(""), "Top");
}

TEST(CompleteChunkerTest, TinyFileIsOneBlock) {
  auto r = ParseBlocks("/w/__init__.py", "from .core import run\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().content, "from .core import run");
  // The original drops it (below 50 characters).
  auto o = ParseBlocks("/w/__init__.py", "from .core import run\n", *ParseOptionsForChunker("original"));
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->empty());
}

// ParseFile counts coverage with the chunker's notion of a blank line (NBSP is blank).
TEST(CompleteChunkerTest, ParseFileCountsCoverage) {
  const std::string py = "def f():\n    return 1\n\xC2\xA0\n\n";
  auto r = ParseFile("/w/f.py", py);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lines, 2);
  EXPECT_EQ(r->covered_lines, 2);
  // The original's chunker drops this function (under 50 characters): 0 of 2 covered.
  r = ParseFile("/w/f.py", py, *ParseOptionsForChunker("original"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lines, 2);
  EXPECT_EQ(r->covered_lines, 0);
}

TEST(CompleteChunkerTest, ChunkerNames) {
  EXPECT_EQ(ParseOptionsForChunker("default")->chunker, Chunker::kComplete);
  EXPECT_TRUE(ParseOptionsForChunker("original")->compat);
  EXPECT_EQ(ParseOptionsForChunker("fixed")->chunker, Chunker::kQuery);
  EXPECT_FALSE(ParseOptionsForChunker("fixed")->compat);
  EXPECT_FALSE(ParseOptionsForChunker("fancy").ok());
  EXPECT_NE(ParseOptionsHash(*ParseOptionsForChunker("default")),
            ParseOptionsHash(*ParseOptionsForChunker("fixed")));
  ParseOptions wide;
  wide.complete_max_chars = 2500;
  EXPECT_NE(ParseOptionsHash(wide), ParseOptionsHash(ParseOptions()));
}

}  // namespace
}  // namespace codeindex
