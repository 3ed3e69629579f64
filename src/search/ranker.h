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
//        name         part of the block's name is in the query ("read the config file"
//                     and readConfig): a share of its words, squared
//        file         other candidates come from the same file (a file that matches in
//                     several places is likely the one sought)
//        path         tests, vendored or generated code, examples, .d.ts stubs and compat
//                     shims are down-weighted, unless the query asks for that kind
//        diversity    the n-th block of a file in score order is scaled by 0.85^n, so one
//                     file's many blocks do not fill the top 10 (devbench +0.015; 0.7
//                     gained 0.02 but cost `codeindex eval`, whose target is often the
//                     second block of its file)
//      definition and name are independent switches (name once ran only with definition).
//   4. Overlaps. A block that shares at least half of its (or the other's) lines with a
//      better-ranked block of the same file (a class and its method) is dropped from the
//      list; blocks that merely touch (one shared line) both stay.
//
// Symbol lookup (every mode). A query that is one identifier, optionally qualified
// ("Logger", "Foo::bar", "a.b.C", "obj.method()", "A\B", "a/b") and optionally with one
// kind word ("class Logger", "function parse"), is looked up in the catalog's symbols
// table: definitions of its last name in exact case, or, when there is none, in any case.
// They are ordered by RankDefinitions, one key after the other:
//   tier        exact case before case-insensitive (mixed only in a caller's own list)
//   kind asked  the kind word's kind, then its group ("class" also takes struct, type...)
//   qualifier   how many qualifier parts the definition's scope or path contains
//   kind        types (class, struct, interface, enum, type, module) before callables
//               (function, method, macro) before the rest (constant, variable, field)
//   path        code the path signal would not down-weight before code it would
//   span        the larger definition first (the type itself over a same-named
//               constructor or field), then path and line for a stable order
// Each definition maps to its block (the block that contains its first line and starts
// nearest to it; else the first block inside its span). In hybrid mode those blocks are a
// third fused list, "symbol": symbol_weight / (k + rank), with symbol_weight large enough
// that a definition outranks anything text and semantics alone can reach. In a longer
// query, names written the way code writes them (CamelCase, snake_case, a.b, call())
// contribute their exact-case definitions with the smaller symbol_weight_sentence. In
// text and semantic modes the definitions of a symbol query are put before the list
// (explanation mode "symbol").
//
// Thread safety: all functions are reentrant.
#ifndef CODEINDEX_SEARCH_RANKER_H_
#define CODEINDEX_SEARCH_RANKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

#include "store/catalog.h"

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
  // Text weight per query shape (the semantic weight is 1 minus it). With the default
  // model, BM25 is the stronger list for every shape (devbench: text 0.60 against semantic
  // 0.21 on the tuning sets), so the cosine mostly breaks ties: sentence and mixed weights
  // 0.5 -> 0.9 / 0.8 took devbench hybrid from 0.605 to 0.652 (bench/README.md "hybrid").
  double text_weight_symbol = 0.75;
  double text_weight_mixed = 0.8;
  double text_weight_sentence = 0.9;
  // Signals; each can be switched off (the ablation in bench/).
  bool definition = true;
  double definition_factor = 2.0;
  // Partial name match: the share of the identifier's words (split on case, '_', digits)
  // found in the query, a word matching when equal or one a prefix of the other (3+
  // letters: "gen" / "generate"). Factor 1 + name_weight x share^2; not with definition.
  bool name = true;
  double name_weight = 1.0;
  bool file = false;
  double file_factor_per_block = 0.05;  // per other matching block of the file, at most 4
  bool path = true;
  double path_factor = 0.5;
  bool dedupe = true;
  // Diversity: the n-th block of one file (in score order, n from 0) is scaled by
  // diversity_factor^n, so that other files get a place in the top of the list.
  bool diversity = true;
  double diversity_factor = 0.85;
  // Symbol lookup (the file comment). Off: no definitions are looked up in any mode.
  bool symbol = true;
  // The symbol list's RRF weight for a symbol query. Text and semantic weigh 1 together
  // and the definition signal can double that, so above 2 a definition at rank r of the
  // symbol list beats any block that is only first in both other lists.
  double symbol_weight = 3.0;
  // For code-style names inside a longer query: about one more list's first place.
  double symbol_weight_sentence = 0.5;
  // Definitions taken per looked-up name (and put before the list in text and semantic
  // modes).
  int symbol_limit = 5;
};

