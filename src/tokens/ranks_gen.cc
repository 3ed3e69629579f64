// Build-time tool: converts a tiktoken encoder file from the pinned npm package
// (tiktoken@1.0.21 encoders/<name>.json: {"bpe_ranks": "! <first rank> <base64 token>...",
// ...}, each line a run of consecutive ranks) into the ranks blob of rank_table.h, and
// checks it by loading it back.
//
// Usage: tokens_ranks_gen IN.json OUT.ranks
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "tokens/rank_table.h"

namespace {

bool Base64Decode(std::string_view in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

int Fail(const std::string& msg) {
  std::cerr << "tokens_ranks_gen: " << msg << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return Fail("usage: tokens_ranks_gen IN.json OUT.ranks");
  auto text = codeindex::ReadFile(argv[1]);
  if (!text.ok()) return Fail(text.error().ToString());
  std::string ranks_text;
  try {
    ranks_text = nlohmann::json::parse(*text).at("bpe_ranks").get<std::string>();
  } catch (const std::exception& e) {
    return Fail(std::string(argv[1]) + ": " + e.what());
  }
  std::map<uint32_t, std::string> tokens;
  std::istringstream lines(ranks_text);
  std::string line, token;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string marker;
    uint64_t first = 0;
    if (!(fields >> marker >> first)) return Fail("bad line in bpe_ranks");
    for (uint64_t rank = first; fields >> token; ++rank) {
      std::string bytes;
      if (!Base64Decode(token, &bytes) || bytes.empty() || bytes.size() > 255) {
        return Fail("bad token at rank " + std::to_string(rank));
      }
      if (!tokens.emplace(static_cast<uint32_t>(rank), bytes).second) {
        return Fail("rank " + std::to_string(rank) + " twice");
      }
    }
  }
  if (tokens.empty() || tokens.rbegin()->first + 1 != tokens.size()) {
    return Fail("ranks are not 0..n-1");
  }
  std::vector<std::string> by_rank;
  by_rank.reserve(tokens.size());
  for (auto& [rank, bytes] : tokens) by_rank.push_back(std::move(bytes));
  auto blob = codeindex::tokens::BuildRanksBlob(by_rank);
  if (!blob.ok()) return Fail(std::string(argv[1]) + ": " + blob.error().ToString());
  auto table = codeindex::tokens::RankTable::FromBlob(*blob, /*verify=*/true);
  if (!table.ok()) return Fail(table.error().ToString());
  codeindex::Status st = codeindex::WriteFileAtomic(argv[2], *blob);
  if (!st.ok()) return Fail(st.ToString());
  return 0;
}
