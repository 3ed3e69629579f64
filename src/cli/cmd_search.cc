// `codeindex search`: query the index.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "index/config.h"
#include "index/index_dir.h"
#include "search/searcher.h"

namespace codeindex::cli {

Status RunSearch(const SearchArgs& args, std::ostream& out) {
  const std::string index_dir = IndexDirFor(args.workspace);
  ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(index_dir));
  SearchRequest req;
  req.query = args.query;
  ASSIGN_OR_RETURN(req.mode, ParseSearchMode(args.mode.empty() ? config.search.mode : args.mode));
  req.limit = static_cast<size_t>(args.limit.value_or(config.search.max_results));
  req.min_score = args.min_score;
  // Semantic threshold: the flag, else config.toml's, else (left unset) the model's own
  // (Searcher::DefaultMinScore()).
  if (!req.min_score && req.mode == SearchMode::kSemantic) req.min_score = config.search.min_score;
  req.path_prefix = args.path_prefix;
  req.explain = args.explain;
  RETURN_IF_ERROR(ApplyRankEnv(&req.rank));  // CODEINDEX_RANK (experiments)
  if (args.max_tokens) req.max_tokens = static_cast<size_t>(*args.max_tokens);  // >= 1 (CLI)
  SearcherOptions so;
  so.workspace = args.workspace.empty() ? "." : args.workspace;
  ASSIGN_OR_RETURN(auto searcher, Searcher::Open(index_dir, so));
  Result<SearchResponse> found = searcher->Search(req);
  if (!found.ok() && found.error().code() == Code::kFailedPrecondition && args.mode.empty() &&
      req.mode != SearchMode::kText) {
    // The default mode needs vectors this index does not have: answer with text search
    // rather than nothing, and say so.
    std::cerr << "codeindex: " << found.error().ToString() << "; answering with text search\n";
    req.mode = SearchMode::kText;
    req.min_score = args.min_score;
    found = searcher->Search(req);
  }
  if (!found.ok()) return found.error();
  SearchResponse resp = std::move(found).value();
  if (args.json) {
    out << SearchResponseToJson(resp, args.explain) << "\n";
    return Status::OK();
  }
  if (resp.results.empty()) {
    out << "No relevant code snippets found for \"" << args.query << "\"\n";
    return Status::OK();
  }
  for (const SearchResult& r : resp.results) {
    out << r.file_path << ":" << r.start_line << "-" << r.end_line << "  score " << r.score;
    if (r.trimmed) out << "  (trimmed)";
    if (r.identifier) out << "  " << *r.identifier;
    out << "\n";
    if (r.explanation && r.explanation->mode == "hybrid") {
      const ResultExplanation& e = *r.explanation;
      out << "    fused " << e.fused << " = text";
      if (e.text_rank > 0)
        out << " #" << e.text_rank << " (bm25 " << e.bm25 << ")";
      else
        out << " -";
      out << " " << e.text_part << " + semantic";
      if (e.semantic_rank > 0)
        out << " #" << e.semantic_rank << " (cosine " << *e.cosine << ")";
      else
        out << " -";
      out << " " << e.semantic_part;
      if (e.symbol_rank > 0) out << " + symbol #" << e.symbol_rank << " " << e.symbol_part;
      out << "\n";
      if (e.symbol_rank > 0) out << "    symbol: " << e.symbol << "\n";
      for (const Signal& s : e.signals) {
        out << "    x" << s.factor << " " << s.name << ": " << s.why << "\n";
      }
    } else if (r.explanation && r.explanation->mode == "symbol") {
      out << "    symbol #" << r.explanation->symbol_rank << ": " << r.explanation->symbol << "\n";
    } else if (r.explanation && r.explanation->cosine) {
      out << "    cosine " << *r.explanation->cosine << "\n";
    }
    if (r.explanation && r.explanation->bm25_terms) {
      for (const TermContribution& t : r.explanation->bm25_terms->terms) {
        if (t.wdf == 0) continue;
        out << "    bm25 " << t.term << ": tf " << t.wdf << ", df " << t.doc_freq << ", idf "
            << t.idf << " -> " << t.contribution << "\n";
      }
    }
    // The trimmed chunk, as the original's codebase_search tool shows it.
    std::string chunk = r.code_chunk;
    size_t b = chunk.find_first_not_of(" \t\r\n");
    size_t e = chunk.find_last_not_of(" \t\r\n");
    chunk = b == std::string::npos ? "" : chunk.substr(b, e - b + 1);
    out << chunk << "\n\n";
    if (!out) return Status::OK();
  }
  return Status::OK();
}

}  // namespace codeindex::cli
