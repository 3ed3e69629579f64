// The search stage: answers a query against a workspace's index in one of three modes.
//
//   text      BM25 over code-aware terms (text/text_index.h); scores are BM25 sums.
//   semantic  cosine similarity of the query embedding and the block embeddings (the
//             original's mode: at most 50 results by default; min score the model's own,
//             Embedder::recommended_min_score(), else the original's 0.4).
//   hybrid    fusion of both candidate lists plus code-aware signals (search/ranker.h),
//             every factor shown by explain.
//
// A result carries the block's file (workspace-relative, '/'-separated), its 1-based
// inclusive lines, its score and its content (untrimmed, as the original's codeChunk
// payload). With SearchRequest::explain each result also carries how its score was made.
//
// Thread safety: a Searcher is thread-safe: Search() may run from many threads at once
// (the HTTP server calls it from its workers). It reads the index through snapshots
// (store/catalog.h protocol), so a concurrent `index` never shows a half-updated file.
#ifndef CODEINDEX_SEARCH_SEARCHER_H_
#define CODEINDEX_SEARCH_SEARCHER_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "cache/cache.h"
#include "embed/embedder.h"
#include "search/budget.h"
#include "search/ranker.h"
#include "store/catalog.h"
#include "text/text_index.h"
#include "vector/vector_index.h"

namespace codeindex {

enum class SearchMode { kSemantic, kText, kHybrid };

// "semantic", "text", "hybrid".
std::string_view SearchModeName(SearchMode mode);
Result<SearchMode> ParseSearchMode(std::string_view name);

// The original's defaults (docs/original.md §2): DEFAULT_SEARCH_MIN_SCORE (used when the
// embedding model recommends no threshold of its own) and DEFAULT_MAX_SEARCH_RESULTS.
inline constexpr double kDefaultMinScore = 0.4;
inline constexpr size_t kDefaultMaxResults = 50;

struct SearchRequest {
  std::string query;
  SearchMode mode = SearchMode::kText;
  size_t limit = kDefaultMaxResults;
  // Results scoring below are dropped. Defaults: Searcher::DefaultMinScore() for semantic
  // (cosine); none for text (BM25 scores are unbounded and not comparable across queries).
  std::optional<double> min_score;
  // Only blocks under this directory (whole path components), or this file.
  std::string path_prefix;
  bool explain = false;
  // Hybrid only: fusion and signals (search/ranker.h). In hybrid mode min_score, when set,
  // filters the semantic candidates by cosine; the fused scores have no absolute scale.
  RankOptions rank;
  // When > 0: the best results that fit this many tokens, long chunks trimmed to their
  // most relevant lines (search/budget.h).
  size_t max_tokens = 0;
};

// How one result's score was made (the debug field of search --json).
struct ResultExplanation {
  std::string mode;
  double bm25 = 0;
  std::optional<Explanation> bm25_terms;  // text mode
  std::optional<double> cosine;           // semantic and hybrid modes
  // Hybrid: where the block stood in each list (0 = absent), each list's share of the
  // fused score, and the signals that scaled it.
  int text_rank = 0;
  int semantic_rank = 0;
  double text_part = 0;
  double semantic_part = 0;
  double fused = 0;
  std::vector<Signal> signals;
  // Symbol lookup (search/ranker.h): the block's place among the definitions of the
  // symbols the query names (0 = none), its share of the fused score (hybrid), and which
  // definition it holds. A result put first in text or semantic mode has mode "symbol".
  int symbol_rank = 0;
  double symbol_part = 0;
  std::string symbol;
};

struct SearchResult {
  int64_t block_id = 0;
  std::string file_path;
  int start_line = 0;
  int end_line = 0;
  double score = 0;
  std::string code_chunk;
  bool trimmed = false;  // cut to fit SearchRequest::max_tokens; lines are the window's
  std::optional<std::string> identifier;
  std::string type;
  std::unique_ptr<ResultExplanation> explanation;
};

struct SearchResponse {
  std::vector<SearchResult> results;
  double took_ms = 0;
  std::vector<std::string> query_terms;  // text/hybrid: the analyzed query
  // Hybrid: how the query was read and the text list's weight.
  std::string query_shape;
  double text_weight = 0;
  std::optional<BudgetReport> budget;  // when SearchRequest::max_tokens was set
};

struct SearcherOptions {
  // The engine's in-memory cache (cache/cache.h), shared with whatever else uses it; null
  // means no caching. Two spaces are used:
  //   "embedding"  query vectors, keyed by (embedder fingerprint, query text);
  //   "search"     whole responses, keyed by the request with its defaults resolved and the
  //                index state it was answered from: the catalog generation and the text
  //                index's commit tag read at search time, and this Searcher's vector
  //                snapshot. Any index change gives new keys, so an answer never outlives
  //                the index it came from (a cached answer reports its own took_ms).
  std::shared_ptr<Cache> cache;
  // The workspace the index belongs to. When set, a result whose file now resolves outside
  // it (replaced by a symbolic link since it was indexed) is dropped, the same check the
  // server applies to /v1/symbols and /v1/context (docs/security.md).
  std::string workspace;
};

class Searcher {
 public:
  // Opens the index in `index_dir` (IndexDirFor) for reading: catalog, text index, and the
  // vectors with the embedder the index was built with (catalog meta "embedder").
  // kFailedPrecondition with a clear message when there is no index yet.
  static Result<std::unique_ptr<Searcher>> Open(const std::string& index_dir,
                                                SearcherOptions options = {});
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  Result<SearchResponse> Search(const SearchRequest& request) const;

