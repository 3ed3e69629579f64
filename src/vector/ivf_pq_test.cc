#include "vector/ivf_pq.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "vector/synthetic.h"

namespace codeindex::vec {
namespace {

TEST(IvfListsTest, AppendLaysOutCodesForTheScanKernel) {
  const size_t code_bytes = 3;  // m = 6
  IvfLists lists(2, code_bytes);
  std::mt19937 rng(1);
  std::vector<std::vector<uint8_t>> codes;
  for (uint32_t i = 0; i < 70; ++i) {
    std::vector<uint8_t> packed(code_bytes);
    for (uint8_t& b : packed) b = static_cast<uint8_t>(rng());
    codes.push_back(packed);
    lists.Append(1, 100 + i, packed.data());
  }
  ASSERT_EQ(lists.size(1), 70u);
  EXPECT_EQ(lists.size(0), 0u);
  // Unpacked codes round-trip, and the scalar scan with a one-hot table reads them back.
  for (size_t i = 0; i < 70; ++i) {
    for (size_t j = 0; j < 6; ++j) {
      EXPECT_EQ(lists.Code(1, i, j), (codes[i][j / 2] >> (4 * (j % 2))) & 15);
    }
  }
  std::vector<uint8_t> lut(3 * 32, 0);
  for (size_t c = 0; c < 16; ++c) lut[1 * 32 + 16 + c] = static_cast<uint8_t>(c);  // sub-q 3
  std::vector<uint16_t> out(96);
  ScalarKernels().pq4_scan_blocks(lists.blocks(1), 3, lut.data(), 3, out.data());
  for (size_t i = 0; i < 70; ++i) EXPECT_EQ(out[i], codes[i][1] >> 4) << i;
  EXPECT_EQ(lists.rows(1)[69], 169u);

  std::vector<uint32_t> map(200, IvfLists::kDropped);
  map[100 + 5] = 0;
  map[100 + 69] = 1;
  lists.Remap(map);
  ASSERT_EQ(lists.size(1), 2u);
  EXPECT_EQ(lists.rows(1)[1], 1u);
  EXPECT_EQ(lists.Code(1, 1, 4), codes[69][2] & 15);
}

TEST(PqModelTest, ApproximateScoresTrackExactOnes) {
  SyntheticOptions so;
  so.dim = 64;
  so.clusters = 50;
  SyntheticVectors gen(so);
  const size_t n = 4000;
  std::vector<float> x = gen.Generate(0, n);
  ScopedOmpThreads one(1);
  auto model = PqModel::Train(x.data(), n, so.dim, 32, 4, 3);
  ASSERT_TRUE(model.ok()) << model.error().ToString();
  EXPECT_EQ(model->m(), 16u);
  IvfLists lists(model->nlist(), model->code_bytes());
  std::vector<uint32_t> assign(n);
  model->Assign(x.data(), n, assign.data());
  std::vector<uint8_t> packed(model->code_bytes());
  for (size_t i = 0; i < n; ++i) {
    model->Encode(&x[i * so.dim], assign[i], packed.data());
    lists.Append(assign[i], static_cast<uint32_t>(i), packed.data());
  }
  // The best approximate candidate among all lists is nearly as good as the exact best, and
  // the approximate score is close to the true inner product.
  std::vector<float> q = gen.Generate(1u << 30, 1);
  auto cands = ScanIvf(Kernels(), *model, lists, q.data(), model->nlist(), 20,
                       [](uint32_t) { return true; });
  ASSERT_EQ(cands.size(), 20u);
  float best = -2;
  for (size_t i = 0; i < n; ++i) {
    best = std::max(best, Kernels().dot_f32(q.data(), &x[i * so.dim], so.dim));
  }
  const float top = Kernels().dot_f32(q.data(), &x[cands[0].row * so.dim], so.dim);
  EXPECT_GT(top, best - 0.05f);
  EXPECT_NEAR(cands[0].approx, top, 0.1f);
  EXPECT_TRUE(std::is_sorted(cands.begin(), cands.end(),
                             [](auto& a, auto& b) { return a.approx > b.approx; }));
  // The accept callback runs inside the scan: rejected rows never take a slot.
  auto odd = ScanIvf(Kernels(), *model, lists, q.data(), model->nlist(), 20,
                     [](uint32_t row) { return row % 2 == 1; });
  ASSERT_EQ(odd.size(), 20u);
  for (const Candidate& c : odd) EXPECT_EQ(c.row % 2, 1u);

  auto bytes = model->Serialize();
  auto back = PqModel::Deserialize(bytes, "test");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Serialize(), bytes);
  EXPECT_FALSE(PqModel::Deserialize(bytes.substr(0, bytes.size() - 1), "test").ok());
}

}  // namespace
}  // namespace codeindex::vec
