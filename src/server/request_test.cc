#include "server/request.h"

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(ParseSearchBody, AcceptsTheContractsFields) {
  SearchRequest defaults;
  auto r = ParseSearchBody(
      R"({"query": "open file", "mode": "text", "limit": 7, "min_score": 0.5, "path": "src/", "future": 1})",
      defaults);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->query, "open file");
  EXPECT_EQ(r->mode, SearchMode::kText);
  EXPECT_EQ(r->limit, 7u);
  EXPECT_EQ(r->min_score, 0.5);
  EXPECT_EQ(r->path_prefix, "src/");
}

TEST(ParseSearchBody, RefusesBadInputWithTheFieldNamed) {
  SearchRequest d;
  auto err = [&](std::string_view body) {
    auto r = ParseSearchBody(body, d);
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_NE(err("{").find("malformed JSON"), std::string::npos);
  EXPECT_NE(err("[1]").find("object"), std::string::npos);
  EXPECT_NE(err("{}").find("'query'"), std::string::npos);
  EXPECT_NE(err(R"({"query": ""})").find("'query'"), std::string::npos);
  EXPECT_NE(err(R"({"query": "x", "limit": 0})").find("'limit'"), std::string::npos);
  EXPECT_NE(err(R"({"query": "x", "limit": -3})").find("'limit'"), std::string::npos);
  EXPECT_NE(err(R"({"query": "x", "limit": 1.5})").find("'limit'"), std::string::npos);
  EXPECT_NE(err(R"({"query": "x", "mode": "fuzzy"})"), "ok");
  EXPECT_NE(err(R"({"query": "x", "min_score": "high"})").find("'min_score'"), std::string::npos);
  EXPECT_NE(err(R"({"query": "x", "path": 3})").find("'path'"), std::string::npos);
  EXPECT_NE(err(std::string(kMaxQueryBytes + 20, 'a')), "ok");
}

TEST(ParseJson, DeepNestingIsRefusedNotRecursed) {
  std::string deep(100000, '[');
  auto r = ParseJson(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_TRUE(ParseJson(R"({"a": "[[[[", "b": [1, {"c": 2}]})").ok());
}

TEST(ParseTarget, DecodesPathAndParameters) {
  auto t = ParseTarget("/v1/context?file=src%2Fa%20b.py&start=3&end=9&flag");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/v1/context");
  EXPECT_EQ(t->params["file"], "src/a b.py");
  EXPECT_EQ(t->params["start"], "3");
  EXPECT_EQ(t->params["flag"], "");
  EXPECT_FALSE(ParseTarget("/v1/x?file=%zz").ok());
  EXPECT_FALSE(ParseTarget("/v1/x?file=a%00b").ok());
  EXPECT_FALSE(ParseTarget("/v1/x?file=%2").ok());
}

TEST(ParseIntParam, IsStrict) {
  EXPECT_EQ(*ParseIntParam("start", "12", 1, 100), 12);
  EXPECT_FALSE(ParseIntParam("start", "", 1, 100).ok());
  EXPECT_FALSE(ParseIntParam("start", "0", 1, 100).ok());
  EXPECT_FALSE(ParseIntParam("start", "12x", 1, 100).ok());
  EXPECT_FALSE(ParseIntParam("start", " 12", 1, 100).ok());
  EXPECT_FALSE(ParseIntParam("start", "99999999999999999999999", 1, 100).ok());
}

TEST(CheckWorkspacePath, KeepsClientsInsideTheWorkspace) {
  auto c = CheckWorkspacePathLexically("/ws", "src/./a/../b.py");
  EXPECT_EQ(c.verdict, PathVerdict::kInside);
  EXPECT_EQ(c.relative, "src/b.py");
  EXPECT_EQ(c.full, "/ws/src/b.py");
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", "/ws/src/x").relative, "src/x");
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", "../etc/passwd").verdict, PathVerdict::kOutside);
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", "a/../../x").verdict, PathVerdict::kOutside);
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", "/etc/passwd").verdict, PathVerdict::kOutside);
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", "/wsx/a").verdict, PathVerdict::kOutside);
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", "").verdict, PathVerdict::kMalformed);
  EXPECT_EQ(CheckWorkspacePathLexically("/ws", std::string("a\0b", 3)).verdict,
            PathVerdict::kMalformed);
}

TEST(ConstantTimeEquals, ComparesContent) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("", "secret"));
}

}  // namespace
}  // namespace codeindex
