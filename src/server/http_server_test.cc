// The HTTP API in-process: a Service over a small indexed workspace (text only: config.toml
// provider = "none"), an HttpServer on a free port, requests with a Beast client.
#include "server/http_server.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "embed/testing.h"
#include "server/compress.h"

namespace codeindex {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Answer {
  int status = 0;
  std::string body;
  std::string encoding;
  json Json() const { return json::parse(body, nullptr, false); }
};

class Client {
 public:
  explicit Client(int port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  Answer Send(http::verb verb, const std::string& target, const std::string& body = "",
              const std::map<std::string, std::string>& headers = {}) {
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || verb == http::verb::post) {
      req.body() = body;
      req.prepare_payload();
    }
    http::write(socket_, req);
    return Read();
  }
  Answer Read() {
    http::response_parser<http::string_body> p;
    p.body_limit(64 << 20);
    beast::error_code ec;
    http::read(socket_, buffer_, p, ec);
    Answer a;
    if (ec) return a;
    a.status = static_cast<int>(p.get().result_int());
    a.body = p.get().body();
    auto it = p.get().find(http::field::content_encoding);
    if (it != p.get().end()) a.encoding = std::string(it->value());
    return a;
  }
  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                      ("codeindex_http_test_" + std::to_string(::getpid())));
    auto& r = *root_;
    std::filesystem::create_directories(r / ".codeindex");
    std::filesystem::create_directories(r / "src");
    // The tiny static test model: semantic search works, offline and deterministic.
    std::filesystem::create_directories(ModelDir());
    auto table = testing::WriteTinyStaticModel(ModelDir(), testing::TinyStaticModel{});
    ASSERT_TRUE(table.ok()) << table.error().ToString();
    std::ofstream(r / ".codeindex/config.toml")
        << "[embedding]\nprovider = \"static\"\nmodel = \"" << ModelDir() << "\"\n";
    std::ofstream(r / "src/geometry.py") << "import math\n\n\nclass Circle:\n    def area(self):\n "
                                            "       return math.pi * self.r ** 2\n";
    std::ofstream big(r / "src/big.py");
    for (int i = 0; i < 300; ++i) {
      big << "def widget_handler_" << i << "(widget, event):\n    return widget.handle(event, " << i
          << ")\n\n\n";
    }
    big.close();
  }
  // Outside the workspace, so that its files are not indexed.
  static std::string ModelDir() { return root_->string() + "_model"; }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(ModelDir());
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  void SetUp() override { StartServer(""); }
  void TearDown() override {
    if (http_) http_->Stop();
    http_.reset();
    service_.reset();
  }

  void StartServer(const std::string& token) {
    if (http_) http_->Stop();
    http_.reset();
    service_.reset();
    ServiceOptions so;
    so.workspace = root_->string();
    so.index_threads = 1;
    auto s = Service::Start(so);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    service_ = std::move(s).value();
    HttpServerOptions ho;
    ho.port = 0;
    ho.token = token;
    ho.threads = 2;
    ho.max_body_bytes = 64 << 10;
    auto h = HttpServer::Start(service_.get(), ho);
    ASSERT_TRUE(h.ok()) << h.error().ToString();
    http_ = std::move(h).value();
    // Wait for the start-up index run.
    for (int i = 0; i < 600; ++i) {
      json st = json::parse(service_->IndexStatusReply().body);
      if (st.contains("progress") && st["progress"]["runs"].get<int>() >= 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  static std::filesystem::path* root_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> http_;
};

std::filesystem::path* HttpServerTest::root_ = nullptr;

TEST_F(HttpServerTest, SearchAnswersTheContractShape) {
  Client c(http_->port());
  Answer a = c.Send(http::verb::post, "/v1/search",
                    R"({"query": "circle area", "mode": "text", "limit": 3})");
  ASSERT_EQ(a.status, 200) << a.body;
  json j = a.Json();
  ASSERT_GE(j["results"].size(), 1u);
  EXPECT_EQ(j["results"][0]["file_path"], "src/geometry.py");
  for (const char* k : {"start_line", "end_line", "score", "code_chunk"}) {
    EXPECT_TRUE(j["results"][0].contains(k)) << k;
  }
  EXPECT_TRUE(j.contains("took_ms"));
  // Keep-alive: a second request on the same connection. Default mode falls back to text
  // (this index has no vectors).
  a = c.Send(http::verb::post, "/v1/search",
             R"({"query": "widget handler", "path": "src/big.py"})");
  ASSERT_EQ(a.status, 200) << a.body;
  json big = a.Json();
  EXPECT_GE(big["results"].size(), 1u);
  for (const json& r : big["results"]) EXPECT_EQ(r["file_path"], "src/big.py");
}

TEST_F(HttpServerTest, SemanticModeIsTheDefaultAndUsesTheIndexModel) {
  Client c(http_->port());
  Answer a = c.Send(http::verb::post, "/v1/search",
                    R"({"query": "circle area", "min_score": -1, "limit": 5, "explain": true})");
  ASSERT_EQ(a.status, 200) << a.body;
  json j = a.Json();
  ASSERT_GE(j["results"].size(), 1u);
  double previous = 2;
  for (const json& r : j["results"]) {
    double score = r["score"];
    EXPECT_LE(score, 1.001);
    EXPECT_GE(score, -1.001);
    EXPECT_LE(score, previous);  // cosine-ranked
    previous = score;
  }
  EXPECT_NE(a.body.find("cosine"), std::string::npos) << a.body;  // semantic explanation
}

TEST_F(HttpServerTest, SlowAndSilentClientsDoNotHoldWorkers) {
  // Two I/O threads; forty connections that never finish their request.
  std::vector<std::unique_ptr<Client>> stalled;
  for (int i = 0; i < 20; ++i) {
    stalled.push_back(std::make_unique<Client>(http_->port()));
    net::write(stalled.back()->socket(),
               net::buffer(std::string("POST /v1/search HTTP/1.1\r\nHost: x\r\n"
                                       "Content-Length: 100\r\n\r\n{\"query\"")));
    stalled.push_back(std::make_unique<Client>(http_->port()));  // sends nothing at all
  }
  Client c(http_->port());
  Answer a = c.Send(http::verb::post, "/v1/search", R"({"query": "circle", "mode": "text"})");
  EXPECT_EQ(a.status, 200) << a.body;
  json st = json::parse(service_->IndexStatusReply().body);
  EXPECT_GE(st["server"]["connections"].get<int>(), 41);
}

TEST_F(HttpServerTest, BadRequestsAreRefusedAndTheServerKeepsServing) {
  Client c(http_->port());
  Answer a = c.Send(http::verb::post, "/v1/search", "{not json");
  EXPECT_EQ(a.status, 400);
  EXPECT_TRUE(a.Json().contains("error"));
  a = c.Send(http::verb::post, "/v1/search", R"({"query": 5})");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.Json()["error"].get<std::string>().find("query"), std::string::npos);
  a = c.Send(http::verb::post, "/v1/search", R"({"query": "x", "path": "../../etc"})");
  EXPECT_EQ(a.status, 403);
  a = c.Send(http::verb::post, "/v1/search", R"({"query": "x", "mode": "fuzzy"})");
  EXPECT_EQ(a.status, 400);
  a = c.Send(http::verb::post, "/v1/search", R"({"query": "x", "max_tokens": 0})");
  EXPECT_EQ(a.status, 400);
  a = c.Send(http::verb::get, "/v1/symbols?file=/etc/passwd");
  EXPECT_EQ(a.status, 403);
  a = c.Send(http::verb::get, "/v1/symbols?file=src/missing.py");
  EXPECT_EQ(a.status, 404);
  a = c.Send(http::verb::get, "/v1/symbols");
  EXPECT_EQ(a.status, 400);
  a = c.Send(http::verb::get, "/v1/context?file=src/geometry.py&start=x&end=2");
  EXPECT_EQ(a.status, 400);
  a = c.Send(http::verb::get, "/v1/search");
  EXPECT_EQ(a.status, 405);
  a = c.Send(http::verb::get, "/v2/nothing");
  EXPECT_EQ(a.status, 404);
  EXPECT_TRUE(a.Json().contains("error"));
  // Too large a body: 413 and the connection closes.
  a = c.Send(http::verb::post, "/v1/search", std::string(100 << 10, ' '));
  EXPECT_EQ(a.status, 413);
  // Garbage instead of HTTP.
  Client g(http_->port());
  net::write(g.socket(), net::buffer(std::string("\x01\x02 garbage\r\n\r\n")));
  a = g.Read();
  EXPECT_EQ(a.status, 400);
  // Still serving.
  Client d(http_->port());
  EXPECT_EQ(d.Send(http::verb::get, "/v1/status").status, 200);
}

TEST_F(HttpServerTest, SymbolsContextAndStatus) {
  Client c(http_->port());
  Answer a = c.Send(http::verb::get, "/v1/symbols?file=src%2Fgeometry.py");
  ASSERT_EQ(a.status, 200) << a.body;
  json j = a.Json();
  EXPECT_EQ(j["file_path"], "src/geometry.py");
  EXPECT_EQ(j["symbols"][0]["name"], "Circle");
  EXPECT_EQ(j["imports"][0]["text"], "import math");
  a = c.Send(http::verb::get, "/v1/context?file=src/geometry.py&start=6&end=6");
  ASSERT_EQ(a.status, 200) << a.body;
  j = a.Json();
  EXPECT_EQ(j["content"], "        return math.pi * self.r ** 2");
  EXPECT_EQ(j["enclosing"][1]["name"], "area");
  a = c.Send(http::verb::get, "/v1/status");
  ASSERT_EQ(a.status, 200);
  j = a.Json();
  EXPECT_EQ(j["state"], "Indexed");
  EXPECT_EQ(j["files"], 2);
  EXPECT_TRUE(j.contains("server"));
}

TEST_F(HttpServerTest, RepeatsComeFromTheCacheAndMetricsShowIt) {
  Client c(http_->port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(c.Send(http::verb::get, "/v1/symbols?file=src/geometry.py").status, 200);
    ASSERT_EQ(c.Send(http::verb::get, "/v1/context?file=src/geometry.py&start=6&end=6").status,
              200);
    ASSERT_EQ(c.Send(http::verb::post, "/v1/search",
                     R"({"query": "circle area", "mode": "text", "limit": 3})")
                  .status,
              200);
  }
  json cache = c.Send(http::verb::get, "/v1/status").Json()["cache"];
  EXPECT_TRUE(cache["enabled"].get<bool>());
  EXPECT_EQ(cache["ttl_seconds"], 300);
  EXPECT_EQ(cache["policy"], "tinylfu");
  // symbols: 1 miss then 3 hits (the second symbols call and both context calls).
  EXPECT_EQ(cache["spaces"]["symbols"]["misses"], 1);
  EXPECT_EQ(cache["spaces"]["symbols"]["hits"], 3);
  EXPECT_EQ(cache["spaces"]["search"]["misses"], 1);
  EXPECT_EQ(cache["spaces"]["search"]["hits"], 1);
  EXPECT_GT(cache["bytes"].get<int64_t>(), 0);
  Answer m = c.Send(http::verb::get, "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("codeindex_cache_hits_total{space=\"symbols\"} 3"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("# TYPE codeindex_search_seconds summary"), std::string::npos);
  EXPECT_NE(m.body.find("codeindex_search_seconds_count{mode=\"text\",cached=\"yes\"}"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("codeindex_connections "), std::string::npos);
}

TEST_F(HttpServerTest, ConversationManageAppliesTheSlidingWindow) {
  // 11 messages over the allowed tokens and no [llm] model: the original's sliding window
  // hides 4 messages and places its marker (docs/context.md).
  json messages = json::array();
  for (int i = 0; i < 11; ++i) {
    messages.push_back({{"role", i % 2 ? "assistant" : "user"},
                        {"content", "m" + std::to_string(i)},
                        {"ts", 1000 + i}});
  }
  json request = {{"messages", messages}, {"totalTokens", 180000}, {"contextWindow", 200000}};
  Client c(http_->port());
  Answer a = c.Send(http::verb::post, "/v1/conversation/manage", request.dump());
  ASSERT_EQ(a.status, 200) << a.body;
  json j = a.Json();
  EXPECT_EQ(j["decision"], "truncated");
  EXPECT_EQ(j["messagesRemoved"], 4);
  ASSERT_EQ(j["messages"].size(), 12u);
  EXPECT_EQ(j["messages"][5]["content"],
            "[Sliding window truncation: 4 messages hidden to reduce context]");
  EXPECT_EQ(j["messages"][5]["ts"], 1004);
  // Below the threshold nothing changes.
  request["totalTokens"] = 1000;
  j = c.Send(http::verb::post, "/v1/conversation/manage", request.dump()).Json();
  EXPECT_EQ(j["decision"], "none");
  // Malformed bodies are 400s naming the problem.
  Answer bad = c.Send(http::verb::post, "/v1/conversation/manage", "{not json");
  EXPECT_EQ(bad.status, 400);
  bad = c.Send(http::verb::post, "/v1/conversation/manage", R"({"messages": [], "condense": 1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("condense"), std::string::npos) << bad.body;
}

TEST_F(HttpServerTest, CompressesLargeAnswersAsAsked) {
  const std::string body = R"({"query": "widget handler event", "mode": "text", "limit": 200})";
  Client c(http_->port());
  Answer plain = c.Send(http::verb::post, "/v1/search", body);
  ASSERT_EQ(plain.status, 200);
  ASSERT_GT(plain.body.size(), kMinCompressBytes);
  EXPECT_EQ(plain.encoding, "");
  Answer z = c.Send(http::verb::post, "/v1/search", body, {{"Accept-Encoding", "gzip, zstd"}});
  EXPECT_EQ(z.encoding, "zstd");
  auto unz = ZstdDecompress(z.body);
  ASSERT_TRUE(unz.ok());
  EXPECT_EQ(json::parse(*unz)["results"], plain.Json()["results"]);
  Answer g = c.Send(http::verb::post, "/v1/search", body, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(g.encoding, "gzip");
  auto ungz = GzipDecompress(g.body);
  ASSERT_TRUE(ungz.ok());
  EXPECT_EQ(json::parse(*ungz)["results"], plain.Json()["results"]);
}

TEST_F(HttpServerTest, BearerTokenIsRequiredWhenSet) {
  StartServer("s3cret");
  Client c(http_->port());
  EXPECT_EQ(c.Send(http::verb::get, "/v1/status").status, 401);
  EXPECT_EQ(c.Send(http::verb::get, "/v1/status", "", {{"Authorization", "Bearer wrong"}}).status,
            401);
  EXPECT_EQ(c.Send(http::verb::get, "/v1/status", "", {{"Authorization", "Bearer s3cret"}}).status,
            200);
}

TEST_F(HttpServerTest, ReindexStreamsEventsToSseClients) {
  Client events(http_->port());
  http::request<http::string_body> req(http::verb::get, "/v1/events", 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(events.socket(), req);
  std::string received;
  char buf[4096];
  // Headers and the opening comment first, so that we are subscribed before re-indexing.
  while (received.find(": codeindex events") == std::string::npos) {
    size_t n = events.socket().read_some(net::buffer(buf));
    received.append(buf, n);
  }
  EXPECT_NE(received.find("text/event-stream"), std::string::npos);
  std::ofstream(*root_ / "src/new_file.py")
      << "def brand_new(values):\n    total = 0\n    for v in values:\n        total += v * 2\n"
         "    return total + len(values)\n";
  Client c(http_->port());
  Answer a = c.Send(http::verb::post, "/v1/index", "{}");
  EXPECT_EQ(a.status, 202) << a.body;
  while (received.find("\"state\":\"Indexed\"") == std::string::npos) {
    size_t n = events.socket().read_some(net::buffer(buf));
    received.append(buf, n);
  }
  EXPECT_NE(received.find("event: state"), std::string::npos);
  EXPECT_NE(received.find("event: progress"), std::string::npos);
  EXPECT_NE(received.find("event: indexed"), std::string::npos);
  EXPECT_NE(received.find("\"file_path\":\"src/new_file.py\""), std::string::npos) << received;
  // The new file is searchable once indexed.
  a = c.Send(http::verb::post, "/v1/search", R"({"query": "brand_new", "mode": "text"})");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.Json()["results"][0]["file_path"], "src/new_file.py") << a.body << received;
  std::filesystem::remove(*root_ / "src/new_file.py");
}

TEST_F(HttpServerTest, StopClosesIdleAndStreamingConnections) {
  Client idle(http_->port());
  EXPECT_EQ(idle.Send(http::verb::get, "/v1/status").status, 200);
  http_->Stop();
  char b;
  beast::error_code ec;
  idle.socket().read_some(net::buffer(&b, 1), ec);
  EXPECT_TRUE(ec);  // closed by the server
}

}  // namespace
}  // namespace codeindex
