#include "tokens/byte_pair.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tokens/embedded_ranks.h"

namespace codeindex::tokens {
namespace {

// The rank table of o200k_base, reached through the public tokenizer: the test compares
// the two merge implementations on real ranks.
class BytePairTest : public ::testing::Test {
 protected:
  static std::vector<uint32_t> Quadratic(const RankTable& t, const std::string& s) {
    std::vector<uint32_t> out;
    size_t n = BytePairQuadratic(t, reinterpret_cast<const uint8_t*>(s.data()), s.size(), &out);
    EXPECT_EQ(n, out.size());
    return out;
  }
  static std::vector<uint32_t> Heap(const RankTable& t, const std::string& s) {
    std::vector<uint32_t> out;
    size_t n = BytePairHeap(t, reinterpret_cast<const uint8_t*>(s.data()), s.size(), &out);
    EXPECT_EQ(n, out.size());
    return out;
  }
};

std::unique_ptr<RankTable> TinyTable() {
  // Every byte, then "ab" (rank 256), "bc" (257), "abc" (258), "cd" (259).
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
  for (const char* t : {"ab", "bc", "abc", "cd"}) tokens.emplace_back(t);
  static std::string blob;  // must outlive the table
  blob = BuildRanksBlob(tokens).value();
  return std::move(RankTable::FromBlob(blob)).value();
}

TEST_F(BytePairTest, LowestRankFirstLeftmostOnTies) {
  auto t = TinyTable();
  // "abcd": pairs ab(256) bc(257) cd(259): merge ab -> [ab][c][d]; then abc(258) and cd(259):
  // abc wins -> [abc][d].
  EXPECT_EQ(Quadratic(*t, "abcd"), (std::vector<uint32_t>{258, 'd'}));
  // "bcd": bc(257) before cd(259) -> [bc][d]; "bcd" is no token.
  EXPECT_EQ(Quadratic(*t, "bcd"), (std::vector<uint32_t>{257, 'd'}));
  // "abab": two equal ranks, leftmost first; both merge.
  EXPECT_EQ(Quadratic(*t, "abab"), (std::vector<uint32_t>{256, 256}));
  EXPECT_EQ(Quadratic(*t, "x"), (std::vector<uint32_t>{'x'}));
  for (const char* s : {"abcd", "bcd", "abab", "x", "cdabcbcab"}) {
    EXPECT_EQ(Heap(*t, s), Quadratic(*t, s)) << s;
  }
}

TEST_F(BytePairTest, HeapMatchesQuadraticOnRandomPieces) {
  auto table = RankTable::FromBlob(EmbeddedRanksBlob(TokenEncoding::kO200kBase));
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  std::mt19937 rng(42);
  const std::string alphabet = " eetaoinsrhl_()=.{}\n\t0123456789ABCZ\xC3\xA9\xE4\xB8\xAD";
  for (int round = 0; round < 400; ++round) {
    size_t len = 2 + rng() % (round < 300 ? 40 : 400);
    std::string s;
    for (size_t i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    if (round % 7 == 0) s = std::string(len, ' ');
    EXPECT_EQ(Heap(**table, s), Quadratic(**table, s)) << s;
  }
}

}  // namespace
}  // namespace codeindex::tokens
