#include "tokens/pretokenizer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tokens/unicode_classes.h"

namespace codeindex::tokens {
namespace {

std::vector<std::string> Split(Pattern p, const std::string& text) {
  std::vector<std::string> pieces;
  ForEachPiece(p, text, [&](const uint8_t* s, size_t n) {
    pieces.emplace_back(reinterpret_cast<const char*>(s), n);
    return true;
  });
  return pieces;
}

using V = std::vector<std::string>;

struct Case {
  std::string text;
  V cl100k;
  V o200k;
};

// Expected splits follow the regexes in pretokenizer.h (tiktoken_diff_test checks the same
// texts, and many more, against the reference engine).
TEST(PretokenizerTest, SplitsLikeTheRegexes) {
  const Case cases[] = {
      {"hello world", {"hello", " world"}, {"hello", " world"}},
      {"DON'T stop", {"DON", "'T", " stop"}, {"DON'T", " stop"}},
      {"they'll", {"they", "'ll"}, {"they'll"}},
      {"it'S", {"it", "'S"}, {"it'S"}},
      {"it\xC5\xBF", {"it\xC5\xBF"}, {"it\xC5\xBF"}},         // U+017F is a letter
      {"it'\xC5\xBF", {"it", "'\xC5\xBF"}, {"it'\xC5\xBF"}},  // and folds to 's'
      {"1234567", {"123", "456", "7"}, {"123", "456", "7"}},
      {"x  = 1", {"x", " ", " =", " ", "1"}, {"x", " ", " =", " ", "1"}},
      {"a\n\n  b", {"a", "\n\n", " ", " b"}, {"a", "\n\n", " ", " b"}},
      {"end   ", {"end", "   "}, {"end", "   "}},
      {"f(x);\n}\n", {"f", "(x", ");\n", "}\n"}, {"f", "(x", ");\n", "}\n"}},
      {"a//b\n//c", {"a", "//", "b", "\n", "//", "c"}, {"a", "//", "b", "\n", "//", "c"}},
      {"}\n//x", {"}\n", "//", "x"}, {"}\n//", "x"}},
      {"\tfoo", {"\tfoo"}, {"\tfoo"}},
      {"HTTPServer", {"HTTPServer"}, {"HTTPServer"}},
      {"camelCase", {"camelCase"}, {"camel", "Case"}},
      {"ABC def", {"ABC", " def"}, {"ABC", " def"}},
      // A combining mark is not a letter: cl100k leaves it to the punctuation branch; in
      // o200k it is both an optional prefix and U/W, and U*W+ wins with the mark alone.
      {"\xCC\x81"
       "ABC",
       {"\xCC\x81"
        "ABC"},
       {"\xCC\x81", "ABC"}},
      {"<|endoftext|>", {"<|", "endoftext", "|>"}, {"<|", "endoftext", "|>"}},
      {"\xE4\xBD\xA0\xE5\xA5\xBD", {"\xE4\xBD\xA0\xE5\xA5\xBD"}, {"\xE4\xBD\xA0\xE5\xA5\xBD"}},
      {" \r\n", {" \r\n"}, {" \r\n"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Split(Pattern::kCl100k, c.text), c.cl100k) << "cl100k: " << c.text;
    EXPECT_EQ(Split(Pattern::kO200k, c.text), c.o200k) << "o200k: " << c.text;
  }
}

TEST(PretokenizerTest, PiecesTileTheText) {
  std::string text;
  for (uint32_t cp : {0x41u, 0x20u, 0x27u, 0x0Au, 0x301u, 0x4E2Du, 0x1F600u, 0x31u, 0x3000u}) {
    // Build every pair of these code points, encoded as UTF-8.
    for (uint32_t cp2 : {0x61u, 0x0Du, 0x2Fu, 0x85u, 0x660u}) {
      for (uint32_t c : {cp, cp2}) {
        if (c < 0x80) {
          text += static_cast<char>(c);
        } else if (c < 0x800) {
          text += static_cast<char>(0xC0 | (c >> 6));
          text += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
          text += static_cast<char>(0xE0 | (c >> 12));
          text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          text += static_cast<char>(0x80 | (c & 0x3F));
        } else {
          text += static_cast<char>(0xF0 | (c >> 18));
          text += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
          text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          text += static_cast<char>(0x80 | (c & 0x3F));
        }
      }
    }
  }
  for (Pattern p : {Pattern::kCl100k, Pattern::kO200k}) {
    std::string joined;
    for (const std::string& piece : Split(p, text)) {
      EXPECT_FALSE(piece.empty());
      joined += piece;
    }
    EXPECT_EQ(joined, text);
  }
}

TEST(UnicodeClassesTest, KnownCodePoints) {
  EXPECT_EQ(ClassOf('a'), kLetter | kLowerish);
  EXPECT_EQ(ClassOf('A'), kLetter | kUpperish);
  EXPECT_EQ(ClassOf('7'), kNumber);
  EXPECT_EQ(ClassOf(' '), kSpace);
  EXPECT_EQ(ClassOf(0x85), kSpace);                             // NEL is White_Space
  EXPECT_EQ(ClassOf(0xFEFF), 0);                                // BOM is not
  EXPECT_EQ(ClassOf(0x301), kUpperish | kLowerish);             // combining acute (Mn)
  EXPECT_EQ(ClassOf(0x4E2D), kLetter | kUpperish | kLowerish);  // CJK (Lo)
  EXPECT_EQ(ClassOf(0x1C5), kLetter | kUpperish);               // Dž (Lt)
  EXPECT_EQ(ClassOf(0x660), kNumber);                           // Arabic-Indic zero
  EXPECT_EQ(ClassOf(0x1F600), 0);                               // emoji (So)
  EXPECT_EQ(ClassOf(0x295), kLetter | kLowerish);               // Ll in Unicode 16 (Lo from 17)
  EXPECT_EQ(ClassOf(0x10FFFF), 0);
}

}  // namespace
}  // namespace codeindex::tokens
