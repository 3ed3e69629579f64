// The watcher: keeps an index current as the workspace changes (`codeindex watch`, and the
// server's "keeps the index current").
//
// Boring on purpose (the house style's rule): file-system events are never trusted as a log of
// changes. They only say *where* to look; a reconcile pass then re-checks those paths with
// the indexer (index/indexer.h, UpdatePaths()), which rescans them with the ignore rules in
// force and diffs (path, size, mtime, content hash) against the catalog. So a lost,
// duplicated, reordered or coalesced event costs at most a late update, never a wrong index.
//
//   1. Start() starts the watcher's thread, which runs a full Indexer::Run(). Its scan tells
//      the watcher each directory it enters (ScanOptions::on_directory), and the watcher
//      watches it (inotify) *before* the directory is listed: a change made while the scan
//      runs is either seen by the listing or reported by an event. Then the watcher is
//      ready (WaitUntilReady()).
//   2. Every event names a path: the entry (file or directory) it is about. Paths are
//      collected in a set, and the pass runs WatcherOptions::debounce after the last event
//      (the original's 500 ms), or WatcherOptions::max_delay after the first one if events
//      never stop. A burst of any size is one pass, over the smallest set of paths that
//      covers it; a path named twice is checked once.
//   3. A pass calls Indexer::UpdatePaths(paths). Its scan watches the directories it
//      enters (new ones included, before they are listed); afterwards the watches of
//      directories at or below those paths that the scan no longer entered (deleted,
//      renamed away, newly ignored) are removed. So the watch set is always the set of
//      directories the scanner walks, symbolic links followed as it follows them; the
//      index directory is never watched.
//   4. An event on an ignore file (.gitignore, .ignore, .rgignore, .rooignore,
//      .codeindexignore) or on `.git` inside the tree names the directory that holds it:
//      its whole subtree is re-checked, which is everything those rules can change. A
//      change to a rule file outside the tree (scan/scanner.h RuleFilesOutsideTree():
//      info/exclude, the git configuration, core.excludesFile, .gitignore files above the
//      workspace) triggers a full Run().
//   5. A kernel queue overflow (IN_Q_OVERFLOW) triggers a full Run(): harmless by
//      construction, since the pass does not need the lost events.
//   6. A full Run() every WatcherOptions::rescan_interval catches what inotify cannot see
//      (writes through a link target outside the watched tree, network file systems,
//      included git configuration files).
//   7. When the watch limit is reached (ENOSPC: /proc/sys/fs/inotify/max_user_watches, or
//      WatcherOptions::max_watches), the watcher warns once (on_warning), keeps the watches
//      it has, and runs a full Run() every WatcherOptions::degraded_rescan_interval. When
//      inotify is unavailable altogether, the same, with no watch at all.
//   8. A pass that fails (I/O error in the index) reports the Error state and is retried
//      as a full Run() after WatcherOptions::retry_interval. A failed *initial* run ends
//      the watcher (WaitUntilReady() and Wait() return its error).
//
// The deleted-then-recreated file and the point-id mismatch of the original's watcher
// cannot happen here: a pass never acts on the kind of an event, only on what is on disk
// when it runs (docs/FIDELITY.md, "Watcher").
//
// Threads. The watcher runs one thread of its own: it reads the events, runs every indexer
// call (the indexer's workers are its own) and calls every callback. Callbacks must not
// block for long; they may call RequestStop(), RequestFullRun() and Stop() (which then does
// not wait). Every public method is thread-safe; RequestStop() is also async-signal-safe.
//
// Ownership. The caller owns the derived indexes and the file processor's state (they
// must outlive the watcher) and holds the index's WriterLock (index/index_dir.h) for as
// long as the watcher lives.
#ifndef CODEINDEX_WATCH_WATCHER_H_
#define CODEINDEX_WATCH_WATCHER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/derived_index.h"
#include "index/indexer.h"

namespace codeindex {

// The index states of the contract (docs/interface.md, `status`).
enum class WatchState { kStandby, kIndexing, kIndexed, kError };
// "Standby", "Indexing", "Indexed", "Error".
std::string_view WatchStateName(WatchState state);

// One reconcile pass, reported after it ends (WatcherOptions::on_pass).
struct PassReport {
  enum class Kind {
    kInitial,  // the full run at Start()
    kPaths,    // Indexer::UpdatePaths() over the paths events named
    kFull,     // a later full Run(): see `reason`
  };
  Kind kind = Kind::kPaths;
  // "initial", "events", and for kFull: "rules" (a rule file outside the tree changed),
  // "overflow", "periodic", "requested" (RequestFullRun()), "retry" (after a failed pass),
  // "rebuild" (UpdatePaths() found the index needs one), "root" (the workspace directory
  // itself was moved or deleted).
  std::string reason;
  size_t paths = 0;         // kPaths: paths re-checked (after coalescing)
  size_t events = 0;        // events that woke this pass
  IndexStats stats;         // as the indexer returned it (empty when `status` is not OK)
  Status status;            // kCancelled when Stop() interrupted the pass
  double waited_ms = 0;     // from the first event of the pass to its start (the debounce)
  double run_ms = 0;        // from its start until everything is committed and searchable
  size_t watched_dirs = 0;  // directories watched after the pass
};

struct WatcherOptions {
  // What to index and how (workspace, index_dir, content_hash, scan rules, threads,
  // batches). Its `progress`, `committed` and `cancel` are replaced by the watcher's own;
  // use the callbacks below.
  IndexerOptions indexer;

