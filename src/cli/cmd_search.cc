// `codeindex search`: query the index.
#include <iostream>

#include "cli/commands.h"
#include "index/index_dir.h"
#include "search/searcher.h"

namespace codeindex::cli {

Status RunSearch(const SearchArgs& args, std::ostream& out) {
  SearchRequest req;
  req.query = args.query;
  // Until semantic search lands, text is the default mode.
  ASSIGN_OR_RETURN(req.mode, ParseSearchMode(args.mode.empty() ? "text" : args.mode));
  if (args.limit) req.limit = static_cast<size_t>(*args.limit);
  req.min_score = args.min_score;
  req.path_prefix = args.path_prefix;
  req.explain = args.explain;
  ASSIGN_OR_RETURN(auto searcher, Searcher::Open(IndexDirFor(args.workspace)));
  ASSIGN_OR_RETURN(SearchResponse resp, searcher->Search(req));
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
    if (r.identifier) out << "  " << *r.identifier;
    out << "\n";
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
