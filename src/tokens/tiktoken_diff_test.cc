// Differential test against the reference: tiktoken@1.0.21 (the package the original
// runs, pinned in deps/npm.lock) under node, through tiktoken_reference.cjs. Every text of
// a varied corpus must get the same token ids from both, for both encodings. Skipped only
// when node is not installed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file.h"
#include "tokens/tokenizer.h"
#include "tokens/unicode_classes.h"

namespace codeindex {
namespace {

std::string Utf8(uint32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

std::string Base64(std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return s.size() > 200 ? out + "..." : out;
}

bool HaveNode() { return std::system("node --version >/dev/null 2>&1") == 0; }

// Runs a shell command, returns its stdout; fails the test on a non-zero exit.
std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "popen failed: " << cmd;
    return out;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << cmd;
  return out;
}

// The reference's ids for each text, one line of space-separated ids per text.
std::vector<std::string> Reference(const std::string& encoding,
                                   const std::vector<std::string>& texts) {
  char path[] = "/tmp/codeindex-tiktoken-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream in(path, std::ios::binary);
    for (const std::string& t : texts) in << Base64(t) << "\n";
  }
  std::string out = RunCommand(std::string("node '") + CODEINDEX_TOKENS_SOURCE_DIR +
                               "/tiktoken_reference.cjs' '" + CODEINDEX_TIKTOKEN_DIR + "' " +
                               encoding + " < " + path);
  ::unlink(path);
  std::vector<std::string> lines;
  std::istringstream s(out);
  std::string line;
  while (std::getline(s, line)) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<uint32_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ' ';
    s += std::to_string(ids[i]);
  }
  return s;
}

std::vector<std::string> FixedTexts() {
  std::vector<std::string> t = {
      "hello world",
      "",
      " ",
      "DON'T can't WON'T I'M you'RE we'VE they'LL he'D it'S 'tis O'Neil rock'n'roll",
      "don\xE2\x80\x99t it'\xC5\xBF it'\xC5\xBF"
      "x it\xC5\xBF'S",  // right quote, long s
      "1234567 3.14159 1,000,000 0x1F 12e-7 \xD9\xA3\xD9\xA4\xD9\xA5\xD9\xA6 "
      "\xE2\x85\xAB\xE2\x85\xAB",
      "<|endoftext|> <|endofprompt|> <|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>",
      "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C\xEF\xBC\x81 "
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83"
      "\x88 "
      "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4",
      "\xF0\x9F\x9A\x80\xF0\x9F\x94\xA5 \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
      "\xF0\x9F\x91\xA7 \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 \xE2\x9D\xA4\xEF\xB8\x8F",
      "e\xCC\x81 a\xCC\x8A\xCC\x81 \xCC\x81\xCC\x81"
      "ABC \xCC\x81"
      "abc x\xCC\xB8y Z\xCC\x87"
      "Z",
      "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 "
      "\xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85 "
      "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\x8Fhello\xE2\x80\x8E",
      "\t\t\n\r\n  \r  \n\n\n   x \xC2\xA0\xC2\xA0y\xE3\x80\x80z\xC2\x85w\xE2\x80\xA8v\xE2\x80\xA9",
      "\xEF\xBB\xBF"
      "BOM then text\xE2\x80\x8B"
      "zero\xE2\x80\x8Bwidth",
      "camelCaseIdentifier snake_case_identifier SCREAMING_CASE HTTPServerError getHTTPResponse",
      "\xC7\x85"
      "ungla \xC7\x88"
      "jubljana \xCA\xB0\xCA\xB0x \xD9\x80\xD9\x80",
      "foo//bar\n//baz\r\n}\n//x\n/* c */\n\t// trailing /\n",
      "a\n\n  b\n \n  \n\t\n",
      "x" + std::string(1000, ' ') + "y",
      std::string(2000, ' '),
      std::string(700, '\n'),
      "\n" + std::string(300, ' ') + "\n" + std::string(300, '\t') + "x",
      std::string(2000, 'a'),
      std::string(1500, '=') + "\n" + std::string(600, '-'),
      "ab\xFF\xFE"
      "cd \x80 \xC3 \xE2\x82 \xF0\x9F\x98 \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 end\xE2",
      "\xED\xA0\xBD\xED\xB8\x80",  // a UTF-8-encoded surrogate pair (CESU-8)
  };
  for (int i = 0; i < 16; ++i) t.push_back(std::string(static_cast<size_t>(i), ' ') + "x");
  return t;
}

// Source files of this repository: real code, comments, docs.
std::vector<std::string> SourceTexts() {
  std::vector<std::string> t;
  const std::string dir = CODEINDEX_TOKENS_SOURCE_DIR;
  for (const char* f : {"/tokenizer.h", "/tokenizer.cc", "/pretokenizer.cc", "/byte_pair.cc",
                        "/gen_unicode_classes.cjs", "/../../docs/architecture.md",
                        "/../../scripts/setup", "/../cli/main.cc"}) {
    auto content = ReadFile(dir + f);
    if (content.ok()) t.push_back(std::move(*content));
  }
  return t;
}

