#include "embed/static_model.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "base/file.h"
#include "embed/embedder.h"
#include "embed/testing.h"

namespace codeindex {
namespace {

class StaticModelTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!dir_.empty()) testing::RemoveTree(dir_);
  }

  std::unique_ptr<StaticModel> Make(const testing::TinyStaticModel& spec, int max_tokens = 0) {
    dir_ = testing::MakeTempDir("static");
    auto table = testing::WriteTinyStaticModel(dir_, spec);
    EXPECT_TRUE(table.ok());
    table_ = *table;
    auto m = StaticModel::Open(dir_, max_tokens);
    EXPECT_TRUE(m.ok()) << m.error().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  // mean(table[id] * weight(id)) over the known tokens, normalised.
  std::vector<float> Reference(const StaticModel& m, const std::vector<std::string>& tokens,
                               bool weights) {
    std::vector<double> acc(m.dim(), 0.0);
    for (const std::string& t : tokens) {
      const int id = *m.tokenizer().TokenToId(t);
      const double w = weights ? 1.0 + id % 3 : 1.0;
      for (int i = 0; i < m.dim(); ++i) acc[i] += w * table_[id * m.dim() + i];
    }
    double ss = 0;
    for (double v : acc) ss += v * v;
    std::vector<float> out(m.dim());
    for (int i = 0; i < m.dim(); ++i) out[i] = static_cast<float>(acc[i] / std::sqrt(ss));
    return out;
  }

  std::vector<float> Encode(const StaticModel& m, std::string_view text) {
    std::vector<float> out(m.dim());
    std::vector<int32_t> ids;
    m.Encode(text, out.data(), &ids);
    return out;
  }

  std::string dir_;
  std::vector<float> table_;
};

void ExpectNear(const std::vector<float>& a, const std::vector<float>& b, float tol = 1e-6f) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "at " << i;
}

TEST_F(StaticModelTest, MeanOfTokenRowsThenNormalised) {
  auto m = Make({});
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dim(), 16);
  ExpectNear(Encode(*m, "def"), Reference(*m, {"def"}, false));
  // "Parsed files" -> parse ##d file ##s; the unknown word "zzq" is dropped (model2vec
  // removes unk ids before pooling).
  ExpectNear(Encode(*m, "Parsed files zzq"), Reference(*m, {"parse", "##d", "file", "##s"}, false));
}

TEST_F(StaticModelTest, PerTokenWeightsScaleRows) {
  auto m = Make({.with_weights = true});
  ASSERT_NE(m, nullptr);
  ExpectNear(Encode(*m, "read index"), Reference(*m, {"read", "index"}, true));
  ExpectNear(Encode(*m, "read"), Reference(*m, {"read"}, true));  // weight cancels
}

TEST_F(StaticModelTest, HalfAndInt8Tables) {
  for (DType t : {DType::kF16, DType::kI8}) {
    auto m = Make({.dtype = t});
    ASSERT_NE(m, nullptr);
    ExpectNear(Encode(*m, "vector search"), Reference(*m, {"vector", "search"}, false), 1e-5f);
    testing::RemoveTree(dir_);
  }
}

TEST_F(StaticModelTest, NothingToEmbedGivesTheZeroVector) {
  auto m = Make({});
  ASSERT_NE(m, nullptr);
  for (const char* text : {"", "   ", "zzq qqq"}) {
    for (float v : Encode(*m, text)) EXPECT_EQ(v, 0.0f) << text;
  }
}

TEST_F(StaticModelTest, MaxTokensCutsTheTextLikeModel2Vec) {
  // model2vec first cuts the text to max_tokens x the median token length characters (1 for
  // this vocabulary of mostly single letters), then the token list to max_tokens.
  auto m = Make({}, /*max_tokens=*/2);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->median_token_length(), 1);
  std::vector<float> out(m->dim());
  std::vector<int32_t> ids;
  EXPECT_TRUE(m->Encode("read index", out.data(), &ids));
  ExpectNear(out, Reference(*m, {"r", "##e"}, false));
  EXPECT_FALSE(m->Encode("if", out.data(), &ids));
  ExpectNear(out, Reference(*m, {"if"}, false));
}

