#include "search/ranker.h"

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(ClassifyQueryTest, SymbolsSentencesAndTheRest) {
  struct Case {
    const char* query;
    QueryShape shape;
  } cases[] = {
      {"parseFile", QueryShape::kSymbol},
      {"Foo::bar", QueryShape::kSymbol},
      {"snake_case_name", QueryShape::kSymbol},
      {"obj.method()", QueryShape::kSymbol},
      {"HttpClient fetch", QueryShape::kSymbol},
      {"where do we retry failed uploads", QueryShape::kSentence},
      {"Read and parse one file.", QueryShape::kSentence},
      {"parser", QueryShape::kMixed},
      {"retry logic", QueryShape::kMixed},
      {"how does parseFile handle errors", QueryShape::kMixed},
      {"", QueryShape::kMixed},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyQuery(c.query), c.shape) << c.query;
  }
}

TEST(ClassifyPathTest, KindsOfCode) {
  struct Case {
    const char* path;
    PathKind kind;
  } cases[] = {
      {"src/parser.py", PathKind::kNormal},
      {"src/attestation.py", PathKind::kNormal},  // "test" inside a word is not a test
      {"tests/test_parser.py", PathKind::kTest},
      {"src/parser_test.go", PathKind::kTest},
      {"src/app.spec.ts", PathKind::kTest},
      {"src/test/java/FooTest.java", PathKind::kTest},
      {"lib/FooTests.cs", PathKind::kTest},
      {"vendor/github.com/x/y.go", PathKind::kVendored},
      {"third_party/zlib/inflate.c", PathKind::kVendored},
      {"web/app.min.js", PathKind::kGenerated},
      {"api/foo.pb.go", PathKind::kGenerated},
      {"api/foo_pb2.py", PathKind::kGenerated},
      {"types/index.d.ts", PathKind::kStub},
      {"stubs/os.pyi", PathKind::kStub},
      {"examples/basic/main.rs", PathKind::kExample},
      {"src/compat.py", PathKind::kCompat},
      {"src/shims/fetch.js", PathKind::kCompat},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyPath(c.path), c.kind) << c.path;
  }
}

TEST(QueryAsksForTest, WordsNotSubstrings) {
  EXPECT_TRUE(QueryAsksFor("unit test for the parser", PathKind::kTest));
  EXPECT_FALSE(QueryAsksFor("latest parser", PathKind::kTest));
  EXPECT_TRUE(QueryAsksFor("example of retry", PathKind::kExample));
  EXPECT_FALSE(QueryAsksFor("retry", PathKind::kExample));
  EXPECT_TRUE(QueryAsksFor("py2 compat layer", PathKind::kCompat));
}

FusionCandidate Make(int64_t id, const std::string& file, int start, int end, int text_rank,
                     int semantic_rank, std::optional<std::string> identifier = std::nullopt) {
  FusionCandidate c;
  c.block_id = id;
  c.file_path = file;
  c.start_line = start;
  c.end_line = end;
  c.text_rank = text_rank;
  c.bm25 = text_rank > 0 ? 10.0 / text_rank : 0;
  c.semantic_rank = semantic_rank;
  c.cosine = semantic_rank > 0 ? 0.9 - 0.1 * semantic_rank : 0;
  c.identifier = std::move(identifier);
  return c;
}

RankOptions NoSignals() {
  RankOptions o;
  o.definition = o.file = o.path = o.dedupe = false;
  return o;
}

TEST(RankTest, ReciprocalRankFusionArithmetic) {
  // "retry logic" is a mixed query: weights 0.5 / 0.5.
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 0), Make(2, "b.py", 1, 5, 2, 1),
                                    Make(3, "c.py", 1, 5, 0, 2)};
  RankedList r = Rank("retry logic", c, NoSignals(), 10);
  ASSERT_EQ(r.ranked.size(), 3u);
  EXPECT_EQ(r.shape, QueryShape::kMixed);
  EXPECT_DOUBLE_EQ(r.text_weight, 0.5);
  // Block 2 is in both lists: 0.5/62 + 0.5/61 beats 0.5/61 alone.
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);
  EXPECT_DOUBLE_EQ(r.ranked[0].fused, 0.5 / 62 + 0.5 / 61);
  EXPECT_DOUBLE_EQ(r.ranked[0].text_part, 0.5 / 62);
  EXPECT_EQ(c[r.ranked[1].index].block_id, 1);
  EXPECT_DOUBLE_EQ(r.ranked[1].fused, 0.5 / 61);
  EXPECT_EQ(c[r.ranked[2].index].block_id, 3);
}

