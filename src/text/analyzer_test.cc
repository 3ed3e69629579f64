#include "text/analyzer.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace codeindex {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

struct Case {
  std::string input;
  std::vector<std::string> terms;  // in order: whole, then parts, per word
};

class AnalyzerTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(AnalyzerTableTest, ProducesExactlyTheseTerms) {
  const Case& c = GetParam();
  EXPECT_THAT(Analyzer().Terms(c.input), ElementsAreArray(c.terms)) << "input: " << c.input;
}

const Case kCases[] = {
    // Plain words, case folding.
    {"parse", {"parse"}},
    {"Parse", {"parse"}},
    {"PARSE", {"parse"}},
    // camelCase / PascalCase / acronyms.
    {"parseUrl", {"parseurl", "parse", "url"}},
    {"ParseUrl", {"parseurl", "parse", "url"}},
    {"HTTPServerError", {"httpservererror", "http", "server", "error"}},
    {"getHTTPResponse", {"gethttpresponse", "get", "http", "response"}},
    {"XMLHttpRequest", {"xmlhttprequest", "xml", "http", "request"}},
    // Digits are parts of their own; single-byte parts are dropped (rule 6).
    {"parseURL2Json", {"parseurl2json", "parse", "url", "json"}},
    {"int32_t", {"int32_t", "int", "32"}},
    {"sha256sum", {"sha256sum", "sha", "256", "sum"}},
    {"utf8", {"utf8", "utf"}},
    {"Base64Encoder", {"base64encoder", "base", "64", "encoder"}},
    // snake_case, SCREAMING_CASE, leading and trailing underscores.
    {"parse_url", {"parse_url", "parse", "url"}},
    {"MAX_FILE_SIZE_BYTES", {"max_file_size_bytes", "max", "file", "size", "bytes"}},
    {"__init__", {"init"}},
    {"_private_name", {"private_name", "private", "name"}},
    {"snake__double", {"snake__double", "snake", "double"}},
    {"mixed_camelCase", {"mixed_camelcase", "mixed", "camel", "case"}},
    // Separators: dots, kebab, scopes, arrows, sigils.
    {"os.path.join", {"os", "path", "join"}},
    {"foo-bar", {"foo", "bar"}},
    {"std::vector<int>", {"std", "vector", "int"}},
    {"self->next_node", {"self", "next_node", "next", "node"}},
    {"$scope.value", {"scope", "value"}},
    {"a.b", {}},
    // Number literals keep their whole form only.
    {"0x1F", {"0x1f"}},
    {"100ms 1e10 3.14 2024", {"100ms", "1e10", "14", "2024"}},
    // Blob-looking words keep their whole form only (rule 5).
    {"e3b0c44298fc1c14", {"e3b0c44298fc1c14"}},
    {"SGVsbG8gV29ybGQ", {"sgvsbg8gv29ybgq"}},
    // Non-ASCII letters pass through; Latin-1, Greek and Cyrillic capitals fold.
    {"Größe", {"größe"}},
    {"ÄÖÜ", {"äöü"}},
    {"ΑΒΓ_Ω", {"αβγ_ω", "αβγ", "ω"}},
    {"ПРИВЕТ Ёж", {"привет", "ёж"}},
    {"日本語 テスト", {"日本語", "テスト"}},
    // Non-ASCII punctuation and symbols separate words.
    {"foo\u2014bar", {"foo", "bar"}},       // em dash
    {"foo\u00a0bar", {"foo", "bar"}},       // NBSP
    {"x\u00d7yy", {"yy"}},                  // multiplication sign
    {"\ufeffimport os", {"import", "os"}},  // BOM
    {"ok\U0001F600ok", {"ok", "ok"}},       // emoji
    {"bad\xff\xfe"
     "bytes",
     {"bad", "bytes"}},                   // invalid UTF-8
    {"u\xef\xbf\xbdnicode", {"nicode"}},  // U+FFFD from a lossy decode
    {"trunc\xc3", {"trunc"}},             // truncated sequence at the end
};

INSTANTIATE_TEST_SUITE_P(Table, AnalyzerTableTest, ::testing::ValuesIn(kCases));

// Inputs that must not produce any term.
const char* const kNoTerms[] = {
    "",
    "   \t\n\r",
    "{}[]();,.:+-*/%=<>!&|^~?@#\\'\"`",
    "a b c i j k x y z 1 2 3",
    "___ _ __",
    "\xff\xfe\xfd\xc0\xc1\x80\x80",
    "\u2500\u2500\u2502 \u2192 \U0001F680",
    // A 65-byte identifier and a base64 blob longer than 64 bytes.
    "abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij",
    "U29tZSBiYXNlNjQgZW5jb2RlZCBkYXRhIHRoYXQgaXMgbG9uZ2VyIHRoYW4gc2l4dHktZm91cg",
};

