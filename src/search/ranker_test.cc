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
  o.definition = o.file = o.path = o.dedupe = o.name = o.diversity = false;
  // The arithmetic below is written for these weights, whatever the defaults.
  o.text_weight_symbol = 0.75;
  o.text_weight_mixed = 0.5;
  o.text_weight_sentence = 0.5;
  return o;
}

// The name signal does not depend on the definition signal (it once ran only with it on).
TEST(RankTest, NameSignalWithoutDefinition) {
  RankOptions o = NoSignals();
  o.name = true;
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 1, "unrelated"),
                                    Make(2, "b.py", 1, 5, 2, 2, "read_config_file")};
  RankedList r = Rank("read the config", c, o, 10);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);
  ASSERT_EQ(r.ranked[0].signals.size(), 1u);
  EXPECT_EQ(r.ranked[0].signals[0].name, "name");
  // An exact name with definition off gets neither signal.
  c = {Make(1, "a.py", 1, 5, 1, 1), Make(2, "b.py", 1, 5, 2, 2, "parse_file")};
  r = Rank("parse_file", c, o, 10);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 1);
  EXPECT_TRUE(r.ranked[1].signals.empty());
}

// Diversity: the second block of a file is scaled once, the third twice, so another file's
// block that scored a little lower moves above them.
TEST(RankTest, DiversityLetsOtherFilesIn) {
  RankOptions o = NoSignals();
  std::vector<FusionCandidate> c = {Make(1, "a.py", 1, 5, 1, 1), Make(2, "a.py", 10, 20, 2, 2),
                                    Make(3, "a.py", 30, 40, 3, 3), Make(4, "b.py", 1, 5, 4, 4)};
  RankedList r = Rank("retry logic", c, o, 10);
  EXPECT_EQ(c[r.ranked[1].index].block_id, 2);  // off: score order
  o.diversity = true;
  r = Rank("retry logic", c, o, 10);
  ASSERT_EQ(r.ranked.size(), 4u);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 1);
  EXPECT_EQ(c[r.ranked[1].index].block_id, 4);
  EXPECT_EQ(c[r.ranked[2].index].block_id, 2);
  ASSERT_EQ(r.ranked[2].signals.size(), 1u);
  EXPECT_EQ(r.ranked[2].signals[0].name, "diversity");
  EXPECT_DOUBLE_EQ(r.ranked[2].signals[0].factor, o.diversity_factor);
  EXPECT_DOUBLE_EQ(r.ranked[3].signals[0].factor, o.diversity_factor * o.diversity_factor);
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

TEST(ParseSymbolQueryTest, IdentifiersQualifiedNamesAndKindWords) {
  struct Case {
    const char* query;
    const char* name;  // nullptr: not a symbol query
    std::vector<std::string> qualifier;
    const char* kind;
  } cases[] = {
      {"Logger", "Logger", {}, ""},
      {"  parse_file ", "parse_file", {}, ""},
      {"Foo::bar", "bar", {"Foo"}, ""},
      {"a.b.C", "C", {"a", "b"}, ""},
      {"obj.method()", "method", {"obj"}, ""},
      {"Twig\\Loader\\FilesystemLoader", "FilesystemLoader", {"Twig", "Loader"}, ""},
      {"ptr->next", "next", {"ptr"}, ""},
      {"Rack::Lint#call", "call", {"Rack", "Lint"}, ""},
      {"`TokenStream`", "TokenStream", {}, ""},
      {"class Logger", "Logger", {}, "class"},
      {"function parse", "parse", {}, "function"},
      {"fn new", "new", {}, "function"},
      {"Formatter trait", "Formatter", {}, "interface"},
      {"type", "type", {}, ""},  // a lone kind word is a name
      {"HttpClient fetch", nullptr, {}, ""},
      {"how does parsing work", nullptr, {}, ""},
      {"class Logger instance", nullptr, {}, ""},
      {"3d", nullptr, {}, ""},
      {"a..b", nullptr, {}, ""},
      {"Foo::", "Foo", {}, ""},  // trailing punctuation goes, as after a word
      {"a::::b", nullptr, {}, ""},
      {"::", nullptr, {}, ""},
      {"", nullptr, {}, ""},
  };
  for (const Case& c : cases) {
    std::optional<SymbolQuery> q = ParseSymbolQuery(c.query);
    if (c.name == nullptr) {
      EXPECT_FALSE(q.has_value()) << c.query;
      continue;
    }
    ASSERT_TRUE(q.has_value()) << c.query;
    EXPECT_EQ(q->name, c.name) << c.query;
    EXPECT_EQ(q->qualifier, c.qualifier) << c.query;
    EXPECT_EQ(q->kind, c.kind) << c.query;
  }
}

