#include "vector/distance.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex::vec {
namespace {

// Integer-valued inputs keep every partial sum exact, so any summation order gives the same
// float and SIMD results must equal the scalar reference bit for bit.
class DistanceKernelsTest : public ::testing::Test {
 protected:
  std::vector<float> IntFloats(size_t n, int lo, int hi) {
    std::uniform_int_distribution<int> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(d(rng_));
    return v;
  }
  std::mt19937 rng_{42};
};

TEST_F(DistanceKernelsTest, Avx2MatchesScalarOnEveryDimension) {
  const DistanceKernels* avx2 = Avx2Kernels();
  if (avx2 == nullptr) GTEST_SKIP() << "CPU without AVX2/FMA/F16C";
  const DistanceKernels& ref = ScalarKernels();
  for (size_t dim = 0; dim <= 1100; dim += (dim < 80 ? 1 : 37)) {
    std::vector<float> a = IntFloats(dim, -8, 8), b = IntFloats(dim, -8, 8);
    std::vector<int8_t> i8(dim);
    std::vector<uint16_t> f16(dim);
    std::vector<float> raw = IntFloats(dim, -127, 127);
    for (size_t i = 0; i < dim; ++i) {
      i8[i] = static_cast<int8_t>(raw[i]);
      f16[i] = FloatToHalf(b[i]);
    }
    EXPECT_EQ(ref.dot_f32(a.data(), b.data(), dim), avx2->dot_f32(a.data(), b.data(), dim)) << dim;
    EXPECT_EQ(ref.dot_f32_i8(a.data(), i8.data(), dim), avx2->dot_f32_i8(a.data(), i8.data(), dim))
        << dim;
    EXPECT_EQ(ref.dot_f32_f16(a.data(), f16.data(), dim),
              avx2->dot_f32_f16(a.data(), f16.data(), dim))
        << dim;
  }
}

TEST_F(DistanceKernelsTest, ScalarDotIsTheTextbookSum) {
  const float a[] = {1, 2, 3}, b[] = {4, -5, 6};
  const int8_t c[] = {-128, 127, 0};
  EXPECT_EQ(ScalarKernels().dot_f32(a, b, 3), 12.0f);
  EXPECT_EQ(ScalarKernels().dot_f32_i8(a, c, 3), -128.0f + 254.0f);
}

TEST_F(DistanceKernelsTest, Pq4ScanMatchesScalarAndDefinition) {
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t num_pairs : {1, 2, 3, 16, 48, 64}) {
    const size_t num_blocks = 5;
    std::vector<uint8_t> codes(num_blocks * num_pairs * 32), lut(num_pairs * 32);
    for (uint8_t& c : codes) c = static_cast<uint8_t>(byte(rng_));
    const int lut_max = std::min(255, static_cast<int>(32767 / (2 * num_pairs)));
    for (uint8_t& t : lut) t = static_cast<uint8_t>(byte(rng_) % (lut_max + 1));
    std::vector<uint16_t> want(num_blocks * 32), got(num_blocks * 32, 0xffff);
    ScalarKernels().pq4_scan_blocks(codes.data(), num_blocks, lut.data(), num_pairs, want.data());
    // The layout comment in distance.h, restated for vector 17 of block 3.
    {
      const uint8_t* blk = codes.data() + 3 * num_pairs * 32;
      int sum = 0;
      for (size_t p = 0; p < num_pairs; ++p) {
        sum += lut[p * 32 + (blk[p * 32 + 1] >> 4)] + lut[p * 32 + 16 + (blk[p * 32 + 17] >> 4)];
      }
      EXPECT_EQ(want[3 * 32 + 17], sum);
    }
    if (const DistanceKernels* avx2 = Avx2Kernels()) {
      avx2->pq4_scan_blocks(codes.data(), num_blocks, lut.data(), num_pairs, got.data());
      EXPECT_EQ(want, got) << "num_pairs " << num_pairs;
    }
  }
}

TEST(HalfTest, RoundTripsAndRounds) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.96046448e-08f, 0.333333f}) {
    const float back = HalfToFloat(FloatToHalf(f));
    EXPECT_NEAR(back, f, std::fabs(f) * 1e-3f + 1e-12f) << f;
  }
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);                // overflow to infinity
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);  // tie rounds to even
  EXPECT_EQ(FloatToHalf(5.96046448e-08f), 0x0001);     // smallest subnormal
  // Every half converts to float and back unchanged (NaNs aside).
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) continue;
    EXPECT_EQ(FloatToHalf(HalfToFloat(static_cast<uint16_t>(h))), h);
  }
}

}  // namespace
}  // namespace codeindex::vec
