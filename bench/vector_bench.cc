// Vector index benchmarks.
//
// Without environment variables: Google Benchmark micro-benchmarks of the distance kernels
// and of a search over a small (20K x 384) index; CI smoke-runs them.
//
// The corpus run (the figures in bench/README.md "vector") is opt-in:
//   CODEINDEX_VECTOR_BENCH_N=1000000 CODEINDEX_VECTOR_BENCH_DIM=384
//   build/release/bench/vector_bench
// It generates N clustered vectors (1000 clusters in a 48-d latent space projected to DIM +
// noise, L2-normalised; src/vector/synthetic.h) batch by batch, and in separate processes
//   1. builds a VectorIndex by streaming adds (build time, peak RSS of the build process),
//   2. builds the FAISS anchor: index_factory "IVF1024,PQ<DIM/8>np" (inner product) trained on
//      the same sample size, streamed adds, searched without rerank; and FAISS flat (exact),
// then opens the saved VectorIndex read-only, measures the RSS it adds, times Q held-out
// queries one at a time on one thread (p50/p99) for several nprobe values, and computes
// recall@10 against the exact float top-10 (brute force, computed by FAISS with BLAS).
// Other knobs: CODEINDEX_VECTOR_BENCH_Q (queries, 500), CODEINDEX_VECTOR_BENCH_DIR (work
// directory, default a fresh one under /tmp, removed at the end unless KEEP=1),
// CODEINDEX_VECTOR_BENCH_FAISS=0 (skip the anchors), CODEINDEX_VECTOR_BENCH_EXPORT=DIR (write
// base.f32, queries.f32, truth.u64 for scripts/vector-bench-lancedb).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/index_factory.h>
#include <faiss/utils/distances.h>
#include <omp.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vector/distance.h"
#include "vector/synthetic.h"
#include "vector/vector_index.h"

namespace codeindex::vec {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the calling thread: on a shared machine wall-clock latency includes time spent
// waiting for a core, so both are reported.
double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// A field of /proc/self/status in KiB (VmRSS, VmHWM, RssAnon, RssFile).
size_t StatusKiB(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(f, line)) {
    if (line.compare(0, n, field) == 0 && line[n] == ':') return std::stoul(line.substr(n + 1));
  }
  return 0;
}

size_t EnvSize(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoul(v) : fallback;
}

constexpr uint64_t kQueryBase = 1ull << 40;
constexpr size_t kBatch = 10000;
constexpr size_t kK = 10;

struct Latency {
  double p50_ms, p99_ms, mean_ms;
  double cpu_p50_ms = 0, cpu_p99_ms = 0;
};

Latency Summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double m : ms) sum += m;
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)],
          sum / static_cast<double>(ms.size())};
}

double Recall(const std::vector<uint64_t>& got, const std::vector<uint64_t>& truth, size_t q) {
  size_t hit = 0;
  for (size_t i = 0; i < q; ++i) {
    for (size_t a = 0; a < kK; ++a) {
      for (size_t b = 0; b < kK; ++b) hit += got[i * kK + a] == truth[i * kK + b];
    }
  }
  return static_cast<double>(hit) / static_cast<double>(q * kK);
}

void WriteFile(const std::string& path, const void* data, size_t bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

std::vector<uint64_t> ReadIds(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint64_t> v;
  uint64_t x;
  while (f.read(reinterpret_cast<char*>(&x), 8)) v.push_back(x);
  return v;
}

// Runs `fn` in a child process (fresh address space, so its peak RSS is its own).
template <typename Fn>
void InChild(Fn fn) {
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid == 0) {
    fn();
    std::fflush(stdout);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "vector_bench: child failed (status %d)\n", status);
    std::exit(1);
  }
}

