#include "embed/remote.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "embed/clock.h"
#include "embed/testing.h"

namespace codeindex {
namespace {

using nlohmann::json;

std::string Base64Floats(const std::vector<float>& v) {
  static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = static_cast<uint8_t>(bytes[i]) << 16 |
                       static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlpha[(n >> s) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlpha[(n >> 18) & 63]);
    out.push_back(kAlpha[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlpha[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// The vector the fake server returns for a text: (length, 1, 0, 2) -- not normalised, so the
// client's normalisation is visible.
std::vector<float> FakeVector(const std::string& text) {
  return {static_cast<float>(text.size()), 1.0f, 0.0f, 2.0f};
}

struct Recorded {
  std::string method, path, authorization, api_key;
  json body;
};

// An HTTP server on 127.0.0.1:<ephemeral> that records requests and answers with `handler`.
class FakeServer {
 public:
  using Handler = std::function<void(const json& body, httplib::Response&)>;

  explicit FakeServer(httplib::Server* server = nullptr)
      : owned_(server ? nullptr : new httplib::Server()), server_(server ? server : owned_.get()) {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      Recorded r{req.method, req.path, req.get_header_value("Authorization"),
                 req.get_header_value("api-key"), json()};
      if (!req.body.empty()) r.body = json::parse(req.body, nullptr, false);
      if (!req.params.empty()) r.path = req.target;
      Handler h;
      {
        std::lock_guard<std::mutex> l(mu_);
        requests_.push_back(r);
        h = handler_;
      }
      h(r.body, res);
    };
    server_->Post(".*", record);
    server_->Get(".*", record);
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    SetHandler(OpenAIHandler());
  }
  ~FakeServer() {
    server_->stop();
    thread_.join();
  }

  static Handler OpenAIHandler() {
    return [](const json& body, httplib::Response& res) {
      json data = json::array();
      const auto& input = body["input"];
      // Answer in reverse order with explicit indices: the client must reorder.
      for (size_t k = input.size(); k-- > 0;) {
        data.push_back({{"object", "embedding"},
                        {"index", k},
                        {"embedding", Base64Floats(FakeVector(input[k].get<std::string>()))}});
      }
      res.set_content(
          json{{"data", data}, {"usage", {{"prompt_tokens", 7}, {"total_tokens", 7}}}}.dump(),
          "application/json");
    };
  }
  static Handler Status(int code, std::string body) {
    return [code, body](const json&, httplib::Response& res) {
      res.status = code;
      res.set_content(body, "application/json");
    };
  }
  // Answers `code` for the first `n` requests, then delegates to `then`.
  Handler FailFirst(int n, int code, Handler then) {
    auto count = std::make_shared<std::atomic<int>>(0);
    return [=](const json& body, httplib::Response& res) {
      if (count->fetch_add(1) < n) {
        res.status = code;
        res.set_content(R"({"error": {"message": "slow down"}})", "application/json");
        return;
      }
      then(body, res);
    };
  }

  void SetHandler(Handler h) {
    std::lock_guard<std::mutex> l(mu_);
    handler_ = std::move(h);
  }
  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  std::string url(std::string_view scheme = "http") const {
    return fmt::format("{}://127.0.0.1:{}", scheme, port_);
  }

 private:
  std::unique_ptr<httplib::Server> owned_;
  httplib::Server* server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Recorded> requests_;
  Handler handler_;
};

std::string FakeEnv(const char* name) { return std::string(name) == "TEST_KEY" ? "sk-test" : ""; }

class RemoteTest : public ::testing::Test {
 protected:
  std::unique_ptr<Embedder> Open(Provider p, const std::string& base, std::string model = "m4",
                                 int dims = 4) {
    EmbedderConfig c;
    c.provider = p;
    c.base_url = base;
    c.model = std::move(model);
    c.dimensions = dims;
    c.api_key_env = "TEST_KEY";
    c.timeout_ms = 5000;
    EmbedderEnv env;
    env.clock = &clock_;
    env.rate_limit = &rate_;
    env.getenv = &FakeEnv;
    auto e = OpenEmbedder(c, env);
    EXPECT_TRUE(e.ok()) << e.error().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  FakeClock clock_;
  RateLimitState rate_;
  FakeServer server_;
};

TEST_F(RemoteTest, OpenAICompatibleRequestAndResponse) {
  auto e = Open(Provider::kOpenAICompatible, server_.url() + "/v1/");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->model_id(), "openai-compatible:m4");
  const std::vector<std::string_view> texts = {"a", "bbb"};
  std::vector<float> out(8);
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/v1/embeddings");
  EXPECT_EQ(reqs[0].authorization, "Bearer sk-test");
  EXPECT_EQ(reqs[0].api_key, "");  // only for full endpoint URLs
  EXPECT_EQ(reqs[0].body["model"], "m4");
  EXPECT_EQ(reqs[0].body["encoding_format"], "base64");
  EXPECT_EQ(reqs[0].body["input"], json::array({"a", "bbb"}));
  // Row i belongs to text i (the server answered in reverse order), normalised.
  const float n0 = std::sqrt(1.0f + 1 + 4), n1 = std::sqrt(9.0f + 1 + 4);
  EXPECT_FLOAT_EQ(out[0], 1 / n0);
  EXPECT_FLOAT_EQ(out[3], 2 / n0);
  EXPECT_FLOAT_EQ(out[4], 3 / n1);
  EXPECT_EQ(e->stats().usage_tokens.load(), 7u);
}

TEST_F(RemoteTest, BatchesByEstimatedTokensAndTruncatesOverlongTexts) {
  auto e = Open(Provider::kOpenAICompatible, server_.url() + "/v1");
  ASSERT_NE(e, nullptr);
  // 30 texts of 20000 chars = 5000 estimated tokens each: 20 fit in 100000.
  std::vector<std::string> storage(30, std::string(20000, 'x'));
  storage.push_back(std::string(40000, 'y'));  // 10000 tokens > 8191: truncated, not dropped
  std::vector<std::string_view> texts(storage.begin(), storage.end());
  std::vector<float> out(texts.size() * 4);
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body["input"].size(), 20u);
  EXPECT_EQ(reqs[1].body["input"].size(), 11u);
  EXPECT_EQ(reqs[1].body["input"][10].get<std::string>().size(), 8191u * 4);
  // The truncated text still got its own vector, in its own row.
  EXPECT_FLOAT_EQ(out[30 * 4] / out[30 * 4 + 1], 8191.0f * 4);
  EXPECT_EQ(e->stats().truncated.load(), 1u);
}

TEST_F(RemoteTest, RateLimitedRequestsBackOffWithTheGlobalPause) {
  auto e = Open(Provider::kOpenAICompatible, server_.url());
  ASSERT_NE(e, nullptr);
  server_.SetHandler(server_.FailFirst(2, 429, FakeServer::OpenAIHandler()));
  const std::vector<std::string_view> texts = {"a"};
  std::vector<float> out(4);
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  EXPECT_EQ(server_.requests().size(), 3u);
  // 1st 429: pause 5000 ms, wait max(500, 5000); 2nd: pause 10000, wait max(1000, 10000).
  EXPECT_EQ(clock_.sleeps(), (std::vector<int64_t>{5000, 10000}));
  EXPECT_EQ(rate_.consecutive_errors(), 2);
}

TEST_F(RemoteTest, ThreeRateLimitsFailAndTheNextCallWaitsOutThePause) {
  auto e = Open(Provider::kOpenAICompatible, server_.url());
  ASSERT_NE(e, nullptr);
  server_.SetHandler(FakeServer::Status(429, R"({"error": {"message": "quota"}})"));
  const std::vector<std::string_view> texts = {"a"};
  std::vector<float> out(4);
  Status s = e->Embed(texts, EmbedKind::kDocument, out.data());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("failed after 3 attempts: HTTP 429: quota"), std::string::npos)
      << s.message();
  EXPECT_EQ(server_.requests().size(), 3u);
  // The third 429 set a 20000 ms pause that no retry waited out: the next call (from any
  // embedder sharing the state) waits for it first.
  EXPECT_EQ(rate_.RemainingPauseMs(clock_.NowMs()), 20000);
  server_.SetHandler(FakeServer::OpenAIHandler());
  auto other = Open(Provider::kOpenAICompatible, server_.url());
  ASSERT_TRUE(other->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  EXPECT_EQ(clock_.sleeps(), (std::vector<int64_t>{5000, 10000, 20000}));
}

TEST_F(RemoteTest, OpenAIProviderRetriesWithoutGlobalPause) {
  auto e = Open(Provider::kOpenAI, server_.url() + "/v1");
  ASSERT_NE(e, nullptr);
  server_.SetHandler(server_.FailFirst(2, 429, FakeServer::OpenAIHandler()));
  const std::vector<std::string_view> texts = {"a"};
  std::vector<float> out(4);
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  EXPECT_EQ(clock_.sleeps(), (std::vector<int64_t>{500, 1000}));
  EXPECT_EQ(rate_.consecutive_errors(), 0);
}

TEST_F(RemoteTest, OtherErrorsAreNotRetried) {
  auto e = Open(Provider::kOpenAICompatible, server_.url());
  ASSERT_NE(e, nullptr);
  const std::vector<std::string_view> texts = {"a"};
  std::vector<float> out(4);

  server_.SetHandler(FakeServer::Status(500, R"({"error": {"message": "boom"}})"));
  Status s = e->Embed(texts, EmbedKind::kDocument, out.data());
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("HTTP 500: boom"), std::string::npos) << s.message();
  EXPECT_EQ(server_.requests().size(), 1u);

  server_.SetHandler(FakeServer::Status(401, R"({"error": "bad key"})"));
  s = e->Embed(texts, EmbedKind::kDocument, out.data());
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("authentication failed"), std::string::npos) << s.message();
  EXPECT_EQ(server_.requests().size(), 2u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(RemoteTest, GarbageResponsesAreErrorsNotVectors) {
  auto e = Open(Provider::kOpenAICompatible, server_.url());
  ASSERT_NE(e, nullptr);
  const std::vector<std::string_view> texts = {"a", "b"};
  std::vector<float> out(8);
  const std::string cases[] = {
      "not json",
      R"({"data": []})",                                              // too few
      R"({"data": [{"embedding": [1, 2]}, {"embedding": [1, 2]}]})",  // wrong dim
      R"({"data": [{"embedding": "!!!"}, {"embedding": "AAAA"}]})",   // bad base64
      R"({"data": [{"index": 0, "embedding": [1,2,3,4]}, {"index": 0, "embedding": [1,2,3,4]}]})",
      R"({"nothing": 1})",
  };
  for (const std::string& body : cases) {
    server_.SetHandler(FakeServer::Status(200, body));
    Status s = e->Embed(texts, EmbedKind::kDocument, out.data());
    EXPECT_EQ(s.code(), Code::kUnavailable) << body;
    EXPECT_NE(s.message().find("invalid response"), std::string::npos) << s.message();
  }
}

TEST_F(RemoteTest, FullEndpointUrlIsPostedAsIs) {
  auto e = Open(Provider::kOpenAICompatible,
                server_.url() + "/openai/deployments/emb/embeddings?api-version=2024-02-01");
  ASSERT_NE(e, nullptr);
  const std::vector<std::string_view> texts = {"a"};
  std::vector<float> out(4);
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/openai/deployments/emb/embeddings?api-version=2024-02-01");
  EXPECT_EQ(reqs[0].api_key, "sk-test");
  EXPECT_EQ(reqs[0].authorization, "Bearer sk-test");
}

TEST_F(RemoteTest, NomicEmbedCodePrefixesQueriesOnly) {
  server_.SetHandler([](const json& body, httplib::Response& res) {
    json data = json::array();
    for (size_t k = 0; k < body["input"].size(); ++k) {
      std::vector<float> v(3584, 0.0f);
      v[0] = 1;
      data.push_back({{"index", k}, {"embedding", Base64Floats(v)}});
    }
    res.set_content(json{{"data", data}}.dump(), "application/json");
  });
  auto e = Open(Provider::kOpenAICompatible, server_.url(), "nomic-embed-code", 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dimension(), 3584);  // from the profile table
  const std::string prefixed = std::string(kNomicCodeQueryPrefix) + "already";
  const std::vector<std::string_view> texts = {"find parser", prefixed};
  std::vector<float> out(2 * 3584);
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kQuery, out.data()).ok());
  ASSERT_TRUE(e->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body["input"][0], std::string(kNomicCodeQueryPrefix) + "find parser");
  EXPECT_EQ(reqs[0].body["input"][1], prefixed);  // not prefixed twice
  EXPECT_EQ(reqs[1].body["input"][0], "find parser");
}

TEST_F(RemoteTest, OllamaEmbedAndValidate) {
  server_.SetHandler([](const json& body, httplib::Response& res) {
    if (body.is_discarded() || body.is_null()) {  // GET /api/tags
      res.set_content(R"({"models": [{"name": "nomic-embed-text:latest"}]})", "application/json");
      return;
    }
    json embs = json::array();
    for (const auto& t : body["input"]) embs.push_back(FakeVector(t.get<std::string>()));
    res.set_content(json{{"embeddings", embs}}.dump(), "application/json");
  });
  auto e = Open(Provider::kOllama, server_.url() + "/", "nomic-embed-text", 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dimension(), 768);
  // 768 dims are expected but the fake answers 4: a clear error.
  const std::vector<std::string_view> texts = {"ab"};
  std::vector<float> out(768);
  EXPECT_EQ(e->Embed(texts, EmbedKind::kDocument, out.data()).code(), Code::kUnavailable);

  auto small = Open(Provider::kOllama, server_.url(), "tiny-embed", 4);
  ASSERT_TRUE(small->Embed(texts, EmbedKind::kDocument, out.data()).ok());
  auto reqs = server_.requests();
  EXPECT_EQ(reqs.back().path, "/api/embed");
  EXPECT_EQ(reqs.back().body["model"], "tiny-embed");
  EXPECT_EQ(reqs.back().body["input"], json::array({"ab"}));
  EXPECT_FALSE(reqs.back().body.contains("encoding_format"));
  EXPECT_FLOAT_EQ(out[0], 2 / std::sqrt(4.0f + 1 + 4));

  Status missing = small->Validate();  // tiny-embed is not in /api/tags
  EXPECT_EQ(missing.code(), Code::kFailedPrecondition);
  EXPECT_NE(missing.message().find("tiny-embed"), std::string::npos);
  auto latest = Open(Provider::kOllama, server_.url(), "nomic-embed-text", 4);
  EXPECT_EQ(latest->Validate().code(), Code::kUnavailable)  // found, but the test embed has 4 dims
      << "the model name matched with :latest";
}

TEST_F(RemoteTest, ValidationMapsErrorsLikeTheOriginal) {
  struct Case {
    Provider provider;
    int status;
    Code code;
    const char* text;
  };
  const Case cases[] = {
      {Provider::kOpenAICompatible, 401, Code::kFailedPrecondition, "authentication failed"},
      {Provider::kOpenAICompatible, 403, Code::kFailedPrecondition, "authentication failed"},
      {Provider::kOpenAI, 404, Code::kFailedPrecondition, "model m4 is not available"},
      {Provider::kOpenAICompatible, 404, Code::kFailedPrecondition, "invalid endpoint"},
      {Provider::kOpenAICompatible, 429, Code::kUnavailable, "service unavailable"},
      {Provider::kOpenAICompatible, 500, Code::kFailedPrecondition, "configuration error"},
      {Provider::kOpenAICompatible, 400, Code::kFailedPrecondition, "configuration error"},
  };
  for (const Case& c : cases) {
    server_.SetHandler(FakeServer::Status(c.status, R"({"error": {"message": "nope"}})"));
    auto e = Open(c.provider, server_.url() + "/v1");
    ASSERT_NE(e, nullptr);
    Status s = e->Validate();
    EXPECT_EQ(s.code(), c.code) << c.status;
    EXPECT_NE(s.message().find(c.text), std::string::npos) << s.message();
  }
  server_.SetHandler(FakeServer::Status(200, "garbage"));
  Status s = Open(Provider::kOpenAICompatible, server_.url())->Validate();
  EXPECT_NE(s.message().find("invalid response"), std::string::npos) << s.message();
  server_.SetHandler(FakeServer::OpenAIHandler());
  EXPECT_TRUE(Open(Provider::kOpenAICompatible, server_.url())->Validate().ok());
}

TEST_F(RemoteTest, ConnectionRefusedIsUnavailable) {
  auto e = Open(Provider::kOpenAICompatible, "http://127.0.0.1:1");
  ASSERT_NE(e, nullptr);
  const std::vector<std::string_view> texts = {"a"};
  std::vector<float> out(4);
  Status s = e->Embed(texts, EmbedKind::kDocument, out.data());
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("connection"), std::string::npos) << s.message();
  Status v = e->Validate();
  EXPECT_EQ(v.code(), Code::kUnavailable);
  EXPECT_NE(v.message().find("connection failed"), std::string::npos) << v.message();
}

TEST(RemoteRulesTest, EstimateAndPlan) {
  EXPECT_EQ(EstimateTokens(""), 0);
  EXPECT_EQ(EstimateTokens("abcd"), 1);
  EXPECT_EQ(EstimateTokens("abcde"), 2);
  EXPECT_EQ(EstimateTokens("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 2);  // 6 units
  const std::vector<std::string> texts = {std::string(8, 'a'), std::string(8, 'a'),
                                          std::string(4, 'a'), std::string(40, 'a')};
  using P = std::vector<std::pair<size_t, size_t>>;
  // Estimates 2, 2, 1, 10. Budget 5: 2+2+1 | 10 (a text over the budget goes alone).
  EXPECT_EQ(PlanBatches(texts, 5, 0), (P{{0, 3}, {3, 4}}));
  // Budget 4: 2+2 | 1 (1+10 > 4: stop at the first that does not fit) | 10.
  EXPECT_EQ(PlanBatches(texts, 4, 0), (P{{0, 2}, {2, 3}, {3, 4}}));
  EXPECT_EQ(PlanBatches(texts, 100, 0), (P{{0, 4}}));
  EXPECT_EQ(PlanBatches(texts, 100, 3), (P{{0, 3}, {3, 4}}));
  EXPECT_TRUE(PlanBatches({}, 100, 0).empty());
}

TEST(RemoteRulesTest, FullEndpointUrls) {
  EXPECT_TRUE(IsFullEndpointUrl("https://x.openai.azure.com/openai/deployments/d/embeddings"));
  EXPECT_TRUE(IsFullEndpointUrl("https://x/openai/deployments/d/embeddings?api-version=1"));
  EXPECT_TRUE(IsFullEndpointUrl("https://dbc.cloud/serving-endpoints/e/invocations"));
  EXPECT_TRUE(IsFullEndpointUrl("http://localhost:8080/v1/embeddings"));
  EXPECT_TRUE(IsFullEndpointUrl("http://localhost:8080/embed?x=1"));
  EXPECT_FALSE(IsFullEndpointUrl("http://localhost:8080/v1"));
  EXPECT_FALSE(IsFullEndpointUrl("http://localhost:8080/v1/embeddings/extra"));
  EXPECT_FALSE(IsFullEndpointUrl("http://localhost:8080/embedder"));
}

TEST(RemoteRulesTest, Base64Floats) {
  const std::vector<float> v = {1.5f, -2.0f, 0.0f};
  auto got = DecodeBase64Floats(Base64Floats(v));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, v);
  EXPECT_FALSE(DecodeBase64Floats("AAA").ok());   // 2 bytes: not whole floats
  EXPECT_FALSE(DecodeBase64Floats("AA*A").ok());  // bad character
  EXPECT_TRUE(DecodeBase64Floats("").ok());
}

TEST(RemoteRulesTest, RateLimitPauseDoublesUpToFiveMinutesAndResets) {
  RateLimitState s;
  int64_t t = 0;
  const int64_t want[] = {5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000};
  for (int64_t w : want) {
    EXPECT_EQ(s.On429(t), w);
    EXPECT_EQ(s.RemainingPauseMs(t), w);
    t += 1000;
  }
  EXPECT_EQ(s.RemainingPauseMs(t + 400000), 0);
  // A 429 60 s or more after the previous one starts over.
  EXPECT_EQ(s.On429(t + 60000 - 1000), 5000);
}

TEST(RemoteRulesTest, ProfilesAndDefaults) {
  EXPECT_EQ(FindModelProfile(Provider::kOpenAI, "text-embedding-3-large")->dimension, 3072);
  EXPECT_EQ(FindModelProfile(Provider::kOllama, "nomic-embed-text:latest")->dimension, 768);
  EXPECT_EQ(FindModelProfile(Provider::kOllama, "all-minilm")->dimension, 384);
  EXPECT_EQ(FindModelProfile(Provider::kOpenAICompatible, "nomic-embed-code")->score_threshold,
            0.15);
  EXPECT_EQ(FindModelProfile(Provider::kOpenAI, "nomic-embed-code"), nullptr);
  EXPECT_EQ(DefaultRemoteModel(Provider::kOllama), "nomic-embed-text:latest");
  EmbedderConfig c;
  c.provider = Provider::kOpenAICompatible;
  c.base_url = "http://127.0.0.1:1";
  c.model = "unknown-model";
  EXPECT_EQ(OpenEmbedder(c).error().code(), Code::kInvalidArgument);  // dimension unknown
  c.provider = Provider::kOpenAI;
  c.model = "";
  EmbedderEnv env;
  env.getenv = &FakeEnv;  // OPENAI_API_KEY unset
  EXPECT_EQ(OpenEmbedder(c, env).error().code(), Code::kFailedPrecondition);
}

// --- HTTPS against an in-process TLS server with a self-signed certificate ---

bool WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) return false;
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                            {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
  return true;
}

TEST(RemoteTlsTest, HttpsWithATrustedSelfSignedCertificate) {
  const std::string dir = testing::MakeTempDir("tls");
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  ASSERT_TRUE(WriteSelfSignedCert(cert, key));
  {
    httplib::SSLServer tls(cert.c_str(), key.c_str());
    ASSERT_TRUE(tls.is_valid());
    FakeServer server(&tls);
    EmbedderConfig c;
    c.provider = Provider::kOpenAICompatible;
    c.base_url = server.url("https") + "/v1";
    c.model = "m4";
    c.dimensions = 4;
    c.ca_cert_path = cert;
    auto e = OpenEmbedder(c);
    ASSERT_TRUE(e.ok());
    const std::vector<std::string_view> texts = {"abc"};
    std::vector<float> out(4);
    Status s = (*e)->Embed(texts, EmbedKind::kDocument, out.data());
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_FLOAT_EQ(out[0], 3 / std::sqrt(9.0f + 1 + 4));

    // Without trusting the certificate the connection is refused.
    c.ca_cert_path.clear();
    auto untrusted = OpenEmbedder(c);
    EXPECT_EQ((*untrusted)->Embed(texts, EmbedKind::kDocument, out.data()).code(),
              Code::kUnavailable);
    EXPECT_EQ(server.requests().size(), 1u);
  }
  testing::RemoveTree(dir);
}

}  // namespace
}  // namespace codeindex