  // Quiet time after the last event before a pass runs: the original's 500 ms. Shorter
  // makes edits searchable sooner; longer coalesces more of a burst (a `git checkout`, a
  // build writing many files) into one pass. The pass itself takes a few milliseconds for
  // one edited file (bench/README.md, "watch").
  std::chrono::milliseconds debounce{500};
  // A pass runs at the latest this long after the first pending event, even if events keep
  // coming (a file written continuously would otherwise never be indexed).
  std::chrono::milliseconds max_delay{5000};
  // A full Run() this often, to catch what events cannot report (see the file comment).
  // It costs one scan and a stat per file when nothing changed (bench/README.md, "watch").
  // 0 disables it.
  std::chrono::milliseconds rescan_interval{std::chrono::minutes(10)};
  // The same while some directories cannot be watched (watch limit reached).
  std::chrono::milliseconds degraded_rescan_interval{std::chrono::seconds(60)};
  // Delay before a failed pass is retried as a full Run().
  std::chrono::milliseconds retry_interval{std::chrono::seconds(5)};
  // At most this many watched directories (0: only the kernel's limit,
  // /proc/sys/fs/inotify/max_user_watches, which is shared by every process of the user).
  // Reaching either limit degrades as item 7 of the file comment says.
  size_t max_watches = 0;

  // Callbacks, all called on the watcher's thread; any may be empty.
  // Indexing progress of every pass (the server's SSE `progress`).
  std::function<void(const IndexProgress&)> on_progress;
  // Files whose new content (or removal) was just committed: searchable now (SSE `indexed`).
  std::function<void(const std::vector<IndexedFile>&)> on_indexed;
  // The state changed (SSE `state`): Indexing while a pass has files to read, Indexed after,
  // Error when a pass failed (with its message), Standby once stopped.
  std::function<void(WatchState state, const std::string& message)> on_state;
  // After each pass.
  std::function<void(const PassReport&)> on_pass;
  // Once per condition: the watch limit was reached, inotify is unavailable.
  std::function<void(const std::string& message)> on_warning;
};

struct WatcherStats {
  uint64_t events = 0;      // inotify events read
  uint64_t passes = 0;      // passes run (all kinds, the initial run included)
  uint64_t full_runs = 0;   // of which full Run()s
  uint64_t overflows = 0;   // IN_Q_OVERFLOW seen
  size_t watched_dirs = 0;  // directories of the workspace watched now
  bool degraded = false;    // some directories could not be watched
};

class Watcher {
 public:
  // REQUIRES: `derived` and whatever `processor` uses outlive the watcher; the caller holds
  // the WriterLock of options.indexer.index_dir.
  Watcher(WatcherOptions options, FileProcessor processor, std::vector<DerivedIndex*> derived);
  // Stop().
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Starts the thread (which begins with the initial full run) and returns at once.
  // kFailedPrecondition when called twice; kIOError when no eventfd could be created.
  Status Start();

  // Blocks until the initial run is done and its directories are watched (OK), the
  // initial run failed (its error), or the watcher was stopped first (kCancelled).
  // REQUIRES: Start() was called.
  Status WaitUntilReady();

  // Blocks until the watcher's thread ends: after Stop() or RequestStop() (OK), or after
  // a failed initial run (its error). REQUIRES: Start() was called.
  Status Wait();

  // Asks the thread to stop: a running pass is interrupted after its current batch (the
  // index stays consistent: store/catalog.h protocol), no new pass starts. Returns at once.
  // Async-signal-safe (an atomic store and a write() to an eventfd).
  void RequestStop();

  // RequestStop(), then waits for the thread to end (unless called on the watcher's own
  // thread, from a callback). Idempotent; callable from any thread, before or after
  // Start(), any number of times.
  void Stop();

  // Asks for a full Run() as the next pass, without waiting for the debounce (the server's
  // `POST /v1/index`). Returns at once.
  void RequestFullRun();

  WatcherStats Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codeindex

#endif  // CODEINDEX_WATCH_WATCHER_H_
