#include "embed/pool_kernels.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "embed/safetensors.h"

namespace codeindex {
namespace {

// Integer-valued data: every implementation must agree exactly, whatever the summation order
// or fused multiply-add.
TEST(PoolKernelsTest, Avx2MatchesScalarExactly) {
  if (!internal::PoolKernelsUseAvx2()) GTEST_SKIP() << "CPU without AVX2/FMA/F16C";
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(-100, 100);
  for (size_t dim = 1; dim <= 70; ++dim) {
    std::vector<float> f32(dim), acc0(dim), acc1(dim);
    std::vector<uint16_t> f16(dim);
    std::vector<int8_t> i8(dim);
    for (size_t i = 0; i < dim; ++i) {
      f32[i] = static_cast<float>(d(rng));
      f16[i] = FloatToHalf(f32[i]);
      i8[i] = static_cast<int8_t>(d(rng));
      acc0[i] = acc1[i] = static_cast<float>(d(rng));
    }
    const float w = 3.0f;
    internal::AxpyF32Scalar(f32.data(), w, acc0.data(), dim);
    internal::AxpyF32Avx2(f32.data(), w, acc1.data(), dim);
    ASSERT_EQ(acc0, acc1) << "f32 dim " << dim;
    internal::AxpyF16Scalar(f16.data(), w, acc0.data(), dim);
    internal::AxpyF16Avx2(f16.data(), w, acc1.data(), dim);
    ASSERT_EQ(acc0, acc1) << "f16 dim " << dim;
    internal::AxpyI8Scalar(i8.data(), w, acc0.data(), dim);
    internal::AxpyI8Avx2(i8.data(), w, acc1.data(), dim);
    ASSERT_EQ(acc0, acc1) << "i8 dim " << dim;
  }
}

TEST(PoolKernelsTest, ScalarComputesAxpy) {
  const float row[3] = {1, -2, 4};
  float acc[3] = {1, 1, 1};
  AxpyF32(row, 0.5f, acc, 3);
  EXPECT_EQ(acc[0], 1.5f);
  EXPECT_EQ(acc[1], 0.0f);
  EXPECT_EQ(acc[2], 3.0f);
}

}  // namespace
}  // namespace codeindex
