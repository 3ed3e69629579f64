#include "llm/decoders.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex::llm {
namespace {

std::vector<std::string> Dump(const std::vector<Chunk>& chunks) {
  std::vector<std::string> out;
  for (const Chunk& c : chunks) out.push_back(ChunkToJson(c).dump());
  return out;
}

using V = std::vector<std::string>;

TEST(AnthropicDecoder, MessagesStream) {
  ModelInfo model;
  model.input_price = 3;
  model.output_price = 15;
  model.cache_writes_price = 3.75;
  model.cache_reads_price = 0.3;
  AnthropicDecoder d(model);
  std::vector<Chunk> out;
  const char* events[] = {
      R"({"type":"message_start","message":{"usage":{"input_tokens":100,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":50}}})",
      R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}})",
      R"({"type":"content_block_stop","index":0})",
      R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Hi"}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" there"}})",
      R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"read_file","input":{}}})",
      R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"path\":"}})",
      R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":20}})",
      R"({"type":"message_stop"})"};
  for (const char* e : events) ASSERT_TRUE(d.OnEvent(Json::parse(e), &out).ok());
  d.Finish(&out);
  EXPECT_TRUE(d.saw_stop());
  EXPECT_EQ(Dump(out),
            (V{R"({"type":"usage","inputTokens":100,"outputTokens":1,"cacheReadTokens":50})",
               R"({"type":"reasoning","text":""})", R"({"type":"reasoning","text":"hmm"})",
               R"({"type":"text","text":"\n"})", R"({"type":"text","text":"Hi"})",
               R"({"type":"text","text":" there"})",
               R"({"type":"tool_call_partial","index":2,"id":"toolu_1","name":"read_file"})",
               R"({"type":"tool_call_partial","index":2,"arguments":"{\"path\":"})",
               R"({"type":"usage","inputTokens":0,"outputTokens":20})",
               // (100*3 + 21*15 + 50*0.3) / 1e6
               R"({"type":"usage","inputTokens":0,"outputTokens":0,"totalCost":0.00063})"}));
}

TEST(AnthropicDecoder, ErrorEventAndNoUsage) {
  AnthropicDecoder d(ModelInfo{});
  std::vector<Chunk> out;
  ApiError e = d.OnEvent(
      Json::parse(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
      &out);
  EXPECT_EQ(e.kind, ApiError::Kind::kStream);
  EXPECT_EQ(e.type, "overloaded_error");
  d.Finish(&out);
  EXPECT_TRUE(out.empty());  // no token counted: no final usage
}

TEST(OpenAiDecoder, ChatCompletionsStream) {
  OpenAiDecoder d(ModelInfo{}, OpenAiDecoder::Flavor::kCompatible);
  std::vector<Chunk> out;
  const char* chunks[] = {
      R"({"choices":[{"delta":{"role":"assistant","content":"<thi"}}]})",
      R"({"choices":[{"delta":{"content":"nk>plan</th"}}]})",
      R"({"choices":[{"delta":{"content":"ink>Answer","reasoning_content":"  "}}]})",
      R"({"choices":[{"delta":{"reasoning":"deep"}}]})",
      R"({"choices":[{"delta":{"reasoning_content":"","reasoning":"ignored"}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":""}}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]})",
      R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})",
      R"({"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5}})",
      R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"cache_read_input_tokens":3}})"};
  for (const char* c : chunks) ASSERT_TRUE(d.OnChunk(Json::parse(c), &out).ok());
  d.Finish(&out);
  EXPECT_EQ(Dump(out),
            (V{R"({"type":"reasoning","text":"plan"})", R"({"type":"text","text":"Answer"})",
               R"({"type":"reasoning","text":"deep"})",
               R"({"type":"tool_call_partial","index":0,"id":"call_1","name":"f","arguments":""})",
               R"({"type":"tool_call_partial","index":0,"arguments":"{}"})",
               R"({"type":"tool_call_end","id":"call_1"})",
               // Only the last usage object, once, at the end.
               R"({"type":"usage","inputTokens":12,"outputTokens":7,"cacheReadTokens":3})"}));
}

