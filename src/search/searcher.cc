#include "search/searcher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "base/file.h"
#include "cache/stats.h"
#include "index/config.h"
#include "index/health.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "index/vector_derived.h"

namespace codeindex {

std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kSemantic:
      return "semantic";
    case SearchMode::kText:
      return "text";
    case SearchMode::kHybrid:
      return "hybrid";
  }
  return "text";
}

Result<SearchMode> ParseSearchMode(std::string_view name) {
  if (name == "semantic") return SearchMode::kSemantic;
  if (name == "text") return SearchMode::kText;
  if (name == "hybrid") return SearchMode::kHybrid;
  return Status::InvalidArgument("unknown search mode '" + std::string(name) +
                                 "' (expected semantic, text or hybrid)");
}

namespace {

uint64_t FileSizeOrZero(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A derived index that disagrees with the catalog (`why` completes "the <part> ..."):
// damaged, or being rebuilt right now by the writer holding the lock.
Status Disagrees(const std::string& index_dir, std::string_view part, const std::string& dir,
                 const std::string& why) {
  if (WriterLock::IsHeld(index_dir)) {
    return Status::Unavailable("the " + std::string(part) + " in " + dir + " " + why +
                               ": `codeindex index` is rebuilding it; search again when it "
                               "has finished");
  }
  return DamagedError(part, dir, "it " + why);
}

}  // namespace

Result<std::unique_ptr<Searcher>> Searcher::Open(const std::string& index_dir,
                                                 SearcherOptions options) {
  std::unique_ptr<Searcher> s(new Searcher(index_dir));
  static std::atomic<uint64_t> next_snapshot{1};
  s->snapshot_id_ = next_snapshot.fetch_add(1, std::memory_order_relaxed);
  if (options.cache && options.cache->enabled()) {
    s->cache_ = std::move(options.cache);
    s->embedding_space_ = s->cache_->Space("embedding");
    s->search_space_ = s->cache_->Space("search");
  }
  if (!options.workspace.empty()) {
    ASSIGN_OR_RETURN(s->workspace_real_, CanonicalPath(options.workspace));
    s->workspace_ = options.workspace;
  }
  auto catalog = Catalog::Open(index_dir, Catalog::Mode::kReadOnly);
  if (!catalog.ok()) {
    if (catalog.error().code() == Code::kNotFound) {
      return Status::FailedPrecondition("no index at " + index_dir +
                                        "; run `codeindex index` first");
    }
    if (catalog.error().code() == Code::kCorruption) {
      return DamagedError("catalog", index_dir, catalog.error().message());
    }
    return catalog.error();
  }
  s->pool_.push_back(std::move(catalog).value());
  // The checks of index/health.h that opening does: the catalog's state first, then each
  // derived index is compared with it (a reader may race a writer: the comparison allows
  // for that); small parts are verified in full.
  Result<CatalogState> state = s->pool_.front()->State();
  if (!state.ok()) {
    if (state.error().code() == Code::kCorruption) {
      return DamagedError("catalog", index_dir, state.error().message());
    }
    return state.error();
  }
  if (FileSizeOrZero(index_dir + "/catalog.db") <= kFullCheckAtOpenBytes) {
    ASSIGN_OR_RETURN(std::vector<std::string> problems,
                     s->pool_.front()->Check(Catalog::CheckDepth::kQuick, 1));
    if (!problems.empty()) return DamagedError("catalog", index_dir, "SQLite: " + problems[0]);
  }
  s->opened_state_ = *state;
  const std::string text_dir = index_dir + "/text";
  auto text = TextIndexReader::Open(text_dir);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound) {
      return Status::FailedPrecondition("the index at " + index_dir +
                                        " is incomplete; run `codeindex index`");
    }
    if (text.error().code() == Code::kUnavailable) return text.error();
    return DamagedError("text index", text_dir, text.error().message());
  }
  s->text_ = std::move(text).value();
  if (TreeSizeBytes(text_dir) <= kFullCheckAtOpenBytes) {
    Status verified = s->text_->Verify();
    if (verified.code() == Code::kCorruption) {
      return DamagedError("text index", text_dir, verified.message());
    }
  }
  {
    Result<TextIndexReader::Info> info = s->text_->GetInfo();
    if (!info.ok()) {
      if (info.error().code() == Code::kUnavailable) return info.error();
      return DamagedError("text index", text_dir, info.error().message());
    }
    DerivedState d{CatalogStamp::Parse(info->commit_tag), info->doc_count};
    std::string why = CompareWithCatalog(d, CountRule::kEqual, *state, /*strict=*/false);
    if (!why.empty()) return Disagrees(index_dir, "text index", text_dir, why);
  }

  // Semantic search needs the embedder the index was built with (opened on first use).
  ASSIGN_OR_RETURN(s->embedder_meta_, s->pool_.front()->GetMeta("embedder"));
  return s;
}

