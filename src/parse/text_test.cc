#include "parse/text.h"

#include <gtest/gtest.h>

namespace codeindex::parse_internal {
namespace {

TEST(TextTest, Utf16Length) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(Utf16Length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(Utf16Length("\xF0\x9F\x98\x80"), 2u);  // U+1F600: a surrogate pair
}

TEST(TextTest, RepairFollowsWhatwgMaximalSubparts) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"ok", "ok"},
      {"\xFF", "\xEF\xBF\xBD"},
      {"a\xC3", "a\xEF\xBF\xBD"},                                // truncated at end
      {"\xE2\x82(", "\xEF\xBF\xBD("},                            // one FFFD for E2 82
      {"\xF0\x9F\x98", "\xEF\xBF\xBD"},                          // one FFFD for a 3-byte prefix
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // overlong: two
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // surrogate: three
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // > U+10FFFF
      {"\xEF\xBB\xBFx", "\xEF\xBB\xBFx"},                                        // BOM kept
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RepairUtf8(c.in), c.out);
    EXPECT_EQ(IsValidUtf8(c.in), c.in == c.out);
    EXPECT_TRUE(IsValidUtf8(RepairUtf8(c.in)));
  }
}

TEST(TextTest, JsSlicePrefixSplitsSurrogatePairsLikeNode) {
  std::string s =
      "ab\xF0\x9F\x98\x80"
      "c";
  EXPECT_EQ(JsSlicePrefix(s, 2), "ab");
  EXPECT_EQ(JsSlicePrefix(s, 3), "ab\xEF\xBF\xBD");
  EXPECT_EQ(JsSlicePrefix(s, 4), "ab\xF0\x9F\x98\x80");
  EXPECT_EQ(JsSlicePrefix(s, 100), s);
}

TEST(TextTest, JsTrim) {
  EXPECT_EQ(JsTrim("  a b \t\r\n"), "a b");
  EXPECT_EQ(JsTrim("\xC2\xA0x\xE3\x80\x80"), "x");      // NBSP, ideographic space
  EXPECT_EQ(JsTrim("\xEF\xBB\xBFx"), "x");              // BOM is whitespace for trim()
  EXPECT_EQ(JsTrim("\xE2\x80\x8Bx"), "\xE2\x80\x8Bx");  // ZWSP is not
  EXPECT_EQ(JsTrim(" \n "), "");
}

TEST(TextTest, SplitLinesLikeJavaScript) {
  auto l = SplitLines("a\r\nb\n\nc");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l.line(0), "a\r");
  EXPECT_EQ(l.line(1), "b");
  EXPECT_EQ(l.line(2), "");
  EXPECT_EQ(l.line(3), "c");
  EXPECT_EQ(SplitLines("").size(), 1u);
  EXPECT_EQ(SplitLines("x\n").size(), 2u);
}

}  // namespace
}  // namespace codeindex::parse_internal
