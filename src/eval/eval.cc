#include "eval/eval.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <unistd.h>

#include "base/file.h"
#include "eval/doc_comments.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "scan/scanner.h"
#include "search/searcher.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool IsFunctionKind(std::string_view kind) { return kind == "function" || kind == "method"; }

// One sampled function with what the copy needs.
struct EvalCandidate {
  std::string file;
  DocumentedSymbol doc;
  std::string query;
};

// Writes `data` to `path`, creating its parent directories.
Status WriteWithParents(const std::string& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", path, ec.message()));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) return Status::IOError(fmt::format("{}: write failed", path));
  return Status::OK();
}

// The indentation (leading blanks) of the line starting at `begin`.
std::string_view IndentAt(std::string_view text, size_t begin) {
  size_t e = begin;
  while (e < text.size() && (text[e] == ' ' || text[e] == '\t')) ++e;
  return text.substr(begin, e - begin);
}

// True when the lines of `text` in [from, to) are all blank or comments.
bool OnlyBlankOrComments(std::string_view text, size_t from, size_t to) {
  size_t i = from;
  while (i < to) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos || nl > to) nl = to;
    std::string_view l = text.substr(i, nl - i);
    size_t b = l.find_first_not_of(" \t\r");
    if (b != std::string_view::npos && l[b] != '#') return false;
    i = nl + 1;
  }
  return true;
}

// Removes the docs of `picked` (one file's sampled functions, sorted by doc start) from
// `text`; sets each one's line in the result.
std::string StripDocs(std::string_view text, std::vector<EvalCandidate*>& picked,
                      std::vector<int>* new_lines) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  int removed_lines = 0;
  // (original line where the removal happened, lines removed) in order.
  std::vector<std::pair<int, int>> removals;
  for (EvalCandidate* c : picked) {
    const DocumentedSymbol& d = c->doc;
    out.append(text.substr(pos, d.doc_start_byte - pos));
    const int doc_lines = d.doc_end_line - d.doc_start_line + 1;
    int removed = doc_lines;
    if (d.doc_inside && OnlyBlankOrComments(text, d.doc_end_byte, d.code_end_byte)) {
      // A body of only the docstring: keep the definition valid.
      out.append(IndentAt(text, d.doc_start_byte));
      out.append("pass\n");
      removed = doc_lines - 1;
    }
    removals.emplace_back(d.doc_start_line, removed);
    removed_lines += removed;
    pos = d.doc_end_byte;
  }
  out.append(text.substr(pos));
  new_lines->clear();
  for (EvalCandidate* c : picked) {
    const int line = c->doc.symbol.start_line;
    int shift = 0;
    for (const auto& [at, n] : removals) {
      if (at < line) shift += n;
    }
    new_lines->push_back(line - shift);
  }
  return out;
}

std::string TempRoot(const EvalOptions& options) {
  if (!options.temp_root.empty()) return options.temp_root;
  const char* t = std::getenv("TMPDIR");
  return t != nullptr && *t != '\0' ? t : "/tmp";
}

}  // namespace