TEST(AnalyzerTest, InputsWithoutTerms) {
  for (const char* input : kNoTerms) {
    EXPECT_THAT(Analyzer().Terms(input), IsEmpty()) << "input: " << input;
  }
}

TEST(AnalyzerTest, LengthLimitIsInclusive) {
  std::string w64(64, 'a');
  std::string w65(65, 'a');
  EXPECT_THAT(Analyzer().Terms(w64), ElementsAreArray({w64}));
  EXPECT_THAT(Analyzer().Terms(w65), IsEmpty());
  // A long word does not swallow its neighbours.
  EXPECT_THAT(Analyzer().Terms("left " + w65 + " right"), ElementsAreArray({"left", "right"}));
}

TEST(AnalyzerTest, OptionsChangeLimits) {
  Analyzer one_byte({.max_term_bytes = 64, .min_term_bytes = 1});
  EXPECT_THAT(one_byte.Terms("parseURL2Json x"),
              ElementsAreArray({"parseurl2json", "parse", "url", "2", "json", "x"}));
  Analyzer short_words({.max_term_bytes = 5, .min_term_bytes = 2});
  EXPECT_THAT(short_words.Terms("abcde abcdef"), ElementsAreArray({"abcde"}));
  // Limits above the stack buffer take the heap path and still cut correctly.
  Analyzer big({.max_term_bytes = 200, .min_term_bytes = 2});
  std::string word;
  for (int i = 0; i < 20; ++i) word += "PartName";  // 160 bytes, 40 parts
  std::vector<std::string> terms = big.Terms(word);
  ASSERT_EQ(terms.size(), 41u);
  EXPECT_EQ(terms[1], "part");
  EXPECT_EQ(terms[2], "name");
}

TEST(AnalyzerTest, KindsMarkWholeAndParts) {
  TermList list;
  Analyzer().Analyze("parse_url json", &list);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list.kind(0), TermList::Kind::kWhole);
  EXPECT_EQ(list.kind(1), TermList::Kind::kPart);
  EXPECT_EQ(list.kind(2), TermList::Kind::kPart);
  EXPECT_EQ(list.kind(3), TermList::Kind::kWhole);
}

TEST(AnalyzerTest, AppendsWithoutClearing) {
  TermList list;
  Analyzer a;
  a.Analyze("alpha", &list);
  a.Analyze("beta", &list);
  EXPECT_THAT(list.ToVector(), ElementsAreArray({"alpha", "beta"}));
  list.clear();
  EXPECT_TRUE(list.empty());
  a.Analyze("gamma", &list);
  EXPECT_THAT(list.ToVector(), ElementsAreArray({"gamma"}));
}

TEST(AnalyzerTest, QueryAndDocumentSpellingsMeet) {
  // A query in one convention finds a document in another through the shared parts.
  Analyzer a;
  std::vector<std::string> doc = a.Terms("def parse_http_header(self):");
  for (const char* q : {"parseHttpHeader", "ParseHTTPHeader", "parse-http-header"}) {
    std::vector<std::string> query = a.Terms(q);
    for (const std::string& t :
         {std::string("parse"), std::string("http"), std::string("header")}) {
      EXPECT_NE(std::find(query.begin(), query.end(), t), query.end()) << q << " " << t;
      EXPECT_NE(std::find(doc.begin(), doc.end(), t), doc.end()) << t;
    }
  }
}

TEST(AnalyzerTest, TermsAreFixedPoints) {
  // A query spelled exactly like an indexed term analyses to that term first, so it always
  // finds it (fuzz/analyzer_fuzz.cc checks the same on arbitrary bytes).
  Analyzer a;
  for (const Case& c : kCases) {
    for (const std::string& t : a.Terms(c.input)) {
      std::vector<std::string> again = a.Terms(t);
      ASSERT_FALSE(again.empty()) << t;
      EXPECT_EQ(again[0], t) << "from " << c.input;
    }
  }
}

TEST(AnalyzerTest, EveryByteValueIsSafe) {
  // All 256 byte values, and every 2- and 3-byte prefix of a multi-byte lead, at the end of
  // the input: no out-of-range read (ASan), every term valid length.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  Analyzer a({.max_term_bytes = 64, .min_term_bytes = 1});
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    for (const std::string& t : a.Terms(std::string_view(all).substr(0, cut))) {
      EXPECT_GE(t.size(), 1u);
      EXPECT_LE(t.size(), 64u);
    }
  }
  for (int lead : {0xC3, 0xCE, 0xD0, 0xE2, 0xEF, 0xF0, 0xF4}) {
    std::string s = "ab";
    s.push_back(static_cast<char>(lead));
    EXPECT_THAT(a.Terms(s), ElementsAreArray({"ab"})) << lead;
    s.push_back(static_cast<char>(0x80));
    (void)a.Terms(s);
  }
}

}  // namespace
}  // namespace codeindex
