// Corpus benchmark for the parse stage.
//
//   bench/parse-corpus.sh                      # optional: TypeScript sources into /tmp
//   build/release/bench/parse_bench /usr/lib/python3.11 /usr/include
//     /usr/lib/node_modules/npm /tmp/codeindex-bench-corpus   (one line)
//
// For every file under the given directories whose extension is chunked by tree-sitter
// (and <= 1 MiB), it measures, single-threaded and in the same run:
//   raw    ts_parser_parse_string only (the anchor: what tree-sitter itself costs),
//   chunk  ParseBlocks (decode + parse + query + chunk + hashes), the indexer's cost,
// each as the best of 3 passes per file (at most CODEINDEX_BENCH_MAX_FILES per language), and
// reports lines/s per language and the ratio chunk/raw (the target is >= 0.8). Then ExtractSymbols
// on files of 900-1100 lines (target < 2 ms per file), with the parse alone for comparison, and the
// process's peak RSS.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "base/file.h"
#include "lang/languages.h"
#include "parse/grammars.h"
#include "parse/parser.h"
#include "parse/symbols.h"
#include "parse/text.h"
#include "parse/tree_symbols.h"

namespace {

using Clock = std::chrono::steady_clock;
using codeindex::parse_internal::FindGrammar;
using codeindex::parse_internal::ThreadParser;

struct File {
  std::string path;
  std::string language;
  std::string text;
  size_t lines = 0;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double RawParse(const File& f) {
  TSParser* p = ThreadParser(FindGrammar(f.language));
  auto t0 = Clock::now();
  TSTree* tree =
      ts_parser_parse_string(p, nullptr, f.text.data(), static_cast<uint32_t>(f.text.size()));
  double s = Seconds(Clock::now() - t0);
  ts_tree_delete(tree);
  return s;
}

double Chunk(const File& f, size_t* blocks) {
  auto t0 = Clock::now();
  auto r = codeindex::ParseBlocks(f.path, f.text);
  double s = Seconds(Clock::now() - t0);
  *blocks = r.ok() ? r->size() : 0;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  // Paths first, in path order, at most CODEINDEX_BENCH_MAX_FILES per language (default
  // 300, to keep a run within minutes on a shared 2-core machine); then read only those, so
  // that the peak RSS below is the parser's, not a whole directory tree held in memory.
  const char* env = std::getenv("CODEINDEX_BENCH_MAX_FILES");
  const size_t cap = env ? std::strtoul(env, nullptr, 10) : 300;
  std::vector<std::pair<std::string, std::string>> paths;  // (path, language)
  for (int a = 1; a < argc; ++a) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(
             argv[a], std::filesystem::directory_options::skip_permission_denied, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec || !it->is_regular_file(ec)) continue;
      const std::string path = it->path().string();
      const codeindex::LanguageEntry* e = codeindex::LanguageForPath(path);
      if (e == nullptr || e->route != codeindex::ChunkRoute::kTreeSitter) continue;
      if (it->file_size(ec) > (1u << 20)) continue;
      paths.emplace_back(path, std::string(e->language));
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<File> files;
  std::map<std::string, size_t> per_language;
  for (auto& [path, language] : paths) {
    if (per_language[language] >= cap) continue;
    auto text = codeindex::ReadFile(path);
    if (!text.ok()) continue;
    ++per_language[language];
    File f{path, language, std::move(*text)};
    f.lines = codeindex::parse_internal::SplitLines(f.text).size();
    files.push_back(std::move(f));
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: parse_bench DIR...  (no supported files found)\n");
    return 2;
  }
  struct Agg {
    size_t files = 0, lines = 0, bytes = 0, blocks = 0;
    double raw = 0, chunk = 0;
  };
  std::map<std::string, Agg> by_lang;
  Agg total;
  long peak_kb = 0;
  std::string peak_file;
  for (const File& f : files) {
    double raw = 1e9, chunk = 1e9;
    size_t blocks = 0;
    for (int pass = 0; pass < 3; ++pass) {
      raw = std::min(raw, RawParse(f));
      chunk = std::min(chunk, Chunk(f, &blocks));
    }
    for (Agg* a : {&by_lang[f.language], &total}) {
      a->files++;
      a->lines += f.lines;
      a->bytes += f.text.size();
      a->blocks += blocks;
      a->raw += raw;
      a->chunk += chunk;
    }
    struct rusage now;
    getrusage(RUSAGE_SELF, &now);
    if (now.ru_maxrss > peak_kb) {
      peak_kb = now.ru_maxrss;
      peak_file = f.path;
    }
  }
  std::printf("%-12s %6s %9s %8s %8s %12s %12s %6s\n", "language", "files", "lines", "MB", "blocks",
              "raw lines/s", "chunk lines/s", "ratio");
  auto row = [](const std::string& name, const Agg& a) {
    std::printf("%-12s %6zu %9zu %8.1f %8zu %12.0f %12.0f %6.2f\n", name.c_str(), a.files, a.lines,
                a.bytes / 1e6, a.blocks, a.lines / a.raw, a.lines / a.chunk, a.raw / a.chunk);
  };
  for (const auto& [name, a] : by_lang) row(name, a);
  row("TOTAL", total);

  // Symbols on ~1K-line files.
  std::vector<double> sym, parse_only, from_tree;
  for (const File& f : files) {
    if (f.lines < 900 || f.lines > 1100) continue;
    double best = 1e9, best_parse = 1e9;
    for (int pass = 0; pass < 3; ++pass) {
      auto t0 = Clock::now();
      auto r = codeindex::ExtractSymbols(f.path, f.text);
      best = std::min(best, Seconds(Clock::now() - t0));
      best_parse = std::min(best_parse, RawParse(f));
    }
    sym.push_back(best * 1e3);
    parse_only.push_back(best_parse * 1e3);
    // Extraction alone, on a tree parsed beforehand (what ParseFile adds to chunking).
    auto rt = codeindex::parse_internal::GetRuntime(f.language);
    TSTree* tree = ts_parser_parse_string(ThreadParser((*rt)->language), nullptr, f.text.data(),
                                          static_cast<uint32_t>(f.text.size()));
    double best_tree = 1e9;
    for (int pass = 0; pass < 3; ++pass) {
      codeindex::FileSymbols fs;
      auto t0 = Clock::now();
      codeindex::parse_internal::SymbolsFromTree(**rt, tree, f.text, &fs);
      best_tree = std::min(best_tree, Seconds(Clock::now() - t0));
    }
    ts_tree_delete(tree);
    from_tree.push_back(best_tree * 1e3);
  }
  if (!sym.empty()) {
    auto stats = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      double sum = 0;
      for (double x : v) sum += x;
      return std::make_tuple(sum / v.size(), v[v.size() / 2], v[v.size() * 9 / 10]);
    };
    auto [m, p50, p90] = stats(sym);
    auto [pm, pp50, pp90] = stats(parse_only);
    std::printf(
        "\nsymbols, %zu files of 900-1100 lines: mean %.2f ms, p50 %.2f ms, p90 %.2f ms "
        "(of which parsing: mean %.2f, p50 %.2f, p90 %.2f ms)\n",
        sym.size(), m, p50, p90, pm, pp50, pp90);
    auto [tm, tp50, tp90] = stats(from_tree);
    std::printf("symbols from an already parsed tree: mean %.2f ms, p50 %.2f ms, p90 %.2f ms\n", tm,
                tp50, tp90);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.1f MB (corpus held in memory: %.1f MB); last raised by %s\n",
              ru.ru_maxrss / 1024.0, total.bytes / 1e6, peak_file.c_str());
  return 0;
}