const Searcher::Semantic& Searcher::semantic() const {
  std::call_once(semantic_once_, [this] { OpenSemantic(); });
  return semantic_;
}

void Searcher::OpenSemantic() const {
  Semantic& s = semantic_;
  if (!embedder_meta_) {
    s.unavailable = "this index has no vectors; run `codeindex index`";
    return;
  }
  Result<WorkspaceConfig> config = EmbedderConfigFromJson(*embedder_meta_);
  if (!config.ok()) {
    s.unavailable = "the index's embedder record cannot be read: " + config.error().ToString();
    return;
  }
  if (!config->embeddings) {
    s.unavailable = "this index has no vectors (no embedding model was used)";
    return;
  }
  auto embedder = OpenWorkspaceEmbedder(*config, index_dir_);
  if (!embedder.ok()) {
    s.unavailable = "cannot open the embedding model: " + embedder.error().ToString();
    return;
  }
  vec::VectorIndexOptions vopts;
  vopts.dim = static_cast<size_t>((*embedder)->dimension());
  vopts.read_only = true;
  const std::string vector_dir = index_dir_ + "/vectors";
  auto vectors = vec::VectorIndex::Open(vector_dir, vopts);
  if (!vectors.ok()) {
    if (vectors.error().code() == Code::kNotFound && opened_state_.live_blocks == 0) {
      s.unavailable = "this index has no vectors yet; run `codeindex index`";
    } else if (vectors.error().code() == Code::kNotFound) {
      s.code = Code::kCorruption;
      s.unavailable =
          DamagedError("vector index", vector_dir, "its MANIFEST is missing").message();
    } else if (vectors.error().code() == Code::kFailedPrecondition) {
      s.unavailable = "the vector index in " + vector_dir + " cannot be used (" +
                      vectors.error().message() + "); run `codeindex index` to rebuild it";
    } else {
      s.code = Code::kCorruption;
      s.unavailable = DamagedError("vector index", vector_dir, vectors.error().message()).message();
    }
    return;
  }
  {
    // Read after the catalog state of Open(): a later generation is a writer's progress.
    std::string fingerprint;
    DerivedState d;
    SplitVectorCommitTag((*vectors)->commit_tag(), &fingerprint, &d.stamp);
    d.count = (*vectors)->Stats().count;
    std::string why = CompareWithCatalog(d, CountRule::kAtMost, opened_state_, /*strict=*/false);
    if (!why.empty()) {
      Status st = Disagrees(index_dir_, "vector index", vector_dir, why);
      s.code = st.code();
      s.unavailable = st.message();
      return;
    }
  }
  s.embedder = std::move(embedder).value();
  s.vectors = std::move(vectors).value();
}

std::unique_ptr<Catalog> Searcher::TakeCatalog() const {
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      return c;
    }
  }
  auto c = Catalog::Open(index_dir_, Catalog::Mode::kReadOnly);
  return c.ok() ? std::move(c).value() : nullptr;
}

void Searcher::ReturnCatalog(std::unique_ptr<Catalog> c) const {
  std::lock_guard lock(pool_mu_);
  pool_.push_back(std::move(c));
}

