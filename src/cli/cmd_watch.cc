// `codeindex watch`: builds or updates the index, then keeps it current as files change
// (watch/watcher.h) until SIGINT or SIGTERM, which stop it cleanly: the pass in progress
// commits its current batch, the index stays consistent, and the exit status is 0.
#include <atomic>
#include <iostream>

#include <signal.h>
#include <sys/stat.h>

#include "base/malloc_tuning.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "index/config.h"
#include "scan/scanner.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "watch/watcher.h"

namespace codeindex::cli {

namespace {

std::atomic<Watcher*> g_watcher{nullptr};

// Async-signal-safe: Watcher::RequestStop() is an atomic store and a write().
void OnStopSignal(int) {
  if (Watcher* w = g_watcher.load()) w->RequestStop();
}

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
  return buf;
}

void PrintErrors(const IndexStats& stats) {
  for (const Status& e : stats.errors) std::cerr << "codeindex: " << e.ToString() << "\n";
}

}  // namespace

Status RunWatch(const WatchArgs& args, std::ostream&) {
  TuneMallocForIndexing();
  RETURN_IF_ERROR(ResolveWorkspaceRoot(args.workspace).status());
  const std::string index_dir = IndexDirFor(args.workspace);
  ASSIGN_OR_RETURN(auto lock, WriterLock::Acquire(index_dir, /*wait=*/false));
  // The same configuration as `codeindex index` (.codeindex/config.toml), so that both build
  // the same index.
  PipelineOptions pipeline_options;
  ASSIGN_OR_RETURN(pipeline_options.config, LoadConfig(index_dir));
  ASSIGN_OR_RETURN(Pipeline pipeline, OpenPipeline(index_dir, pipeline_options));
  if (!pipeline.embedder_warning.empty()) {
    std::cerr << "codeindex: " << pipeline.embedder_warning << "\n";
  }

  WatcherOptions options;
  options.indexer.workspace = args.workspace;
  options.indexer.index_dir = index_dir;
  options.indexer.content_hash = pipeline.content_hash;
  options.indexer.scan = pipeline.scan;
  options.indexer.meta = {{"embedder", pipeline.embedder_json},
                          {"model", pipeline.embedder ? pipeline.embedder->model_id() : ""}};
  options.debounce = std::chrono::milliseconds(args.debounce_ms);
  options.rescan_interval = std::chrono::seconds(args.rescan_seconds);

  // Callbacks run on the watcher's thread, one at a time: the bar needs no lock.
  ProgressBar bar("indexing");
  bool initial_done = false;
  options.on_progress = [&](const IndexProgress& p) {
    if (!initial_done && p.phase == IndexProgress::Phase::kIndexing) {
      bar.Update(p.files_done, p.files_total, p.blocks);
    }
  };
  options.on_pass = [&](const PassReport& r) {
    if (r.kind == PassReport::Kind::kInitial) {
      initial_done = true;
      bar.Finish();
      if (!r.status.ok()) return;  // Wait() returns it (or 0 when interrupted)
      PrintErrors(r.stats);
      const IndexStats& s = r.stats;
      std::cerr << "indexed " << s.files_scanned << " files in " << Ms(r.run_ms) << ": "
                << s.files_parsed << " parsed (" << s.blocks_added << " blocks), "
                << s.files_unchanged << " unchanged, " << s.files_removed << " removed\n";
      return;
    }
    if (!r.status.ok()) {
      if (r.status.code() != Code::kCancelled) {
        std::cerr << "codeindex: update failed (retrying): " << r.status.ToString() << "\n";
      }
      return;
    }
    PrintErrors(r.stats);
    std::cerr << (r.kind == PassReport::Kind::kFull ? "full rescan (" + r.reason + "): " : "")
              << "updated " << r.stats.files_parsed << " files (" << r.stats.blocks_added
              << " blocks)";
    if (r.stats.files_removed > 0) std::cerr << ", removed " << r.stats.files_removed;
    std::cerr << " in " << Ms(r.run_ms) << "\n";
  };
  options.on_warning = [](const std::string& m) {
    std::cerr << "codeindex: warning: " << m << "\n";
  };

  Watcher watcher(options, pipeline.processor, pipeline.DerivedPointers());
  g_watcher.store(&watcher);
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  Status status = watcher.Start();
  if (status.ok()) {
    if (watcher.WaitUntilReady().ok()) {
      std::cerr << "watching " << args.workspace << " (" << watcher.Stats().watched_dirs
                << " directories); Ctrl-C to stop\n";
    }
    status = watcher.Wait();  // OK once stopped by a signal
  }
  watcher.Stop();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  g_watcher.store(nullptr);
  return status;
}

}  // namespace codeindex::cli
