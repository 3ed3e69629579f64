// Keeping the index current while the server runs.
//
// IndexUpdater is the seam: the server only asks it to bring the index up to date
// (POST /v1/index), reads its state for `status`, and stops it at shutdown. Today's
// implementation, BackgroundIndexer, runs the incremental Indexer (index/indexer.h) on a
// thread of its own when asked (and once at start); the file watcher (src/watch) will be
// another IndexUpdater that runs the same Indexer when files change. Both publish the same
// events on the EventBus (server/events.h): `state` at each transition, `progress` during
// a run (at most every kProgressInterval, plus each phase change), and `indexed` for each
// file whose new content became searchable (IndexedNotifier below, appended to the
// pipeline's derived indexes, so that the event follows the commit of every other index).
//
// The updater is the index's writer: it holds the WriterLock (index/index_dir.h) for its
// whole life, so a concurrent `codeindex index` fails clearly while readers (searches, in
// this process or others) go on against consistent snapshots.
//
// Thread safety: every method of IndexUpdater is thread-safe.
#ifndef CODEINDEX_SERVER_UPDATER_H_
#define CODEINDEX_SERVER_UPDATER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "index/derived_index.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "server/events.h"

namespace codeindex {

inline constexpr std::chrono::milliseconds kProgressInterval{100};

// What `status` shows of the updater.
struct UpdaterSnapshot {
  std::string state = "Standby";  // Standby, Indexing, Indexed, Error
  std::string message;
  bool running = false;
  IndexProgress progress;       // of the running (or last) run
  uint64_t runs = 0;            // finished runs
  double last_run_seconds = 0;  // of the last finished run
  uint64_t last_files_parsed = 0;
  uint64_t last_files_removed = 0;
};

class IndexUpdater {
 public:
  virtual ~IndexUpdater() = default;
  // Asks for the index to be brought up to date; returns at once. True if a run starts now;
  // false if one is running, in which case one more run follows it (so that changes made
  // during the current run are picked up); requests made meanwhile coalesce into that one.
  virtual bool RequestUpdate() = 0;
  virtual UpdaterSnapshot Snapshot() const = 0;
  // Stops the running run at its next batch boundary (the index stays consistent) and joins
  // the thread. Idempotent; no run starts afterwards.
  virtual void Stop() = 0;
};

// Returns the progress phase's name: "recovering", "scanning", "indexing", "done".
std::string_view PhaseName(IndexProgress::Phase phase);

// A derived index that derives nothing: it remembers the files of each Update() and, at
// Commit() (called after every real derived index committed), publishes one `indexed`
// event per file.
class IndexedNotifier final : public DerivedIndex {
 public:
  explicit IndexedNotifier(EventBus* events) : events_(events) {}
  std::string name() const override { return "events"; }
  Status Update(const std::vector<DirtyFile>& files) override;
  Status Commit() override;
  Status Clear() override;
  uint64_t SizeBytes() const override { return 0; }

 private:
  EventBus* events_;
  std::vector<std::pair<std::string, size_t>> pending_;  // path, live blocks
};

struct BackgroundIndexerOptions {
  std::string workspace;  // REQUIRES: an existing directory
  std::string index_dir;
  // Opens the pipeline for one run (called with the WriterLock held). Default:
  // OpenPipeline(index_dir) with the workspace's config.toml (index/config.h).
  std::function<Result<Pipeline>(const std::string& index_dir)> open_pipeline;
  // Run once at start, so that a server always serves a current index.
  bool update_on_start = true;
  // Passed to IndexerOptions (0 = one per core).
  int threads = 0;
  // Called on the indexing thread after each run (ok or not) that may have changed the
  // index; the server reopens its searcher there.
  std::function<void()> on_run_finished;
};

class BackgroundIndexer final : public IndexUpdater {
 public:
  // Takes the WriterLock (kFailedPrecondition naming the other process if it is held) and
  // starts the thread.
  static Result<std::unique_ptr<BackgroundIndexer>> Start(BackgroundIndexerOptions options,
                                                          EventBus* events);
  ~BackgroundIndexer() override;
  BackgroundIndexer(const BackgroundIndexer&) = delete;
  BackgroundIndexer& operator=(const BackgroundIndexer&) = delete;

  bool RequestUpdate() override;
  UpdaterSnapshot Snapshot() const override;
  void Stop() override;

 private:
  BackgroundIndexer(BackgroundIndexerOptions options, EventBus* events,
                    std::unique_ptr<WriterLock> lock);
  void Loop();
  void RunOnce();
  void SetState(std::string state, std::string message, std::string extra_json = "");
  void PublishProgress(const IndexProgress& p, bool force);

  BackgroundIndexerOptions options_;
  EventBus* events_;
  std::unique_ptr<WriterLock> lock_;
  std::atomic<bool> cancel_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;                                         // GUARDED_BY(mu_)
  bool stopping_ = false;                                          // GUARDED_BY(mu_)
  UpdaterSnapshot snap_;                                           // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_progress_;            // indexing thread only
  IndexProgress::Phase last_phase_ = IndexProgress::Phase::kDone;  // indexing thread only
  std::thread thread_;
};

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_UPDATER_H_
