// `codeindex tokens`: counts, JSON shape, stdin, encodings, the estimate and errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace codeindex::testing {
namespace {

TEST(TokensE2eTest, CountsAFile) {
  TempDir dir;
  std::string path = dir.Write("hello.txt", "hello world");
  RunResult r = RunCodeindex({"tokens", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2\n");
  EXPECT_EQ(r.err, "");
}

TEST(TokensE2eTest, JsonShape) {
  TempDir dir;
  std::string path = dir.Write("hello.txt", "hello world");
  RunResult r = RunCodeindex({"tokens", "--json", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tokens"], 2);
  EXPECT_EQ(j["encoding"], "o200k_base");
  EXPECT_EQ(j["bytes"], 11);
  EXPECT_FALSE(j.contains("estimate"));

  r = RunCodeindex({"tokens", "--json", "--estimate", "--encoding", "cl100k_base", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["encoding"], "cl100k_base");
  EXPECT_EQ(j["tokens"], 2);
  // ceil(2 x 1.5), the original's example (docs/original.md, context §1.1)
  EXPECT_EQ(j["estimate"], 3);
}

TEST(TokensE2eTest, ReadsStdin) {
  RunResult r = RunCodeindex({"tokens"}, "", "hello world");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2\n");
  r = RunCodeindex({"tokens", "-", "--estimate"}, "", "hello world");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "3\n");
  r = RunCodeindex({"tokens"}, "", "");
  EXPECT_EQ(r.out, "0\n");
}

TEST(TokensE2eTest, EncodingsDiffer) {
  // "<|endoftext|>" is ordinary text; the two vocabularies split this text differently.
  const std::string text =
      "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C <|endoftext|>";
  RunResult o = RunCodeindex({"tokens", "--encoding", "o200k_base"}, "", text);
  RunResult c = RunCodeindex({"tokens", "--encoding", "cl100k_base"}, "", text);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(o.out, c.out);
}

TEST(TokensE2eTest, InvalidUtf8CountsAsReplacementCharacter) {
  RunResult bad = RunCodeindex({"tokens"}, "",
                               "ab\xFF"
                               "cd");
  RunResult fffd = RunCodeindex({"tokens"}, "",
                                "ab\xEF\xBF\xBD"
                                "cd");
  ASSERT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_EQ(bad.out, fffd.out);
}

TEST(TokensE2eTest, Errors) {
  TempDir dir;
  RunResult r = RunCodeindex({"tokens", dir.path() + "/missing.txt"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("codeindex: ", 0), 0u) << r.err;
  EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.out, "");

  r = RunCodeindex({"tokens", dir.path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;

  r = RunCodeindex({"tokens", "--encoding", "gpt2", "-"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
}

TEST(TokensE2eTest, HelpDocumentsEstimateAndUtf8) {
  RunResult r = RunCodeindex({"tokens", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--estimate"), std::string::npos);
  EXPECT_NE(r.out.find("U+FFFD"), std::string::npos);
  EXPECT_NE(r.out.find("o200k_base"), std::string::npos);
}

}  // namespace
}  // namespace codeindex::testing
