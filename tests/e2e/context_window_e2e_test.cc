// End to end on loopback: a local server streams OpenAI-style and Anthropic-style SSE (usage
// chunks, tool calls, <think> text, a mid-stream disconnect, a 400 context-length error) to
// the real binary's `context-window --condense` / `--send`; the answers must be those of the
// original's rules (spec ORIGINAL-CONTEXT.md §2, §2.1, §3.1, §4, §6).
#include <cmath>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace codeindex {
namespace {

using json = nlohmann::ordered_json;
using testing::RunCodeindex;
using testing::TempDir;

struct Canned {
  int status = 200;
  std::vector<std::string> pieces;
  bool drop = false;  // close the connection without ending the chunked body
};

class LlmServer {
 public:
  LlmServer() {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Canned c;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(json::parse(req.body));
        paths_.push_back(req.path);
        if (!queue_.empty()) {
          c = queue_.front();
          queue_.pop_front();
        } else {
          c.status = 500;
          c.pieces = {R"({"error":{"message":"no canned answer"}})"};
        }
      }
      res.status = c.status;
      res.set_chunked_content_provider(
          c.status == 200 ? "text/event-stream" : "application/json",
          [c](size_t, httplib::DataSink& sink) {
            for (const std::string& p : c.pieces) sink.write(p.data(), p.size());
            if (c.drop) return false;
            sink.done();
            return true;
          });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LlmServer() {
    server_.stop();
    thread_.join();
  }
  void Push(Canned c) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(c));
  }
  std::vector<json> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::deque<Canned> queue_;
  std::vector<json> requests_;
  std::vector<std::string> paths_;
};

std::string Data(const std::string& j) { return "data: " + j + "\n\n"; }
std::string Event(const std::string& name, const std::string& j) {
  return "event: " + name + "\ndata: " + j + "\n\n";
}

constexpr char kCommand[] = "<command name=\"tdd\">write the test first</command>";
constexpr char kEnv[] = "<environment_details>cwd: /w</environment_details>";
constexpr char kSystem[] = "You are a coding agent.";

// The §4.0 history: u1 (with a command block), a1 (tool call), u2 (tool result), a2, u3.
json History() {
  return json::parse(std::string(R"JSON([
    {"role":"user","content":[{"type":"text","text":"Fix the bug in a.py. <command name=\"tdd\">write the test first</command>"}],"ts":1000},
    {"role":"assistant","content":[{"type":"text","text":"Reading it."},{"type":"tool_use","id":"t1","name":"read_file","input":{"path":"a.py"}}],"ts":2000},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"def f(): return 1/0"}],"ts":3000},
    {"role":"assistant","content":"Found a division by zero.","ts":4000},
    {"role":"user","content":"Fix it.","ts":5000,"id":"kept-field"}])JSON"));
}

json Request(int64_t total_tokens, int64_t window = 10000) {
  json r = json::object();
  r["messages"] = History();
  r["totalTokens"] = total_tokens;
  r["contextWindow"] = window;
  r["maxTokens"] = 1000;
  r["systemPrompt"] = kSystem;
  r["environmentDetails"] = kEnv;
  r["env"] = {{"now", 777}, {"ids", {"c-1", "c-2", "c-3"}}};
  return r;
}

