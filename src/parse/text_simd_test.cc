// Every SIMD kernel against its scalar reference on random inputs: ASCII, 2/3/4-byte
// sequences, invalid bytes, every length 0..300 and every alignment.
#include "parse/text_simd.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "parse/text.h"

namespace codeindex::parse_internal {
namespace {

std::string RandomBytes(std::mt19937* rng, size_t n, bool valid) {
  static const char* kPieces[] = {"a",    "\n", "Z", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                  "\r\n", " ",  "\t"};
  std::string s;
  std::uniform_int_distribution<int> pick(0, 8), byte(0, 255), coin(0, 9);
  while (s.size() < n) {
    if (!valid && coin(*rng) == 0) {
      s += static_cast<char>(byte(*rng));
    } else {
      s += kPieces[pick(*rng)];
    }
  }
  return s;
}

TEST(TextSimdTest, KernelsMatchScalarReference) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 400; ++round) {
    const bool valid = round % 2 == 0;
    std::string s = RandomBytes(&rng, static_cast<size_t>(round % 300), valid);
    for (size_t off = 0; off < 4 && off <= s.size(); ++off) {
      const char* p = s.data() + off;
      size_t n = s.size() - off;
      size_t u = Utf16LengthScalar(p, n);
      EXPECT_EQ(Utf16LengthSse2(p, n), u);
      if (CpuHasAvx2()) {
        EXPECT_EQ(Utf16LengthAvx2(p, n), u);
      }
      EXPECT_EQ(Utf16LengthFast(p, n), u);
      std::vector<uint32_t> a, b, c;
      FindNewlinesScalar(p, n, 7, &a);
      FindNewlinesSse2(p, n, 7, &b);
      EXPECT_EQ(a, b);
      if (CpuHasAvx2()) {
        FindNewlinesAvx2(p, n, 7, &c);
        EXPECT_EQ(a, c);
      }
      size_t ap = AsciiPrefixScalar(p, n);
      EXPECT_EQ(AsciiPrefixSse2(p, n), ap);
      if (CpuHasAvx2()) {
        EXPECT_EQ(AsciiPrefixAvx2(p, n), ap);
      }
    }
    // Valid UTF-8 (after repair): the unit count equals a code-point walk.
    std::string r = RepairUtf8(s);
    size_t units = 0;
    for (size_t i = 0; i < r.size();) {
      auto b0 = static_cast<unsigned char>(r[i]);
      size_t len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
      units += len == 4 ? 2 : 1;
      i += len;
    }
    EXPECT_EQ(Utf16Length(r), units);
  }
}

}  // namespace
}  // namespace codeindex::parse_internal
