#include "cache/bloom.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(BloomFilterTest, NoFalseNegativesAndFalsePositivesNearTarget) {
  BloomFilter f(10000, 0.01);
  EXPECT_GE(f.probes(), 6);
  for (int i = 0; i < 10000; ++i) f.Add(HashKey("in " + std::to_string(i)));
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(f.MayContain(HashKey("in " + std::to_string(i))));
  int fp = 0;
  for (int i = 0; i < 100000; ++i) fp += f.MayContain(HashKey("out " + std::to_string(i)));
  EXPECT_LT(fp, 2000);  // 1 % target: ~1000 of 100000; 2 % fails the test
  EXPECT_EQ(f.items(), 10000u);
}

TEST(BloomFilterTest, EmptyFilterContainsNothing) {
  BloomFilter f(100, 0.001);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(f.MayContain(HashKey(std::to_string(i))));
}

TEST(BloomFilterTest, ConcurrentAddsAreAllVisible) {
  BloomFilter f(80000, 0.01);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&f, t] {
      for (int i = 0; i < 10000; ++i) f.Add(HashKey(std::to_string(t) + ":" + std::to_string(i)));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) {
    for (int i = 0; i < 10000; ++i) {
      ASSERT_TRUE(f.MayContain(HashKey(std::to_string(t) + ":" + std::to_string(i))));
    }
  }
}

}  // namespace
}  // namespace codeindex
