#include "context/manage.h"

#include <gtest/gtest.h>

#include "context/count.h"
#include "context/history.h"
#include "context/testing.h"
#include "llm/errors.h"

namespace codeindex::context {
namespace {

using testing::CountingEnv;
using testing::Msg;
using testing::ScriptedHandler;

Json History(int n) {
  Json m = Json::array();
  for (int i = 0; i < n; ++i) {
    m.push_back(Msg(i % 2 ? "assistant" : "user", "message number " + std::to_string(i), 10 * i));
  }
  return m;
}

// Options whose prev (totalTokens + last message's tokens) is exactly `prev`.
ManageOptions WithPrev(int64_t prev) {
  ManageOptions o;
  o.messages = History(11);
  o.context_window = 200000;
  o.total_tokens = prev - CountContentTokens(o.messages.back()[kContent]);
  o.system_prompt = "You are a helpful assistant.";
  return o;
}

Decision Decide(const ManageOptions& o, ScriptedHandler* model) {
  model->Answer("summary");
  ManageResult r = ManageContext(o, model, CountingEnv());
  model->replies.clear();
  return r.decision;
}

// The worked example of ORIGINAL-CONTEXT.md §2.
TEST(ManageContext, SpecWorkedExample) {
  ScriptedHandler model;
  const ManageArithmetic a = ComputeArithmetic(WithPrev(1000));
  EXPECT_EQ(a.reserved_tokens, 8192);
  EXPECT_EQ(a.allowed_tokens, 171808);
  EXPECT_EQ(a.effective_threshold, 100);

  // Threshold 100 %: condense only when prev > 171,808 (the percent alone would need 200,000).
  EXPECT_EQ(Decide(WithPrev(171808), &model), Decision::kNone);
  EXPECT_EQ(Decide(WithPrev(171809), &model), Decision::kCondensed);

  // Threshold 70 %: condense at prev >= 140,000.
  ManageOptions o = WithPrev(139999);
  o.auto_condense_context_percent = 70;
  EXPECT_EQ(Decide(o, &model), Decision::kNone);
  o = WithPrev(140000);
  o.auto_condense_context_percent = 70;
  EXPECT_EQ(Decide(o, &model), Decision::kCondensed);

  // Auto-condense off: truncate when prev > 171,808, whatever the percent.
  o = WithPrev(171808);
  o.auto_condense_context = false;
  o.auto_condense_context_percent = 5;
  EXPECT_EQ(Decide(o, &model), Decision::kNone);
  o = WithPrev(171809);
  o.auto_condense_context = false;
  EXPECT_EQ(Decide(o, &model), Decision::kTruncated);
}

TEST(ManageContext, ReservationAndThresholds) {
  ManageOptions o = WithPrev(1000);
  o.max_tokens = 0;
  EXPECT_EQ(ComputeArithmetic(o).reserved_tokens, 8192);
  o.max_tokens = 16384;
  EXPECT_EQ(ComputeArithmetic(o).allowed_tokens, 163616);

  o.auto_condense_context_percent = 80;
  o.current_profile_id = "fast";
  o.profile_thresholds = {{"fast", 50}, {"other", 10}};
  EXPECT_EQ(ComputeArithmetic(o).effective_threshold, 50);
  o.profile_thresholds = {{"fast", -1}};
  EXPECT_EQ(ComputeArithmetic(o).effective_threshold, 80);
  for (double bad : {3.0, 101.0, 0.0}) {
    o.profile_thresholds = {{"fast", bad}};
    const ManageArithmetic a = ComputeArithmetic(o);
    EXPECT_EQ(a.effective_threshold, 80) << bad;
    EXPECT_FALSE(a.threshold_warning.empty()) << bad;
  }
  o.profile_thresholds = {{"fast", 5}};
  EXPECT_EQ(ComputeArithmetic(o).effective_threshold, 5);
  o.profile_thresholds = {{"fast", 100}};
  EXPECT_EQ(ComputeArithmetic(o).effective_threshold, 100);
}

TEST(ManageContext, CondensedResult) {
  ScriptedHandler model;
  model.Answer("the summary", 0.125);
  ManageOptions o = WithPrev(180000);
  ManageResult r = ManageContext(o, &model, CountingEnv());
  ASSERT_EQ(r.decision, Decision::kCondensed);
  EXPECT_EQ(r.prev_context_tokens, 180000);
  EXPECT_EQ(r.summary, "the summary");
  EXPECT_EQ(r.cost, 0.125);
  EXPECT_EQ(r.condense_id, "id-1");
  EXPECT_EQ(r.messages.size(), 12u);
  EXPECT_TRUE(r.error.empty());
  EXPECT_FALSE(r.truncation_id.has_value());
  EXPECT_EQ(r.new_context_tokens,
            CountTokens(Json::array({Json{{"type", "text"}, {"text", o.system_prompt}},
                                     Json{{"type", "text"},
                                          {"text", "## Conversation Summary\nthe summary"}}})));
}

TEST(ManageContext, FailedCondenseFallsBackToTheSlidingWindow) {
  ScriptedHandler model;
  llm::ApiError e;
  e.kind = llm::ApiError::Kind::kTransport;
  e.message = "Connection error.";
  model.Fail(e);
  ManageOptions o = WithPrev(180000);
  ManageResult r = ManageContext(o, &model, CountingEnv());
  ASSERT_EQ(r.decision, Decision::kTruncated);
  EXPECT_EQ(r.error_key, "condense_api_failed");
  EXPECT_EQ(r.error, "Condense API call failed: Connection error.");
  EXPECT_EQ(r.truncation_id, "id-1");
  EXPECT_EQ(r.messages_removed, 4);
  int64_t expected = CountTextTokens(o.system_prompt);
  for (const Json& m : r.messages) {
    if (!m.contains(kTruncationParent) && !m.contains(kIsTruncationMarker)) {
      expected += CountContentTokens(m[kContent]);
    }
  }
  EXPECT_EQ(r.new_context_tokens_after_truncation, expected);

  // Over the threshold but within the allowed tokens: the error is reported, nothing changes.
  model.Fail(e);
  o = WithPrev(150000);
  o.auto_condense_context_percent = 70;
  ManageResult none = ManageContext(o, &model, CountingEnv());
  EXPECT_EQ(none.decision, Decision::kNone);
  EXPECT_EQ(none.error_key, "condense_api_failed");
  EXPECT_EQ(none.messages, o.messages);

  // No model at all (condensing not allowed): the same fallback.
  ManageResult no_model = ManageContext(WithPrev(180000), nullptr, CountingEnv());
  EXPECT_EQ(no_model.decision, Decision::kTruncated);
  EXPECT_EQ(no_model.error_key, "condense_unavailable");
}

TEST(WillManageContext, SameArithmetic) {
  ManageOptions o = WithPrev(171808);
  EXPECT_FALSE(WillManageContext(o));
  o = WithPrev(171809);
  EXPECT_TRUE(WillManageContext(o));
  o = WithPrev(140000);
  o.auto_condense_context_percent = 70;
  EXPECT_TRUE(WillManageContext(o));
  o.auto_condense_context = false;
  EXPECT_FALSE(WillManageContext(o));
}

TEST(ManageJson, RequestAndResult) {
  const Json request = Json::parse(R"({
    "messages": [{"role":"user","content":"hello","ts":1},{"role":"assistant","content":"hi","ts":2},
                 {"role":"user","content":[{"type":"text","text":"more"}],"ts":3,"extra":{"kept":true}}],
    "totalTokens": 171000, "contextWindow": 200000, "maxTokens": null,
    "autoCondenseContext": false, "autoCondenseContextPercent": 60,
    "profileThresholds": {"p": 50}, "currentProfileId": "p", "systemPrompt": "sys",
    "filesReadByRoo": ["a.py"], "cwd": "/w", "taskId": "task-1",
    "env": {"now": 5000, "ids": ["fixed-id"]}})");
  ManageOptions o;
  bool estimated = true;
  std::optional<int64_t> now;
  std::vector<std::string> ids;
  ASSERT_TRUE(ParseManageRequest(request, &o, &estimated, &now, &ids).ok());
  EXPECT_FALSE(estimated);
  EXPECT_EQ(o.total_tokens, 171000);
  EXPECT_FALSE(o.max_tokens.has_value());
  EXPECT_FALSE(o.auto_condense_context);
  EXPECT_EQ(o.profile_thresholds.at("p"), 50);
  EXPECT_EQ(o.metadata["taskId"], "task-1");
  EXPECT_EQ(o.files_read, std::vector<std::string>{"a.py"});
  EXPECT_EQ(now, 5000);
  EXPECT_EQ(ids, std::vector<std::string>{"fixed-id"});