void BuildOurs(const SyntheticVectors& gen, size_t n, const std::string& dir) {
  const size_t dim = gen.dim();
  const size_t rss0 = StatusKiB("VmRSS");
  VectorIndexOptions o;
  o.dim = dim;
  auto idx = VectorIndex::Create(dir, o);
  if (!idx.ok()) {
    std::fprintf(stderr, "%s\n", idx.error().ToString().c_str());
    std::exit(1);
  }
  const auto t0 = Clock::now();
  double gen_s = 0;
  std::vector<float> x(kBatch * dim);
  std::vector<uint64_t> ids(kBatch);
  for (size_t done = 0; done < n; done += kBatch) {
    const size_t b = std::min(kBatch, n - done);
    const auto g0 = Clock::now();
    gen.Generate(done, b, x.data());
    gen_s += Seconds(g0, Clock::now());
    for (size_t i = 0; i < b; ++i) ids[i] = done + i;
    Status st = (*idx)->Add(std::span(ids.data(), b), std::span(x.data(), b * dim));
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      std::exit(1);
    }
  }
  if (!(*idx)->Save("bench").ok()) std::exit(1);
  const double total = Seconds(t0, Clock::now());
  const VectorIndexStats s = (*idx)->Stats();
  std::printf(
      "ours build: %zu vectors in %.1f s (%.1f s of it generating data), nlist %zu, trained on "
      "%zu live\n",
      n, total - gen_s, gen_s, s.nlist, s.trained_on);
  std::printf(
      "ours build: peak RSS %.1f MB (process start %.1f MB), index heap %.1f MB = %.1f B/vector\n",
      static_cast<double>(StatusKiB("VmHWM")) / 1024, static_cast<double>(rss0) / 1024,
      static_cast<double>(s.ram_bytes) / 1e6,
      static_cast<double>(s.ram_bytes) / static_cast<double>(n));
  std::printf("ours disk: %.1f MB (%.1f B/vector)\n", static_cast<double>(s.disk_bytes) / 1e6,
              static_cast<double>(s.disk_bytes) / static_cast<double>(n));
}

void RunFaiss(const SyntheticVectors& gen, size_t n, const std::vector<float>& queries, size_t q,
              const std::string& out_dir) {
  omp_set_num_threads(1);
  const size_t dim = gen.dim();
  const std::string spec = "IVF1024,PQ" + std::to_string(dim / 8) + "np";
  std::unique_ptr<faiss::Index> index(
      faiss::index_factory(static_cast<int>(dim), spec.c_str(), faiss::METRIC_INNER_PRODUCT));
  const size_t sample = std::min<size_t>(n, 32768);
  // The same kind of sample as ours: random rows (here regenerated by index).
  std::vector<uint64_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = i;
  std::mt19937_64 rng(1234);
  std::vector<uint64_t> pick;
  std::sample(rows.begin(), rows.end(), std::back_inserter(pick), sample, rng);
  rows = {};
  std::vector<float> x(sample * dim);
  for (size_t i = 0; i < sample; ++i) gen.Generate(pick[i], 1, &x[i * dim]);
  const size_t rss0 = StatusKiB("VmRSS");
  const auto t0 = Clock::now();
  index->train(static_cast<int64_t>(sample), x.data());
  const double train_s = Seconds(t0, Clock::now());
  x.assign(kBatch * dim, 0);
  double add_s = 0;
  for (size_t done = 0; done < n; done += kBatch) {
    const size_t b = std::min(kBatch, n - done);
    gen.Generate(done, b, x.data());
    const auto a0 = Clock::now();
    index->add(static_cast<int64_t>(b), x.data());
    add_s += Seconds(a0, Clock::now());
  }
  x = {};
  auto* ivf = dynamic_cast<faiss::IndexIVFPQ*>(index.get());
  std::printf("faiss %s: train %.1f s on %zu, add %.1f s, RSS %.1f MB after build (+%.1f MB)\n",
              spec.c_str(), train_s, sample, add_s, static_cast<double>(StatusKiB("VmRSS")) / 1024,
              static_cast<double>(StatusKiB("VmRSS") - rss0) / 1024);
  for (size_t nprobe : {8, 16, 32}) {
    ivf->nprobe = nprobe;
    std::vector<double> ms, cpu;
    std::vector<int64_t> labels(q * kK);
    std::vector<float> dist(q * kK);
    for (size_t i = 0; i < q; ++i) {
      const double c0 = ThreadCpuMs();
      const auto s0 = Clock::now();
      index->search(1, &queries[i * dim], kK, &dist[i * kK], &labels[i * kK]);
      ms.push_back(Seconds(s0, Clock::now()) * 1e3);
      cpu.push_back(ThreadCpuMs() - c0);
    }
    const Latency l = Summarise(ms);
    const Latency c = Summarise(cpu);
    std::vector<uint64_t> ids(labels.begin(), labels.end());
    WriteFile(out_dir + "/faiss_ivfpq_" + std::to_string(nprobe) + ".u64", ids.data(),
              ids.size() * 8);
    std::printf(
        "faiss %s nprobe %zu (no rerank): p50 %.3f ms p99 %.3f ms mean %.3f ms (thread CPU p50 "
        "%.3f ms)\n",
        spec.c_str(), nprobe, l.p50_ms, l.p99_ms, l.mean_ms, c.p50_ms);
  }
  index.reset();

  // FAISS flat (exact inner product), one query at a time on one thread.
  faiss::IndexFlatIP flat(static_cast<int64_t>(dim));
  x.assign(kBatch * dim, 0);
  for (size_t done = 0; done < n; done += kBatch) {
    const size_t b = std::min(kBatch, n - done);
    gen.Generate(done, b, x.data());
    flat.add(static_cast<int64_t>(b), x.data());
  }
  const size_t fq = std::min<size_t>(q, 100);
  std::vector<double> ms;
  std::vector<int64_t> labels(kK);
  std::vector<float> dist(kK);
  for (size_t i = 0; i < fq; ++i) {
    const auto s0 = Clock::now();
    flat.search(1, &queries[i * dim], kK, dist.data(), labels.data());
    ms.push_back(Seconds(s0, Clock::now()) * 1e3);
  }
  const Latency l = Summarise(ms);
  std::printf("faiss Flat (exact, %zu queries): p50 %.3f ms p99 %.3f ms, %.1f MB of floats\n", fq,
              l.p50_ms, l.p99_ms, static_cast<double>(n * dim * 4) / 1e6);
}