// Kinds of path the path signal down-weights.
enum class PathKind { kNormal, kTest, kVendored, kGenerated, kExample, kStub, kCompat };
std::string_view PathKindName(PathKind kind);
PathKind ClassifyPath(std::string_view path);
// True when the query asks for code of that kind ("test", "vendor", "example", ...).
bool QueryAsksFor(std::string_view query, PathKind kind);

// One candidate block, from either list or both.
struct FusionCandidate {
  int64_t block_id = 0;
  std::string file_path;
  int start_line = 0;
  int end_line = 0;
  std::optional<std::string> identifier;
  int text_rank = 0;  // 1-based; 0 = not in the text list
  double bm25 = 0;
  int semantic_rank = 0;  // 1-based; 0 = not in the semantic list
  double cosine = 0;
  int symbol_rank = 0;       // 1-based; 0 = defines no looked-up symbol
  double symbol_weight = 0;  // the symbol list's weight for this candidate's name
  std::string symbol_why;    // which definition, and why it ranks there
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
  double symbol_part = 0;
  std::vector<Signal> signals;  // only those that changed the score
  double score = 0;             // fused x every factor
};

struct RankedList {
  QueryShape shape = QueryShape::kMixed;
  double text_weight = 0.5;
  std::vector<RankedCandidate> ranked;  // best first, overlaps removed, at most `limit`
};

// CODEINDEX_RANK="name=value,..." (RankOptions field names, booleans as 0/1) overrides
// fields of *options, for ranking experiments through `codeindex search` and `codeindex
// eval` (bench/README.md "devbench"; like git's GIT_TEST_* knobs, not a user setting).
// kInvalidArgument for an unknown name, so that a typo cannot silently measure defaults.
Status ApplyRankEnv(RankOptions* options);

// Fuses, applies the signals, sorts (score, then block id), removes overlaps, keeps `limit`.
RankedList Rank(std::string_view query, const std::vector<FusionCandidate>& candidates,
                const RankOptions& options, size_t limit);

// A query read as a symbol (the file comment).
struct SymbolQuery {
  std::string name;                    // what is looked up: the last identifier
  std::vector<std::string> qualifier;  // the identifiers before it, outermost first
  std::string kind;                    // the kind word's kind ("class", "function"), or ""
};
// The symbol a query names, or nullopt when it is not one identifier (qualified or not, at
// most one kind word before or after it).
std::optional<SymbolQuery> ParseSymbolQuery(std::string_view query);
// The names a longer query writes the way code does (CamelCase, snake_case, a.b, call(),
// `quoted`), in query order without repeats; names shorter than 3 characters are skipped.
std::vector<SymbolQuery> CodeNamesIn(std::string_view query);

struct RankedDefinition {
  size_t index = 0;  // into the definitions given
  bool exact_case = false;
  std::string why;  // "class Logger (exact case, qualifier 1/1)"
};
// Orders the definitions of `q.name` (Catalog::FindSymbols) by the keys of the file
// comment; `query` is the whole query (for the path rule's "asked for" test). Definitions
// whose name differs from q.name even in case are left out; so are case-insensitive ones
// when `exact_only` or when some definition has the exact case. At most `limit`.
std::vector<RankedDefinition> RankDefinitions(const SymbolQuery& q, std::string_view query,
                                              const std::vector<SymbolRecord>& definitions,
                                              bool exact_only, size_t limit);

// The block that holds a definition: among `blocks` of its file (any order), the one that
// contains `start_line` and starts nearest to it (then the larger); else the first one
// inside [start_line, end_line]. -1 when none.
int DefinitionBlock(const std::vector<BlockRecord>& blocks, int start_line, int end_line);

}  // namespace codeindex

#endif  // CODEINDEX_SEARCH_RANKER_H_
