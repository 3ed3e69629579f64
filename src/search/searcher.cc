#include "search/searcher.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace codeindex {

std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kSemantic: return "semantic";
    case SearchMode::kText: return "text";
    case SearchMode::kHybrid: return "hybrid";
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

Result<std::unique_ptr<Searcher>> Searcher::Open(const std::string& index_dir) {
  std::unique_ptr<Searcher> s(new Searcher(index_dir));
  auto catalog = Catalog::Open(index_dir, Catalog::Mode::kReadOnly);
  if (!catalog.ok()) {
    if (catalog.error().code() == Code::kNotFound) {
      return Status::FailedPrecondition("no index at " + index_dir +
                                        "; run `codeindex index` first");
    }
    return catalog.error();
  }
  s->pool_.push_back(std::move(catalog).value());
  auto text = TextIndexReader::Open(index_dir + "/text");
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound) {
      return Status::FailedPrecondition("the index at " + index_dir +
                                        " is incomplete; run `codeindex index`");
    }
    return text.error();
  }
  s->text_ = std::move(text).value();
  return s;
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

Result<SearchResponse> Searcher::Search(const SearchRequest& request) const {
  auto start = std::chrono::steady_clock::now();
  if (request.limit == 0 || request.limit > kMaxSearchLimit) {
    return Status::InvalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxSearchLimit));
  }
  std::unique_ptr<Catalog> catalog = TakeCatalog();
  if (!catalog) return Status::IOError("cannot open the catalog in " + index_dir_);
  Result<SearchResponse> r = Status::Internal("unreachable");
  switch (request.mode) {
    case SearchMode::kText:
      r = SearchText(request, *catalog);
      break;
    case SearchMode::kSemantic:
      r = Status::NotImplemented("semantic search");
      break;
    case SearchMode::kHybrid:
      r = Status::NotImplemented("hybrid search");
      break;
  }
  ReturnCatalog(std::move(catalog));
  if (r.ok()) {
    r->took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count();
  }
  return r;
}

Result<SearchResponse> Searcher::SearchText(const SearchRequest& request, Catalog& catalog) const {
  SearchParams params;
  params.limit = request.limit;
  params.path_prefix = request.path_prefix;
  params.explain = request.explain;
  ASSIGN_OR_RETURN(TextSearchResult found, text_->Search(request.query, params));
  std::vector<int64_t> ids;
  ids.reserve(found.hits.size());
  for (const TextHit& h : found.hits) ids.push_back(static_cast<int64_t>(h.block_id));
  ASSIGN_OR_RETURN(std::vector<BlockRecord> blocks, catalog.GetBlocks(ids));
  // GetBlocks keeps the order of `ids` and skips ids that vanished (a concurrent index
  // finished a file between the two reads); match them back by id.
  SearchResponse resp;
  resp.query_terms = std::move(found.query_terms);
  size_t bi = 0;
  for (TextHit& h : found.hits) {
    if (bi >= blocks.size() || blocks[bi].id != static_cast<int64_t>(h.block_id)) continue;
    BlockRecord& b = blocks[bi++];
    if (request.min_score && h.score < *request.min_score) continue;
    SearchResult r;
    r.block_id = b.id;
    r.file_path = std::move(b.file_path);
    r.start_line = b.start_line;
    r.end_line = b.end_line;
    r.score = h.score;
    r.code_chunk = std::move(b.content);
    r.identifier = std::move(b.identifier);
    r.type = std::move(b.type);
    if (request.explain) {
      r.explanation = std::make_unique<ResultExplanation>();
      r.explanation->mode = "text";
      r.explanation->bm25 = h.score;
      if (h.explanation) r.explanation->bm25_terms = *h.explanation;
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
    if (explain && r.explanation) {
      json d = {{"mode", r.explanation->mode}, {"type", r.type}};
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
  if (explain) out["query_terms"] = response.query_terms;
  // Paths are raw bytes and chunks come from decoded text; never throw on odd bytes.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace codeindex