int FirstHitRank(const EvalQuery& q, const std::vector<EvalHit>& hits) {
  for (size_t i = 0; i < hits.size(); ++i) {
    const EvalHit& h = hits[i];
    if (h.file == q.file && h.start_line <= q.line && q.line <= h.end_line) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

ModeScores ScoreMode(const std::string& mode, const std::vector<EvalQuery>& queries,
                     const EvalSearchFn& search, int k) {
  ModeScores s;
  s.mode = mode;
  double rr = 0, at1 = 0, atk = 0, ms = 0;
  for (const EvalQuery& q : queries) {
    const auto t0 = std::chrono::steady_clock::now();
    Result<std::vector<EvalHit>> hits = search(q.query, k);
    ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!hits.ok()) {
      s.available = false;
      s.reason = hits.error().ToString();
      return s;
    }
    if (hits->size() > static_cast<size_t>(k)) hits->resize(k);
    const int rank = FirstHitRank(q, *hits);
    if (rank > 0) {
      rr += 1.0 / rank;
      atk += 1;
      if (rank == 1) at1 += 1;
    }
  }
  const double n = static_cast<double>(queries.size());
  s.available = true;
  s.queries = static_cast<int>(queries.size());
  if (n > 0) {
    s.mrr = rr / n;
    s.recall_1 = at1 / n;
    s.recall_k = atk / n;
    s.mean_ms = ms / n;
  }
  return s;
}

Result<std::unique_ptr<EvalWorkspace>> EvalWorkspace::Prepare(const std::string& workspace,
                                                              const EvalOptions& options) {
  ScanOptions scan;
  scan.workspace = workspace;
  ASSIGN_OR_RETURN(ScanResult listed, Scan(scan));

  // 1. Candidates, file by file (the scan's order: sorted paths).
  std::vector<EvalCandidate> all;
  std::map<std::string, std::string> contents;
  for (const ScannedFile& f : listed.files) {
    Result<std::string> text = ReadFile((fs::path(workspace) / f.path).string());
    if (!text.ok()) continue;  // vanished or unreadable: the indexer would skip it too
    if (LooksBinary(*text)) continue;
    Result<std::vector<DocumentedSymbol>> docs = ExtractDocumentedSymbols(f.path, *text);
    if (docs.ok()) {
      for (DocumentedSymbol& d : *docs) {
        if (!IsFunctionKind(d.symbol.kind)) continue;
        std::string q = FirstSentence(d.doc);
        if (WordCount(q) < options.min_words) continue;
        all.push_back(EvalCandidate{f.path, std::move(d), std::move(q)});
      }
    }
    contents.emplace(f.path, std::move(text).value());
  }
  std::map<std::string, int> query_count;
  for (const EvalCandidate& c : all) ++query_count[c.query];
  std::vector<EvalCandidate> unique;
  for (EvalCandidate& c : all) {
    if (query_count[c.query] == 1) unique.push_back(std::move(c));
  }
  if (unique.empty()) {
    return Status::FailedPrecondition(fmt::format(
        "{}: no documented functions to evaluate with (a function needs a doc comment or "
        "docstring whose first sentence has at least {} words)",
        workspace, options.min_words));
  }

  // 2. Deterministic sample.
  uint64_t state = options.seed;
  for (size_t i = unique.size() - 1; i > 0; --i) {
    const size_t j = static_cast<size_t>(SplitMix64(&state) % (i + 1));
    std::swap(unique[i], unique[j]);
  }
  const size_t n = std::min(unique.size(), static_cast<size_t>(std::max(0, options.queries)));
  std::vector<EvalCandidate> picked(std::make_move_iterator(unique.begin()),
                                    std::make_move_iterator(unique.begin() + n));

  // 3. The copy.
  auto ws = std::unique_ptr<EvalWorkspace>(new EvalWorkspace());
  ws->keep_ = options.keep_temp;
  ws->candidates_ = static_cast<int>(unique.size());
  std::string pattern = TempRoot(options) + "/codeindex-eval-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::FromErrno(TempRoot(options) + ": cannot create a temporary directory", errno);
  }
  ws->root_ = pattern;
  ws->copy_dir_ = ws->root_ + "/copy";
  ws->index_dir_ = ws->root_ + "/index";
  ws->workspace_ = workspace;

  std::map<std::string, std::vector<EvalCandidate*>> by_file;
  for (EvalCandidate& c : picked) by_file[c.file].push_back(&c);
  for (auto& [file, list] : by_file) {
    std::sort(list.begin(), list.end(), [](const EvalCandidate* a, const EvalCandidate* b) {
      return a->doc.doc_start_byte < b->doc.doc_start_byte;
    });
    // Docs of distinct definitions never overlap; drop any that would (defensive).
    std::vector<EvalCandidate*> kept;
    size_t end = 0;
    for (EvalCandidate* c : list) {
      if (!kept.empty() && c->doc.doc_start_byte < end) continue;
      kept.push_back(c);
      end = c->doc.doc_end_byte;
    }
    list = std::move(kept);
  }
  for (const auto& [path, text] : contents) {
    std::string data = text;
    auto it = by_file.find(path);
    if (it != by_file.end()) {
      std::vector<int> lines;
      data = StripDocs(text, it->second, &lines);
      for (size_t i = 0; i < it->second.size(); ++i) {
        const EvalCandidate* c = it->second[i];
        const std::string& scope = c->doc.symbol.scope;
        ws->queries_.push_back(
            EvalQuery{path, scope.empty() ? c->doc.symbol.name : scope + "." + c->doc.symbol.name,
                      c->query, lines[i], c->doc.symbol.start_line});
      }
    }
    RETURN_IF_ERROR(WriteWithParents(ws->copy_dir_ + "/" + path, data));
  }
  ws->files_ = static_cast<int>(contents.size());
  // Queries in sample order (the shuffle), so that a smaller --queries is a prefix.
  std::map<std::pair<std::string, int>, size_t> order;
  for (size_t i = 0; i < picked.size(); ++i) {
    order[{picked[i].file, picked[i].doc.symbol.start_line}] = i;
  }
  std::sort(ws->queries_.begin(), ws->queries_.end(), [&](const EvalQuery& a, const EvalQuery& b) {
    return order[{a.file, a.original_line}] < order[{b.file, b.original_line}];
  });
  return ws;
}

