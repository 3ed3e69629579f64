// Hybrid ranking: fusion of the text (BM25) and semantic (cosine) candidate lists, then
// code-aware signals, each one a named factor that --explain shows. Internal to src/search
// (the contract is searcher.h); pure functions over candidates, so each step is tested and
// measured on its own (bench/README.md "hybrid" has the ablation behind every default).
//
//   1. Query shape. A query that looks like a symbol ("parseFile", "Foo::bar",
//      "snake_case_name", "obj.method()") leans on BM25; a sentence ("where do we retry
//      failed uploads") leans on semantics; anything else weighs both equally.
//   2. Fusion. Reciprocal-rank fusion by default: w_text / (k + rank_text) +
//      w_sem / (k + rank_sem), k = 60, a list a candidate is missing from contributing 0.
//      The alternative (RankOptions::fusion = kScore) adds the min-max normalised BM25 and
//      cosine with the same weights.
//   3. Signals (multiplicative factors on the fused score):
//        definition   the block defines a name the query contains (its identifier equals a
//                     query word, or the query's words run together, case and '_' ignored)
//        file         other candidates come from the same file (a file that matches in
//                     several places is likely the one sought)
//        path         tests, vendored or generated code, examples, .d.ts stubs and compat
//                     shims are down-weighted, unless the query asks for that kind
//   4. Overlaps. A block that shares at least half of its (or the other's) lines with a
//      better-ranked block of the same file (a class and its method) is dropped from the
//      list; blocks that merely touch (one shared line) both stay.
//
// Thread safety: all functions are reentrant.
#ifndef CODEINDEX_SEARCH_RANKER_H_
#define CODEINDEX_SEARCH_RANKER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace codeindex {

enum class QueryShape { kSymbol, kMixed, kSentence };
std::string_view QueryShapeName(QueryShape shape);
QueryShape ClassifyQuery(std::string_view query);

enum class FusionMethod { kRrf, kScore };

struct RankOptions {
  FusionMethod fusion = FusionMethod::kRrf;
  // The RRF constant: larger flattens the contribution of the first ranks. 60 is the value
  // of the original RRF paper and of most engines.
  double rrf_k = 60;
  // Text weight per query shape (the semantic weight is 1 minus it).
  double text_weight_symbol = 0.75;
  double text_weight_mixed = 0.5;
  double text_weight_sentence = 0.35;
  // Signals; each can be switched off (the ablation in bench/).
  bool definition = true;
  double definition_factor = 1.5;
  bool file = true;
  double file_factor_per_block = 0.05;  // per other matching block of the file, at most 4
  bool path = true;
  double path_factor = 0.75;
  bool dedupe = true;
};

// Kinds of path the path signal down-weights.
enum class PathKind { kNormal, kTest, kVendored, kGenerated, kExample, kStub, kCompat };
std::string_view PathKindName(PathKind kind);
PathKind ClassifyPath(std::string_view path);
// True when the query asks for code of that kind ("test", "vendor", "example", ...).
bool QueryAsksFor(std::string_view query, PathKind kind);

// One candidate block, from either list or both.
struct Candidate {
  int64_t block_id = 0;
  std::string file_path;
  int start_line = 0;
  int end_line = 0;
  std::optional<std::string> identifier;
  int text_rank = 0;  // 1-based; 0 = not in the text list
  double bm25 = 0;
  int semantic_rank = 0;  // 1-based; 0 = not in the semantic list
  double cosine = 0;
};

struct Signal {
  std::string name;
  double factor = 1;
  std::string why;
};

struct RankedCandidate {
  size_t index = 0;  // into the candidates given to Rank()
  double fused = 0;
  double text_part = 0;  // the text list's share of `fused`
  double semantic_part = 0;
  std::vector<Signal> signals;  // only those that changed the score
  double score = 0;             // fused x every factor
};

struct RankedList {
  QueryShape shape = QueryShape::kMixed;
  double text_weight = 0.5;
  std::vector<RankedCandidate> ranked;  // best first, overlaps removed, at most `limit`
};

// Fuses, applies the signals, sorts (score, then block id), removes overlaps, keeps `limit`.
RankedList Rank(std::string_view query, const std::vector<Candidate>& candidates,
                const RankOptions& options, size_t limit);

}  // namespace codeindex

#endif  // CODEINDEX_SEARCH_RANKER_H_