// Exact float top-10 of every query, streaming the base set in batches.
std::vector<uint64_t> GroundTruth(const SyntheticVectors& gen, size_t n,
                                  const std::vector<float>& queries, size_t q) {
  const size_t dim = gen.dim();
  std::vector<std::vector<std::pair<float, uint64_t>>> best(q);
  std::vector<float> x(kBatch * dim), dist(q * kK);
  std::vector<int64_t> labels(q * kK);
  for (size_t done = 0; done < n; done += kBatch) {
    const size_t b = std::min(kBatch, n - done);
    gen.Generate(done, b, x.data());
    faiss::knn_inner_product(queries.data(), x.data(), dim, q, b, kK, dist.data(), labels.data());
    for (size_t i = 0; i < q; ++i) {
      for (size_t j = 0; j < kK; ++j) {
        if (labels[i * kK + j] < 0) continue;
        best[i].push_back({-dist[i * kK + j], done + static_cast<uint64_t>(labels[i * kK + j])});
      }
      std::sort(best[i].begin(), best[i].end());
      best[i].resize(std::min(best[i].size(), kK));
    }
  }
  std::vector<uint64_t> out(q * kK);
  for (size_t i = 0; i < q; ++i) {
    for (size_t j = 0; j < kK; ++j) out[i * kK + j] = best[i][j].second;
  }
  return out;
}