class ContextWindowE2E : public ::testing::Test {
 protected:
  std::string Config(const std::string& provider, const std::string& extra = "") {
    return dir_.Write("config.toml", "[llm]\nprovider = \"" + provider + "\"\nbase_url = \"" +
                                         server_.url() + (provider == "anthropic" ? "" : "/v1") +
                                         "\"\nmodel = \"m\"\ncontext_window = 10000\n"
                                         "timeout_ms = 20000\n" + extra);
  }
  json RunCli(const std::vector<std::string>& flags, const json& request, int want_exit = 0) {
    std::vector<std::string> args = {"context-window"};
    args.insert(args.end(), flags.begin(), flags.end());
    testing::RunResult r = RunCodeindex(args, "", request.dump());
    EXPECT_EQ(r.exit_code, want_exit) << r.err;
    if (r.out.empty()) return json();
    return json::parse(r.out);
  }
  // ceil(1.5 x the sum of o200k token counts), counted by `codeindex tokens`.
  int64_t Estimate(const std::vector<std::string>& texts) {
    int64_t raw = 0;
    for (const std::string& t : texts) {
      testing::RunResult r = RunCodeindex({"tokens", "--json"}, "", t);
      raw += json::parse(r.out)["tokens"].get<int64_t>();
    }
    return static_cast<int64_t>(std::ceil(raw * 1.5));
  }
  // The §4 result for summary `summary`: every message tagged, S appended.
  void ExpectCondensed(const json& answer, const std::string& summary, const std::string& id) {
    ASSERT_EQ(answer["decision"], "condensed") << answer.dump();
    EXPECT_EQ(answer["summary"], summary);
    EXPECT_EQ(answer["condenseId"], id);
    const json& messages = answer["messages"];
    ASSERT_EQ(messages.size(), 6u);
    json want = History();
    for (json& m : want) m["condenseParent"] = id;
    for (int i = 0; i < 5; ++i) EXPECT_EQ(messages[i], want[i]) << i;
    const std::string workflows =
        std::string("<system-reminder>\n## Active Workflows\nThe following directives must be "
                    "maintained across all future condensings:\n") + kCommand +
        "\n</system-reminder>";
    const json s = {{"role", "user"},
                    {"content",
                     {{{"type", "text"}, {"text", "## Conversation Summary\n" + summary}},
                      {{"type", "text"}, {"text", workflows}},
                      {{"type", "text"}, {"text", kEnv}}}},
                    {"ts", 5001},
                    {"isSummary", true},
                    {"condenseId", id}};
    EXPECT_EQ(messages[5], s);
    EXPECT_EQ(answer["newContextTokens"],
              Estimate({kSystem, "## Conversation Summary\n" + summary, workflows, kEnv}));
  }
  // The condensing request: the summariser prompt, u1..u3 with tool blocks as text, then the
  // CONDENSE instructions.
  void ExpectCondenseRequest(const json& body, bool anthropic) {
    const json& messages = body["messages"];
    const size_t first = anthropic ? 0 : 1;  // OpenAI: the system prompt is a message
    if (anthropic) {
      EXPECT_EQ(body["system"][0]["text"].get<std::string>().rfind(
                    "You are performing a summarization-only request.", 0),
                0u);
    } else {
      EXPECT_EQ(messages[0]["role"], "system");
      EXPECT_EQ(messages[0]["content"].get<std::string>().rfind(
                    "You are performing a summarization-only request.", 0),
                0u);
    }
    ASSERT_EQ(messages.size(), first + 6);
    const json& a1 = messages[first + 1];
    EXPECT_EQ(a1["role"], "assistant");
    const std::string tool_text = "[Tool Use: read_file]\npath: a.py";
    if (anthropic) {
      EXPECT_EQ(a1["content"][1]["text"], tool_text);
      EXPECT_EQ(messages[first + 2]["content"][0]["text"], "[Tool Result]\ndef f(): return 1/0");
    } else {
      EXPECT_EQ(a1["content"], "Reading it.\n" + tool_text);  // no tool_calls: it is text now
      EXPECT_FALSE(a1.contains("tool_calls"));
      EXPECT_EQ(messages[first + 2]["content"][0]["text"], "[Tool Result]\ndef f(): return 1/0");
    }
    const json& last = messages[first + 5];
    EXPECT_EQ(last["role"], "user");
    const std::string instructions =
        last["content"].is_string() ? last["content"].get<std::string>()
                                    : last["content"].back()["text"].get<std::string>();
    EXPECT_NE(instructions.find("<analysis>"), std::string::npos);
    EXPECT_NE(instructions.find("9. Optional Next Step"), std::string::npos);
  }

  TempDir dir_;
  LlmServer server_;
};