namespace {

// Latency of every search by mode and by whether the cache answered (cache/stats.h).
Histogram* SearchLatency(SearchMode mode, bool cached) {
  static Histogram* h[3][2] = {};
  static std::once_flag once;
  std::call_once(once, [] {
    for (SearchMode m : {SearchMode::kSemantic, SearchMode::kText, SearchMode::kHybrid}) {
      for (int c = 0; c < 2; ++c) {
        h[static_cast<int>(m)][c] = MetricsRegistry::Global().GetHistogram(
            "codeindex_search_seconds", "Search latency by mode, answered by the cache or not.",
            {{"mode", std::string(SearchModeName(m))}, {"cached", c ? "yes" : "no"}});
      }
    }
  });
  return h[static_cast<int>(mode)][cached ? 1 : 0];
}

Histogram* EmbedQueryLatency() {
  static Histogram* h = MetricsRegistry::Global().GetHistogram(
      "codeindex_embed_query_seconds", "Time to embed one search query (cache misses only).");
  return h;
}

// The rank options' fields, every one: a field added to RankOptions must be added here, or
// two requests differing only in it would share a cache entry.
void AddRankOptions(KeyBuilder& k, const RankOptions& o) {
  static_assert(sizeof(RankOptions) == 152,
                "RankOptions changed: add the new field to AddRankOptions (the search cache key)");
  k.Add(static_cast<int>(o.fusion)).Add(o.rrf_k).Add(o.text_weight_symbol).Add(o.text_weight_mixed);
  k.Add(o.text_weight_sentence).Add(o.definition).Add(o.definition_factor).Add(o.name);
  k.Add(o.name_weight).Add(o.file).Add(o.file_factor_per_block).Add(o.path).Add(o.path_factor);
  k.Add(o.dedupe).Add(o.symbol).Add(o.symbol_weight).Add(o.symbol_weight_sentence);
  k.Add(static_cast<int64_t>(o.symbol_limit)).Add(o.diversity).Add(o.diversity_factor);
}

// A result made from a block the catalog returned.
SearchResult ResultFromBlock(BlockRecord b, double score) {
  SearchResult r;
  r.block_id = b.id;
  r.file_path = std::move(b.file_path);
  r.start_line = b.start_line;
  r.end_line = b.end_line;
  r.score = score;
  r.code_chunk = std::move(b.content);
  r.identifier = std::move(b.identifier);
  r.type = std::move(b.type);
  return r;
}

// `path` is `prefix` (normalised) or under it, by whole components.
bool UnderPrefix(std::string_view path, std::string_view prefix) {
  if (prefix.empty() || path == prefix) return true;
  return path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
         path[prefix.size()] == '/';
}

// Definitions fetched per name before ranking: enough for the common names of a large
// codebase (`new`, `init`), few enough to rank in microseconds.
constexpr size_t kSymbolFetch = 256;
// Code-style names of a longer query that are looked up.
constexpr size_t kMaxNamesInQuery = 3;

}  // namespace

Result<CacheKey> Searcher::RequestKey(const SearchRequest& request, Catalog& catalog) const {
  KeyBuilder k;
  k.Add(std::string_view("search/v2")).Add(snapshot_id_);
  ASSIGN_OR_RETURN(int64_t generation, catalog.Generation());
  ASSIGN_OR_RETURN(std::string text_tag, text_->CommitTag());
  k.Add(generation).Add(text_tag);
  k.Add(request.query).Add(static_cast<int>(request.mode)).Add(static_cast<uint64_t>(request.limit));
  k.Add(request.min_score.has_value()).Add(request.min_score.value_or(0));
  k.Add(NormalizePathPrefix(request.path_prefix)).Add(request.explain);
  k.Add(static_cast<uint64_t>(request.max_tokens));
  // Every mode: symbol lookup (rank.symbol*) changes text and semantic answers too.
  AddRankOptions(k, request.rank);
  return k.Finish();
}

