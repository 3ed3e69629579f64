// Checks the transformer encoder against an independent numpy forward pass
// (testdata/make_tiny_bert.py, run with Debian's /usr/bin/python3 + python3-numpy).
#include "embed/bert.h"

#include <cmath>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "embed/testing.h"

namespace codeindex {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

struct Expected {
  int max_tokens = 0;
  std::vector<std::string> texts;
  std::vector<std::vector<int32_t>> ids;
  std::vector<std::vector<float>> mean, cls, nomic_document, nomic_query;
};

class BertTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system((std::string(kPython) + " -c 'import numpy' >/dev/null 2>&1").c_str()) != 0) {
      skip_ = true;
      return;
    }
    dir_ = new std::string(testing::MakeTempDir("bert"));
    const std::string cmd =
        std::string(kPython) + " " CODEINDEX_EMBED_TESTDATA "/make_tiny_bert.py " + *dir_;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto text = ReadFile(*dir_ + "/expected.json");
    ASSERT_TRUE(text.ok());
    const auto j = nlohmann::json::parse(*text);
    expected_ = new Expected();
    expected_->max_tokens = j["max_tokens"];
    expected_->texts = j["texts"].get<std::vector<std::string>>();
    expected_->ids = j["ids"].get<std::vector<std::vector<int32_t>>>();
    expected_->mean = j["mean"].get<std::vector<std::vector<float>>>();
    expected_->cls = j["cls"].get<std::vector<std::vector<float>>>();
    expected_->nomic_document = j["nomic_document"].get<std::vector<std::vector<float>>>();
    expected_->nomic_query = j["nomic_query"].get<std::vector<std::vector<float>>>();
  }
  static void TearDownTestSuite() {
    if (dir_) testing::RemoveTree(*dir_);
    delete dir_;
    delete expected_;
    dir_ = nullptr;
    expected_ = nullptr;
  }
  void SetUp() override {
    if (skip_) GTEST_SKIP() << kPython << " has no numpy (install python3-numpy)";
  }

  std::unique_ptr<Embedder> Open(const std::string& sub,
                                 Precision precision = Precision::kFloat32) {
    EmbedderConfig c;
    c.provider = Provider::kTransformer;
    c.model = *dir_ + "/" + sub;
    c.precision = precision;
    auto e = OpenEmbedder(c);
    EXPECT_TRUE(e.ok()) << e.error().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  std::vector<float> EmbedAll(const Embedder& e, EmbedKind kind = EmbedKind::kDocument) {
    std::vector<std::string_view> views(expected_->texts.begin(), expected_->texts.end());
    std::vector<float> out(views.size() * e.dimension());
    EXPECT_TRUE(e.Embed(views, kind, out.data()).ok());
    return out;
  }

  static inline bool skip_ = false;
  static inline std::string* dir_ = nullptr;
  static inline Expected* expected_ = nullptr;
};

TEST_F(BertTest, TokenIdsMatchTheReference) {
  BertModel::Options o;
  for (const char* sub : {"mean", "cls"}) {  // vocab.txt and tokenizer.json
    auto m = BertModel::Open(*dir_ + "/" + sub, o);
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    EXPECT_EQ((*m)->max_tokens(), expected_->max_tokens);
    for (size_t i = 0; i < expected_->texts.size(); ++i) {
      std::vector<int32_t> ids;
      (*m)->Tokenize(expected_->texts[i], &ids);
      EXPECT_EQ(ids, expected_->ids[i]) << sub << ": " << expected_->texts[i];
    }
  }
}

TEST_F(BertTest, Fp32MeanAndClsMatchNumpyWithin1e4) {
  for (const char* sub : {"mean", "cls"}) {
    auto e = Open(sub);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->dimension(), 32);
    const auto& want = std::string(sub) == "mean" ? expected_->mean : expected_->cls;
    const std::vector<float> got = EmbedAll(*e);
    for (size_t t = 0; t < want.size(); ++t) {
      for (size_t i = 0; i < 32; ++i) {
        ASSERT_NEAR(got[t * 32 + i], want[t][i], 1e-4) << sub << " text " << t << " dim " << i;
      }
    }
  }
}

TEST_F(BertTest, NomicBertWithPromptsMatchesNumpyWithin1e4) {
  auto e = Open("nomic");
  ASSERT_NE(e, nullptr);
  for (EmbedKind kind : {EmbedKind::kDocument, EmbedKind::kQuery}) {
    const auto& want =
        kind == EmbedKind::kDocument ? expected_->nomic_document : expected_->nomic_query;
    const std::vector<float> got = EmbedAll(*e, kind);
    for (size_t t = 0; t < want.size(); ++t) {
      for (size_t i = 0; i < 32; ++i) {
        ASSERT_NEAR(got[t * 32 + i], want[t][i], 1e-4)
            << (kind == EmbedKind::kQuery ? "query" : "document") << " text " << t << " dim " << i;
      }
    }
  }
  auto q8 = Open("nomic", Precision::kInt8);
  ASSERT_NE(q8, nullptr);
  const std::vector<float> got = EmbedAll(*q8, EmbedKind::kQuery);
  for (size_t t = 0; t < expected_->nomic_query.size(); ++t) {
    double dot = 0;
    for (size_t i = 0; i < 32; ++i) dot += got[t * 32 + i] * expected_->nomic_query[t][i];
    EXPECT_GT(dot, 0.99) << "text " << t;
  }
}

TEST_F(BertTest, Int8StaysCloseToFp32) {
  auto e = Open("mean", Precision::kInt8);
  ASSERT_NE(e, nullptr);
  const std::vector<float> got = EmbedAll(*e);
  for (size_t t = 0; t < expected_->mean.size(); ++t) {
    double dot = 0;
    for (size_t i = 0; i < 32; ++i) dot += got[t * 32 + i] * expected_->mean[t][i];
    EXPECT_GT(dot, 0.99) << "text " << t;
  }
  EXPECT_NE(e->fingerprint(), Open("mean")->fingerprint());
}

TEST_F(BertTest, ConcurrentCallsGiveTheSameVectors) {
  auto e = Open("mean");
  ASSERT_NE(e, nullptr);
  const std::vector<float> want = EmbedAll(*e);
  std::vector<std::vector<float>> got(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 5; ++rep) got[t] = EmbedAll(*e);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& g : got) {
    ASSERT_EQ(g.size(), want.size());
    for (size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], want[i], 1e-6);
  }
}

TEST_F(BertTest, RefusesUnsupportedModels) {
  const std::string bad = testing::MakeTempDir("bert-unsupported");
  for (const char* config : {R"({"model_type": "xlm-roberta"})",
                             R"({"model_type": "nomic_bert", "moe_every_n_layers": 2})",
                             R"({"model_type": "nomic_bert", "rotary_emb_interleaved": true})",
                             R"({"model_type": "bert", "hidden_act": "silu"})"}) {
    ASSERT_TRUE(WriteFileAtomic(bad + "/config.json", config).ok());
    auto m = BertModel::Open(bad, {});
    ASSERT_FALSE(m.ok()) << config;
    EXPECT_EQ(m.error().code(), Code::kUsage) << config;
    EXPECT_NE(m.error().message().find("not supported"), std::string::npos) << config;
  }
  testing::RemoveTree(bad);
}

}  // namespace
}  // namespace codeindex