TEST(OpenAiDecoder, OpenAiFlavorReadsOnlyReasoningContent) {
  OpenAiDecoder d(ModelInfo{}, OpenAiDecoder::Flavor::kOpenAi);
  std::vector<Chunk> out;
  ASSERT_TRUE(d.OnChunk(Json::parse(R"({"choices":[{"delta":{"reasoning":"no"}}]})"), &out).ok());
  ASSERT_TRUE(
      d.OnChunk(Json::parse(R"({"choices":[{"delta":{"reasoning_content":" yes"}}]})"), &out).ok());
  d.Finish(&out);
  EXPECT_EQ(Dump(out), (V{R"({"type":"reasoning","text":" yes"})"}));
}

TEST(OpenAiDecoder, ErrorChunk) {
  OpenAiDecoder d(ModelInfo{}, OpenAiDecoder::Flavor::kCompatible);
  std::vector<Chunk> out;
  ApiError e = d.OnChunk(
      Json::parse(R"({"error":{"message":"context length exceeded","code":400}})"), &out);
  EXPECT_EQ(e.kind, ApiError::Kind::kStream);
  EXPECT_EQ(e.code, "400");
  EXPECT_EQ(e.message, "context length exceeded");
}

TEST(ResponsesDecoder, TextReasoningToolsAndUsage) {
  ModelInfo model;
  model.input_price = 1;
  model.output_price = 2;
  ResponsesDecoder d(model);
  std::vector<Chunk> out;
  const char* events[] = {
      R"({"type":"response.created","response":{"id":"resp_1","service_tier":"default"}})",
      R"({"type":"response.reasoning_summary_text.delta","delta":"think"})",
      R"({"type":"response.output_text.delta","delta":"Hel"})",
      R"({"type":"response.output_text.delta","delta":"lo"})",
      R"({"type":"response.output_text.done","text":"Hello"})",
      R"({"type":"response.refusal.delta","delta":"no"})",
      R"({"type":"response.output_item.added","item":{"type":"function_call","call_id":"c1","name":"f"}})",
      R"({"type":"response.function_call_arguments.delta","output_index":1,"delta":"{\"a\""})",
      R"({"type":"response.output_item.done","item":{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}})",
      R"({"type":"response.output_item.done","item":{"type":"function_call","call_id":"c2","name":"g","arguments":"{\"b\":1}"}})",
      R"({"type":"response.completed","response":{"usage":{"input_tokens":1000,"output_tokens":100,"input_tokens_details":{"cached_tokens":200},"output_tokens_details":{"reasoning_tokens":30}}}})"};
  for (const char* e : events) ASSERT_TRUE(d.OnEvent(Json::parse(e), &out).ok());
  EXPECT_EQ(d.response_id(), "resp_1");
  EXPECT_EQ(
      Dump(out),
      (V{R"({"type":"reasoning","text":"think"})", R"({"type":"text","text":"Hel"})",
         R"({"type":"text","text":"lo"})", R"({"type":"text","text":"[Refusal] no"})",
         R"({"type":"tool_call_partial","index":1,"id":"c1","name":"f","arguments":"{\"a\""})",
         R"({"type":"tool_call","id":"c2","name":"g","arguments":"{\"b\":1}"})",
         R"({"type":"usage","inputTokens":1000,"outputTokens":100,"cacheWriteTokens":0,"cacheReadTokens":200,"reasoningTokens":30,"totalCost":0.001})"}));
}

TEST(ResponsesDecoder, FinalTextFallbackFromOutputArray) {
  ResponsesDecoder d(ModelInfo{});
  std::vector<Chunk> out;
  ASSERT_TRUE(d.OnEvent(Json::parse(R"({"type":"response.done","response":{"output":[{"type":"message","content":[{"type":"output_text","text":"only at the end"}]}]}})"),
                        &out)
                  .ok());
  EXPECT_EQ(Dump(out), (V{R"({"type":"text","text":"only at the end"})"}));
}

}  // namespace
}  // namespace codeindex::llm