Status Searcher::EmbedQuery(const std::string& query, float* out) const {
  const Embedder* embedder = semantic().embedder.get();
  const size_t dim = static_cast<size_t>(embedder->dimension());
  CacheKey key;
  if (cache_) {
    KeyBuilder k;
    k.Add(std::string_view("query-embedding/v1")).Add(embedder->fingerprint()).Add(query);
    key = k.Finish();
    if (auto hit = cache_->Get<std::vector<float>>(embedding_space_, key)) {
      std::copy(hit->begin(), hit->end(), out);
      return Status::OK();
    }
  }
  ScopedLatency timer(EmbedQueryLatency());
  std::string_view text = query;
  RETURN_IF_ERROR(embedder->Embed(std::span(&text, 1), EmbedKind::kQuery, out)
                      .WithContext("embedding the query"));
  if (cache_) {
    auto v = std::make_shared<const std::vector<float>>(out, out + dim);
    cache_->Put<std::vector<float>>(embedding_space_, key, v,
                                    dim * sizeof(float) + query.size() + 64);
  }
  return Status::OK();
}

double Searcher::DefaultMinScore() const {
  if (const Embedder* embedder = semantic().embedder.get()) {
    if (std::optional<double> m = embedder->recommended_min_score()) return *m;
  }
  return kDefaultMinScore;
}

Result<SearchResponse> Searcher::Search(const SearchRequest& request) const {
  auto start = std::chrono::steady_clock::now();
  if (request.limit == 0 || request.limit > kMaxSearchLimit) {
    return Status::InvalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxSearchLimit));
  }
  if (!cache_) {
    ScopedLatency timer(SearchLatency(request.mode, false));
    return SearchUncached(request);
  }
  CacheKey key;
  {
    std::unique_ptr<Catalog> catalog = TakeCatalog();
    if (!catalog) return Status::IOError("cannot open the catalog in " + index_dir_);
    Result<CacheKey> k = RequestKey(request, *catalog);
    ReturnCatalog(std::move(catalog));
    if (!k.ok()) return k.error();
    key = *k;
  }
  if (auto hit = cache_->Get<SearchResponse>(search_space_, key)) {
    SearchResponse copy = CopySearchResponse(*hit);
    const auto took = std::chrono::steady_clock::now() - start;
    copy.took_ms = std::chrono::duration<double, std::milli>(took).count();
    SearchLatency(request.mode, true)->RecordDuration(took);
    return copy;
  }
  ScopedLatency timer(SearchLatency(request.mode, false));
  Result<SearchResponse> r = SearchUncached(request);
  if (r.ok()) {
    auto stored = std::make_shared<const SearchResponse>(CopySearchResponse(*r));
    cache_->Put<SearchResponse>(search_space_, key, stored, SearchResponseBytes(*stored));
  }
  return r;
}

