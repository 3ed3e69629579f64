#include "index/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace codeindex {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("config-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& text) { std::ofstream(dir_ / "config.toml") << text; }
  fs::path dir_;
};

TEST_F(ConfigTest, MissingFileGivesTheDefaults) {
  auto c = LoadConfig(dir_.string());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_TRUE(c->embeddings);
  EXPECT_EQ(c->embedder.provider, Provider::kStatic);
  EXPECT_EQ(c->search.mode, "hybrid");  // the original's is semantic (docs/FIDELITY.md)
  EXPECT_FALSE(c->search.min_score.has_value());  // the model's, else 0.4, at search time
  EXPECT_EQ(c->search.max_results, 50);
}

TEST_F(ConfigTest, ReadsEveryKeyAndFlagsWin) {
  Write(R"([embedding]
provider = "ollama"
model = "nomic-embed-text"
base_url = "http://127.0.0.1:11434"
dimensions = 768
batch_size = 10
[search]
mode = "semantic"
min_score = 0.25
max_results = 20
)");
  auto c = LoadConfig(dir_.string());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->embedder.provider, Provider::kOllama);
  EXPECT_EQ(c->embedder.model, "nomic-embed-text");
  EXPECT_EQ(c->embedder.dimensions, 768);
  EXPECT_EQ(c->embedder.batch_size, 10);
  EXPECT_EQ(c->search.mode, "semantic");
  EXPECT_EQ(c->search.min_score, 0.25);
  EXPECT_EQ(c->search.max_results, 20);
  ConfigOverrides o;
  o.provider = "none";
  ASSERT_TRUE(ApplyOverrides(o, &*c).ok());
  EXPECT_FALSE(c->embeddings);
  auto round = EmbedderConfigFromJson(EmbedderConfigToJson(*c));
  ASSERT_TRUE(round.ok());
  EXPECT_FALSE(round->embeddings);
  EXPECT_EQ(round->embedder.model, "nomic-embed-text");
}

TEST_F(ConfigTest, ErrorsNameTheFileAndKey) {
  Write("[embedding]\ndimensions = \"many\"\n");
  auto c = LoadConfig(dir_.string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kInvalidArgument);
  EXPECT_NE(c.error().message().find("config.toml:2"), std::string::npos) << c.error().message();
  EXPECT_NE(c.error().message().find("dimensions"), std::string::npos);
  Write("[embedding\n");
  EXPECT_FALSE(LoadConfig(dir_.string()).ok());
  Write("[embedding]\nprovider = \"magic\"\n");
  EXPECT_FALSE(LoadConfig(dir_.string()).ok());
  Write("[search]\nmode = \"fuzzy\"\n");
  EXPECT_FALSE(LoadConfig(dir_.string()).ok());
}

}  // namespace
}  // namespace codeindex

namespace codeindex {
namespace {

class CacheConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cache-config-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& text) { std::ofstream(dir_ / "config.toml") << text; }
  std::filesystem::path dir_;
};

TEST_F(CacheConfigTest, DefaultsAndEveryKey) {
  auto d = LoadConfig(dir_.string());
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->cache.enabled);
  EXPECT_EQ(d->cache.size_mb, 256);
  EXPECT_EQ(d->cache.ttl_seconds, 300);
  EXPECT_EQ(d->cache.policy, "tinylfu");
  Write("[cache]\nenabled = false\nsize_mb = 64\nttl_seconds = 0\npolicy = \"lru\"\n");
  auto c = LoadConfig(dir_.string());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_FALSE(c->cache.enabled);
  EXPECT_EQ(c->cache.size_mb, 64);
  EXPECT_EQ(c->cache.ttl_seconds, 0);
  EXPECT_EQ(c->cache.policy, "lru");
}

TEST_F(CacheConfigTest, BadValuesAreRefused) {
  Write("[cache]\npolicy = \"fifo\"\n");
  EXPECT_EQ(LoadConfig(dir_.string()).error().code(), Code::kInvalidArgument);
  Write("[cache]\nsize_mb = -1\n");
  EXPECT_EQ(LoadConfig(dir_.string()).error().code(), Code::kInvalidArgument);
  Write("[cache]\nttl_seconds = \"long\"\n");
  EXPECT_EQ(LoadConfig(dir_.string()).error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace codeindex
