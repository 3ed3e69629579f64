// `codeindex chunks`, `symbols` and `context` through the real binary.
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace codeindex::testing {
namespace {

const char kPython[] =
    "import os\n"
    "\n"
    "class Greeter:\n"
    "    def greet(self, name):\n"
    "        message = 'Hello, ' + name + '! Welcome to the e2e test.'\n"
    "        return message\n";

TEST(ParseE2eTest, ChunksJsonMatchesTheContract) {
  TempDir dir;
  std::string path = dir.Write("src/g.py", kPython);
  RunResult r = RunCodeindex({"chunks", "--json", "src/g.py"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["file_path"], "src/g.py");
  ASSERT_TRUE(j["blocks"].is_array());
  // The default (complete) chunker: the whole small file is one block, named by its first
  // definition, typed by its first line.
  ASSERT_EQ(j["blocks"].size(), 1u) << r.out;
  const auto& b = j["blocks"][0];
  EXPECT_EQ(b["type"], "import_statement");
  EXPECT_EQ(b["identifier"], "Greeter");
  EXPECT_EQ(b["start_line"], 1);
  EXPECT_EQ(b["end_line"], 6);
  EXPECT_EQ(b["segment_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(b["content"].get<std::string>().rfind("import os\n\nclass Greeter:", 0), 0u);
  for (const char* key :
       {"start_line", "end_line", "type", "identifier", "segment_hash", "content"}) {
    EXPECT_TRUE(b.contains(key)) << key;
  }
  // The hash covers the absolute path: the same file given absolutely hashes the same.
  RunResult abs = RunCodeindex({"chunks", "--json", path});
  ASSERT_EQ(abs.exit_code, 0) << abs.err;
  EXPECT_EQ(nlohmann::json::parse(abs.out)["blocks"][0]["segment_hash"], b["segment_hash"]);
}

TEST(ParseE2eTest, ChunksIdentifierIsNullWhenAbsent) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 30; ++i) text += "Line number " + std::to_string(i) + " of a plain VB file\n";
  dir.Write("a.vb", text);
  RunResult r = RunCodeindex({"chunks", "--json", "a.vb"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["blocks"].empty());
  EXPECT_TRUE(j["blocks"][0]["identifier"].is_null());
  EXPECT_EQ(j["blocks"][0]["type"], "fallback_chunk");
}

TEST(ParseE2eTest, ChunksHumanOutput) {
  TempDir dir;
  dir.Write("g.py", kPython);
  RunResult r = RunCodeindex({"chunks", "g.py"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("g.py:1-6  import_statement  Greeter"), std::string::npos) << r.out;
  r = RunCodeindex({"chunks", "--chunker", "original", "g.py"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("g.py:3-6  class_definition  Greeter"), std::string::npos) << r.out;
}

// The chunker is chosen by --chunker, else by the workspace's config.toml.
TEST(ParseE2eTest, ChunkerSelection) {
  TempDir dir;
  dir.Write("g.py", kPython);
  dir.Write(".codeindex/config.toml", "chunker = \"original\"\n");
  RunResult r = RunCodeindex({"chunks", "--json", "--workspace", ".", "g.py"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["blocks"].size(), 2u) << r.out;  // the class and its method
  EXPECT_EQ(j["blocks"][0]["type"], "class_definition");
  r = RunCodeindex({"chunks", "--json", "--workspace", ".", "--chunker", "default", "g.py"},
                   dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["blocks"].size(), 1u) << r.out;
  r = RunCodeindex({"chunks", "--chunker", "fancy", "g.py"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  dir.Write(".codeindex/config.toml", "[index]\nchunker = \"fancy\"\n");
  r = RunCodeindex({"chunks", "--workspace", ".", "g.py"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("unknown chunker"), std::string::npos) << r.err;
}

// docs/original.md §4.6 through the binary: `chunks --chunker original --json` reproduces
// the original's test vectors (TV-H's hash needs the original's absolute path: unit test).
std::string Numbered(int count, char filler) {
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

std::string Blocks(const std::string& out) {
  auto j = nlohmann::json::parse(out);
  std::string s;
  for (const auto& b : j["blocks"]) {
    s += b["type"].get<std::string>() + " " + std::to_string(b["start_line"].get<int>()) + "-" +
         std::to_string(b["end_line"].get<int>()) + " " +
         std::to_string(b["content"].get<std::string>().size());
    if (!b["identifier"].is_null()) s += " " + b["identifier"].get<std::string>();
    s += ";";
  }
  return s;
}

TEST(ParseE2eTest, OriginalChunkerTestVectors) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"a.vb", Numbered(40, 'a')},
      {"b.vb", Numbered(25, 'b')},
      {"c.vb", std::string(48, 'x') + "\n" + std::string(2500, 'z') + "\n" + std::string(59, 'y')},
      {"d.vb", std::string(30, 'd')},
      {"e.vb", std::string(49, 'a') + "\n"},
      {"f.vb", std::string(49, 'a') + "\n" + std::string(1140, 'b')},
      {"g.md", std::string(75, 'i') + "\n\n# Title\nShort.\n\nSetext Heading\n" +
                   std::string(14, '-') + "\n" + std::string(77, 'w') + "\n## Tiny\nok\n"},
      {"i.ts",
       "class Greeter {\n  constructor(private name: string) {}\n  greet(): string {\n"
       "    return `Hello, ${this.name}! Nice to meet you.`;\n  }\n}\n"},
  };
  const std::vector<std::string> expected = {
      "fallback_chunk 1-23 1149;fallback_chunk 24-40 849;",
      "fallback_chunk 1-21 1149;fallback_chunk 22-25 99;",
      "fallback_chunk_segment 2-2 1000;fallback_chunk_segment 2-2 1000;"
      "fallback_chunk_segment 2-2 500;fallback_chunk 3-3 59;",
      "",
      "fallback_chunk 1-2 50;",
      "fallback_chunk 1-1 49;fallback_chunk 2-2 1140;",
      "markdown_content 1-2 76;markdown_header_h2 6-8 107 Setext Heading;",
      "",  // TV-I: checked below
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    dir.Write(inputs[i].first, inputs[i].second);
    RunResult r =
        RunCodeindex({"chunks", "--chunker", "original", "--json", inputs[i].first}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << inputs[i].first << ": " << r.err;
    if (inputs[i].first == "i.ts") {
      auto j = nlohmann::json::parse(r.out);
      ASSERT_EQ(j["blocks"].size(), 2u) << r.out;
      EXPECT_EQ(j["blocks"][0]["type"], "class_declaration");
      EXPECT_EQ(j["blocks"][0]["start_line"], 1);
      EXPECT_EQ(j["blocks"][0]["end_line"], 6);
      EXPECT_EQ(j["blocks"][1]["type"], "method_definition");
      EXPECT_EQ(j["blocks"][1]["start_line"], 3);
      EXPECT_EQ(j["blocks"][1]["end_line"], 5);
      continue;
    }
    EXPECT_EQ(Blocks(r.out), expected[i]) << inputs[i].first;
  }
}

TEST(ParseE2eTest, SymbolsJson) {
  TempDir dir;
  dir.Write("g.py", kPython);
  RunResult r = RunCodeindex({"symbols", "--json", "g.py"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["file_path"], "g.py");
  ASSERT_EQ(j["symbols"].size(), 2u) << r.out;
  EXPECT_EQ(j["symbols"][0]["name"], "Greeter");
  EXPECT_EQ(j["symbols"][0]["kind"], "class");
  EXPECT_FALSE(j["symbols"][0].contains("scope"));
  EXPECT_EQ(j["symbols"][1]["name"], "greet");
  EXPECT_EQ(j["symbols"][1]["kind"], "method");
  EXPECT_EQ(j["symbols"][1]["scope"], "Greeter");
  EXPECT_EQ(j["symbols"][1]["start_line"], 4);
  EXPECT_EQ(j["symbols"][1]["end_line"], 6);
  ASSERT_EQ(j["imports"].size(), 1u);
  EXPECT_EQ(j["imports"][0]["text"], "import os");
  EXPECT_EQ(j["imports"][0]["line"], 1);
}

TEST(ParseE2eTest, ContextJsonAndHuman) {
  TempDir dir;
  dir.Write("g.py", kPython);
  RunResult r = RunCodeindex({"context", "--json", "g.py:5-6"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["start_line"], 5);
  EXPECT_EQ(j["end_line"], 6);
  EXPECT_EQ(j["content"].get<std::string>().find("message ="), 8u);
  ASSERT_EQ(j["enclosing"].size(), 2u);
  EXPECT_EQ(j["enclosing"][0]["signature"], "class Greeter:");
  EXPECT_EQ(j["enclosing"][1]["signature"], "def greet(self, name):");
  EXPECT_EQ(j["imports"][0]["text"], "import os");
  RunResult h = RunCodeindex({"context", "g.py:5-5"}, dir.path());
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("5\t        message ="), std::string::npos) << h.out;
}

TEST(ParseE2eTest, BadInputsAreOneLineUserErrors) {
  TempDir dir;
  dir.Write("g.py", kPython);
  dir.Write("notes.txt", "hello");
  for (auto args : std::vector<std::vector<std::string>>{{"context", "g.py:9-12"},
                                                         {"context", "g.py:4-2"},
                                                         {"context", "g.py:0-1"},
                                                         {"context", "g.py"},
                                                         {"context", "g.py:a-b"},
                                                         {"context", "missing.py:1-2"},
                                                         {"chunks", "missing.py"},
                                                         {"chunks", "notes.txt"},
                                                         {"symbols", "notes.txt"}}) {
    RunResult r = RunCodeindex(args, dir.path());
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err.rfind("codeindex: ", 0), 0u) << r.err;
    EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
  }
}

}  // namespace
}  // namespace codeindex::testing