int CorpusRun() {
  const size_t n = EnvSize("CODEINDEX_VECTOR_BENCH_N", 100000);
  const size_t dim = EnvSize("CODEINDEX_VECTOR_BENCH_DIM", 384);
  const size_t q = EnvSize("CODEINDEX_VECTOR_BENCH_Q", 500);
  const bool with_faiss = EnvSize("CODEINDEX_VECTOR_BENCH_FAISS", 1) != 0;
  std::string dir;
  if (const char* d = std::getenv("CODEINDEX_VECTOR_BENCH_DIR")) dir = d;
  if (dir.empty()) {
    char tmpl[] = "/tmp/vector_bench_XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  std::filesystem::create_directories(dir);
  SyntheticOptions so;
  so.dim = dim;
  SyntheticVectors gen(so);
  std::vector<float> queries = gen.Generate(kQueryBase, q);
  std::printf(
      "corpus: %zu x %zu clustered vectors (1000 clusters, 48-d latent), %zu queries, "
      "kernels %s, dir %s\n",
      n, dim, q, Kernels().name, dir.c_str());

  const bool reuse = EnvSize("CODEINDEX_VECTOR_BENCH_REUSE", 0) != 0;  // query an existing index
  const bool skip_exact = EnvSize("CODEINDEX_VECTOR_BENCH_EXACT", 1) == 0;
  if (!reuse) InChild([&] { BuildOurs(gen, n, dir + "/index"); });
  if (with_faiss && !reuse) InChild([&] { RunFaiss(gen, n, queries, q, dir); });

  // Serving: a fresh read-only open, as `codeindex search` would do.
  const size_t anon0 = StatusKiB("RssAnon"), file0 = StatusKiB("RssFile");
  const auto o0 = Clock::now();
  VectorIndexOptions ro;
  ro.read_only = true;
  auto idx = VectorIndex::Open(dir + "/index", ro);
  if (!idx.ok()) {
    std::fprintf(stderr, "%s\n", idx.error().ToString().c_str());
    return 1;
  }
  const double open_s = Seconds(o0, Clock::now());
  const size_t anon1 = StatusKiB("RssAnon");
  std::printf("ours open: %.2f s, heap RSS +%.1f MB = %.1f B/vector (Stats: %.1f B/vector)\n",
              open_s, static_cast<double>(anon1 - anon0) / 1024,
              static_cast<double>(anon1 - anon0) * 1024 / static_cast<double>(n),
              static_cast<double>((*idx)->Stats().ram_bytes) / static_cast<double>(n));

  struct Run {
    size_t nprobe, rerank;
    std::vector<uint64_t> ids;
    Latency lat;
    double faults_per_query = 0;
  };
  std::vector<double> cpu;
  std::vector<Run> runs;
  for (auto [nprobe, rerank] : std::vector<std::pair<size_t, size_t>>{
           {8, 100}, {16, 100}, {32, 100}, {32, 200}, {64, 200}}) {
    SearchParams p;
    p.k = kK;
    p.nprobe = nprobe;
    p.rerank = rerank;
    Run r{nprobe, rerank, std::vector<uint64_t>(q * kK, ~0ull), {}};
    std::vector<double> ms;
    // One warm-up pass over the queries (page cache of the row store), then the timed pass.
    for (int pass = 0; pass < 2; ++pass) {
      ms.clear();
      cpu.clear();
      rusage ru0;
      getrusage(RUSAGE_THREAD, &ru0);
      for (size_t i = 0; i < q; ++i) {
        const double c0 = ThreadCpuMs();
        const auto s0 = Clock::now();
        auto hits = (*idx)->Search(std::span(&queries[i * dim], dim), p);
        ms.push_back(Seconds(s0, Clock::now()) * 1e3);
        cpu.push_back(ThreadCpuMs() - c0);
        for (size_t j = 0; j < hits->size(); ++j) r.ids[i * kK + j] = (*hits)[j].id;
      }
      rusage ru1;
      getrusage(RUSAGE_THREAD, &ru1);
      r.faults_per_query =
          static_cast<double>(ru1.ru_minflt + ru1.ru_majflt - ru0.ru_minflt - ru0.ru_majflt) /
          static_cast<double>(q);
    }
    r.lat = Summarise(ms);
    const Latency c = Summarise(cpu);
    r.lat.cpu_p50_ms = c.p50_ms;
    r.lat.cpu_p99_ms = c.p99_ms;
    runs.push_back(std::move(r));
  }
  std::printf("ours after queries: heap RSS +%.1f MB, mapped row store resident %.1f MB\n",
              static_cast<double>(StatusKiB("RssAnon") - anon0) / 1024,
              static_cast<double>(StatusKiB("RssFile") - file0) / 1024);
  // Exact scan through the same index (the flat path), for the latency of "flat".
  if (!skip_exact) {
    SearchParams p;
    p.exact = true;
    std::vector<double> ms;
    for (size_t i = 0; i < std::min<size_t>(q, 50); ++i) {
      const auto s0 = Clock::now();
      auto hits = (*idx)->Search(std::span(&queries[i * dim], dim), p);
      ms.push_back(Seconds(s0, Clock::now()) * 1e3);
    }
    const Latency l = Summarise(ms);
    std::printf("ours exact int8 scan: p50 %.3f ms (%.1f ns/vector)\n", l.p50_ms,
                l.p50_ms * 1e6 / static_cast<double>(n));
  }

  omp_set_num_threads(1);
  const auto g0 = Clock::now();
  std::vector<uint64_t> truth = GroundTruth(gen, n, queries, q);
  std::printf("ground truth: %.1f s\n", Seconds(g0, Clock::now()));
  for (const Run& r : runs) {
    std::printf(
        "ours nprobe %zu rerank %zu: recall@10 %.4f, p50 %.3f ms, p99 %.3f ms, mean %.3f ms "
        "(thread CPU p50 %.3f ms, p99 %.3f ms), %.1f page faults/query\n",
        r.nprobe, r.rerank, Recall(r.ids, truth, q), r.lat.p50_ms, r.lat.p99_ms, r.lat.mean_ms,
        r.lat.cpu_p50_ms, r.lat.cpu_p99_ms, r.faults_per_query);
  }
  if (with_faiss && !reuse) {
    for (size_t nprobe : {8, 16, 32}) {
      std::vector<uint64_t> ids = ReadIds(dir + "/faiss_ivfpq_" + std::to_string(nprobe) + ".u64");
      std::printf("faiss IVF1024,PQ%zunp nprobe %zu: recall@10 %.4f\n", dim / 8, nprobe,
                  Recall(ids, truth, q));
    }
  }
  if (const char* ex = std::getenv("CODEINDEX_VECTOR_BENCH_EXPORT")) {
    std::filesystem::create_directories(ex);
    std::vector<float> x(kBatch * dim);
    std::ofstream f(std::string(ex) + "/base.f32", std::ios::binary);
    for (size_t done = 0; done < n; done += kBatch) {
      const size_t b = std::min(kBatch, n - done);
      gen.Generate(done, b, x.data());
      f.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(b * dim * 4));
    }
    WriteFile(std::string(ex) + "/queries.f32", queries.data(), queries.size() * 4);
    WriteFile(std::string(ex) + "/truth.u64", truth.data(), truth.size() * 8);
    std::printf("exported base/queries/truth to %s\n", ex);
  }
  idx->reset();
  if (std::getenv("CODEINDEX_VECTOR_BENCH_DIR") == nullptr && std::getenv("KEEP") == nullptr) {
    std::filesystem::remove_all(dir);
  }
  return 0;
}