// Random strings over code points chosen to hit every class and special case of the two
// regexes: the branches the hand-written matchers take.
std::vector<std::string> RandomTexts(int count) {
  const std::vector<uint32_t> alphabet = {
      'a',    'z',  's',    't',     'r',    'e',    'v',   'm',   'l',   'd',    'A',   'S',
      'T',    'R',  'E',    'L',     'D',    '\'',   ' ',   ' ',   ' ',   '\t',   '\n',  '\r',
      '/',    '.',  '(',    ',',     '_',    '-',    '#',   '"',   '1',   '9',    0x663, 0x216B,
      0xBD,   0xE9, 0xC9,   0x1C5,   0x2B0,  0x4E2D, 0x640, 0x301, 0x903, 0x20DD, 0x17F, 0xA0,
      0x3000, 0x85, 0x2028, 0x1F600, 0x200B, 0xFEFF, 0x0B,  0x0C};
  std::mt19937 rng(20240601);
  std::vector<std::string> t;
  for (int i = 0; i < count; ++i) {
    size_t len = 1 + rng() % 24;
    std::string s;
    for (size_t k = 0; k < len; ++k) s += Utf8(alphabet[rng() % alphabet.size()]);
    t.push_back(std::move(s));
  }
  return t;
}

// Every code point with a class bit, and every 61st of the rest, in contexts that make
// each class bit matter: after a letter, before an upper-case letter, after a space and
// before a digit, around an apostrophe.
std::vector<std::string> CodePointSweep() {
  std::vector<std::string> t;
  std::string line;
  int in_line = 0;
  for (uint32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (tokens::ClassOf(cp) == 0 && cp % 61 != 0) continue;
    const std::string c = Utf8(cp);
    line += c + "a" + c + "A " + c + "1'" + c + "s" + c + c + "\n";
    if (++in_line == 256) {
      t.push_back(std::move(line));
      line.clear();
      in_line = 0;
    }
  }
  if (!line.empty()) t.push_back(line);
  return t;
}

// The corpus, in sections; the reference runs once per encoding over all of it (starting
// node and loading the vocabulary cost more than encoding the texts).
enum Section { kFixed, kSources, kRandom, kSweep, kSections };

struct Corpus {
  std::vector<std::string> texts;
  size_t begin[kSections + 1] = {};
};

const Corpus& TheCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    const std::vector<std::string> parts[kSections] = {FixedTexts(), SourceTexts(),
                                                       RandomTexts(6000), CodePointSweep()};
    for (int k = 0; k < kSections; ++k) {
      c->begin[k] = c->texts.size();
      c->texts.insert(c->texts.end(), parts[k].begin(), parts[k].end());
    }
    c->begin[kSections] = c->texts.size();
    return c;
  }();
  return *corpus;
}

const std::vector<std::string>& ReferenceIds(TokenEncoding encoding) {
  static std::vector<std::string> cache[2];
  std::vector<std::string>& ids = cache[encoding == TokenEncoding::kO200kBase];
  if (ids.empty()) ids = Reference(std::string(TokenEncodingName(encoding)), TheCorpus().texts);
  return ids;
}

void ExpectSameAsReference(TokenEncoding encoding, Section section) {
  const Tokenizer& tok = Tokenizer::Get(encoding);
  const Corpus& corpus = TheCorpus();
  const std::vector<std::string>& want = ReferenceIds(encoding);
  ASSERT_EQ(want.size(), corpus.texts.size());
  int failures = 0;
  for (size_t i = corpus.begin[section]; i < corpus.begin[section + 1]; ++i) {
    const std::string& text = corpus.texts[i];
    std::vector<uint32_t> ids = tok.Encode(text);
    std::string got = Join(ids);
    if (got != want[i] && ++failures <= 10) {
      ADD_FAILURE() << TokenEncodingName(encoding) << " text #" << i << " \"" << Escape(text)
                    << "\"\n  ours:      " << got.substr(0, 300)
                    << "\n  reference: " << want[i].substr(0, 300);
    }
    EXPECT_EQ(tok.Count(text), ids.size());
  }
  EXPECT_EQ(failures, 0) << "of " << corpus.begin[section + 1] - corpus.begin[section] << " texts";
}

class TiktokenDiffTest : public ::testing::TestWithParam<TokenEncoding> {
 protected:
  void SetUp() override {
    if (!HaveNode()) {
      GTEST_SKIP() << "node is not installed: no reference to compare with";
    }
  }
};

// One test per encoding (ctest runs each test in its own process; one reference run each).
TEST_P(TiktokenDiffTest, SameIdsAsReference) {
  const char* names[kSections] = {"fixed texts", "source files", "random texts",
                                  "every classed code point"};
  for (int k = 0; k < kSections; ++k) {
    SCOPED_TRACE(names[k]);
    ExpectSameAsReference(GetParam(), static_cast<Section>(k));
  }
}

std::string EncodingTestName(const ::testing::TestParamInfo<TokenEncoding>& param) {
  return std::string(TokenEncodingName(param.param));
}

INSTANTIATE_TEST_SUITE_P(Encodings, TiktokenDiffTest,
                         ::testing::Values(TokenEncoding::kCl100kBase, TokenEncoding::kO200kBase),
                         EncodingTestName);

// The committed Unicode class table is what the reference's regex engine answers today.
TEST(UnicodeTableTest, MatchesTheReferenceEngine) {
  if (!HaveNode()) {
    GTEST_SKIP() << "node is not installed";
  }
  std::string fresh = RunCommand(std::string("node '") + CODEINDEX_TOKENS_SOURCE_DIR +
                                 "/gen_unicode_classes.cjs' '" + CODEINDEX_TIKTOKEN_DIR + "'");
  auto committed = ReadFile(std::string(CODEINDEX_TOKENS_SOURCE_DIR) + "/unicode_classes.inc");
  ASSERT_TRUE(committed.ok());
  EXPECT_TRUE(fresh == *committed)
      << "regenerate with: node src/tokens/gen_unicode_classes.cjs "
         "third_party/npm/tiktoken@1.0.21 src/tokens/unicode_classes.inc";
}

}  // namespace
}  // namespace codeindex
