#include "embed/unicode.h"

#include <gtest/gtest.h>

namespace codeindex::unicode {
namespace {

std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) out.push_back(DecodeUtf8(s, &i));
  return out;
}

TEST(UnicodeTest, DecodesValidAndReplacesInvalidSequences) {
  EXPECT_EQ(Decode("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
            (std::u32string{'a', 0xE9, 0x20AC, 0x1F600}));
  EXPECT_EQ(Decode("\xC3"), (std::u32string{kReplacement}));                    // truncated
  EXPECT_EQ(Decode("\xC0\xAF"), (std::u32string{kReplacement, kReplacement}));  // overlong
  EXPECT_EQ(Decode("\xED\xA0\x80"),                                             // surrogate
            (std::u32string{kReplacement, kReplacement, kReplacement}));
  EXPECT_EQ(Decode("\xFF"
                   "a"),
            (std::u32string{kReplacement, 'a'}));
  std::string out;
  for (char32_t c : {U'a', U'\u00e9', U'\u20ac', U'\U0001F600'}) AppendUtf8(c, &out);
  EXPECT_EQ(out, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(UnicodeTest, Utf16LengthCountsLikeJavaScript) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(Utf16Length("\xF0\x9F\x98\x80"), 2u);  // 😀 is a surrogate pair
  // A prefix never splits a code point: 3 units of "a😀b" is "a😀".
  EXPECT_EQ(Utf16Prefix("a\xF0\x9F\x98\x80"
                        "b",
                        3),
            "a\xF0\x9F\x98\x80");
  EXPECT_EQ(Utf16Prefix("a\xF0\x9F\x98\x80"
                        "b",
                        2),
            "a");
  EXPECT_EQ(Utf16Prefix("abc", 10), "abc");
}

TEST(UnicodeTest, CharacterClasses) {
  EXPECT_TRUE(IsWhitespace(' '));
  EXPECT_TRUE(IsWhitespace(0x3000));
  EXPECT_FALSE(IsWhitespace('a'));
  EXPECT_TRUE(IsControl(0x07));
  EXPECT_FALSE(IsControl('\n'));
  EXPECT_TRUE(IsControl(0x200B));
  for (char c : std::string("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")) {
    EXPECT_TRUE(IsPunctuation(static_cast<unsigned char>(c))) << c;
  }
  EXPECT_TRUE(IsPunctuation(0x2014));  // em dash
  EXPECT_TRUE(IsPunctuation(0x3002));  // ideographic full stop
  EXPECT_FALSE(IsPunctuation('a'));
  EXPECT_FALSE(IsPunctuation(0xE9));
  EXPECT_TRUE(IsCjk(0x4E2D));
  EXPECT_FALSE(IsCjk('a'));
  EXPECT_TRUE(IsWordChar('_'));
  EXPECT_TRUE(IsWordChar(0xE9));
  EXPECT_FALSE(IsWordChar('-'));
}

TEST(UnicodeTest, LowercaseAndAccents) {
  EXPECT_EQ(ToLower('A'), U'a');
  EXPECT_EQ(ToLower(0xC9), 0xE9u);    // É -> é
  EXPECT_EQ(ToLower(0xD7), 0xD7u);    // × unchanged
  EXPECT_EQ(ToLower(0x100), 0x101u);  // Ā -> ā
  EXPECT_EQ(ToLower(0x141), 0x142u);  // Ł -> ł
  EXPECT_EQ(ToLower(0x17D), 0x17Eu);  // Ž -> ž
  EXPECT_EQ(ToLower(0x178), 0xFFu);   // Ÿ -> ÿ
  EXPECT_EQ(ToLower(0x394), 0x3B4u);  // Δ -> δ
  EXPECT_EQ(ToLower(0x416), 0x436u);  // Ж -> ж
  EXPECT_EQ(ToLower(0x401), 0x451u);  // Ё -> ё
  EXPECT_EQ(StripAccent(0xE9), U'e');
  EXPECT_EQ(StripAccent(0xC7), U'C');
  EXPECT_EQ(StripAccent(0x17E), U'z');    // ž
  EXPECT_EQ(StripAccent(0x142), 0x142u);  // ł has no decomposition
  EXPECT_EQ(StripAccent(0xDF), 0xDFu);    // ß
}

}  // namespace
}  // namespace codeindex::unicode
