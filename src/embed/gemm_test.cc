#include "embed/gemm.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(GemmTest, OneDnnInt8MatchesScalarReferenceExactly) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> u8(0, 127), s8(-127, 127);
  for (auto [m, n, k] : {std::tuple{1, 1, 1}, {3, 5, 7}, {17, 33, 64}, {64, 96, 384}}) {
    std::vector<uint8_t> a(static_cast<size_t>(m) * k);
    std::vector<int8_t> b(static_cast<size_t>(n) * k);
    for (auto& x : a) x = static_cast<uint8_t>(u8(rng));
    for (auto& x : b) x = static_cast<int8_t>(s8(rng));
    std::vector<int32_t> got(static_cast<size_t>(m) * n), want(got.size());
    ASSERT_TRUE(GemmU8S8S32(m, n, k, a.data(), b.data(), got.data()).ok());
    GemmU8S8S32Reference(m, n, k, a.data(), b.data(), want.data());
    EXPECT_EQ(got, want) << m << "x" << n << "x" << k;
  }
}

std::vector<float> NaiveLinear(const std::vector<float>& x, int m, int k,
                               const std::vector<float>& w, const std::vector<float>& b, int n) {
  std::vector<float> y(static_cast<size_t>(m) * n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double acc = b[j];
      for (int p = 0; p < k; ++p) acc += static_cast<double>(x[i * k + p]) * w[j * k + p];
      y[i * n + j] = static_cast<float>(acc);
    }
  }
  return y;
}

TEST(GemmTest, LinearF32AndInt8AgainstNaive) {
  std::mt19937 rng(5);
  std::normal_distribution<float> d(0.0f, 1.0f);
  const int m = 9, k = 48, n = 20;
  std::vector<float> x(m * k), w(n * k), b(n);
  for (auto& v : x) v = d(rng);
  for (auto& v : w) v = d(rng) * 0.2f;
  for (auto& v : b) v = d(rng);
  const std::vector<float> want = NaiveLinear(x, m, k, w, b, n);

  std::vector<float> got(m * n);
  LinearF32(x.data(), m, k, w.data(), b.data(), n, got.data());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4f);

  const QuantizedLinear q = QuantizeLinear(w.data(), n, k);
  ASSERT_TRUE(LinearI8(x.data(), m, q, b.data(), got.data()).ok());
  // 7-bit activations x 8-bit weights: errors of a few percent of the output's scale.
  double err = 0, norm = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    err += (got[i] - want[i]) * (got[i] - want[i]);
    norm += want[i] * want[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.03);
}

TEST(GemmTest, QuantizeLinearPerChannel) {
  const std::vector<float> w = {1.0f, -0.5f, 0.25f, /*row 2*/ 0.0f, 0.0f, 0.0f};
  const QuantizedLinear q = QuantizeLinear(w.data(), 2, 3);
  EXPECT_FLOAT_EQ(q.scale[0], 1.0f / 127.0f);
  EXPECT_EQ(q.q[0], 127);
  EXPECT_EQ(q.q[1], -64);  // round(-63.5) away from zero
  EXPECT_EQ(q.q[2], 32);
  EXPECT_EQ(q.col_sum[0], 127 - 64 + 32);
  EXPECT_EQ(q.scale[1], 1.0f);  // an all-zero channel keeps a harmless scale
  EXPECT_EQ(q.col_sum[1], 0);
}

}  // namespace
}  // namespace codeindex
