#include "tokens/rank_table.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tokens/embedded_ranks.h"

namespace codeindex::tokens {
namespace {

TEST(RankTableTest, EmbeddedVocabulariesRoundTrip) {
  for (TokenEncoding e : {TokenEncoding::kCl100kBase, TokenEncoding::kO200kBase}) {
    auto table = RankTable::FromBlob(EmbeddedRanksBlob(e));
    ASSERT_TRUE(table.ok()) << table.error().ToString();
    const RankTable& t = **table;
    EXPECT_EQ(t.size(), e == TokenEncoding::kO200kBase ? 199998u : 100256u);
    for (uint32_t r = 0; r < t.size(); ++r) {
      std::string_view b = t.Bytes(r);
      // Copy to an exact-size heap buffer so that ASan catches any read past the end.
      std::vector<uint8_t> copy(b.begin(), b.end());
      ASSERT_EQ(t.Find(copy.data(), copy.size()), r) << r;
    }
    for (int b = 0; b < 256; ++b) {
      EXPECT_EQ(t.Bytes(t.ByteRank(static_cast<uint8_t>(b))), std::string(1, static_cast<char>(b)));
    }
  }
}

TEST(RankTableTest, KnownTokens) {
  auto table = RankTable::FromBlob(EmbeddedRanksBlob(TokenEncoding::kO200kBase));
  ASSERT_TRUE(table.ok());
  auto find = [&](std::string_view s) {
    return (*table)->Find(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(find("hello"), 24912u);
  EXPECT_EQ(find(" world"), 2375u);
  EXPECT_EQ(find("!"), 0u);
  EXPECT_EQ(find("no such token, surely not in any vocabulary"), RankTable::kNoRank);
  EXPECT_EQ(find(std::string(300, 'x')), RankTable::kNoRank);
}

TEST(RankTableTest, RejectsMalformedBlobs) {
  std::string good(EmbeddedRanksBlob(TokenEncoding::kCl100kBase));
  ASSERT_TRUE(RankTable::FromBlob(good).ok());
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(RankTable::FromBlob(bad_magic).error().code(), Code::kCorruption);
  std::string bad_version = good;
  bad_version[8] = 99;
  EXPECT_EQ(RankTable::FromBlob(bad_version).error().code(), Code::kCorruption);
  EXPECT_EQ(RankTable::FromBlob(good.substr(0, good.size() - 1)).error().code(), Code::kCorruption);
  EXPECT_EQ(RankTable::FromBlob("").error().code(), Code::kCorruption);
  // A flipped bit in the hash table or in a token is caught by verification.
  std::string flipped = good;
  flipped[40] ^= 1;
  EXPECT_EQ(RankTable::FromBlob(flipped).error().code(), Code::kCorruption);
  flipped = good;
  flipped[good.size() - 1] ^= 1;
  EXPECT_EQ(RankTable::FromBlob(flipped).error().code(), Code::kCorruption);
}

TEST(RankTableTest, BuildRejectsBadVocabularies) {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
  ASSERT_TRUE(BuildRanksBlob(tokens).ok());
  auto dup = tokens;
  dup.push_back("ab");
  dup.push_back("ab");
  EXPECT_EQ(BuildRanksBlob(dup).error().code(), Code::kInvalidArgument);
  auto missing = tokens;
  missing[7] = "xy";  // byte 7 has no token now
  EXPECT_EQ(BuildRanksBlob(missing).error().code(), Code::kInvalidArgument);
  auto empty = tokens;
  empty.push_back("");
  EXPECT_EQ(BuildRanksBlob(empty).error().code(), Code::kInvalidArgument);
}

TEST(RankTableTest, HashReadsOnlyItsBytesAndSpreadsLengths) {
  // Each length in its own exact-size allocation (ASan checks the bounds); equal prefixes
  // of different lengths must not collide systematically.
  std::vector<uint64_t> hashes;
  for (size_t n = 0; n <= 64; ++n) {
    std::vector<uint8_t> buf(n, 'a');
    hashes.push_back(HashBytes(buf.data(), n));
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    for (size_t j = i + 1; j < hashes.size(); ++j) EXPECT_NE(hashes[i], hashes[j]) << i << " " << j;
  }
}

}  // namespace
}  // namespace codeindex::tokens