TEST_F(ContextWindowE2E, OpenAiStyleStreamCondenses) {
  server_.Push({200,
                {Data(R"({"choices":[{"delta":{"role":"assistant","content":"<thi"}}]})"),
                 Data(R"({"choices":[{"delta":{"content":"nk>planning the summary</think>"}}]})"),
                 ": keep-alive\n\n",
                 Data(R"({"choices":[{"delta":{"content":"1. Primary Request: fix the bug."}}]})"),
                 Data(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_9","function":{"name":"read_file","arguments":"{\"path\":"}}]}}]})"),
                 Data(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"a.py\"}"}}]}}]})"),
                 "data: {\"choices\":[{\"delta\":{\"content\":\"\\n2. Next: run the tests.\"},\"finish_reason\":\"tool_calls\"}]}\r\n\r\n",
                 Data(R"({"choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":80}})"),
                 "data: [DONE]\n\n"}});
  const std::string config = Config("openai-compatible", "input_price = 2.0\noutput_price = 8.0\n");
  // prev = 9500 + tokens("Fix it.") > allowed = 10000 x 0.9 - 1000 = 8000.
  const json answer = RunCli({"--condense", "--config", config}, Request(9500));
  ExpectCondensed(answer, "1. Primary Request: fix the bug.\n2. Next: run the tests.", "c-1");
  EXPECT_DOUBLE_EQ(answer["cost"].get<double>(), (1200 * 2.0 + 80 * 8.0) / 1e6);
  EXPECT_FALSE(answer.contains("error"));
  ASSERT_EQ(server_.requests().size(), 1u);
  EXPECT_EQ(server_.paths()[0], "/v1/chat/completions");
  ExpectCondenseRequest(server_.requests()[0], false);
  EXPECT_EQ(server_.requests()[0]["stream_options"]["include_usage"], true);
}

TEST_F(ContextWindowE2E, AnthropicStyleStreamCondenses) {
  server_.Push({200,
                {Event("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":1000,"output_tokens":1,"cache_read_input_tokens":200}}})"),
                 Event("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"),
                 Event("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"<think>not text</think>"}})"),
                 Event("ping", R"({"type":"ping"})"),
                 Event("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Summary part A"}})"),
                 Event("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":", part B."}})"),
                 Event("content_block_start", R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"x","input":{}}})"),
                 Event("content_block_delta", R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}})"),
                 Event("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":50}})"),
                 Event("message_stop", R"({"type":"message_stop"})")}});
  const std::string config = Config(
      "anthropic", "input_price = 3.0\noutput_price = 15.0\ncache_reads_price = 0.3\n");
  const json answer = RunCli({"--condense", "--config", config}, Request(9500));
  // The text block at index 1 starts with "\n", trimmed away with the rest.
  ExpectCondensed(answer, "Summary part A, part B.", "c-1");
  // Each usage chunk overwrites the cost; the last one carries the total.
  EXPECT_DOUBLE_EQ(answer["cost"].get<double>(), (1000 * 3.0 + 51 * 15.0 + 200 * 0.3) / 1e6);
  EXPECT_EQ(server_.paths()[0], "/v1/messages");
  ExpectCondenseRequest(server_.requests()[0], true);
}

// A failed condense (here the connection drops mid-stream) leaves the history to the sliding
// window when prev > allowed (§2 steps 6-7).
TEST_F(ContextWindowE2E, MidStreamDisconnectFallsBackToTheSlidingWindow) {
  server_.Push({200,
                {Data(R"({"choices":[{"delta":{"content":"partial summ"}}]})"), "data: {\"cho"},
                true});
  const std::string config = Config("openai-compatible");
  const json answer = RunCli({"--condense", "--config", config}, Request(9500));
  EXPECT_EQ(answer["decision"], "truncated");
  EXPECT_EQ(answer["errorKey"], "condense_api_failed");
  EXPECT_EQ(answer["error"].get<std::string>().rfind("Condense API call failed: Connection error", 0),
            0u);
  EXPECT_EQ(answer["summary"], "");
  // 5 visible messages: floor(4 x 0.5) = 2 hidden (a1, u2), marker before a2.
  EXPECT_EQ(answer["messagesRemoved"], 2);
  EXPECT_EQ(answer["truncationId"], "c-1");
  const json& m = answer["messages"];
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[1]["truncationParent"], "c-1");
  EXPECT_EQ(m[2]["truncationParent"], "c-1");
  EXPECT_EQ(m[3], (json{{"role", "user"},
                        {"content", "[Sliding window truncation: 2 messages hidden to reduce context]"},
                        {"ts", 3999},
                        {"isTruncationMarker", true},
                        {"truncationId", "c-1"}}));
  EXPECT_FALSE(m[0].contains("truncationParent"));
  EXPECT_EQ(m[5]["id"], "kept-field");
  // The system prompt and every message neither hidden nor a marker, each counted on its own.
  EXPECT_EQ(answer["newContextTokensAfterTruncation"],
            Estimate({kSystem}) + Estimate({std::string("Fix the bug in a.py. ") + kCommand}) +
                Estimate({"Found a division by zero."}) + Estimate({"Fix it."}));
}

