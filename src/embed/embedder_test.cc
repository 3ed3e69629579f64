#include "embed/embedder.h"

#include <cmath>
#include <set>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(EmbedderConfigTest, ContentHashCoversWhatChangesVectors) {
  const EmbedderConfig base;
  std::set<std::string> seen = {base.ContentHash()};
  auto differs = [&](const EmbedderConfig& c, const char* what) {
    EXPECT_TRUE(seen.insert(c.ContentHash()).second) << what;
  };
  EmbedderConfig c = base;
  c.provider = Provider::kTransformer;
  differs(c, "provider");
  c = base, c.model = "/models/a";
  differs(c, "model");
  c = base, c.base_url = "http://x";
  differs(c, "base_url");
  c = base, c.dimensions = 384;
  differs(c, "dimensions");
  c = base, c.pooling = Pooling::kCls;
  differs(c, "pooling");
  c = base, c.precision = Precision::kInt8;
  differs(c, "precision");
  c = base, c.max_tokens = 128;
  differs(c, "max_tokens");
  c = base, c.query_prefix = "";
  differs(c, "empty query prefix differs from the model's own");
  c = base, c.query_prefix = "q: ";
  differs(c, "query prefix");
  c = base, c.document_prefix = "q: ";
  differs(c, "document prefix (not the same as the query prefix)");

  // Runtime settings do not change the vectors.
  c = base;
  c.threads = 8;
  c.batch_size = 7;
  c.timeout_ms = 1;
  c.ca_cert_path = "/etc/ssl/x.pem";
  c.api_key_env = "KEY";
  c.model_id = "display name";
  EXPECT_EQ(c.ContentHash(), base.ContentHash());
  EXPECT_EQ(base.ContentHash().size(), 64u);
}

TEST(EmbedderConfigTest, ProviderNamesRoundTrip) {
  for (Provider p : {Provider::kStatic, Provider::kTransformer, Provider::kOpenAI,
                     Provider::kOpenAICompatible, Provider::kOllama}) {
    auto back = ParseProvider(ProviderName(p));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, p);
  }
  EXPECT_EQ(ParseProvider("gemini").error().code(), Code::kInvalidArgument);
}

TEST(EmbedderTest, NormalizeL2) {
  float v[3] = {3, 0, 4};
  NormalizeL2(v, 3);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[2], 0.8f);
  float z[2] = {0, 0};
  NormalizeL2(z, 2);
  EXPECT_EQ(z[0], 0.0f);
  EXPECT_FALSE(std::isnan(z[1]));
}

TEST(EmbedderTest, FactoryRefusesIncompleteConfigs) {
  EmbedderConfig c;
  c.provider = Provider::kStatic;
  EXPECT_EQ(OpenEmbedder(c).error().code(), Code::kInvalidArgument);
  c.provider = Provider::kTransformer;
  EXPECT_EQ(OpenEmbedder(c).error().code(), Code::kInvalidArgument);
  c.provider = Provider::kOpenAICompatible;  // no base URL
  EXPECT_EQ(OpenEmbedder(c).error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace codeindex
