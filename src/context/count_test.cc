#include "context/count.h"

#include <string>

#include <gtest/gtest.h>

#include "tokens/tokenizer.h"

namespace codeindex::context {
namespace {

Json Image(size_t base64_length) {
  return Json{{"type", "image"},
              {"source",
               {{"type", "base64"}, {"media_type", "image/png"},
                {"data", std::string(base64_length, 'A')}}}};
}

Json Text(const std::string& t) { return Json{{"type", "text"}, {"text", t}}; }

size_t O200k(const std::string& s) {
  return Tokenizer::Get(TokenEncoding::kO200kBase).Count(s);
}

// The worked examples of ORIGINAL-CONTEXT.md §1.1.
TEST(CountTokens, SpecExamples) {
  EXPECT_EQ(CountTokens(Json::array({Image(10000)})), 150);
  const std::string seven = "The quick brown fox jumps over the";
  ASSERT_EQ(O200k(seven), 7u);
  EXPECT_EQ(CountTokens(Json::array({Text(seven), Image(10000)})), 161);
  ASSERT_EQ(O200k("hello world"), 2u);
  EXPECT_EQ(CountTokens(Json::array({Text("hello world")})), 3);
  EXPECT_EQ(CountContentTokens(Json("hello world")), 3);
  EXPECT_EQ(CountTextTokens("hello world"), 3);
}

TEST(CountTokens, EmptyAndOtherBlocks) {
  EXPECT_EQ(CountTokens(Json::array()), 0);
  EXPECT_EQ(CountTokens(Json()), 0);
  EXPECT_EQ(CountContentTokens(Json(42)), 0);
  EXPECT_EQ(CountTokens(Json::array({Text("")})), 0);
  EXPECT_EQ(CountTokens(Json::array({Json{{"type", "thinking"}, {"thinking", "lots"}}})), 0);
  // An image without inline data counts 300, before the 1.5 factor.
  EXPECT_EQ(CountTokens(Json::array({Json{{"type", "image"}, {"source", {{"type", "url"}}}}})),
            450);
  // ceil(sqrt(10001)) = 101 -> ceil(151.5) = 152: the factor is applied once to the sum.
  EXPECT_EQ(CountTokens(Json::array({Image(10001)})), 152);
  // Special-token text is ordinary text.
  EXPECT_EQ(CountTokens(Json::array({Text("<|endoftext|>")})),
            static_cast<int64_t>(OriginalContextEstimate(O200k("<|endoftext|>"))));
}

TEST(CountTokens, ToolBlocksAreSerialised) {
  const Json use = Json::parse(R"({"type":"tool_use","id":"t","name":"read_file",
                                   "input":{"path":"a.py","lines":[1,2.5],"b":true}})");
  const std::string use_text = "Tool: read_file\nArguments: {\"path\":\"a.py\",\"lines\":[1,2.5],\"b\":true}";
  EXPECT_EQ(CountTokens(Json::array({use})),
            static_cast<int64_t>(OriginalContextEstimate(O200k(use_text))));
  const Json no_input = Json::parse(R"({"type":"tool_use","id":"t","name":"list"})");
  EXPECT_EQ(CountTokens(Json::array({no_input})),
            static_cast<int64_t>(OriginalContextEstimate(O200k("Tool: list"))));

  const Json result = Json::parse(R"({"type":"tool_result","tool_use_id":"t","is_error":true,
      "content":[{"type":"text","text":"boom"},{"type":"image","source":{}},{"type":"document"}]})");
  const std::string result_text =
      "Tool Result (t)\n[Error]\nboom\n[Image content]\n[Unsupported content block: document]";
  EXPECT_EQ(CountTokens(Json::array({result})),
            static_cast<int64_t>(OriginalContextEstimate(O200k(result_text))));
  const Json string_result =
      Json::parse(R"({"type":"tool_result","tool_use_id":"t","content":"ok"})");
  EXPECT_EQ(CountTokens(Json::array({string_result})),
            static_cast<int64_t>(OriginalContextEstimate(O200k("Tool Result (t)\nok"))));
}

TEST(JsStringify, MatchesJavaScript) {
  EXPECT_EQ(JsStringify(Json::parse(R"({"b":1,"a":[1.0,2.5,-0.0,1e21,1e-7,123456789012],"s":"\u0001\"\\\n\u007f é"})")),
            R"({"b":1,"a":[1,2.5,0,1e+21,1e-7,123456789012],"s":"\u0001\"\\\n)"
            "\x7f é\"}");
  // Integer-like keys come first, ascending, as in JavaScript objects.
  EXPECT_EQ(JsStringify(Json::parse(R"({"b":1,"2":2,"a":3,"1":4,"01":5})")),
            R"({"1":4,"2":2,"b":1,"a":3,"01":5})");
  EXPECT_EQ(JsStringify(Json::parse(R"({"a":{"b":[1,{}],"c":[]},"d":null})"), 2),
            "{\n  \"a\": {\n    \"b\": [\n      1,\n      {}\n    ],\n    \"c\": []\n  },\n"
            "  \"d\": null\n}");
  EXPECT_EQ(JsStringify(Json(9007199254740993ull)), "9007199254740992");
}

TEST(JsNumber, NumberToString) {
  EXPECT_EQ(JsNumber(0.1), "0.1");
  EXPECT_EQ(JsNumber(100), "100");
  EXPECT_EQ(JsNumber(1e21), "1e+21");
  EXPECT_EQ(JsNumber(1e20), "100000000000000000000");
  EXPECT_EQ(JsNumber(0.000001), "0.000001");
  EXPECT_EQ(JsNumber(0.0000001), "1e-7");
  EXPECT_EQ(JsNumber(-2.5e-8), "-2.5e-8");
  EXPECT_EQ(JsNumber(123.456), "123.456");
  EXPECT_EQ(JsNumber(1.7976931348623157e308), "1.7976931348623157e+308");
}

TEST(Utf16, LengthAndPrefix) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("é€😀"), 4u);  // 1 + 1 + 2
  EXPECT_EQ(Utf16Prefix("a😀b", 2), "a");
  EXPECT_EQ(Utf16Prefix("a😀b", 3), "a😀");
  EXPECT_EQ(Utf16Prefix("abc", 10), "abc");
}

}  // namespace
}  // namespace codeindex::context
