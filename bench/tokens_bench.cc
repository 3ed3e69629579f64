// Token counting throughput and vocabulary load time, with the original's tokenizer as
// the anchor in the same run.
//
// Corpus: every *.py file under $CODEINDEX_TOKENS_CORPUS (default /usr/lib/python3.11),
// sorted by path, each counted as one text (as the search stage counts results).
// Anchor: BM_NodeTiktoken runs bench/tokens_node.cjs (tiktoken@1.0.21, Rust compiled to
// WebAssembly, under node) on the same files and reports the CPU time of its encode loop
// (node start-up and file reads excluded) as manual time, comparable with the CPU-time
// rates of the other benchmarks; it also checks that the totals agree.
//
//   cmake --preset release && cmake --build --preset release --target tokens_bench
//   build/release/bench/tokens_bench
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "base/file.h"
#include "tokens/embedded_ranks.h"
#include "tokens/rank_table.h"
#include "tokens/tokenizer.h"

namespace codeindex {
namespace {

struct Corpus {
  std::vector<std::string> paths;
  std::vector<std::string> texts;
  size_t bytes = 0;
};

const Corpus& TheCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    const char* env = std::getenv("CODEINDEX_TOKENS_CORPUS");
    const std::string root = env != nullptr ? env : "/usr/lib/python3.11";
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".py") {
        c->paths.push_back(it->path().string());
      }
    }
    std::sort(c->paths.begin(), c->paths.end());
    for (const std::string& p : c->paths) {
      auto text = ReadFile(p);
      c->texts.push_back(text.ok() ? std::move(*text) : std::string());
      c->bytes += c->texts.back().size();
    }
    return c;
  }();
  return *corpus;
}

void SetCounters(benchmark::State& state, size_t tokens_per_iter, size_t bytes_per_iter) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_iter));
  state.counters["tokens/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * tokens_per_iter), benchmark::Counter::kIsRate);
  state.counters["tokens"] = static_cast<double>(tokens_per_iter);
}

void BM_Count(benchmark::State& state, TokenEncoding e) {
  const Corpus& c = TheCorpus();
  const Tokenizer& tok = Tokenizer::Get(e);
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const std::string& t : c.texts) tokens += tok.Count(t);
    benchmark::DoNotOptimize(tokens);
  }
  SetCounters(state, tokens, c.bytes);
}
BENCHMARK_CAPTURE(BM_Count, o200k_base, TokenEncoding::kO200kBase)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Count, cl100k_base, TokenEncoding::kCl100kBase)->Unit(benchmark::kMillisecond);

void BM_Encode(benchmark::State& state, TokenEncoding e) {
  const Corpus& c = TheCorpus();
  const Tokenizer& tok = Tokenizer::Get(e);
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const std::string& t : c.texts) tokens += tok.Encode(t).size();
    benchmark::DoNotOptimize(tokens);
  }
  SetCounters(state, tokens, c.bytes);
}
BENCHMARK_CAPTURE(BM_Encode, o200k_base, TokenEncoding::kO200kBase)->Unit(benchmark::kMillisecond);

// Trimming every file to 500 tokens by whole lines (what search --max-tokens does to the
// last result that does not fit).
void BM_FitLines500(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  const Tokenizer& tok = Tokenizer::Get(TokenEncoding::kO200kBase);
  for (auto _ : state) {
    size_t kept = 0;
    for (const std::string& t : c.texts) kept += tok.FitLines(t, 500).bytes;
    benchmark::DoNotOptimize(kept);
  }
  state.counters["files/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * c.texts.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FitLines500)->Unit(benchmark::kMillisecond);

// What the first use of an encoding costs: checking and indexing the embedded vocabulary.
void BM_VocabularyLoad(benchmark::State& state, TokenEncoding e) {
  for (auto _ : state) {
    auto table = tokens::RankTable::FromBlob(tokens::EmbeddedRanksBlob(e), /*verify=*/false);
    benchmark::DoNotOptimize(table);
  }
}
BENCHMARK_CAPTURE(BM_VocabularyLoad, o200k_base, TokenEncoding::kO200kBase)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VocabularyLoad, cl100k_base, TokenEncoding::kCl100kBase)
    ->Unit(benchmark::kMillisecond);

// The anchor: the original's tokenizer on the same files, in the same run.
void BM_NodeTiktoken(benchmark::State& state, TokenEncoding e) {
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    state.SkipWithError("node is not installed");
    return;
  }
  const Corpus& c = TheCorpus();
  const std::string list = "/tmp/codeindex-tokens-bench-list.txt";
  {
    std::ofstream out(list);
    for (const std::string& p : c.paths) out << p << "\n";
  }
  const std::string cmd = std::string("node '") + CODEINDEX_BENCH_SOURCE_DIR +
                          "/tokens_node.cjs' '" + CODEINDEX_TIKTOKEN_DIR + "' " +
                          std::string(TokenEncodingName(e)) + " " + list;
  size_t tokens = 0;
  double load_seconds = 0;
  for (auto _ : state) {
    FILE* p = ::popen(cmd.c_str(), "r");
    double seconds = 0, wall_seconds = 0;
    unsigned long long total = 0;
    if (p == nullptr || std::fscanf(p, "%llu %lf %lf %lf", &total, &seconds, &load_seconds,
                                    &wall_seconds) != 4) {
      if (p != nullptr) ::pclose(p);
      state.SkipWithError("node anchor failed");
      return;
    }
    ::pclose(p);
    tokens = total;
    state.SetIterationTime(seconds);
  }
  // Files read as 'utf8' by node and as bytes by us agree because Count() decodes
  // ill-formed bytes the same way; a mismatch here is an exactness bug.
  size_t ours = 0;
  for (const std::string& t : c.texts) ours += Tokenizer::Get(e).Count(t);
  if (ours != tokens) state.SkipWithError("token totals differ from the reference");
  SetCounters(state, tokens, c.bytes);
  state.counters["encoder_build_ms"] = load_seconds * 1e3;
}
BENCHMARK_CAPTURE(BM_NodeTiktoken, o200k_base, TokenEncoding::kO200kBase)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NodeTiktoken, cl100k_base, TokenEncoding::kCl100kBase)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace codeindex

BENCHMARK_MAIN();
