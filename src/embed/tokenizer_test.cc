#include "embed/tokenizer.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "embed/testing.h"

namespace codeindex {
namespace {

std::vector<std::string> Tokens(const EmbedTokenizer& t, std::string_view text) {
  std::vector<int32_t> ids;
  t.Encode(text, &ids);
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(t.IdToToken(id));
  return out;
}

class WordPieceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = LoadTokenizerJson(testing::WordPieceTokenizerJson(testing::TinyVocab()), "tiny");
    ASSERT_TRUE(t.ok()) << t.error().ToString();
    tok_ = std::move(*t);
  }
  std::unique_ptr<EmbedTokenizer> tok_;
};

struct Case {
  const char* text;
  std::vector<std::string> tokens;
};

TEST_F(WordPieceTest, TableOfInputs) {
  const Case cases[] = {
      {"", {}},
      {"   \t\n", {}},
      {"parse", {"parse"}},
      {"Parsed Files", {"parse", "##d", "file", "##s"}},
      {"hello", {"h", "##e", "##l", "##l", "##o"}},
      {"H\xC3\xA9llo", {"h", "##e", "##l", "##l", "##o"}},  // accents stripped, lower-cased
      {"f(x)", {"f", "(", "x", ")"}},
      {"self.read_file()", {"self", ".", "read", "_", "file", "(", ")"}},
      {"zzq", {"[UNK]"}},  // no ##z, ##q: the whole word is unknown
      {"a\x07"
       "d",
       {"a", "##d"}},                   // control chars removed (clean_text): "ad" is one word
      {"[CLS] def", {"[CLS]", "def"}},  // added tokens are kept whole
      {"x\xE4\xB8\xADy", {"x", "[UNK]", "y"}},  // a CJK ideograph is its own word
  };
  for (const Case& c : cases) EXPECT_EQ(Tokens(*tok_, c.text), c.tokens) << c.text;
}

TEST_F(WordPieceTest, SpecialIdsAndVocab) {
  EXPECT_EQ(tok_->IdToToken(tok_->prefix_ids().at(0)), "[CLS]");
  EXPECT_EQ(tok_->IdToToken(tok_->suffix_ids().at(0)), "[SEP]");
  EXPECT_EQ(tok_->IdToToken(*tok_->unk_id()), "[UNK]");
  EXPECT_EQ(tok_->pad_id(), *tok_->TokenToId("[PAD]"));
  EXPECT_EQ(tok_->vocab_size(), static_cast<int32_t>(testing::TinyVocab().size()));
  EXPECT_EQ(tok_->IdToToken(-1), "");
}

TEST_F(WordPieceTest, LongWordIsUnknown) {
  EXPECT_EQ(Tokens(*tok_, std::string(101, 'a')), std::vector<std::string>{"[UNK]"});
}

TEST(VocabTxtTest, LoadsBertVocabulary) {
  const std::string dir = testing::MakeTempDir("vocab");
  std::string text;
  for (const std::string& t : testing::TinyVocab()) text += t + "\n";
  ASSERT_TRUE(WriteFileAtomic(dir + "/vocab.txt", text).ok());
  auto lower = LoadVocabTxt(dir + "/vocab.txt", true);
  ASSERT_TRUE(lower.ok()) << lower.error().ToString();
  EXPECT_EQ(Tokens(**lower, "Parsed"), (std::vector<std::string>{"parse", "##d"}));
  EXPECT_EQ((*lower)->IdToToken((*lower)->prefix_ids().at(0)), "[CLS]");
  auto cased = LoadVocabTxt(dir + "/vocab.txt", false);
  ASSERT_TRUE(cased.ok());
  EXPECT_EQ(Tokens(**cased, "Parsed"), std::vector<std::string>{"[UNK]"});  // no capital P
  testing::RemoveTree(dir);
}

constexpr char kUnigram[] = R"({
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Lowercase"}]},
  "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always",
                    "split": true},
  "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false, "vocab": [
    ["<unk>", 0.0], ["\u2581", -2.0], ["\u2581read", -3.0], ["\u2581re", -2.5], ["ad", -2.5],
    ["\u2581file", -3.0], ["s", -1.0], ["\u2581f", -4.0], ["ile", -4.0], ["r", -5], ["e", -5],
    ["a", -5], ["d", -5]]}
})";