  o.total_tokens = 172000;
  ManageResult r = ManageContext(o, nullptr, FixedEnv(ids, now));
  const Json j = ManageResultToJson(r);
  EXPECT_EQ(j["decision"], "truncated");
  EXPECT_EQ(j["truncationId"], "fixed-id");
  EXPECT_EQ(j["messagesRemoved"], 0);  // three messages: nothing can be hidden
  EXPECT_EQ(j["explain"]["allowedTokens"], 171808.0);
  EXPECT_EQ(j["messages"][2]["extra"]["kept"], true);  // unknown fields survive
  EXPECT_FALSE(j.contains("error"));

  // totalTokens omitted: estimated from the effective history without the last message.
  Json no_total = request;
  no_total.erase("totalTokens");
  ManageOptions o2;
  ASSERT_TRUE(ParseManageRequest(no_total, &o2, &estimated, &now, &ids).ok());
  EXPECT_TRUE(estimated);
  EXPECT_EQ(o2.total_tokens, CountTextTokens("sys") + CountContentTokens(Json("hello")) +
                                 CountContentTokens(Json("hi")));

  const char* bad[] = {R"({"contextWindow":1})", R"({"messages":[],"contextWindow":1})",
                       R"({"messages":[{"role":"user","content":"x"}]})",
                       R"({"messages":[{"role":"user"}],"contextWindow":1})",
                       R"({"messages":[{"role":"user","content":"x"}],"contextWindow":"big"})",
                       R"({"messages":[{"role":"user","content":[1]}],"contextWindow":10})",
                       R"([1,2])"};
  for (const char* b : bad) {
    ManageOptions x;
    EXPECT_EQ(ParseManageRequest(Json::parse(b), &x, &estimated, &now, &ids).code(),
              Code::kInvalidArgument)
        << b;
  }
}

llm::ApiError ContextError() {
  llm::ApiError e;
  e.kind = llm::ApiError::Kind::kHttp;
  e.sdk = "openai";
  e.status = 400;
  e.message = "400 This model's maximum context length is 8192 tokens";
  e.body = R"({"error":{"message":"This model's maximum context length is 8192 tokens"}})";
  return e;
}

// §2.1: a context-window error before the first chunk forces a reduction at 75 % and a retry,
// at most 3 times.
TEST(SendWithContextRetries, ForcedReductionThenSuccess) {
  ScriptedHandler model;
  model.Fail(ContextError());       // the request
  model.Answer("condensed summary");  // the forced condense (prev 160,000 >= 75 %)
  model.Answer("the real answer");   // the retried request
  ManageOptions o = WithPrev(160000);
  std::vector<std::string> texts;
  SendResult r = SendWithContextRetries(
      o, &model, [&](const llm::Chunk& c) { if (c.type == llm::ChunkType::kText) texts.push_back(c.text); },
      CountingEnv());
  ASSERT_TRUE(r.error.ok()) << r.error.Describe();
  EXPECT_EQ(r.retries, 1);
  ASSERT_EQ(r.reductions.size(), 1u);
  EXPECT_EQ(r.reductions[0].decision, Decision::kCondensed);
  EXPECT_EQ(r.reductions[0].arithmetic.effective_threshold, 75);
  EXPECT_EQ(texts, std::vector<std::string>{"the real answer"});
  ASSERT_EQ(model.requests.size(), 3u);
  EXPECT_EQ(model.requests[0].messages.size(), 11u);
  // The retry sends only the summary.
  EXPECT_EQ(model.requests[2].messages.size(), 1u);
  EXPECT_EQ(r.request_messages, model.requests[2].messages);
}

TEST(SendWithContextRetries, AtMostThreeRetries) {
  ScriptedHandler model;
  for (int i = 0; i < 10; ++i) model.Fail(ContextError());
  ManageOptions o = WithPrev(100000);  // 50 %: below 75 %, within allowed: nothing to reduce
  SendResult r = SendWithContextRetries(o, &model, [](const llm::Chunk&) {}, CountingEnv());
  EXPECT_EQ(r.retries, 3);
  EXPECT_EQ(model.requests.size(), 4u);
  EXPECT_TRUE(llm::IsContextWindowExceededError(r.error));
  for (const ManageResult& m : r.reductions) EXPECT_EQ(m.decision, Decision::kNone);
}

TEST(SendWithContextRetries, OtherErrorsAndLateErrorsAreNotRetried) {
  ScriptedHandler model;
  llm::ApiError e;
  e.kind = llm::ApiError::Kind::kHttp;
  e.status = 401;
  e.message = "401 bad key";
  model.Fail(e);
  SendResult r = SendWithContextRetries(WithPrev(160000), &model, [](const llm::Chunk&) {},
                                        CountingEnv());
  EXPECT_EQ(r.retries, 0);
  EXPECT_EQ(r.error.status, 401);
  // A context error after the first chunk is not a first-chunk failure.
  ScriptedHandler late;
  ScriptedHandler::Reply reply;
  reply.chunks.push_back(llm::Chunk::Text("partial"));
  reply.error = ContextError();
  late.replies.push_back(reply);
  SendResult r2 = SendWithContextRetries(WithPrev(160000), &late, [](const llm::Chunk&) {},
                                         CountingEnv());
  EXPECT_EQ(r2.retries, 0);
}

}  // namespace
}  // namespace codeindex::context
