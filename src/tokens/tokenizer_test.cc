#include "tokens/tokenizer.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

const Tokenizer& O200k() { return Tokenizer::Get(TokenEncoding::kO200kBase); }
const Tokenizer& Cl100k() { return Tokenizer::Get(TokenEncoding::kCl100kBase); }

TEST(TokenizerTest, KnownVectors) {
  // The original's example (docs/original.md, context §1.1): "hello world" is 2 o200k tokens.
  EXPECT_EQ(O200k().Count("hello world"), 2u);
  EXPECT_EQ(O200k().Encode("hello world"), (std::vector<uint32_t>{24912, 2375}));
  EXPECT_EQ(Cl100k().Encode("hello world"), (std::vector<uint32_t>{15339, 1917}));
  EXPECT_EQ(O200k().Count(""), 0u);
  // Special-token text is ordinary text: never the special id 199999 / 100257.
  for (const Tokenizer* t : {&O200k(), &Cl100k()}) {
    for (uint32_t id : t->Encode("<|endoftext|>")) EXPECT_LT(id, t->vocabulary_size());
    EXPECT_GT(t->Count("<|endoftext|>"), 1u);
  }
  // Values from the reference (tiktoken@1.0.21).
  EXPECT_EQ(O200k().Encode("DON'T <|endoftext|> 1234567"),
            (std::vector<uint32_t>{134882, 51532, 464, 91, 419, 1440, 919, 91, 29, 220, 7633, 19354,
                                   22}));
}

TEST(TokenizerTest, EncodingNames) {
  EXPECT_EQ(TokenEncodingName(TokenEncoding::kO200kBase), "o200k_base");
  EXPECT_EQ(TokenEncodingFromName("cl100k_base"), TokenEncoding::kCl100kBase);
  EXPECT_EQ(TokenEncodingFromName("o200k_base"), TokenEncoding::kO200kBase);
  EXPECT_EQ(TokenEncodingFromName("gpt2"), std::nullopt);
  EXPECT_EQ(O200k().encoding(), TokenEncoding::kO200kBase);
  EXPECT_EQ(O200k().vocabulary_size(), 199998u);
  EXPECT_EQ(Cl100k().vocabulary_size(), 100256u);
}

TEST(TokenizerTest, OriginalContextEstimate) {
  // docs/original.md, context §1.1: ceil(sum × 1.5); "hello world" (2) -> 3, 107 -> 161.
  EXPECT_EQ(OriginalContextEstimate(0), 0u);
  EXPECT_EQ(OriginalContextEstimate(1), 2u);
  EXPECT_EQ(OriginalContextEstimate(2), 3u);
  EXPECT_EQ(OriginalContextEstimate(7), 11u);
  EXPECT_EQ(OriginalContextEstimate(107), 161u);
}

TEST(TokenizerTest, CountAgreesWithEncodeAndDecodeRoundTrips) {
  const std::string texts[] = {
      "def f(x):\n    return x * 2  # doubled\n",
      "    \n\n\t\t}\r\n",
      "Ünïcödé façade — naïve café ☕ 日本語のテキスト 🚀🔥 مرحبا",
      std::string(5000, ' ') + "x",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  };
  for (const Tokenizer* t : {&O200k(), &Cl100k()}) {
    for (const std::string& text : texts) {
      std::vector<uint32_t> ids = t->Encode(text);
      EXPECT_EQ(t->Count(text), ids.size());
      EXPECT_EQ(t->Decode(ids), text);
    }
  }
}

TEST(TokenizerTest, InvalidUtf8CountsAsReplacementCharacters) {
  // Node decodes ill-formed bytes to U+FFFD before the original's tiktoken sees them.
  for (const Tokenizer* t : {&O200k(), &Cl100k()}) {
    EXPECT_EQ(t->Encode("ab\xFF\xFE"
                        "cd"),
              t->Encode("ab\xEF\xBF\xBD\xEF\xBF\xBD"
                        "cd"));
    EXPECT_EQ(t->Count("\xE2\x82"), t->Count("\xEF\xBF\xBD"));
  }
}

TEST(TokenizerTest, CountUpToStopsEarlyButIsExactBelowTheLimit) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "word" + std::to_string(i) + " ";
  const size_t full = O200k().Count(text);
  EXPECT_EQ(O200k().CountUpTo(text, full), full);
  EXPECT_EQ(O200k().CountUpTo(text, full + 10), full);
  size_t partial = O200k().CountUpTo(text, 100);
  EXPECT_GT(partial, 100u);
  EXPECT_LT(partial, full);
}

TEST(TokenizerTest, FitLinesKeepsWholeLinesWithinTheBudget) {
  std::string text;
  std::vector<size_t> line_ends;
  for (int i = 0; i < 50; ++i) {
    text += "    result_" + std::to_string(i) + " = compute(alpha, beta, gamma)\n";
    line_ends.push_back(text.size());
  }
  const Tokenizer& t = O200k();
  const size_t total = t.Count(text);
  TokenFit all = t.FitLines(text, total);
  EXPECT_EQ(all.bytes, text.size());
  EXPECT_EQ(all.tokens, total);

  for (size_t budget : {size_t{0}, size_t{3}, size_t{25}, total / 2, total - 1}) {
    TokenFit fit = t.FitLines(text, budget);
    EXPECT_LE(fit.tokens, budget);
    EXPECT_EQ(fit.tokens, t.Count(text.substr(0, fit.bytes)));
    EXPECT_TRUE(fit.bytes == 0 || text[fit.bytes - 1] == '\n');
    // One more line would not fit.
    size_t next = fit.bytes == 0 ? line_ends[0] : text.find('\n', fit.bytes) + 1;
    EXPECT_GT(t.Count(text.substr(0, next)), budget) << budget;
  }
  // A text without a newline fits whole or not at all.
  EXPECT_EQ(t.FitLines("one two three", 1).bytes, 0u);
  EXPECT_EQ(t.FitLines("one two three", 3).bytes, 13u);
}

TEST(TokenizerTest, ConcurrentUseGivesTheSameCounts) {
  std::string text;
  for (int i = 0; i < 300; ++i)
    text += "for (int i = 0; i < n; ++i) sum += a[i]; // " + std::to_string(i) + "\n";
  const size_t want_o = O200k().Count(text), want_c = Cl100k().Count(text);
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      bool good = true;
      for (int i = 0; i < 5; ++i) {
        good &= Tokenizer::Get(TokenEncoding::kO200kBase).Count(text) == want_o;
        good &= Tokenizer::Get(TokenEncoding::kCl100kBase).Count(text) == want_c;
      }
      ok[k] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < 8; ++k) EXPECT_TRUE(ok[k]) << k;
}

}  // namespace
}  // namespace codeindex