TEST(UnigramTest, ViterbiPicksTheMostLikelySegmentation) {
  auto t = LoadTokenizerJson(kUnigram, "unigram");
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  // "▁read" (-3) beats "▁re" + "ad" (-5); "▁file"+"s" (-4) beats "▁f"+"ile"+"s" (-9).
  EXPECT_EQ(Tokens(**t, "Read files"), (std::vector<std::string>{"\xE2\x96\x81read",
                                                                 "\xE2\x96\x81"
                                                                 "file",
                                                                 "s"}));
  // Unknown characters become one fused <unk>.
  EXPECT_EQ(Tokens(**t, "read xyz"),
            (std::vector<std::string>{"\xE2\x96\x81read", "\xE2\x96\x81", "<unk>"}));
}

// GPT-2 style: ByteLevel pre-tokenizer (space -> "Ġ" U+0120, newline -> "Ċ" U+010A) + BPE.
constexpr char kByteLevelBpe[] = R"({
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "model": {"type": "BPE", "unk_token": null, "vocab": {
    "h": 0, "e": 1, "l": 2, "o": 3, "\u0120": 4, "w": 5, "r": 6, "d": 7, "!": 8, "he": 9,
    "ll": 10, "hell": 11, "hello": 12, "\u0120w": 13, "or": 14, "\u0120wor": 15,
    "\u0120worl": 16, "\u0120world": 17, "\u010a": 18},
    "merges": ["h e", "l l", "he ll", "hell o", "\u0120 w", "o r", "\u0120w or",
               ["\u0120wor", "l"], "\u0120worl d"]}
})";

TEST(BpeTest, MergesByRank) {
  auto t = LoadTokenizerJson(kByteLevelBpe, "bpe");
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(Tokens(**t, "hello world!"), (std::vector<std::string>{"hello", "\xC4\xA0world", "!"}));
  // "hold" has no merges beyond single letters; letters outside the vocab are dropped (no unk).
  EXPECT_EQ(Tokens(**t, "hold\n"), (std::vector<std::string>{"h", "o", "l", "d", "\xC4\x8A"}));
  // A 5000-letter "word" is merged in slices (no quadratic blow-up): 2500 x "ll".
  std::vector<int32_t> ids;
  (*t)->Encode(std::string(5000, 'l'), &ids);
  EXPECT_EQ(ids, std::vector<int32_t>(2500, *(*t)->TokenToId("ll")));
}

TEST(BpeTest, Gpt2SplitPattern) {
  // With ignore_merges, a pre-token found in the vocabulary is emitted whole: the tokens show
  // how the text was split.
  constexpr char kJson[] = R"({
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true},
    "model": {"type": "BPE", "ignore_merges": true, "unk_token": "<unk>", "fuse_unk": true,
      "vocab": {"<unk>": 0, "\u0120it": 1, "'s": 2, "\u0120": 3, "\u0120ok": 4, "\u010a": 5,
                "\u0120123": 6, "\u0120:=": 7, "_": 8, "x": 9},
      "merges": []}
  })";
  auto t = LoadTokenizerJson(kJson, "gpt2");
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  // "it's  ok\n 123 :=" -> " it" (prefix space added) "'s" " " " ok" "\n" " 123" " :="
  EXPECT_EQ(Tokens(**t, "it's  ok\n 123 :="),
            (std::vector<std::string>{"\xC4\xA0it", "'s", "\xC4\xA0", "\xC4\xA0ok", "\xC4\x8A",
                                      "\xC4\xA0"
                                      "123",
                                      "\xC4\xA0:="}));
  // " x" is not a token: its characters are; "zz" is unknown: one fused <unk>.
  EXPECT_EQ(Tokens(**t, "x_zz"), (std::vector<std::string>{"\xC4\xA0", "x", "_", "<unk>"}));
}

TEST(TokenizerJsonTest, RefusesWhatItCannotRead) {
  EXPECT_EQ(LoadTokenizerJson("{", "x").error().code(), Code::kCorruption);
  EXPECT_EQ(LoadTokenizerJson("[]", "x").error().code(), Code::kCorruption);
  EXPECT_EQ(LoadTokenizerJson(R"({"model": {"type": "WordPiece", "vocab": {"a": -1}}})", "x")
                .error()
                .code(),
            Code::kCorruption);
  EXPECT_EQ(LoadTokenizerJson(R"({"model": {"type": "WordPiece", "vocab": {"a": "x"}}})", "x")
                .error()
                .code(),
            Code::kCorruption);
  auto split = LoadTokenizerJson(
      R"({"model": {"type": "BPE", "vocab": {}, "merges": []},
          "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\w+"}}})",
      "x");
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.error().code(), Code::kUsage);
  EXPECT_NE(split.error().message().find("Split"), std::string::npos);
  EXPECT_EQ(LoadTokenizerJson(R"({"model": {"type": "BPE", "vocab": {}, "merges": [3]}})", "x")
                .error()
                .code(),
            Code::kCorruption);
}

}  // namespace
}  // namespace codeindex
