// Golden files: for every fixture in testdata/ (one per language), the blocks of
// ParseBlocks in both modes, as `chunks --json` prints them, must equal the stored
// <fixture>.golden.json. Regenerate after an intended change with
//   CODEINDEX_UPDATE_GOLDEN=1 build/debug/src/parse/parse_test --gtest_filter='Golden*'
// and review the diff.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
      o.compat = compat;
      auto blocks = ParseBlocks(hash_path, content, o);
      ASSERT_TRUE(blocks.ok()) << blocks.error().ToString();
      got[compat ? "compat_blocks" : "blocks"] = BlocksJson(*blocks);
    }
    auto syms = ExtractSymbols(hash_path, content);
    ASSERT_TRUE(syms.ok()) << syms.error().ToString();
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

}  // namespace
}  // namespace codeindex
