#include "embed/safetensors.h"

#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

std::string Floats(std::initializer_list<float> v) {
  std::string s;
  for (float f : v) s.append(reinterpret_cast<const char*>(&f), 4);
  return s;
}

std::string Image(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

TEST(SafetensorsTest, RoundTripsTensorsAndMetadata) {
  const std::string image =
      SerializeSafetensors({{"a", DType::kF32, {2, 2}, Floats({1, 2, 3, 4})},
                            {"b", DType::kI8, {3}, std::string("\x01\xff\x7f", 3)}},
                           {{"format", "pt"}});
  auto f = SafetensorsFile::FromBuffer(image, "mem");
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  const TensorView* a = f->Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(a->ToFloat(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a->data) % 8, reinterpret_cast<uintptr_t>(image.data()) % 8)
      << "data starts on a multiple of 8 from the image start";
  EXPECT_EQ(f->Find("b")->ToFloat(), (std::vector<float>{1, -1, 127}));
  EXPECT_EQ(f->Find("c"), nullptr);
  EXPECT_EQ(f->metadata().at("format"), "pt");
}

struct BadCase {
  const char* what;
  std::string image;
};

TEST(SafetensorsTest, RefusesMalformedFilesWithCorruption) {
  const std::string four = Floats({1, 2, 3, 4});
  const BadCase cases[] = {
      {"too short", std::string("\x01\x00", 2)},
      {"header past end", Image("{}", "").substr(0, 8) + std::string("\xff", 1)},
      {"huge header length", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8)},
      {"not json", Image("{nope", "")},
      {"not an object", Image("[1,2]", "")},
      {"unknown dtype", Image(R"({"t":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}})", four)},
      {"size mismatch", Image(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", four)},
      {"past buffer", Image(R"({"t":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}})", four)},
      {"begin > end", Image(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", four)},
      {"negative dim", Image(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", four)},
      {"overflowing shape",
       Image(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})",
             four)},
      {"overlap", Image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                        four)},
      {"offsets not pair", Image(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", four)},
      {"bad metadata", Image(R"({"__metadata__":{"k":1}})", "")},
  };
  for (const BadCase& c : cases) {
    auto f = SafetensorsFile::FromBuffer(c.image, "bad.safetensors");
    ASSERT_FALSE(f.ok()) << c.what;
    EXPECT_EQ(f.error().code(), Code::kCorruption) << c.what;
    EXPECT_NE(f.error().message().find("bad.safetensors"), std::string::npos) << c.what;
  }
}

TEST(SafetensorsTest, OpenNamesTheMissingFile) {
  auto f = SafetensorsFile::Open("/nonexistent/model.safetensors");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("/nonexistent/model.safetensors"), std::string::npos);
}

TEST(HalfFloatTest, KnownValues) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_EQ(FloatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7C00);
  EXPECT_EQ(BFloat16ToFloat(0x3F80), 1.0f);
}

TEST(HalfFloatTest, EveryFiniteHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00) continue;  // inf / nan
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    const uint16_t back = FloatToHalf(f);
    if (h == 0x8000) {
      EXPECT_EQ(back, 0x8000);
      continue;
    }
    ASSERT_EQ(back, h) << "half 0x" << std::hex << h;
  }
}

}  // namespace
}  // namespace codeindex