TEST(CodeNamesInTest, OnlyNamesWrittenAsCode) {
  auto names = [](std::string_view q) {
    std::vector<std::string> out;
    for (const SymbolQuery& s : CodeNamesIn(q)) out.push_back(s.name);
    return out;
  };
  EXPECT_EQ(names("how does parseConfig handle defaults"), std::vector<std::string>{"parseConfig"});
  EXPECT_EQ(names("where is max_retries read, and what calls Client.fetch()?"),
            (std::vector<std::string>{"max_retries", "fetch"}));
  EXPECT_EQ(names("what does `render` return"), std::vector<std::string>{"render"});
  EXPECT_EQ(names("how are files parsed. Then what"), std::vector<std::string>{});
  EXPECT_EQ(names("parseConfig then parseConfig again, x_"),
            std::vector<std::string>{"parseConfig"});  // once; x_ too short
}

SymbolRecord Def(const std::string& name, const std::string& kind, const std::string& file,
                 int start, int end, const std::string& scope = "") {
  return SymbolRecord{name, kind, scope, start, end, file};
}

std::vector<std::string> Order(const SymbolQuery& q, std::string_view query,
                               const std::vector<SymbolRecord>& defs, bool exact_only = false) {
  std::vector<std::string> out;
  for (const RankedDefinition& r : RankDefinitions(q, query, defs, exact_only, 10)) {
    out.push_back(defs[r.index].file_path + ":" + std::to_string(defs[r.index].start_line));
  }
  return out;
}

TEST(RankDefinitionsTest, TierKindQualifierPathAndSpan) {
  SymbolQuery q = *ParseSymbolQuery("Logger");
  // The exact case wins over everything else; other cases only when it is not defined.
  std::vector<SymbolRecord> defs = {Def("logger", "class", "a.go", 1, 300),
                                    Def("Logger", "variable", "b.go", 5, 5),
                                    Def("Loggers", "class", "c.go", 1, 9)};
  EXPECT_EQ(Order(q, "Logger", defs), std::vector<std::string>{"b.go:5"});
  defs.erase(defs.begin() + 1);
  EXPECT_EQ(Order(q, "Logger", defs), std::vector<std::string>{"a.go:1"});
  EXPECT_EQ(Order(q, "Logger", defs, true), std::vector<std::string>{});
  // Types before callables before the rest; then code not down-weighted; then the larger.
  defs = {Def("Logger", "variable", "a.go", 1, 1),      Def("Logger", "method", "b.go", 1, 50),
          Def("Logger", "struct", "tests/c.go", 1, 90), Def("Logger", "struct", "d.go", 10, 12),
          Def("Logger", "struct", "e.go", 20, 60)};
  EXPECT_EQ(Order(q, "Logger", defs),
            (std::vector<std::string>{"e.go:20", "d.go:10", "tests/c.go:1", "b.go:1", "a.go:1"}));
  // ... unless the query asks for tests.
  EXPECT_EQ(Order(q, "Logger test", defs)[0], "tests/c.go:1");
  // A kind word puts that kind first, then its group.
  SymbolQuery f = *ParseSymbolQuery("method Logger");
  EXPECT_EQ(Order(f, "method Logger", defs)[0], "b.go:1");
  SymbolQuery c = *ParseSymbolQuery("class Logger");  // struct is class-like
  EXPECT_EQ(Order(c, "class Logger", defs)[0], "e.go:20");
  // A qualifier found in the scope or the path outranks kind and span.
  SymbolQuery scoped = *ParseSymbolQuery("Entry.Logger");
  defs = {Def("Logger", "struct", "a.go", 1, 90), Def("Logger", "method", "b.go", 1, 2, "Entry")};
  EXPECT_EQ(Order(scoped, "Entry.Logger", defs)[0], "b.go:1");
  SymbolQuery pathed = *ParseSymbolQuery("hooks/Logger");
  defs = {Def("Logger", "struct", "a.go", 1, 90), Def("Logger", "struct", "src/hooks/x.go", 1, 2)};
  EXPECT_EQ(Order(pathed, "hooks/Logger", defs)[0], "src/hooks/x.go:1");
  SymbolQuery stem = *ParseSymbolQuery("entry.Logger");
  defs = {Def("Logger", "struct", "a.go", 1, 90), Def("Logger", "method", "entry.go", 1, 2)};
  EXPECT_EQ(Order(stem, "entry.Logger", defs)[0], "entry.go:1");
  // The explanation names what decided.
  auto ranked = RankDefinitions(scoped, "Entry.Logger",
                                {Def("Logger", "method", "tests/b.go", 1, 2, "Entry")}, false, 5);
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0].why, "method Logger (exact case, qualifier 1/1, test code, 2 lines)");
}

