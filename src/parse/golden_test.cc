// Golden files: for every fixture in testdata/ (one per language), the blocks of
// ParseBlocks in both modes, as `chunks --json` prints them, must equal the stored
// <fixture>.golden.json. Regenerate after an intended change with
//   CODEINDEX_UPDATE_GOLDEN=1 build/debug/src/parse/parse_test --gtest_filter='Golden*'
// and review the diff.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lang/languages.h"
#include "parse/chunker.h"
#include "parse/grammars.h"
#include "parse/parser.h"
#include "parse/symbols.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::ordered_json BlocksJson(const std::vector<CodeBlock>& blocks) {
  auto arr = nlohmann::ordered_json::array();
  for (const CodeBlock& b : blocks) {
    nlohmann::ordered_json j;
    j["start_line"] = b.start_line;
    j["end_line"] = b.end_line;
    j["type"] = b.type;
    j["identifier"] = b.identifier ? nlohmann::ordered_json(*b.identifier) : nullptr;
    j["segment_hash"] = b.segment_hash;
    j["content"] = b.content;
    arr.push_back(std::move(j));
  }
  return arr;
}

TEST(GoldenTest, EveryFixtureMatchesItsGoldenFile) {
  const fs::path dir = CODEINDEX_PARSE_TESTDATA;
  const bool update = std::getenv("CODEINDEX_UPDATE_GOLDEN") != nullptr;
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path p = entry.path();
    if (p.string().size() > 12 && p.string().substr(p.string().size() - 12) == ".golden.json")
      continue;
    SCOPED_TRACE(p.filename().string());
    const std::string content = ReadAll(p);
    const std::string hash_path = "/fixture/" + p.filename().string();
    nlohmann::ordered_json got;
    got["file_path"] = hash_path;
    for (bool compat : {false, true}) {
      ParseOptions o;
      o.chunker = Chunker::kQuery;  // the goldens hold the query chunker's blocks
      o.compat = compat;
      auto blocks = ParseBlocks(hash_path, content, o);
      ASSERT_TRUE(blocks.ok()) << blocks.error().ToString();
      got[compat ? "compat_blocks" : "blocks"] = BlocksJson(*blocks);
    }
    auto syms = ExtractSymbols(hash_path, content);
    ASSERT_TRUE(syms.ok()) << syms.error().ToString();
    // ParseFile (one parse for both) agrees with ParseBlocks and ExtractSymbols.
    ParseOptions query;
    query.chunker = Chunker::kQuery;
    auto both = ParseFile(hash_path, content, query);
    ASSERT_TRUE(both.ok()) << both.error().ToString();
    EXPECT_EQ(BlocksJson(both->blocks), got["blocks"]);
    // The default (complete) chunker through ParseFile agrees with ParseBlocks too.
    auto complete = ParseFile(hash_path, content);
    auto complete_blocks = ParseBlocks(hash_path, content);
    ASSERT_TRUE(complete.ok() && complete_blocks.ok());
    EXPECT_EQ(BlocksJson(complete->blocks), BlocksJson(*complete_blocks));
    EXPECT_EQ(complete->symbols.symbols.size(), syms->symbols.size());
    ASSERT_EQ(both->symbols.symbols.size(), syms->symbols.size());
    for (size_t i = 0; i < syms->symbols.size(); ++i) {
      EXPECT_EQ(both->symbols.symbols[i].name, syms->symbols[i].name);
      EXPECT_EQ(both->symbols.symbols[i].scope, syms->symbols[i].scope);
      EXPECT_EQ(both->symbols.symbols[i].start_line, syms->symbols[i].start_line);
    }
    EXPECT_EQ(both->symbols.imports.size(), syms->imports.size());
    EXPECT_EQ(both->symbols.language, syms->language);
    auto js = nlohmann::ordered_json::array();
    for (const Symbol& s : syms->symbols) {
      js.push_back(s.kind + " " + (s.scope.empty() ? "" : s.scope + ".") + s.name + " " +
                   std::to_string(s.start_line) + "-" + std::to_string(s.end_line));
    }
    for (const Import& i : syms->imports) js.push_back("import " + std::to_string(i.line));
    got["symbols"] = js;
    const std::string text = got.dump(1) + "\n";
    const fs::path golden = p.string() + ".golden.json";
    if (update) {
      std::ofstream(golden, std::ios::binary) << text;
    } else {
      ASSERT_TRUE(fs::exists(golden))
          << "missing " << golden << " (run with CODEINDEX_UPDATE_GOLDEN=1)";
      EXPECT_EQ(text, ReadAll(golden));
    }
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

// The sorted next_match order used by the chunker equals next_capture's order (what the
// original gets from query.captures()) on every fixture.
TEST(GoldenTest, CaptureOrderEqualsNextCaptureOrder) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(CODEINDEX_PARSE_TESTDATA)) {
    const std::string path = entry.path().string();
    if (path.find(".golden.json") != std::string::npos) continue;
    const LanguageEntry* e = LanguageForPath(path);
    if (e == nullptr || e->language.empty()) continue;
    auto rt = parse_internal::GetRuntime(e->language);
    ASSERT_TRUE(rt.ok());
    if (!(*rt)->chunk_query) continue;
    SCOPED_TRACE(path);
    const std::string text = ReadAll(entry.path());
    TSParser* parser = parse_internal::ThreadParser((*rt)->language);
    TSTree* tree = ts_parser_parse_string(parser, nullptr, text.data(), text.size());
    std::vector<TSNode> sorted, reference;
    ASSERT_TRUE(parse_internal::CollectCaptures(*(*rt)->chunk_query, ts_tree_root_node(tree), text,
                                                0, &sorted)
                    .ok());
    parse_internal::CollectCapturesInCaptureOrder(*(*rt)->chunk_query, ts_tree_root_node(tree),
                                                  text, &reference);
    // next_capture drops a match that repeats a capture of the same pattern on the same
    // node (tree-sitter's longest-match dedup of buffered states, e.g. one
    // variable_declaration with two identifiers); next_match reports both. A repeated node
    // cannot change the chunker's output (it processes each node once), so the orders are
    // compared on first occurrences.
    auto first_occurrences = [](const std::vector<TSNode>& v) {
      std::vector<TSNode> out;
      std::set<std::pair<const void*, uint32_t>> seen;
      for (const TSNode& n : v) {
        if (seen.insert({n.id, ts_node_start_byte(n)}).second) out.push_back(n);
      }
      return out;
    };
    sorted = first_occurrences(sorted);
    reference = first_occurrences(reference);
    auto describe = [&](const std::vector<TSNode>& v) {
      std::string d;
      for (const TSNode& n : v) {
        d += std::string(ts_node_type(n)) + "@" + std::to_string(ts_node_start_byte(n)) + " ";
      }
      return d;
    };
    EXPECT_EQ(describe(sorted), describe(reference));
    if (sorted.size() != reference.size()) continue;
    for (size_t i = 0; i < sorted.size(); ++i) {
      EXPECT_TRUE(ts_node_eq(sorted[i], reference[i]))
          << i << ": " << ts_node_type(sorted[i]) << "@" << ts_node_start_byte(sorted[i]) << " vs "
          << ts_node_type(reference[i]) << "@" << ts_node_start_byte(reference[i]);
    }
    ts_tree_delete(tree);
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

}  // namespace
}  // namespace codeindex