TEST_F(ContextWindowE2E, ContextLengthErrorIsReportedWithDetails) {
  const std::string body =
      R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})";
  server_.Push({400, {body}});
  const std::string config = Config("openai");
  const json answer = RunCli({"--condense", "--config", config, "--api-key-env", "HOME"}, Request(9500));
  EXPECT_EQ(answer["decision"], "truncated");
  EXPECT_EQ(answer["error"],
            "Condense API call failed: 400 This model's maximum context length is 8192 tokens. "
            "However, your messages resulted in 9100 tokens.");
  EXPECT_EQ(answer["errorDetails"]["status"], 400);
  EXPECT_EQ(answer["errorDetails"]["code"], "context_length_exceeded");
  EXPECT_EQ(answer["errorDetails"]["body"], json::parse(body));
}

// Over the threshold but within the allowed tokens: a failed condense changes nothing.
TEST_F(ContextWindowE2E, BelowAllowedNothingChanges) {
  server_.Push({400, {R"({"error":{"message":"bad"}})"}});
  const std::string config = Config("openai-compatible");
  json request = Request(6000);
  request["autoCondenseContextPercent"] = 50;
  const json answer = RunCli({"--condense", "--config", config}, request);
  EXPECT_EQ(answer["decision"], "none");
  EXPECT_EQ(answer["messages"], History());
  EXPECT_EQ(answer["errorKey"], "condense_api_failed");
  EXPECT_EQ(answer["willManageContext"], true);
}

// Without --condense no request is made: condense_unavailable, then the sliding window.
TEST_F(ContextWindowE2E, WithoutCondenseNoModelCall) {
  const std::string config = Config("openai-compatible");
  const json answer = RunCli({"--config", config}, Request(9500));
  EXPECT_EQ(answer["decision"], "truncated");
  EXPECT_EQ(answer["errorKey"], "condense_unavailable");
  EXPECT_TRUE(server_.requests().empty());
  // contextWindow defaults to the configured model's.
  json request = Request(9500);
  request.erase("contextWindow");
  const json again = RunCli({"--config", config}, request);
  EXPECT_EQ(again["explain"]["allowedTokens"], 8000.0);
}

// §2.1: the next request fails with a context-window error before its first chunk; the
// history is reduced at 75 % (here: condensed) and the request retried.
TEST_F(ContextWindowE2E, SendRetriesAfterAContextWindowError) {
  server_.Push({400, {R"({"error":{"message":"This model's maximum context length is 8192 tokens.","code":"context_length_exceeded"}})"}});
  server_.Push({200, {Data(R"({"choices":[{"delta":{"content":"Condensed."}}]})"), "data: [DONE]\n\n"}});
  server_.Push({200, {Data(R"({"choices":[{"delta":{"content":"Here is the fix."}}]})"),
                      Data(R"({"choices":[],"usage":{"prompt_tokens":300,"completion_tokens":9}})"),
                      "data: [DONE]\n\n"}});
  const std::string config = Config("openai-compatible");
  // prev = 7600 + ...: 76 % of the window, below allowed (8000): nothing to do before sending.
  const json answer = RunCli({"--send", "--config", config}, Request(7600));
  EXPECT_EQ(answer["decision"], "none");
  const json& response = answer["response"];
  EXPECT_EQ(response["text"], "Here is the fix.");
  EXPECT_EQ(response["retries"], 1);
  EXPECT_EQ(response["reductions"][0]["decision"], "condensed");
  EXPECT_EQ(response["reductions"][0]["explain"]["effectiveThreshold"], 75.0);
  EXPECT_EQ(response["inputTokens"], 300);
  EXPECT_FALSE(response.contains("error"));
  const std::vector<json> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["messages"].size(), 6u);  // system + 5
  EXPECT_EQ(requests[2]["messages"].size(), 2u);  // system + the summary
  EXPECT_EQ(answer["messages"].size(), 6u);       // the stored history, condensed
  EXPECT_EQ(answer["messages"][5]["isSummary"], true);
}

TEST_F(ContextWindowE2E, BadRequestsAreUserErrors) {
  testing::RunResult r = RunCodeindex({"context-window"}, "", "not json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("codeindex: the request is not JSON", 0), 0u) << r.err;
  r = RunCodeindex({"context-window"}, "", R"({"messages":[]})");
  EXPECT_EQ(r.exit_code, 1);
  r = RunCodeindex({"context-window", "--condense"}, dir_.path(), Request(1).dump());
  EXPECT_EQ(r.exit_code, 1);  // no model configured
  EXPECT_NE(r.err.find("[llm]"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace codeindex
