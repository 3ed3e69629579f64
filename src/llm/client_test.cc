// HttpApiHandler against an in-process loopback server that streams canned SSE answers.
#include "llm/client.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "llm/errors.h"

namespace codeindex::llm {
namespace {

// A loopback server whose answer each test sets: status, body pieces (sent as chunks), and
// whether to drop the connection after them.
class FakeServer {
 public:
  FakeServer() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_body_ = req.body;
        last_path_ = req.path;
        last_headers_ = req.headers;
      }
      res.status = status_;
      auto pieces = pieces_;
      const bool drop = drop_;
      const int stall_ms = stall_ms_;
      res.set_chunked_content_provider(
          status_ == 200 ? "text/event-stream" : "application/json",
          [pieces, drop, stall_ms, this](size_t, httplib::DataSink& sink) {
            for (const std::string& p : pieces) sink.write(p.data(), p.size());
            if (stall_ms > 0) {
              for (int i = 0; i < stall_ms / 10 && !stopping_; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
              }
            }
            if (drop) return false;  // abort: no terminating chunk
            sink.done();
            return true;
          });
    };
    server_.Post(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }

  void Answer(int status, std::vector<std::string> pieces, bool drop = false, int stall_ms = 0) {
    status_ = status;
    pieces_ = std::move(pieces);
    drop_ = drop;
    stall_ms_ = stall_ms;
  }
  std::string url(const std::string& suffix = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + suffix;
  }
  Json last_body() {
    std::lock_guard<std::mutex> lock(mu_);
    return Json::parse(last_body_);
  }
  std::string last_path() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_path_;
  }
  std::string header(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = last_headers_.find(name);
    return it == last_headers_.end() ? "" : it->second;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  int status_ = 200;
  std::vector<std::string> pieces_;
  bool drop_ = false;
  int stall_ms_ = 0;
  std::mutex mu_;
  std::string last_body_, last_path_;
  httplib::Headers last_headers_;
};

LlmConfig Config(const std::string& provider, const std::string& base_url) {
  LlmConfig c;
  c.provider = provider;
  c.base_url = base_url;
  c.model = provider == "anthropic" ? "claude-test" : "test-model";
  c.api_key = "sk-test";
  c.timeout_ms = 20000;
  c.read_timeout_ms = 20000;
  return c;
}