Result<SearchResponse> Searcher::SearchUncached(const SearchRequest& request) const {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Catalog> catalog = TakeCatalog();
  if (!catalog) return Status::IOError("cannot open the catalog in " + index_dir_);
  Result<SearchResponse> r = Status::Internal("unreachable");
  switch (request.mode) {
    case SearchMode::kText:
      r = SearchText(request, *catalog);
      break;
    case SearchMode::kSemantic:
      r = SearchSemantic(request, *catalog);
      break;
    case SearchMode::kHybrid:
      r = SearchHybrid(request, *catalog);
      break;
  }
  if (r.ok() && request.mode != SearchMode::kHybrid) {
    if (Status s = PrependDefinitions(request, *catalog, &*r); !s.ok()) r = s;
  }
  ReturnCatalog(std::move(catalog));
  if (r.ok() && !workspace_.empty()) {
    std::erase_if(r->results, [&](const SearchResult& res) {
      return !ResolvesInside(workspace_, res.file_path, workspace_real_);
    });
  }
  if (r.ok() && request.max_tokens > 0) {
    r->budget = FitToTokenBudget(request.query, request.max_tokens, &r->results);
  }
  if (r.ok()) {
    r->took_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  return r;
}

Status Searcher::FillResults(const std::vector<std::pair<int64_t, double>>& hits, Catalog& catalog,
                             std::vector<SearchResult>* out) const {
  std::vector<int64_t> ids;
  ids.reserve(hits.size());
  for (const auto& h : hits) ids.push_back(h.first);
  ASSIGN_OR_RETURN(std::vector<BlockRecord> blocks, catalog.GetBlocks(ids));
  // GetBlocks keeps the order of `ids` and skips ids that vanished (a concurrent index
  // finished a file between the two reads); match them back by id.
  size_t bi = 0;
  for (const auto& [id, score] : hits) {
    if (bi >= blocks.size() || blocks[bi].id != id) continue;
    out->push_back(ResultFromBlock(std::move(blocks[bi++]), score));
  }
  return Status::OK();
}

Result<std::vector<Searcher::SymbolHit>> Searcher::LookUpSymbols(const SearchRequest& request,
                                                                 Catalog& catalog,
                                                                 bool names_in_sentences) const {
  std::vector<SymbolHit> out;
  const RankOptions& o = request.rank;
  if (!o.symbol || o.symbol_limit <= 0) return out;
  std::vector<SymbolQuery> names;
  bool exact_only = false;
  double weight = o.symbol_weight;
  if (std::optional<SymbolQuery> q = ParseSymbolQuery(request.query)) {
    names.push_back(std::move(*q));
  } else if (names_in_sentences) {
    names = CodeNamesIn(request.query);
    if (names.size() > kMaxNamesInQuery) names.resize(kMaxNamesInQuery);
    exact_only = true;
    weight = o.symbol_weight_sentence;
  }
  const std::string prefix = NormalizePathPrefix(request.path_prefix);
  std::vector<std::vector<SymbolHit>> per_name;
  for (const SymbolQuery& q : names) {
    ASSIGN_OR_RETURN(std::vector<SymbolRecord> found, catalog.FindSymbols(q.name, kSymbolFetch));
    std::erase_if(found, [&](const SymbolRecord& d) { return !UnderPrefix(d.file_path, prefix); });
    std::vector<RankedDefinition> ranked = RankDefinitions(
        q, request.query, found, exact_only, static_cast<size_t>(o.symbol_limit));
    std::vector<SymbolHit>& hits = per_name.emplace_back();
    for (const RankedDefinition& rd : ranked) {
      const SymbolRecord& d = found[rd.index];
      ASSIGN_OR_RETURN(std::vector<BlockRecord> blocks,
                       catalog.GetBlocksOverlapping(d.file_path, d.start_line, d.end_line));
      const int bi = DefinitionBlock(blocks, d.start_line, d.end_line);
      if (bi < 0) continue;
      hits.push_back({std::move(blocks[static_cast<size_t>(bi)]), weight,
                      rd.why + " at " + d.file_path + ":" + std::to_string(d.start_line)});
    }
  }
  // Round robin over the names, each block once.
  std::unordered_set<int64_t> seen;
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (std::vector<SymbolHit>& hits : per_name) {
      if (i >= hits.size()) continue;
      any = true;
      if (seen.insert(hits[i].block.id).second) out.push_back(std::move(hits[i]));
    }
    if (!any) break;
  }
  return out;
}

Status Searcher::PrependDefinitions(const SearchRequest& request, Catalog& catalog,
                                    SearchResponse* response) const {
  if (!request.rank.symbol || !ParseSymbolQuery(request.query)) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<SymbolHit> hits, LookUpSymbols(request, catalog, false));
  if (hits.empty()) return Status::OK();
  // Just above the list's best score, in definition order, so that scores still descend.
  const double top = response->results.empty() ? 0 : response->results.front().score;
  std::vector<SearchResult> out;
  std::unordered_set<int64_t> ids;
  for (size_t i = 0; i < hits.size(); ++i) {
    SearchResult r = ResultFromBlock(std::move(hits[i].block),
                                     top + 0.001 * static_cast<double>(hits.size() - i));
    if (request.explain) {
      r.explanation = std::make_unique<ResultExplanation>();
      r.explanation->mode = "symbol";
      r.explanation->symbol_rank = static_cast<int>(i) + 1;
      r.explanation->symbol = std::move(hits[i].why);
    }
    ids.insert(r.block_id);
    out.push_back(std::move(r));
  }
  for (SearchResult& r : response->results) {
    if (!ids.count(r.block_id)) out.push_back(std::move(r));
  }
  if (out.size() > request.limit) out.resize(request.limit);
  response->results = std::move(out);
  return Status::OK();
}