// ---- Micro-benchmarks (CI smoke).

void BM_Kernel(benchmark::State& state, bool avx2, int which) {
  const DistanceKernels* k = avx2 ? Avx2Kernels() : &ScalarKernels();
  if (k == nullptr) {
    state.SkipWithError("no AVX2");
    return;
  }
  const size_t dim = static_cast<size_t>(state.range(0));
  std::vector<float> a(dim, 0.5f), b(dim, 0.25f);
  std::vector<int8_t> c(dim, 3);
  for (auto _ : state) {
    float r =
        which == 0 ? k->dot_f32(a.data(), b.data(), dim) : k->dot_f32_i8(a.data(), c.data(), dim);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_CAPTURE(BM_Kernel, dot_f32_scalar, false, 0)->Arg(384);
BENCHMARK_CAPTURE(BM_Kernel, dot_f32_avx2, true, 0)->Arg(384);
BENCHMARK_CAPTURE(BM_Kernel, dot_f32_i8_scalar, false, 1)->Arg(384);
BENCHMARK_CAPTURE(BM_Kernel, dot_f32_i8_avx2, true, 1)->Arg(384);

void BM_Pq4Scan(benchmark::State& state, bool avx2) {
  const DistanceKernels* k = avx2 ? Avx2Kernels() : &ScalarKernels();
  if (k == nullptr) {
    state.SkipWithError("no AVX2");
    return;
  }
  const size_t pairs = 48, blocks = 32;  // 1024 vectors of 384-d
  std::vector<uint8_t> codes(blocks * pairs * 32, 0x5a), lut(pairs * 32, 7);
  std::vector<uint16_t> out(blocks * 32);
  for (auto _ : state) {
    k->pq4_scan_blocks(codes.data(), blocks, lut.data(), pairs, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(blocks * 32));
}
BENCHMARK_CAPTURE(BM_Pq4Scan, scalar, false);
BENCHMARK_CAPTURE(BM_Pq4Scan, avx2, true);

}  // namespace
}  // namespace codeindex::vec

int main(int argc, char** argv) {
  if (std::getenv("CODEINDEX_VECTOR_BENCH_N") != nullptr) return codeindex::vec::CorpusRun();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