ApiRequest Request() {
  ApiRequest r;
  r.system_prompt = "be brief";
  r.messages = Json::parse(R"([{"role":"user","content":"hi"},
    {"role":"assistant","content":[{"type":"text","text":"a"},{"type":"tool_use","id":"t1","name":"f","input":{"x":1}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"},{"type":"text","text":"go"}]}])");
  return r;
}

struct Collected {
  std::vector<std::string> chunks;
  ApiError error;
};

Collected Stream(HttpApiHandler& h, const ApiRequest& req, const std::atomic<bool>* cancel = nullptr) {
  Collected c;
  c.error = h.CreateMessage(
      req, [&](const Chunk& chunk) { c.chunks.push_back(ChunkToJson(chunk).dump()); }, cancel);
  return c;
}

using V = std::vector<std::string>;

TEST(HttpApiHandler, OpenAiCompatibleStream) {
  FakeServer server;
  server.Answer(200, {"data: {\"choices\":[{\"delta\":{\"content\":\"<think>pl\"}}]}\n\n",
                      "data: {\"choices\":[{\"delta\":{\"content\":\"an</think>Sum\"}}]}\r\n\r\n",
                      ": keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"mary\"}}]}\n",
                      "\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\n\n",
                      "data: [DONE]\n\n", "data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n"});
  HttpApiHandler h(Config("openai-compatible", server.url("/v1")));
  Collected c = Stream(h, Request());
  ASSERT_TRUE(c.error.ok()) << c.error.Describe();
  EXPECT_EQ(c.chunks, (V{R"({"type":"reasoning","text":"pl"})", R"({"type":"reasoning","text":"an"})",
                         R"({"type":"text","text":"Sum"})", R"({"type":"text","text":"mary"})",
                         R"({"type":"usage","inputTokens":9,"outputTokens":3})"}));
  EXPECT_EQ(server.last_path(), "/v1/chat/completions");
  EXPECT_EQ(server.header("Authorization"), "Bearer sk-test");
  const Json body = server.last_body();
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  // convertToOpenAiMessages: system first, tool_use -> tool_calls, tool_result -> tool message.
  EXPECT_EQ(body["messages"].dump(),
            R"([{"role":"system","content":"be brief"},{"role":"user","content":"hi"},)"
            R"({"role":"assistant","content":"a","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},)"
            R"({"role":"tool","tool_call_id":"t1","content":"r"},{"role":"user","content":[{"type":"text","text":"go"}]}])");
}

TEST(HttpApiHandler, AnthropicStream) {
  FakeServer server;
  server.Answer(200, {"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n",
                      "event: ping\ndata: {\"type\":\"ping\"}\n\n",
                      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Done\"}}\n\n",
                      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":4}}\n\n",
                      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"});
  HttpApiHandler h(Config("anthropic", server.url()));
  Collected c = Stream(h, Request());
  ASSERT_TRUE(c.error.ok()) << c.error.Describe();
  EXPECT_EQ(c.chunks, (V{R"({"type":"usage","inputTokens":20,"outputTokens":1})",
                         R"({"type":"text","text":""})", R"({"type":"text","text":"Done"})",
                         R"({"type":"usage","inputTokens":0,"outputTokens":4})",
                         R"({"type":"usage","inputTokens":0,"outputTokens":0,"totalCost":0.0})"}));
  EXPECT_EQ(server.last_path(), "/v1/messages");
  EXPECT_EQ(server.header("x-api-key"), "sk-test");
  EXPECT_EQ(server.header("anthropic-version"), "2023-06-01");
  const Json body = server.last_body();
  EXPECT_EQ(body["max_tokens"], 8192);
  EXPECT_EQ(body["system"][0]["text"], "be brief");
  EXPECT_EQ(body["system"][0]["cache_control"]["type"], "ephemeral");
  // The last two user messages carry a cache mark on their last block.
  EXPECT_EQ(body["messages"][2]["content"][1]["cache_control"]["type"], "ephemeral");
  EXPECT_EQ(body["messages"][0]["content"][0]["cache_control"]["type"], "ephemeral");
}

TEST(HttpApiHandler, OpenAiContextLengthError) {
  FakeServer server;
  server.Answer(400, {R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})"});
  HttpApiHandler h(Config("openai", server.url("/v1")));
  Collected c = Stream(h, Request());
  EXPECT_EQ(c.error.kind, ApiError::Kind::kHttp);
  EXPECT_EQ(c.error.status, 400);
  EXPECT_EQ(c.error.code, "context_length_exceeded");
  EXPECT_EQ(c.error.type, "invalid_request_error");
  EXPECT_EQ(c.error.Describe(),
            "400 This model's maximum context length is 8192 tokens. However, your messages "
            "resulted in 9000 tokens.");
  EXPECT_TRUE(IsContextWindowExceededError(c.error));
  EXPECT_TRUE(c.chunks.empty());
}

TEST(HttpApiHandler, AnthropicPromptTooLong) {
  FakeServer server;
  const std::string body =
      R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})";
  server.Answer(400, {body});
  HttpApiHandler h(Config("anthropic", server.url()));
  Collected c = Stream(h, Request());
  EXPECT_EQ(c.error.kind, ApiError::Kind::kHttp);
  EXPECT_EQ(c.error.Describe(), "400 " + body);  // the SDK prints the whole body
  EXPECT_TRUE(IsAnthropicContextWindowError(c.error));
  EXPECT_EQ(c.error.Details()["body"]["error"]["type"], "invalid_request_error");
}

TEST(HttpApiHandler, MidStreamDisconnect) {
  FakeServer server;
  server.Answer(200, {"data: {\"choices\":[{\"delta\":{\"content\":\"partial\"}}]}\n\n", "data: {\"cho"},
                /*drop=*/true);
  HttpApiHandler h(Config("openai-compatible", server.url()));
  Collected c = Stream(h, Request());
  EXPECT_EQ(c.error.kind, ApiError::Kind::kTransport) << c.error.Describe();
  EXPECT_EQ(c.chunks, (V{R"({"type":"text","text":"partial"})"}));
  EXPECT_FALSE(IsContextWindowExceededError(c.error));
}

TEST(HttpApiHandler, StreamErrorEvent) {
  FakeServer server;
  server.Answer(200, {"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"});
  HttpApiHandler h(Config("anthropic", server.url()));
  Collected c = Stream(h, Request());
  EXPECT_EQ(c.error.kind, ApiError::Kind::kStream);
  EXPECT_EQ(c.error.type, "overloaded_error");
}

TEST(HttpApiHandler, CancelAndDeadline) {
  FakeServer server;
  server.Answer(200, {"data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"}, false,
                /*stall_ms=*/5000);
  {
    HttpApiHandler h(Config("openai-compatible", server.url()));
    std::atomic<bool> cancel{false};
    std::thread t([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      cancel = true;
    });
    const auto start = std::chrono::steady_clock::now();
    Collected c = Stream(h, Request(), &cancel);
    t.join();
    EXPECT_EQ(c.error.kind, ApiError::Kind::kCancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  }
  {
    LlmConfig config = Config("openai-compatible", server.url());
    config.timeout_ms = 300;
    HttpApiHandler h(config);
    Collected c = Stream(h, Request());
    EXPECT_EQ(c.error.kind, ApiError::Kind::kTimeout);
    EXPECT_EQ(c.error.Describe(), "Request timed out.");
  }
}

TEST(HttpApiHandler, ReadTimeoutWhenTheServerSaysNothing) {
  // A listening socket nobody accepts from: the request is sent, no answer ever comes.
  httplib::Server silent;
  const int port = silent.bind_to_any_port("127.0.0.1");
  LlmConfig config = Config("openai-compatible", "http://127.0.0.1:" + std::to_string(port));
  config.read_timeout_ms = 300;
  HttpApiHandler h(config);
  Collected c = Stream(h, Request());
  EXPECT_EQ(c.error.kind, ApiError::Kind::kTimeout) << c.error.Describe();
}

TEST(HttpApiHandler, ConnectionRefused) {
  // A port bound and closed again: nothing listens there now.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  LlmConfig config = Config("openai-compatible", "http://127.0.0.1:" + std::to_string(port));
  config.connect_timeout_ms = 2000;
  HttpApiHandler h(config);
  const auto start = std::chrono::steady_clock::now();
  Collected c = Stream(h, Request());
  EXPECT_EQ(c.error.kind, ApiError::Kind::kTransport) << c.error.Describe();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(LlmConfig, LoadsTheLlmTable) {
  char path[] = "/tmp/llm_config_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "[embedding]\nprovider = \"none\"\n[llm]\nprovider = \"anthropic\"\n"
                         "model = \"claude-x\"\ncontext_window = 200000\nmax_tokens = 4096\n"
                         "supports_images = true\ninput_price = 3.0\n";
  bool found = false;
  Result<LlmConfig> c = LoadLlmConfig(path, &found);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_TRUE(found);
  EXPECT_EQ(c->provider, "anthropic");
  EXPECT_EQ(c->context_window, 200000);
  EXPECT_EQ(c->max_tokens, 4096);
  EXPECT_TRUE(c->supports_images);
  EXPECT_EQ(c->DefaultBaseUrl(), "https://api.anthropic.com");
  EXPECT_TRUE(c->Validate().ok());
  std::ofstream(path) << "[llm]\ncontext_window = \"big\"\n";
  EXPECT_EQ(LoadLlmConfig(path).error().code(), Code::kInvalidArgument);
  std::remove(path);
  Result<LlmConfig> missing = LoadLlmConfig("/nonexistent/config.toml", &found);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(found);
  LlmConfig bad;
  bad.provider = "gemini";
  bad.model = "m";
  EXPECT_EQ(bad.Validate().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace codeindex::llm
