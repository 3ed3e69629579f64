#include "vector/row_store.h"

#include <cmath>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <stdlib.h>

namespace codeindex::vec {
namespace {

class RowStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "rowstoreXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<float> Random(size_t n, size_t dim) {
    std::normal_distribution<float> d;
    std::vector<float> v(n * dim);
    for (float& x : v) x = d(rng_);
    return v;
  }
  std::string dir_;
  std::mt19937 rng_{5};
};

TEST_F(RowStoreTest, QuantisedDotIsCloseToTheFloatDot) {
  const size_t dim = 384, n = 200;
  auto s = RowStore::Create(dir_ + "/r", dim);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  std::vector<float> x = Random(n, dim), q = Random(1, dim);
  std::vector<uint64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = 1000 + i;
  ASSERT_TRUE((*s)->Append(ids.data(), x.data(), n).ok());
  EXPECT_EQ((*s)->rows(), 0u);  // not published yet
  ASSERT_TRUE((*s)->Publish().ok());
  ASSERT_EQ((*s)->rows(), n);
  for (size_t i = 0; i < n; ++i) {
    float want = 0, xn = 0, qn = 0;
    for (size_t d = 0; d < dim; ++d) {
      want += q[d] * x[i * dim + d];
      xn += x[i * dim + d] * x[i * dim + d];
      qn += q[d] * q[d];
    }
    const float got = (*s)->Dot(Kernels(), q.data(), i);
    // Rounding error per coordinate <= scale / 2 = max|x| / 254.
    EXPECT_NEAR(got, want, 0.01f * std::sqrt(xn * qn)) << i;
    EXPECT_EQ((*s)->id(i), 1000 + i);
  }
}

TEST_F(RowStoreTest, ReopenKeepsCommittedRowsAndDropsTheTail) {
  const size_t dim = 10;
  std::vector<float> x = Random(5, dim);
  std::vector<uint64_t> ids = {1, 2, 3, 4, 5};
  {
    auto s = RowStore::Create(dir_ + "/r", dim);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Append(ids.data(), x.data(), 5).ok());
    ASSERT_TRUE((*s)->Publish().ok());
  }
  {
    auto ro = RowStore::Open(dir_ + "/r", dim, 3, /*writable=*/false);
    ASSERT_TRUE(ro.ok()) << ro.error().ToString();
    EXPECT_EQ((*ro)->rows(), 3u);
    EXPECT_FALSE((*ro)->Append(ids.data(), x.data(), 1).ok());
  }
  auto s = RowStore::Open(dir_ + "/r", dim, 3, /*writable=*/true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(std::filesystem::file_size(dir_ + "/r.ids"), 3 * 8u);
  std::vector<uint64_t> more = {9};
  ASSERT_TRUE((*s)->Append(more.data(), x.data(), 1).ok());
  ASSERT_TRUE((*s)->Publish().ok());
  EXPECT_EQ((*s)->id(3), 9u);
  EXPECT_FALSE(RowStore::Open(dir_ + "/r", dim, 100, false).ok());  // shorter than claimed
}

TEST_F(RowStoreTest, ZeroVectorQuantisesToZero) {
  std::vector<uint8_t> rec(RowStore::RecordSize(7));
  std::vector<float> zero(7, 0.0f);
  RowStore::Quantize(zero.data(), 7, rec.data());
  for (uint8_t b : rec) EXPECT_EQ(b, 0);
}

}  // namespace
}  // namespace codeindex::vec
