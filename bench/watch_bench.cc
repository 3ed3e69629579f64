// Edit -> searchable latency of the watcher (src/watch), on a real-sized workspace.
//
//   build/release/bench/watch_bench [--corpus DIR] [--edits N] [--debounce-ms A,B]
//                                   [--file REL] [--work DIR]
//
// Copies the corpus (default /usr/lib/python3.11) to WORK/ws once (default
// /tmp/codeindex-watch-bench), indexes it, then measures in the same run:
//   - anchor: a full Indexer::Run() with nothing changed (what re-running `codeindex index`
//     on every change would cost), median of 5;
//   - ScanPaths() of one file (the per-path scan of a pass), mean of 2000;
//   - for each debounce: N edits of one file (a function with a unique token appended,
//     write() then close()), each timed from just before the write() to the moment the
//     watcher reports the file committed to the catalog and the text index (from then on a
//     search finds the token; each edit is checked with a TextIndexReader search). Reported:
//     p50/p99 of the whole edit -> searchable, and of the pass alone (debounce expiry ->
//     committed), with its parts: the file processor (parse + symbols), the text index's
//     Update() and Commit() (fsync), and the rest (scan, worker start, catalog
//     transactions); and the pass p50 divided by the anchor;
//   - the same passes with the text index's fsync off (TextWriterOptions::sync = false), to
//     show what durability costs.
// The "text" columns time every derived index of the pipeline: the text index alone unless
// .codeindex/config.toml of the workspace configures an embedding model (then the vector
// index too). The file is restored afterwards.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "scan/scanner.h"
#include "text/text_index.h"
#include "watch/watcher.h"

namespace codeindex {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Wraps a derived index and times its Update() and Commit() calls.
class TimedDerived : public DerivedIndex {
 public:
  explicit TimedDerived(DerivedIndex* inner) : inner_(inner) {}
  std::string name() const override { return inner_->name(); }
  Status Update(const std::vector<DirtyFile>& files) override {
    auto t = Clock::now();
    Status s = inner_->Update(files);
    update_ms_ += Ms(Clock::now() - t);
    return s;
  }
  Status Commit() override {
    auto t = Clock::now();
    Status s = inner_->Commit();
    commit_ms_ += Ms(Clock::now() - t);
    return s;
  }
  Status Clear() override { return inner_->Clear(); }
  uint64_t SizeBytes() const override { return inner_->SizeBytes(); }
  void SetCatalogStamp(const CatalogStamp& stamp) override { inner_->SetCatalogStamp(stamp); }
  std::string RebuildReason() const override { return inner_->RebuildReason(); }
  std::string CheckAgainst(const CatalogState& catalog) const override {
    return inner_->CheckAgainst(catalog);
  }
  double TakeCommitMs() { return std::exchange(commit_ms_, 0); }
  double TakeUpdateMs() { return std::exchange(update_ms_, 0); }

 private:
  DerivedIndex* inner_;
  double commit_ms_ = 0, update_ms_ = 0;
};

// A word the text analyzer keeps whole: lower-case letters.
std::string Token(int n) {
  std::string out = "wbtoken";
  for (int i = 0; i < 5; ++i, n /= 26) out.push_back(static_cast<char>('a' + n % 26));
  return out;
}

struct Args {
  std::string corpus = "/usr/lib/python3.11";
  std::string work = "/tmp/codeindex-watch-bench";
  std::string file;  // relative to the workspace; default: picked below
  int edits = 100;
  std::vector<int> debounces = {50, 500};
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--corpus")
      a.corpus = v;
    else if (k == "--work")
      a.work = v;
    else if (k == "--file")
      a.file = v;
    else if (k == "--edits")
      a.edits = std::atoi(v.c_str());
    else if (k == "--debounce-ms") {
      a.debounces.clear();
      std::stringstream ss(v);
      for (std::string x; std::getline(ss, x, ',');) a.debounces.push_back(std::atoi(x.c_str()));
    } else {
      std::cerr << "unknown flag " << k << "\n";
      std::exit(2);
    }
  }
  return a;
}

struct PassTimes {
  std::vector<double> whole, pass, parse, update, commit;
};

