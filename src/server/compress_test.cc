#include "server/compress.h"

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(ChooseContentCoding, FollowsQValuesAndPrefersZstdOnTies) {
  EXPECT_EQ(ChooseContentCoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding("gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("gzip, deflate, br, zstd"), ContentCoding::kZstd);
  EXPECT_EQ(ChooseContentCoding("zstd;q=0.5, gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("zstd;q=0, gzip;q=0"), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding("*"), ContentCoding::kZstd);
  EXPECT_EQ(ChooseContentCoding("br, deflate"), ContentCoding::kIdentity);
}

TEST(Compress, GzipAndZstdRoundTrip) {
  std::string data;
  for (int i = 0; i < 2000; ++i)
    data += "{\"file_path\": \"src/a.py\", \"line\": " + std::to_string(i) + "}";
  auto gz = GzipCompress(data);
  ASSERT_TRUE(gz.ok());
  EXPECT_LT(gz->size(), data.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // gzip magic
  auto back = GzipDecompress(*gz);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  auto zs = ZstdCompress(data);
  ASSERT_TRUE(zs.ok());
  EXPECT_LT(zs->size(), data.size() / 4);
  auto back2 = ZstdDecompress(*zs);
  ASSERT_TRUE(back2.ok());
  EXPECT_EQ(*back2, data);
}

TEST(Compress, CorruptInputIsAnError) {
  EXPECT_FALSE(GzipDecompress("not gzip at all").ok());
  EXPECT_FALSE(ZstdDecompress("not zstd at all").ok());
}

}  // namespace
}  // namespace codeindex