Result<SearchResponse> Searcher::SearchText(const SearchRequest& request, Catalog& catalog) const {
  SearchParams params;
  params.limit = request.limit;
  params.path_prefix = request.path_prefix;
  params.explain = request.explain;
  ASSIGN_OR_RETURN(TextSearchResult found, text_->Search(request.query, params));
  std::vector<std::pair<int64_t, double>> hits;
  for (const TextHit& h : found.hits) {
    if (request.min_score && h.score < *request.min_score) continue;
    hits.emplace_back(static_cast<int64_t>(h.block_id), h.score);
  }
  SearchResponse resp;
  resp.query_terms = std::move(found.query_terms);
  RETURN_IF_ERROR(FillResults(hits, catalog, &resp.results));
  if (request.explain) {
    // Hits and results are both in rank order and results are a subsequence of hits.
    size_t hi = 0;
    for (SearchResult& r : resp.results) {
      while (hi < found.hits.size() &&
             static_cast<int64_t>(found.hits[hi].block_id) != r.block_id) {
        ++hi;
      }
      if (hi == found.hits.size()) break;
      r.explanation = std::make_unique<ResultExplanation>();
      r.explanation->mode = "text";
      r.explanation->bm25 = r.score;
      if (found.hits[hi].explanation) r.explanation->bm25_terms = *found.hits[hi].explanation;
    }
  }
  return resp;
}

Result<SearchResponse> Searcher::SearchSemantic(const SearchRequest& request,
                                                Catalog& catalog) const {
  const Semantic& sem = semantic();
  if (!sem.embedder) return Status(sem.code, sem.unavailable);
  if (request.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("the query is empty");
  }
  const size_t dim = static_cast<size_t>(sem.embedder->dimension());
  std::vector<float> query(dim);
  RETURN_IF_ERROR(EmbedQuery(request.query, query.data()));
  vec::SearchParams params;
  params.k = request.limit;
  params.min_score = static_cast<float>(request.min_score.value_or(DefaultMinScore()));
  std::unique_ptr<vec::SortedIdFilter> filter;
  if (!NormalizePathPrefix(request.path_prefix).empty()) {
    ASSIGN_OR_RETURN(std::vector<int64_t> allowed,
                     catalog.BlockIdsUnderPrefix(request.path_prefix));
    filter = std::make_unique<vec::SortedIdFilter>(
        std::vector<uint64_t>(allowed.begin(), allowed.end()));
    params.filter = filter.get();
  }
  ASSIGN_OR_RETURN(std::vector<vec::SearchHit> found, sem.vectors->Search(query, params));
  std::vector<std::pair<int64_t, double>> hits;
  hits.reserve(found.size());
  for (const vec::SearchHit& h : found) hits.emplace_back(static_cast<int64_t>(h.id), h.score);
  SearchResponse resp;
  RETURN_IF_ERROR(FillResults(hits, catalog, &resp.results));
  if (request.explain) {
    for (SearchResult& r : resp.results) {
      r.explanation = std::make_unique<ResultExplanation>();
      r.explanation->mode = "semantic";
      r.explanation->cosine = r.score;
    }
  }
  return resp;
}