int Main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  const std::string ws = args.work + "/ws";
  if (!fs::exists(ws)) {
    std::cerr << "copying " << args.corpus << " to " << ws << "\n";
    fs::create_directories(ws);
    fs::copy(args.corpus, ws, fs::copy_options::recursive | fs::copy_options::skip_symlinks);
  }
  const std::string index_dir = IndexDirFor(ws);
  ScanOptions so;
  so.workspace = ws;
  Result<ScanResult> listed = Scan(so);
  if (!listed.ok()) {
    std::cerr << listed.error().ToString() << "\n";
    return 1;
  }
  uint64_t bytes = 0;
  for (const ScannedFile& f : listed->files) bytes += f.size;
  if (args.file.empty()) {
    // A typical file: the median size of the listed .py files.
    std::vector<const ScannedFile*> py;
    for (const ScannedFile& f : listed->files) {
      if (f.path.size() > 3 && f.path.compare(f.path.size() - 3, 3, ".py") == 0) py.push_back(&f);
    }
    std::sort(py.begin(), py.end(), [](auto* a, auto* b) { return a->size < b->size; });
    args.file = py[py.size() / 2]->path;
  }
  const std::string target = ws + "/" + args.file;
  std::string original;
  {
    std::ifstream in(target, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    original = ss.str();
  }
  std::printf("workspace: %s, %zu files, %.1f MB; edited file: %s (%zu bytes, %zu lines)\n",
              ws.c_str(), listed->files.size(), static_cast<double>(bytes) / 1e6, args.file.c_str(),
              original.size(),
              static_cast<size_t>(std::count(original.begin(), original.end(), '\n')));

  auto lock = WriterLock::Acquire(index_dir, false);
  if (!lock.ok()) {
    std::cerr << lock.error().ToString() << "\n";
    return 1;
  }

  // The initial index, then the anchor: full runs with nothing changed.
  double anchor_ms = 0;
  {
    Result<Pipeline> pipeline = OpenPipeline(index_dir, PipelineOptions{});
    if (!pipeline.ok()) {
      std::cerr << pipeline.error().ToString() << "\n";
      return 1;
    }
    IndexerOptions io;
    io.workspace = ws;
    io.index_dir = index_dir;
    io.content_hash = pipeline->content_hash;
    Indexer indexer(io, pipeline->processor, pipeline->DerivedPointers());
    auto t = Clock::now();
    Result<IndexStats> first = indexer.Run();
    if (!first.ok()) {
      std::cerr << first.error().ToString() << "\n";
      return 1;
    }
    std::printf("initial run: %.0f ms (%llu parsed, %llu blocks added)\n", Ms(Clock::now() - t),
                static_cast<unsigned long long>(first->files_parsed),
                static_cast<unsigned long long>(first->blocks_added));
    std::vector<double> runs;
    for (int i = 0; i < 5; ++i) {
      t = Clock::now();
      Result<IndexStats> r = indexer.Run();
      if (!r.ok() || r->files_parsed != 0) {
        std::cerr << "anchor run changed something\n";
        return 1;
      }
      runs.push_back(Ms(Clock::now() - t));
    }
    anchor_ms = Percentile(runs, 0.5);
    std::printf("anchor: full Run() with nothing changed: median %.1f ms (min %.1f, max %.1f)\n",
                Percentile(runs, 0.5), *std::min_element(runs.begin(), runs.end()),
                *std::max_element(runs.begin(), runs.end()));

    ScanOptions one = so;
    one.skip_binary = false;  // as the indexer calls it
    t = Clock::now();
    constexpr int kScans = 2000;
    for (int i = 0; i < kScans; ++i) {
      Result<ScanResult> r = ScanPaths(one, {args.file});
      if (!r.ok() || r->files.size() != 1) {
        std::cerr << "ScanPaths did not list " << args.file << "\n";
        return 1;
      }
    }
    std::printf("ScanPaths(one file, %d levels deep): %.1f us per call\n",
                static_cast<int>(std::count(args.file.begin(), args.file.end(), '/')) + 1,
                1000 * Ms(Clock::now() - t) / kScans);
  }

  Result<std::unique_ptr<TextIndexReader>> reader = TextIndexReader::Open(index_dir + "/text");
  if (!reader.ok()) {
    std::cerr << reader.error().ToString() << "\n";
    return 1;
  }

  struct Config {
    int debounce_ms;
    bool sync;
  };
  std::vector<Config> configs;
  for (int d : args.debounces) configs.push_back({d, true});
  configs.push_back({args.debounces.front(), false});

  int token_counter = 0;
  std::printf(
      "\n| debounce | text fsync | edits | edit -> searchable p50 / p99 | pass p50 / p99 | "
      "parse p50 | text Update p50 | text Commit p50 | rest (scan, catalog) | pass / anchor "
      "|\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Config& config : configs) {
    PipelineOptions po;
    po.sync = config.sync;
    Result<Pipeline> pipeline = OpenPipeline(index_dir, po);
    if (!pipeline.ok()) {
      std::cerr << pipeline.error().ToString() << "\n";
      return 1;
    }
    std::vector<std::unique_ptr<TimedDerived>> timed;
    std::vector<DerivedIndex*> derived;
    for (DerivedIndex* d : pipeline->DerivedPointers()) {
      timed.push_back(std::make_unique<TimedDerived>(d));
      derived.push_back(timed.back().get());
    }
    std::mutex mu;
    std::condition_variable cv;
    bool committed = false;
    Clock::time_point committed_at;
    double pass_ms = 0;
    WatcherOptions wo;
    wo.indexer.workspace = ws;
    wo.indexer.index_dir = index_dir;
    wo.indexer.content_hash = pipeline->content_hash;
    wo.debounce = std::chrono::milliseconds(config.debounce_ms);
    wo.rescan_interval = std::chrono::milliseconds(0);
    wo.on_indexed = [&](const std::vector<IndexedFile>& files) {
      for (const IndexedFile& f : files) {
        if (f.path == args.file) {
          std::lock_guard<std::mutex> l(mu);
          committed = true;
          committed_at = Clock::now();
        }
      }
    };
    wo.on_pass = [&](const PassReport& r) {
      std::lock_guard<std::mutex> l(mu);
      pass_ms = r.run_ms;
      cv.notify_all();
    };
    // The file processor (read + parse + symbols of the edited file), timed.
    std::atomic<int64_t> parse_ns{0};
    FileProcessor processor = [&, inner = pipeline->processor](const std::string& rel,
                                                               const std::string& text) {
      auto t = Clock::now();
      Result<ProcessedFile> r = inner(rel, text);
      parse_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
      return r;
    };
    Watcher watcher(wo, processor, derived);
    if (!watcher.Start().ok() || !watcher.WaitUntilReady().ok()) {
      std::cerr << "watcher did not start\n";
      return 1;
    }
    for (auto& t : timed) t->TakeCommitMs(), t->TakeUpdateMs();
    parse_ns = 0;
    PassTimes times;
    const int edits = config.debounce_ms >= 500 ? std::max(10, args.edits / 3) : args.edits;
    for (int i = 0; i < edits; ++i) {
      const std::string token = Token(token_counter++);
      const std::string text = "\n\ndef " + token + "_function(argument):\n    return argument + " +
                               std::to_string(i) + "\n";
      {
        std::lock_guard<std::mutex> l(mu);
        committed = false;
        pass_ms = 0;
      }
      const Clock::time_point t0 = Clock::now();
      int fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        std::cerr << "cannot write " << target << "\n";
        return 1;
      }
      ::close(fd);
      {
        std::unique_lock<std::mutex> l(mu);
        if (!cv.wait_for(l, std::chrono::seconds(30), [&] { return committed && pass_ms > 0; })) {
          std::cerr << "edit " << i << " not indexed within 30 s\n";
          return 1;
        }
        times.whole.push_back(Ms(committed_at - t0));
        times.pass.push_back(pass_ms);
      }
      double commit = 0, update = 0;
      for (auto& t : timed) commit += t->TakeCommitMs(), update += t->TakeUpdateMs();
      times.commit.push_back(commit);
      times.update.push_back(update);
      times.parse.push_back(static_cast<double>(parse_ns.exchange(0)) / 1e6);
      SearchParams params;
      params.limit = 1;
      Result<TextSearchResult> found = (*reader)->Search(token, params);
      if (!found.ok() || found->hits.empty()) {
        std::cerr << "token " << token << " not found after its commit\n";
        return 1;
      }
    }
    watcher.Stop();
    const double pass50 = Percentile(times.pass, 0.5);
    const double commit50 = Percentile(times.commit, 0.5);
    std::printf(
        "| %d ms | %s | %d | %.1f / %.1f ms | %.2f / %.2f ms | %.2f | %.2f | %.2f | %.2f | "
        "%.2f |\n",
        config.debounce_ms, config.sync ? "on" : "off", edits, Percentile(times.whole, 0.5),
        Percentile(times.whole, 0.99), pass50, Percentile(times.pass, 0.99),
        Percentile(times.parse, 0.5), Percentile(times.update, 0.5), commit50,
        pass50 - Percentile(times.parse, 0.5) - Percentile(times.update, 0.5) - commit50,
        anchor_ms > 0 ? pass50 / anchor_ms : 0);
    std::fflush(stdout);
  }

  // Restore the file and bring the index back to it.
  std::ofstream(target, std::ios::binary | std::ios::trunc) << original;
  Result<Pipeline> pipeline = OpenPipeline(index_dir, PipelineOptions{});
  if (pipeline.ok()) {
    IndexerOptions io;
    io.workspace = ws;
    io.index_dir = index_dir;
    io.content_hash = pipeline->content_hash;
    Indexer indexer(io, pipeline->processor, pipeline->DerivedPointers());
    (void)indexer.UpdatePaths({args.file});
  }
  return 0;
}

}  // namespace
}  // namespace codeindex

int main(int argc, char** argv) { return codeindex::Main(argc, argv); }
