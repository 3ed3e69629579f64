#include "stream/zstd.h"

#include <random>
#include <string>

#include <gtest/gtest.h>
#include <zstd.h>

namespace codeindex {
namespace {

std::string Sample(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  static const char* kWords[] = {"context", "window", "summary", "token", "{\"role\":", "\n"};
  while (s.size() < n) s += kWords[rng() % 6];
  s.resize(n);
  return s;
}

TEST(Zstd, FrameRoundTripWithReusedContexts) {
  ZstdCompressor c;
  ZstdDecompressor d;
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{300000}}) {
    const std::string in = Sample(n, static_cast<uint32_t>(n));
    std::string z;
    ASSERT_TRUE(c.CompressFrame(in, &z).ok());
    // The frame records its size and libzstd's one-shot decoder reads it.
    EXPECT_EQ(ZSTD_getFrameContentSize(z.data(), z.size()), n);
    std::string back(n, '\0');
    EXPECT_EQ(ZSTD_decompress(back.data(), back.size(), z.data(), z.size()), n);
    EXPECT_EQ(back, in);
    std::string out;
    ASSERT_TRUE(d.DecompressAll(z, &out).ok());
    EXPECT_EQ(out, in);
  }
}

TEST(Zstd, StreamingInPiecesAndConcatenatedFrames) {
  const std::string a = Sample(200000, 1), b = Sample(5000, 2);
  ZstdCompressor c(5);
  std::string z;
  ASSERT_TRUE(c.Begin().ok());
  for (size_t i = 0; i < a.size(); i += 777) {
    ASSERT_TRUE(c.Write(std::string_view(a).substr(i, 777), &z).ok());
  }
  const size_t before_flush = z.size();
  ASSERT_TRUE(c.Flush(&z).ok());
  EXPECT_GT(z.size(), before_flush);  // a flush makes progress visible
  ASSERT_TRUE(c.End(&z).ok());
  ASSERT_TRUE(c.CompressFrame(b, &z).ok());  // a second frame after the first

  ZstdDecompressor d;
  d.Begin();
  std::string out;
  for (size_t i = 0; i < z.size(); i += 100) {
    ASSERT_TRUE(d.Write(std::string_view(z).substr(i, 100), &out).ok());
  }
  ASSERT_TRUE(d.End().ok());
  EXPECT_EQ(out, a + b);
}

TEST(Zstd, PledgedSizeIsChecked) {
  ZstdCompressor c;
  std::string z;
  ASSERT_TRUE(c.Begin(10).ok());
  ASSERT_TRUE(c.Write("12345", &z).ok());
  EXPECT_FALSE(c.End(&z).ok());
  // The context recovers for the next frame.
  z.clear();
  ASSERT_TRUE(c.CompressFrame("fine", &z).ok());
  std::string out;
  ZstdDecompressor d;
  ASSERT_TRUE(d.DecompressAll(z, &out).ok());
  EXPECT_EQ(out, "fine");
}

TEST(Zstd, CorruptTruncatedAndOversizedInput) {
  ZstdCompressor c;
  std::string z;
  const std::string in = Sample(100000, 3);
  ASSERT_TRUE(c.CompressFrame(in, &z).ok());
  ZstdDecompressor d;
  std::string out;
  EXPECT_EQ(d.DecompressAll(std::string_view(z).substr(0, z.size() / 2), &out).code(),
            Code::kInvalidArgument);
  out.clear();
  EXPECT_EQ(d.DecompressAll("not zstd at all", &out).code(), Code::kInvalidArgument);
  ZstdDecompressor small(1000);
  out.clear();
  EXPECT_EQ(small.DecompressAll(z, &out).code(), Code::kInvalidArgument);
  EXPECT_LE(out.size(), 1000u + ZSTD_DStreamOutSize());
  out.clear();
  ASSERT_TRUE(d.DecompressAll("", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(Zstd, ThreadLocalCompressorIsReused) {
  ZstdCompressor* a = ThreadLocalZstdCompressor(1);
  ZstdCompressor* b = ThreadLocalZstdCompressor(19);
  EXPECT_EQ(a, b);
  EXPECT_EQ(b->level(), 19);
}

}  // namespace
}  // namespace codeindex