Result<SearchResponse> Searcher::SearchHybrid(const SearchRequest& request,
                                              Catalog& catalog) const {
  if (!semantic().embedder) return Status(semantic().code, semantic().unavailable);
  // Enough candidates from each list that fusion and the signals can reorder the top:
  // three times the answer, at least 30 (bench/README.md "hybrid": a third faster than 50,
  // for 0.018 of MRR@10).
  const size_t pool = std::min(kMaxSearchLimit, std::max<size_t>(30, 3 * request.limit));
  SearchRequest sub = request;
  sub.limit = pool;
  sub.mode = SearchMode::kText;
  sub.min_score.reset();
  Result<SearchResponse> text = SearchText(sub, catalog);
  // A query with no indexable term (punctuation only) still has a semantic answer.
  if (!text.ok() && text.error().code() != Code::kInvalidArgument) return text.error();
  sub.mode = SearchMode::kSemantic;
  sub.min_score = request.min_score.value_or(0.0);
  ASSIGN_OR_RETURN(SearchResponse semantic, SearchSemantic(sub, catalog));

  std::vector<FusionCandidate> candidates;
  std::vector<SearchResult*> source;  // the result each candidate came from
  std::unordered_map<int64_t, size_t> by_id;
  auto add = [&](std::vector<SearchResult>& results, bool is_text) {
    for (size_t i = 0; i < results.size(); ++i) {
      SearchResult& r = results[i];
      auto [it, fresh] = by_id.emplace(r.block_id, candidates.size());
      if (fresh) {
        FusionCandidate c;
        c.block_id = r.block_id;
        c.file_path = r.file_path;
        c.start_line = r.start_line;
        c.end_line = r.end_line;
        c.identifier = r.identifier;
        candidates.push_back(std::move(c));
        source.push_back(&r);
      }
      FusionCandidate& c = candidates[it->second];
      if (is_text) {
        c.text_rank = static_cast<int>(i) + 1;
        c.bm25 = r.score;
      } else {
        c.semantic_rank = static_cast<int>(i) + 1;
        c.cosine = r.score;
      }
    }
  };
  if (text.ok()) add(text->results, true);
  add(semantic.results, false);
  // The third list: blocks defining what the query names.
  ASSIGN_OR_RETURN(std::vector<SymbolHit> symbol_hits, LookUpSymbols(request, catalog, true));
  std::vector<SearchResult> symbol_results;
  symbol_results.reserve(symbol_hits.size());  // `source` points into it
  for (size_t i = 0; i < symbol_hits.size(); ++i) {
    SymbolHit& h = symbol_hits[i];
    auto [it, fresh] = by_id.emplace(h.block.id, candidates.size());
    if (fresh) {
      symbol_results.push_back(ResultFromBlock(std::move(h.block), 0));
      const SearchResult& r = symbol_results.back();
      FusionCandidate c;
      c.block_id = r.block_id;
      c.file_path = r.file_path;
      c.start_line = r.start_line;
      c.end_line = r.end_line;
      c.identifier = r.identifier;
      candidates.push_back(std::move(c));
      source.push_back(&symbol_results.back());
    }
    FusionCandidate& c = candidates[it->second];
    c.symbol_rank = static_cast<int>(i) + 1;
    c.symbol_weight = h.weight;
    c.symbol_why = std::move(h.why);
  }

  RankedList ranked = Rank(request.query, candidates, request.rank, request.limit);
  SearchResponse resp;
  if (text.ok()) resp.query_terms = std::move(text->query_terms);
  resp.query_shape = std::string(QueryShapeName(ranked.shape));
  resp.text_weight = ranked.text_weight;
  for (RankedCandidate& rc : ranked.ranked) {
    const FusionCandidate& c = candidates[rc.index];
    SearchResult r = std::move(*source[rc.index]);
    r.score = rc.score;
    if (request.explain) {
      auto e = std::make_unique<ResultExplanation>();
      e->mode = "hybrid";
      if (c.text_rank > 0) {
        e->bm25 = c.bm25;
        // Text candidates are added first, so a block in the text list came from it and
        // carries its terms.
        if (r.explanation && r.explanation->bm25_terms) {
          e->bm25_terms = std::move(r.explanation->bm25_terms);
        }
      }
      if (c.semantic_rank > 0) e->cosine = c.cosine;
      e->text_rank = c.text_rank;
      e->semantic_rank = c.semantic_rank;
      e->text_part = rc.text_part;
      e->semantic_part = rc.semantic_part;
      e->fused = rc.fused;
      e->symbol_rank = c.symbol_rank;
      e->symbol_part = rc.symbol_part;
      e->symbol = c.symbol_why;
      e->signals = std::move(rc.signals);
      r.explanation = std::move(e);
    } else {
      r.explanation.reset();
    }
    resp.results.push_back(std::move(r));
  }
  return resp;
}

