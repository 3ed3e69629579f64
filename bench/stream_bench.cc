// Stream stage benchmarks (src/stream): SSE parsing throughput and allocations per event on a
// 100 MB stream, and zstd with reused contexts vs one-shot calls. See "stream" in README.md.
//
//   build/release/bench/stream_bench --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true    (one command line)
//   STREAM_BENCH_MB=100 (default) sets the stream size.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <zstd.h>

#include "stream/sse.h"
#include "stream/zstd.h"

// Every allocation of the process is counted, so the parse loop's are measured exactly.
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace
// GCC cannot see that the replaced operator new pairs with this delete (malloc/free).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace codeindex {
namespace {

size_t StreamBytes() {
  const char* mb = std::getenv("STREAM_BENCH_MB");
  return (mb ? static_cast<size_t>(std::atoll(mb)) : 100) << 20;
}

// Shapes of real LLM streams: OpenAI chat chunks (one data line per event), Anthropic
// (event + data), and multi-line data events with ids and comments.
std::string MakeStream(int shape, size_t bytes) {
  std::mt19937 rng(1);
  std::string s;
  s.reserve(bytes + 4096);
  static const char* kWords[] = {"the", "context", "window", "summary", "token", "function",
                                 "returns", "value", "error", "file"};
  while (s.size() < bytes) {
    std::string text;
    const int words = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < words; ++i) {
      text += kWords[rng() % 10];
      text += ' ';
    }
    switch (shape) {
      case 0:
        s += "data: {\"id\":\"chatcmpl-9x\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
             "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
             text + "\"},\"finish_reason\":null}]}\n\n";
        break;
      case 1:
        s += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
             "\"delta\":{\"type\":\"text_delta\",\"text\":\"" +
             text + "\"}}\n\n";
        break;
      default:
        s += ": keep-alive\r\nid: " + std::to_string(s.size()) + "\r\ndata: " + text +
             "\r\ndata: " + text + "\r\ndata: {\"more\":true}\r\n\r\n";
        break;
    }
  }
  return s;
}

class Counter : public SseHandler {
 public:
  void OnEvent(const SseEvent& e) override {
    ++events;
    bytes += e.data.size();
  }
  uint64_t events = 0, bytes = 0;
};

// Arguments: shape, chunk size.
void BM_SseParse(benchmark::State& state) {
  static std::string streams[3];
  const int shape = static_cast<int>(state.range(0));
  if (streams[shape].empty()) streams[shape] = MakeStream(shape, StreamBytes());
  const std::string& stream = streams[shape];
  const size_t chunk = static_cast<size_t>(state.range(1));
  Counter counter;
  SseParser parser(&counter);
  uint64_t allocations = 0;
  // One untimed pass grows the buffers to the stream's largest line and event.
  for (size_t i = 0; i < stream.size(); i += chunk) {
    if (!parser.Feed(std::string_view(stream).substr(i, chunk)).ok()) std::abort();
  }
  counter.events = 0;
  for (auto _ : state) {
    parser.Reset();
    const uint64_t before = g_allocations.load();
    for (size_t i = 0; i < stream.size(); i += chunk) {
      if (!parser.Feed(std::string_view(stream).substr(i, chunk)).ok()) std::abort();
    }
    allocations += g_allocations.load() - before;
  }
  benchmark::DoNotOptimize(counter.bytes);
  state.SetBytesProcessed(static_cast<int64_t>(stream.size()) * state.iterations());
  state.counters["events"] = static_cast<double>(counter.events / state.iterations());
  state.counters["allocs/event"] =
      static_cast<double>(allocations) / static_cast<double>(counter.events);
  state.counters["allocs/pass"] = static_cast<double>(allocations) / state.iterations();
}
BENCHMARK(BM_SseParse)
    ->ArgNames({"shape", "chunk"})
    ->Args({0, 65536})
    ->Args({1, 65536})
    ->Args({2, 65536})
    ->Args({0, 1024})
    ->Args({0, 16})
    ->Unit(benchmark::kMillisecond);

std::string Json(size_t bytes) {
  std::string s = "{\"results\":[";
  for (int i = 0; s.size() < bytes; ++i) {
    s += "{\"file_path\":\"src/a" + std::to_string(i % 97) +
         ".py\",\"start_line\":10,\"end_line\":42,\"score\":0.83,\"code_chunk\":\"def f(x): return x + " +
         std::to_string(i) + "\"},";
  }
  return s + "{}]}";
}

// One frame per call, as the server compresses a response: a reused context vs ZSTD_compress
// (which creates and frees a context each time).
void BM_ZstdReusedContext(benchmark::State& state) {
  const std::string body = Json(static_cast<size_t>(state.range(0)));
  ZstdCompressor c(3);
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!c.CompressFrame(body, &out).ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(body.size()) * state.iterations());
  state.counters["ratio"] = static_cast<double>(body.size()) / static_cast<double>(out.size());
}
BENCHMARK(BM_ZstdReusedContext)->Arg(4096)->Arg(65536)->Arg(1 << 20);

void BM_ZstdOneShot(benchmark::State& state) {
  const std::string body = Json(static_cast<size_t>(state.range(0)));
  std::string out(ZSTD_compressBound(body.size()), '\0');
  for (auto _ : state) {
    const size_t n = ZSTD_compress(out.data(), out.size(), body.data(), body.size(), 3);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(body.size()) * state.iterations());
}
BENCHMARK(BM_ZstdOneShot)->Arg(4096)->Arg(65536)->Arg(1 << 20);

void BM_ZstdDecompressReused(benchmark::State& state) {
  const std::string body = Json(static_cast<size_t>(state.range(0)));
  ZstdCompressor c(3);
  std::string z;
  if (!c.CompressFrame(body, &z).ok()) std::abort();
  ZstdDecompressor d;
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!d.DecompressAll(z, &out).ok()) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(body.size()) * state.iterations());
}
BENCHMARK(BM_ZstdDecompressReused)->Arg(65536)->Arg(1 << 20);

}  // namespace
}  // namespace codeindex

int main(int argc, char** argv) {
  // STREAM_BENCH_DUMP=/tmp/sse-shape0.txt writes the three streams for bench/sse_node.mjs.
  if (const char* dump = std::getenv("STREAM_BENCH_DUMP")) {
    std::string base(dump);
    const size_t digit = base.find('0');
    for (int shape = 0; shape < 3; ++shape) {
      std::string path = base;
      if (digit != std::string::npos) path[digit] = static_cast<char>('0' + shape);
      const std::string s = codeindex::MakeStream(shape, codeindex::StreamBytes());
      if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(s.data(), 1, s.size(), f);
        std::fclose(f);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