TEST_F(StaticModelTest, ErrorsNameTheProblem) {
  dir_ = testing::MakeTempDir("static-bad");
  auto missing = StaticModel::Open(dir_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("model.safetensors"), std::string::npos);

  ASSERT_TRUE(testing::WriteTinyStaticModel(dir_, {}).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/model.safetensors",
                              SerializeSafetensors({{"other", DType::kF32, {1}, "abcd"}}))
                  .ok());
  auto no_tensor = StaticModel::Open(dir_);
  ASSERT_FALSE(no_tensor.ok());
  EXPECT_NE(no_tensor.error().message().find("embeddings"), std::string::npos);

  // A table with fewer rows than the tokenizer has tokens.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/model.safetensors",
                              SerializeSafetensors({{"embeddings", DType::kF32, {1, 1}, "abcd"}}))
                  .ok());
  auto small = StaticModel::Open(dir_);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code(), Code::kCorruption);
}

TEST_F(StaticModelTest, EmbedderThroughFactoryIsThreadSafeAndDeterministic) {
  dir_ = testing::MakeTempDir("static-emb");
  ASSERT_TRUE(testing::WriteTinyStaticModel(dir_, {}).ok());
  EmbedderConfig cfg;
  cfg.provider = Provider::kStatic;
  cfg.model = dir_;
  auto e = OpenEmbedder(cfg);
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  const Embedder& emb = **e;
  EXPECT_EQ(emb.dimension(), 16);
  EXPECT_EQ(emb.model_id().rfind("static:codeindex-static-emb-", 0), 0u) << emb.model_id();
  EXPECT_EQ(emb.fingerprint().size(), 64u);

  const std::vector<std::string_view> texts = {"def parse(file):", "return self.index",
                                               "class Vector", ""};
  std::vector<float> want(texts.size() * 16);
  ASSERT_TRUE(emb.Embed(texts, EmbedKind::kDocument, want.data()).ok());
  std::vector<std::thread> threads;
  std::vector<std::vector<float>> got(4, std::vector<float>(want.size()));
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 50; ++rep) {
        ASSERT_TRUE(emb.Embed(texts, EmbedKind::kDocument, got[t].data()).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(got[t], want);

  // A dimension that disagrees with the model is refused.
  cfg.dimensions = 32;
  EXPECT_EQ(OpenEmbedder(cfg).error().code(), Code::kInvalidArgument);

  // Query prefixes change query vectors only.
  cfg.dimensions = 0;
  cfg.query_prefix = "search";
  auto p = OpenEmbedder(cfg);
  ASSERT_TRUE(p.ok());
  const std::string_view one[] = {"vector"};
  std::vector<float> q(16), d(16);
  ASSERT_TRUE((*p)->Embed(one, EmbedKind::kQuery, q.data()).ok());
  ASSERT_TRUE((*p)->Embed(one, EmbedKind::kDocument, d.data()).ok());
  EXPECT_NE(q, d);
  EXPECT_NE((*p)->fingerprint(), emb.fingerprint());
}

TEST_F(StaticModelTest, FingerprintFollowsTheModelFiles) {
  dir_ = testing::MakeTempDir("static-fp");
  ASSERT_TRUE(testing::WriteTinyStaticModel(dir_, {.seed = 1}).ok());
  EmbedderConfig cfg;
  cfg.model = dir_;
  const std::string a = (*OpenEmbedder(cfg))->fingerprint();
  EXPECT_EQ((*OpenEmbedder(cfg))->fingerprint(), a);
  ASSERT_TRUE(testing::WriteTinyStaticModel(dir_, {.seed = 2}).ok());  // same shapes
  EXPECT_NE((*OpenEmbedder(cfg))->fingerprint(), a);
}

TEST_F(StaticModelTest, ConfigJsonMaxTokensIsTheModelsOwnLimit) {
  auto m0 = Make({});
  ASSERT_NE(m0, nullptr);
  EXPECT_EQ(m0->max_tokens(), 512);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/config.json", R"({"max_tokens": 2})").ok());
  auto m = StaticModel::Open(dir_);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ((*m)->max_tokens(), 2);
  std::vector<float> out((*m)->dim());
  std::vector<int32_t> ids;
  EXPECT_TRUE((*m)->Encode("read index", out.data(), &ids));
  ExpectNear(out, Reference(**m, {"r", "##e"}, false));
  // An explicit limit wins over the file.
  auto m5 = StaticModel::Open(dir_, 5);
  ASSERT_TRUE(m5.ok());
  EXPECT_EQ((*m5)->max_tokens(), 5);
}

TEST_F(StaticModelTest, ConfigJsonMinScoreIsTheRecommendedThreshold) {
  dir_ = testing::MakeTempDir("static-min-score");
  ASSERT_TRUE(testing::WriteTinyStaticModel(dir_, {}).ok());
  EmbedderConfig cfg;
  cfg.model = dir_;
  // Nothing said: no recommendation (callers keep the original's 0.4).
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/config.json", R"({"normalize": true})").ok());
  EXPECT_EQ((*OpenEmbedder(cfg))->recommended_min_score(), std::nullopt);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/config.json", R"({"min_score": 0.25})").ok());
  auto e = OpenEmbedder(cfg);
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ((*e)->recommended_min_score(), 0.25);
  EXPECT_EQ((*StaticModel::Open(dir_))->min_score(), 0.25);
  // Not a cosine: ignored.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/config.json", R"({"min_score": "high"})").ok());
  EXPECT_EQ((*OpenEmbedder(cfg))->recommended_min_score(), std::nullopt);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/config.json", R"({"min_score": 3})").ok());
  EXPECT_EQ((*OpenEmbedder(cfg))->recommended_min_score(), std::nullopt);
  // An explicit max_tokens does not stop the file's min_score from being read.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/config.json", R"({"min_score": 0.1, "max_tokens": 9})").ok());
  cfg.max_tokens = 4;
  EXPECT_EQ((*OpenEmbedder(cfg))->recommended_min_score(), 0.1);
}

// Sets an environment variable for the scope of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(StaticModelTest, DefaultModelFromTheEnvironmentOverride) {
  const std::string root = testing::MakeTempDir("models");
  const std::string dir = root + "/" + std::string(kDefaultStaticModelName);
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(testing::WriteTinyStaticModel(dir, {}).ok());
  {
    ScopedEnv env("CODEINDEX_MODELS_DIR", root);
    auto found = DefaultStaticModelDir();
    ASSERT_TRUE(found.ok()) << found.error().ToString();
    EXPECT_EQ(*found, dir);
    EmbedderConfig cfg;  // static, no model: the default
    auto e = OpenEmbedder(cfg);
    ASSERT_TRUE(e.ok()) << e.error().ToString();
    EXPECT_EQ((*e)->dimension(), 16);
    EXPECT_EQ((*e)->model_id(), "static:code-static-v1");
  }
  testing::RemoveTree(root);
}

