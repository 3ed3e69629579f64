#include "embed/code_tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "embed/tokenizer.h"

namespace codeindex {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> w;
  CodeTokenizer::Words(text, &w);
  return w;
}

TEST(CodeTokenizerTest, WordsFollowTheAnalyzerSplitting) {
  struct {
    std::string text;
    std::vector<std::string> want;
  } cases[] = {
      {"parseHTTPHeader", {"parse", "http", "header"}},
      {"read_line(buf)", {"read", "line", "buf"}},
      {"isinstance", {"isinstance"}},
      {"os.path.join", {"os", "path", "join"}},
      {"Returns the UTF8 value.", {"returns", "the", "utf", "value"}},  // "8" is too short
      {"int32_t x", {"int", "32"}},
      {"__init__", {"init"}},
      {"0x1F 100ms", {"0x1f", "100ms"}},  // number literals stay whole
      {"e3b0c44298fc1c149afbf4c8996fb924", {"e3b0c44298fc1c149afbf4c8996fb924"}},  // a blob
      {"a b", {}},
  };
  for (const auto& c : cases) EXPECT_EQ(Words(c.text), c.want) << c.text;
}

class CodeTokenizerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<CodeTokenizer::Piece> v = {
        {"[UNK]", 0},     {"get", -3},  {"peer", -6}, {"name", -4}, {"time", -4}, {"str", -5},
        {"readline", -6}, {"read", -4}, {"line", -4}, {"f", -9},    {"s", -9},    {"e", -9}};
    auto t = CodeTokenizer::Create(v, 0);
    ASSERT_TRUE(t.ok()) << t.error().ToString();
    tok_ = std::move(*t);
  }
  std::vector<std::string> Tokens(std::string_view text) {
    std::vector<int32_t> ids;
    tok_->Encode(text, &ids);
    std::vector<std::string> out;
    for (int32_t id : ids) out.push_back(tok_->IdToToken(id));
    return out;
  }
  std::unique_ptr<CodeTokenizer> tok_;
};

TEST_F(CodeTokenizerFixture, KnownPartsAreOneTokenOthersAreSegmented) {
  EXPECT_EQ(Tokens("getPeerName"), (std::vector<std::string>{"get", "peer", "name"}));
  EXPECT_EQ(Tokens("getpeername"), (std::vector<std::string>{"get", "peer", "name"}));
  EXPECT_EQ(Tokens("strftime"), (std::vector<std::string>{"str", "f", "time"}));
  // A known whole part wins over its pieces; an unknown one takes the best segmentation.
  EXPECT_EQ(Tokens("readline"), (std::vector<std::string>{"readline"}));
  EXPECT_EQ(Tokens("readlines"), (std::vector<std::string>{"readline", "s"}));
  // Characters no piece covers become one unknown token per run.
  EXPECT_EQ(Tokens("getxyz"), (std::vector<std::string>{"get", "[UNK]"}));
  EXPECT_EQ(Tokens("xyz time"), (std::vector<std::string>{"[UNK]", "time"}));
  // Query and code spellings meet.
  EXPECT_EQ(Tokens("read line"), Tokens("read_line"));
  EXPECT_EQ(Tokens("READ-LINE"), Tokens("readLine"));
}

TEST_F(CodeTokenizerFixture, RoundTripsThroughTokenizerJson) {
  const std::string json = tok_->ToJson();
  auto loaded = LoadTokenizerJson(json, "test");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ((*loaded)->vocab_size(), tok_->vocab_size());
  EXPECT_EQ((*loaded)->unk_id(), std::optional<int32_t>(0));
  for (std::string_view text : {"getPeerName strftime", "readlines of a file", "héllo wörld"}) {
    std::vector<int32_t> a, b;
    tok_->Encode(text, &a);
    (*loaded)->Encode(text, &b);
    EXPECT_EQ(a, b) << text;
  }
  EXPECT_EQ((*loaded)->TokenToId("peer"), std::optional<int32_t>(2));
  EXPECT_EQ((*loaded)->IdToToken(3), "name");
  EXPECT_TRUE((*loaded)->prefix_ids().empty());
}

TEST(CodeTokenizerTest, RefusesBadFiles) {
  auto load = [](const std::string& model) {
    return LoadTokenizerJson("{\"model\": " + model + "}", "t.json");
  };
  EXPECT_EQ(
      load(R"({"type":"CodeUnigram","analyzer_rules":1,"unk_id":0,"vocab":[]})").error().code(),
      Code::kCorruption);
  EXPECT_EQ(load(R"({"type":"CodeUnigram","analyzer_rules":1,"unk_id":5,"vocab":[["[UNK]",0]]})")
                .error()
                .code(),
            Code::kCorruption);
  EXPECT_EQ(load(R"({"type":"CodeUnigram","analyzer_rules":1,"unk_id":0,)"
                 R"("vocab":[["[UNK]",0],["a",-1],["a",-2]]})")
                .error()
                .code(),
            Code::kCorruption);
  EXPECT_EQ(load(R"({"type":"CodeUnigram","analyzer_rules":99,"unk_id":0,"vocab":[["[UNK]",0]]})")
                .error()
                .code(),
            Code::kUsage);
  EXPECT_EQ(load(R"({"type":"CodeUnigram","analyzer_rules":1,"unk_id":0,"vocab":[["[UNK]","x"]]})")
                .error()
                .code(),
            Code::kCorruption);
  EXPECT_TRUE(
      load(R"({"type":"CodeUnigram","analyzer_rules":1,"unk_id":0,"vocab":[["[UNK]",0]]})").ok());
}

}  // namespace
}  // namespace codeindex
