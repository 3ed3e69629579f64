#include "base/utf8.h"

#include <gtest/gtest.h>

namespace codeindex {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8Test, ValidTextIsUnchanged) {
  for (std::string s : {"", "plain ascii", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80 emoji",
                        "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(ToValidUtf8(s), s);
  }
}

// Expected outputs follow the WHATWG decoder (Node's Buffer.toString / TextDecoder).
TEST(Utf8Test, MaximalSubpartReplacement) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"a\xFF" "b", "a" + kFffd + "b"},
      {"\xC0\xAF", kFffd + kFffd},                  // overlong lead byte
      {"\xE0\x80\xAF", kFffd + kFffd + kFffd},      // E0 needs A0..BF
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},      // surrogate
      {"\xE2\x82", kFffd},                          // truncated 3-byte: one U+FFFD
      {"\xE2\x82x", kFffd + "x"},
      {"\xF0\x9F\x98", kFffd},                      // truncated 4-byte
      {"\xF5\x80", kFffd + kFffd},                  // beyond U+10FFFF
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},
      {"\x80", kFffd},
      {"ok\xC3", "ok" + kFffd},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsValidUtf8(c.in));
    EXPECT_EQ(ToValidUtf8(c.in), c.out);
    EXPECT_TRUE(IsValidUtf8(ToValidUtf8(c.in)));
  }
  EXPECT_EQ(ValidUtf8Prefix("abcdefghij\xFFzz"), 10u);
}

}  // namespace
}  // namespace codeindex