  // The semantic threshold used when a request sets none: the index's embedding model's
  // recommended_min_score(), else kDefaultMinScore (the original's, tuned for OpenAI).
  double DefaultMinScore() const;

 private:
  explicit Searcher(std::string index_dir) : index_dir_(std::move(index_dir)) {}

  // Catalog connections are not thread-safe: a small pool, one per concurrent search.
  std::unique_ptr<Catalog> TakeCatalog() const;
  void ReturnCatalog(std::unique_ptr<Catalog> c) const;

  Result<SearchResponse> SearchUncached(const SearchRequest& request) const;
  // The query's vector: from the cache, or embedded (and cached).
  Status EmbedQuery(const std::string& query, float* out) const;
  // The cache key of `request` against the index as it is now.
  Result<CacheKey> RequestKey(const SearchRequest& request, Catalog& catalog) const;
  Result<SearchResponse> SearchText(const SearchRequest& request, Catalog& catalog) const;
  Result<SearchResponse> SearchSemantic(const SearchRequest& request, Catalog& catalog) const;
  Result<SearchResponse> SearchHybrid(const SearchRequest& request, Catalog& catalog) const;
  // One definition block found by symbol lookup, with its list weight.
  struct SymbolHit {
    BlockRecord block;
    double weight = 0;
    std::string why;
  };
  // The blocks that define what the query names, best first, one per block (ranker.h
  // "Symbol lookup"): a symbol query's definitions; with `names_in_sentences`, otherwise the
  // exact definitions of the code-style names inside the query, interleaved.
  Result<std::vector<SymbolHit>> LookUpSymbols(const SearchRequest& request, Catalog& catalog,
                                               bool names_in_sentences) const;
  // Text and semantic modes: a symbol query's definitions go first.
  Status PrependDefinitions(const SearchRequest& request, Catalog& catalog,
                            SearchResponse* response) const;
  // Looks the hits' blocks up in the catalog (skipping blocks a concurrent index removed).
  Status FillResults(const std::vector<std::pair<int64_t, double>>& hits, Catalog& catalog,
                     std::vector<SearchResult>* out) const;

  std::string index_dir_;
  std::string workspace_;       // SearcherOptions::workspace, empty: no check
  std::string workspace_real_;  // its real path
  std::unique_ptr<TextIndexReader> text_;
  // The semantic half, opened on first use: a text search never loads a model (whose
  // tokenizer alone takes tens of milliseconds to read).
  struct Semantic {
    std::shared_ptr<const Embedder> embedder;   // null when unavailable
    std::unique_ptr<vec::VectorIndex> vectors;  // read-only
    std::string unavailable;                    // why, when embedder is null
    Code code = Code::kFailedPrecondition;      // kCorruption: the vectors are damaged
  };
  const Semantic& semantic() const;
  void OpenSemantic() const;
  std::optional<std::string> embedder_meta_;  // catalog meta "embedder", if any
  CatalogState opened_state_;  // the catalog when opened: what the vectors are compared with
  mutable std::once_flag semantic_once_;
  mutable Semantic semantic_;
  std::shared_ptr<Cache> cache_;  // may be null
  int embedding_space_ = -1, search_space_ = -1;
  uint64_t snapshot_id_ = 0;  // distinguishes Searchers (their vector snapshots) in keys
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Catalog>> pool_;
};

// The contract's `search --json` object:
// {"results": [{"file_path", "start_line", "end_line", "score", "code_chunk"}], "took_ms"},
// plus "debug" per result and "query_terms" when explained.
std::string SearchResponseToJson(const SearchResponse& response, bool explain);

// A deep copy (explanations included).
SearchResponse CopySearchResponse(const SearchResponse& response);
// Bytes a response holds, roughly (its cache charge).
size_t SearchResponseBytes(const SearchResponse& response);

}  // namespace codeindex

#endif  // CODEINDEX_SEARCH_SEARCHER_H_
