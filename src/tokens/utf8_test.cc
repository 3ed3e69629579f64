#include "tokens/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace codeindex::tokens {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

struct Case {
  std::string in;
  std::string replaced;  // as the WHATWG decoder (Node's Buffer#toString) produces it
};

TEST(Utf8Test, ReplacesMaximalIllFormedSubsequencesLikeWhatwg) {
  const Case cases[] = {
      {"", ""},
      {"plain ascii", "plain ascii"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"\x80", kFffd},             // lone continuation byte
      {"a\xC3", "a" + kFffd},      // truncated at the end
      {"\xE2\x82", kFffd},         // one replacement for the subpart
      {"\xE2\x82z", kFffd + "z"},  // the breaking byte is kept
      {"\xF0\x9F\x98"
       "A",
       kFffd + "A"},                                        // truncated 4-byte sequence
      {"\xC0\xAF", kFffd + kFffd},                          // overlong: C0 never starts one
      {"\xE0\x80\x80", kFffd + kFffd + kFffd},              // overlong 3-byte form
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},              // UTF-8 encoded surrogate
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // above U+10FFFF
      {"\xF5\xFF", kFffd + kFffd},
      {"\xEF\xBB\xBFx", "\xEF\xBB\xBFx"},  // a BOM is kept, as Buffer#toString keeps it
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReplaceInvalidUtf8(c.in), c.replaced) << c.in;
    EXPECT_EQ(IsValidUtf8(c.in), c.in == c.replaced) << c.in;
  }
}

TEST(Utf8Test, ValidatesLongAsciiWithATrailingError) {
  std::string s(1000, 'x');
  EXPECT_TRUE(IsValidUtf8(s));
  s += "\xFF";
  EXPECT_FALSE(IsValidUtf8(s));
  s = "\xFF" + std::string(1000, 'x');
  EXPECT_FALSE(IsValidUtf8(s));
}

TEST(Utf8Test, DecodesEveryLength) {
  const struct {
    std::string bytes;
    uint32_t cp;
  } cases[] = {{"A", 0x41},
               {"\xC3\xA9", 0xE9},
               {"\xE2\x82\xAC", 0x20AC},
               {"\xF0\x9F\x98\x80", 0x1F600},
               {"\xF4\x8F\xBF\xBF", 0x10FFFF}};
  for (const auto& c : cases) {
    size_t len = 0;
    EXPECT_EQ(DecodeValid(reinterpret_cast<const uint8_t*>(c.bytes.data()), &len), c.cp);
    EXPECT_EQ(len, c.bytes.size());
  }
}

}  // namespace
}  // namespace codeindex::tokens