TEST(RankTest, QueryShapeShiftsTheWeight) {
  // Block 1 leads the text list, block 2 the semantic list.
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 5), Make(2, "b.py", 1, 5, 5, 1)};
  RankOptions o = NoSignals();
  o.text_weight_symbol = 0.75;
  o.text_weight_sentence = 0.3;
  EXPECT_EQ(c[Rank("fetchUrl", c, o, 10).ranked[0].index].block_id, 1);
  EXPECT_EQ(c[Rank("how are urls fetched again", c, o, 10).ranked[0].index].block_id, 2);
}

TEST(RankTest, ScoreFusionNormalisesEachList) {
  RankOptions o = NoSignals();
  o.fusion = FusionMethod::kScore;
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 3), Make(2, "b.py", 1, 5, 2, 1),
                                    Make(3, "c.py", 1, 5, 3, 2)};
  RankedList r = Rank("retry logic", c, o, 10);
  // bm25 10, 5, 3.33 -> 1, 0.286, 0; cosine 0.6, 0.8, 0.7 -> 0, 1, 0.5.
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);
  EXPECT_NEAR(r.ranked[0].fused, 0.5 * (5 - 10.0 / 3) / (10 - 10.0 / 3) + 0.5, 1e-12);
}

TEST(RankTest, DefinitionOfAQueriedNameWins) {
  RankOptions o = NoSignals();
  o.definition = true;
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 1, "call_parse_file"),
                                    Make(2, "b.py", 1, 5, 2, 2, "Parser.parse_file")};
  RankedList r = Rank("parseFile", c, o, 10);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);
  ASSERT_EQ(r.ranked[0].signals.size(), 1u);
  EXPECT_EQ(r.ranked[0].signals[0].name, "definition");
  EXPECT_DOUBLE_EQ(r.ranked[0].score, r.ranked[0].fused * o.definition_factor);
  // Words run together match too: "parse file" names parse_file.
  EXPECT_EQ(c[Rank("parse file", c, o, 10).ranked[0].index].block_id, 2);
}

TEST(RankTest, TestsAreDownWeightedUnlessAsked) {
  RankOptions o = NoSignals();
  o.path = true;
  std::vector<FusionCandidate> c = {Make(1, "tests/test_retry.py", 1, 5, 1, 1),
                                    Make(2, "src/retry.py", 1, 5, 2, 2)};
  RankedList r = Rank("retry logic", c, o, 10);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);
  EXPECT_EQ(r.ranked[1].signals[0].name, "path");
  EXPECT_EQ(c[Rank("retry logic test", c, o, 10).ranked[0].index].block_id, 1);
}

TEST(RankTest, FileWithSeveralMatchesRisesAndOverlapsAreDropped) {
  RankOptions o = NoSignals();
  o.file = true;
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 1), Make(2, "b.py", 1, 5, 2, 2),
                                    Make(3, "b.py", 10, 20, 3, 3), Make(4, "b.py", 30, 40, 4, 4)};
  RankedList r = Rank("retry logic", c, o, 10);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);  // two other b.py blocks: x1.10

  o = NoSignals();
  o.dedupe = true;
  // A class (1-40) and its method (10-20): the method is dropped after the class; a block
  // that only touches the class's last line stays.
  c = {Make(1, "a.py", 1, 40, 1, 1), Make(2, "a.py", 10, 20, 2, 2), Make(3, "a.py", 40, 60, 3, 3)};
  r = Rank("retry logic", c, o, 10);
  ASSERT_EQ(r.ranked.size(), 2u);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 1);
  EXPECT_EQ(c[r.ranked[1].index].block_id, 3);
  // The limit counts kept results, not dropped ones.
  EXPECT_EQ(Rank("retry logic", c, o, 2).ranked.size(), 2u);
}

}  // namespace
}  // namespace codeindex