EvalWorkspace::~EvalWorkspace() {
  if (!keep_ && !root_.empty()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

Status EvalWorkspace::BuildIndex() {
  const auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(auto lock, WriterLock::Acquire(index_dir_, /*wait=*/false));
  PipelineOptions po;
  po.sync = false;  // a throw-away index: no fsync
  // The workspace's chunker settings ([index] of its config.toml), so that eval measures
  // the blocks `index` would make there; the default embedder either way.
  {
    Result<WorkspaceConfig> config = LoadConfig(IndexDirFor(workspace_));
    if (!config.ok()) return config.error();
    if (config->parse) po.parse = *config->parse;
  }
  ASSIGN_OR_RETURN(Pipeline pipeline, OpenPipeline(index_dir_, po));
  IndexerOptions io;
  io.workspace = copy_dir_;
  io.index_dir = index_dir_;
  io.content_hash = pipeline.content_hash;
  // As `codeindex index` records it: the searcher embeds queries with this embedder.
  io.meta = {{"embedder", pipeline.embedder_json},
             {"model", pipeline.embedder ? pipeline.embedder->model_id() : ""}};
  Indexer indexer(io, pipeline.processor, pipeline.DerivedPointers());
  ASSIGN_OR_RETURN(IndexStats stats, indexer.Run());
  blocks_ = stats.blocks_added;
  index_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::OK();
}

Result<EvalReport> RunEval(const std::string& workspace, const EvalOptions& options) {
  ASSIGN_OR_RETURN(auto ws, EvalWorkspace::Prepare(workspace, options));
  RETURN_IF_ERROR(ws->BuildIndex());
  ASSIGN_OR_RETURN(auto searcher, Searcher::Open(ws->index_dir()));

  EvalReport report;
  report.workspace = workspace;
  report.seed = options.seed;
  report.k = options.k;
  report.candidates = ws->candidates();
  report.files = ws->files();
  report.blocks = ws->blocks();
  report.index_seconds = ws->index_seconds();
  report.queries = ws->queries();
  if (options.keep_temp) report.temp_dir = fs::path(ws->index_dir()).parent_path().string();
  for (SearchMode mode : {SearchMode::kText, SearchMode::kSemantic, SearchMode::kHybrid}) {
    EvalSearchFn fn = [&](const std::string& query, int k) -> Result<std::vector<EvalHit>> {
      SearchRequest req;
      req.query = query;
      req.mode = mode;
      req.limit = static_cast<size_t>(k);
      // No threshold: the metrics look at ranks only. Cosine is >= -1.
      if (mode == SearchMode::kSemantic) req.min_score = -1.0;
      RETURN_IF_ERROR(ApplyRankEnv(&req.rank));  // CODEINDEX_RANK (ablations)
      ASSIGN_OR_RETURN(SearchResponse resp, searcher->Search(req));
      std::vector<EvalHit> hits;
      for (const SearchResult& r : resp.results) {
        hits.push_back(EvalHit{r.file_path, r.start_line, r.end_line});
      }
      return hits;
    };
    report.modes.push_back(
        ScoreMode(std::string(SearchModeName(mode)), report.queries, fn, options.k));
  }
  return report;
}

std::string EvalReportToJson(const EvalReport& r) {
  nlohmann::json modes = nlohmann::json::object();
  const std::string at_k = std::to_string(r.k);
  for (const ModeScores& m : r.modes) {
    if (!m.available) {
      modes[m.mode] = {{"available", false}, {"reason", m.reason}};
      continue;
    }
    modes[m.mode] = {{"available", true},
                     {"mrr_at_" + at_k, m.mrr},
                     {"recall_at_1", m.recall_1},
                     {"recall_at_" + at_k, m.recall_k},
                     {"mean_ms", m.mean_ms}};
  }
  nlohmann::json j = {{"workspace", r.workspace},
                      {"seed", r.seed},
                      {"k", r.k},
                      {"candidates", r.candidates},
                      {"queries", r.queries.size()},
                      {"files", r.files},
                      {"blocks", r.blocks},
                      {"index_seconds", r.index_seconds},
                      {"modes", modes}};
  if (!r.temp_dir.empty()) j["temp_dir"] = r.temp_dir;
  return j.dump();
}

std::string EvalReportToText(const EvalReport& r) {
  std::ostringstream o;
  o << fmt::format(
      "{} queries (seed {}) from {} documented functions; {} files, {} blocks indexed in "
      "{:.1f} s\n",
      r.queries.size(), r.seed, r.candidates, r.files, r.blocks, r.index_seconds);
  o << fmt::format("{:<10} {:>8} {:>6} {:>6} {:>9}\n", "mode", "MRR@" + std::to_string(r.k), "R@1",
                   "R@" + std::to_string(r.k), "ms/query");
  for (const ModeScores& m : r.modes) {
    if (!m.available) {
      o << fmt::format("{:<10} not available: {}\n", m.mode, m.reason);
      continue;
    }
    o << fmt::format("{:<10} {:>8.3f} {:>6.3f} {:>6.3f} {:>9.2f}\n", m.mode, m.mrr, m.recall_1,
                     m.recall_k, m.mean_ms);
  }
  if (!r.temp_dir.empty()) o << "kept: " << r.temp_dir << "\n";
  return o.str();
}

}  // namespace codeindex