BlockRecord Block(int64_t id, int start, int end) {
  BlockRecord b;
  b.id = id;
  b.start_line = start;
  b.end_line = end;
  return b;
}

TEST(DefinitionBlockTest, ContainsTheFirstLineElseInsideTheSpan) {
  // A file block, the class block, a method block.
  std::vector<BlockRecord> blocks = {Block(1, 1, 200), Block(2, 10, 80), Block(3, 20, 30)};
  EXPECT_EQ(DefinitionBlock(blocks, 10, 80), 1);   // starts at the definition
  EXPECT_EQ(DefinitionBlock(blocks, 12, 15), 1);   // nearest start before it
  EXPECT_EQ(DefinitionBlock(blocks, 100, 120), 0);
  // Same start: the larger.
  EXPECT_EQ(DefinitionBlock({Block(1, 5, 9), Block(2, 5, 40)}, 5, 40), 1);
  // No block holds the header: the first block inside the span.
  EXPECT_EQ(DefinitionBlock({Block(1, 30, 40), Block(2, 12, 20)}, 10, 50), 1);
  EXPECT_EQ(DefinitionBlock({Block(1, 60, 70)}, 10, 50), -1);
  EXPECT_EQ(DefinitionBlock({}, 10, 50), -1);
}

TEST(RankTest, SymbolListPutsTheDefinitionFirst) {
  RankOptions o;  // every default signal on
  // Block 1 leads both lists and is named like the query (a same-named constructor);
  // block 2 defines the type and is in neither list.
  std::vector<FusionCandidate> c = {Make(1, "a.go", 1, 5, 1, 1, "Logger"),
                                    Make(2, "logger.go", 17, 50, 0, 0, "Logger")};
  c[1].symbol_rank = 1;
  c[1].symbol_weight = o.symbol_weight;
  c[1].symbol_why = "struct Logger";
  RankedList r = Rank("Logger", c, o, 10);
  ASSERT_EQ(r.ranked.size(), 2u);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 2);
  EXPECT_DOUBLE_EQ(r.ranked[0].symbol_part, o.symbol_weight / (o.rrf_k + 1));
  EXPECT_DOUBLE_EQ(r.ranked[0].fused, r.ranked[0].symbol_part);
  EXPECT_DOUBLE_EQ(r.ranked[1].symbol_part, 0);
  // Even a later definition beats what only text and semantics put first.
  c[1].symbol_rank = o.symbol_limit;
  EXPECT_EQ(c[Rank("Logger", c, o, 10).ranked[0].index].block_id, 2);
  // Off: the symbol list counts for nothing.
  o.symbol = false;
  EXPECT_EQ(c[Rank("Logger", c, o, 10).ranked[0].index].block_id, 1);
  // A name inside a sentence weighs less: one more first place, not a trump.
  o.symbol = true;
  c[1].symbol_rank = 1;
  c[1].symbol_weight = o.symbol_weight_sentence;
  r = Rank("where is the Logger made", c, o, 10);
  EXPECT_EQ(c[r.ranked[0].index].block_id, 1);
  EXPECT_DOUBLE_EQ(r.ranked[1].symbol_part, o.symbol_weight_sentence / (o.rrf_k + 1));
}

}  // namespace
}  // namespace codeindex