std::string SearchResponseToJson(const SearchResponse& response, bool explain) {
  using nlohmann::json;
  json results = json::array();
  for (const SearchResult& r : response.results) {
    json j = {{"file_path", r.file_path},
              {"start_line", r.start_line},
              {"end_line", r.end_line},
              {"score", r.score},
              {"code_chunk", r.code_chunk}};
    if (r.trimmed) j["trimmed"] = true;
    if (explain && r.explanation) {
      json d = {{"mode", r.explanation->mode}, {"type", r.type}};
      if (r.explanation->cosine) d["cosine"] = *r.explanation->cosine;
      if (r.explanation->mode == "hybrid") {
        const ResultExplanation& e = *r.explanation;
        json signals = json::array();
        for (const Signal& s : e.signals) {
          signals.push_back({{"name", s.name}, {"factor", s.factor}, {"why", s.why}});
        }
        d["fusion"] = {{"text_rank", e.text_rank},     {"semantic_rank", e.semantic_rank},
                       {"symbol_rank", e.symbol_rank}, {"text_part", e.text_part},
                       {"semantic_part", e.semantic_part}, {"symbol_part", e.symbol_part},
                       {"fused", e.fused},             {"signals", signals},
                       {"score", r.score}};
      }
      if (r.explanation->symbol_rank > 0) {
        d["symbol"] = {{"rank", r.explanation->symbol_rank},
                       {"definition", r.explanation->symbol}};
      }
      if (r.identifier) d["identifier"] = *r.identifier;
      if (r.explanation->bm25_terms) {
        const Explanation& e = *r.explanation->bm25_terms;
        json terms = json::array();
        for (const TermContribution& t : e.terms) {
          terms.push_back({{"term", t.term},
                           {"tf", t.wdf},
                           {"df", t.doc_freq},
                           {"idf", t.idf},
                           {"contribution", t.contribution}});
        }
        d["bm25"] = {{"score", r.explanation->bm25},
                     {"formula", Bm25FormulaText()},
                     {"doc_count", e.doc_count},
                     {"avg_length", e.avg_length},
                     {"doc_length", e.doc_length},
                     {"norm_length", e.norm_length},
                     {"terms", terms}};
      }
      j["debug"] = d;
    }
    results.push_back(std::move(j));
  }
  json out = {{"results", results}, {"took_ms", response.took_ms}};
  if (response.budget) {
    out["token_budget"] = {{"max_tokens", response.budget->max_tokens},
                           {"used_tokens", response.budget->used_tokens},
                           {"trimmed", response.budget->trimmed},
                           {"dropped", response.budget->dropped}};
  }
  if (explain) {
    out["query_terms"] = response.query_terms;
    if (!response.query_shape.empty()) {
      out["query_shape"] = response.query_shape;
      out["text_weight"] = response.text_weight;
    }
  }
  // Paths are raw bytes and chunks come from decoded text; never throw on odd bytes.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

SearchResponse CopySearchResponse(const SearchResponse& response) {
  SearchResponse out;
  out.results.reserve(response.results.size());
  for (const SearchResult& r : response.results) {
    SearchResult c;
    c.block_id = r.block_id;
    c.file_path = r.file_path;
    c.start_line = r.start_line;
    c.end_line = r.end_line;
    c.score = r.score;
    c.code_chunk = r.code_chunk;
    c.trimmed = r.trimmed;
    c.identifier = r.identifier;
    c.type = r.type;
    if (r.explanation) c.explanation = std::make_unique<ResultExplanation>(*r.explanation);
    out.results.push_back(std::move(c));
  }
  out.took_ms = response.took_ms;
  out.query_terms = response.query_terms;
  out.query_shape = response.query_shape;
  out.text_weight = response.text_weight;
  out.budget = response.budget;
  return out;
}

size_t SearchResponseBytes(const SearchResponse& response) {
  size_t bytes = sizeof(SearchResponse) + response.query_shape.size();
  for (const std::string& t : response.query_terms) bytes += sizeof(std::string) + t.size();
  for (const SearchResult& r : response.results) {
    bytes += sizeof(SearchResult) + r.file_path.size() + r.code_chunk.size() + r.type.size() +
             (r.identifier ? r.identifier->size() : 0);
    if (r.explanation) bytes += sizeof(ResultExplanation) + 256 + r.explanation->symbol.size();
  }
  return bytes;
}

}  // namespace codeindex