// The shipped model (models/code-static-v1), found through the source tree compiled into
// this build: it loads, and it ranks code by meaning the way it was trained to.
TEST_F(StaticModelTest, ShippedDefaultModelLoadsAndRanksByMeaning) {
  ScopedEnv env("CODEINDEX_MODELS_DIR", "/nonexistent");
  auto e = OpenEmbedder(EmbedderConfig{});
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  const Embedder& m = **e;
  EXPECT_EQ(m.dimension(), 256);
  // Its cosines run lower than OpenAI's: config.json says where a match stops being one.
  EXPECT_EQ(m.recommended_min_score(), 0.2);
  const std::vector<std::string_view> code = {
      "def read_config(path):\n    with open(path) as f:\n        return json.load(f)\n",
      "func (s *Server) Close() error {\n\ts.listener.Close()\n\treturn nil\n}\n",
      "fn sort_desc(v: &mut Vec<i32>) {\n    v.sort_by(|a, b| b.cmp(a));\n}\n"};
  const std::vector<std::string_view> queries = {"load settings from a json file",
                                                 "shut down the server and stop listening",
                                                 "order numbers from largest to smallest"};
  const int d = m.dimension();
  std::vector<float> cv(code.size() * d), qv(queries.size() * d);
  ASSERT_TRUE(m.Embed(code, EmbedKind::kDocument, cv.data()).ok());
  ASSERT_TRUE(m.Embed(queries, EmbedKind::kQuery, qv.data()).ok());
  for (size_t q = 0; q < queries.size(); ++q) {
    size_t best = 0;
    float best_score = -2;
    for (size_t c = 0; c < code.size(); ++c) {
      float s = 0;
      for (int i = 0; i < d; ++i) s += qv[q * d + i] * cv[c * d + i];
      if (s > best_score) {
        best_score = s;
        best = c;
      }
    }
    EXPECT_EQ(best, q) << queries[q];
  }
}

}  // namespace
}  // namespace codeindex
