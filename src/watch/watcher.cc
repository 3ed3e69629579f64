#include "watch/watcher.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "scan/scanner.h"

namespace codeindex {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Events on the entries of a watched directory, and on the directory itself. IN_ONLYDIR:
// a path that became a file in the meantime is not watched; IN_EXCL_UNLINK: no events
// from files that are already unlinked but still open. Links are followed (no
// IN_DONT_FOLLOW), as the scanner follows them.
constexpr uint32_t kTreeMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                               IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                               IN_ONLYDIR | IN_EXCL_UNLINK;
// Directories holding rule files outside the tree: only entries matter.
constexpr uint32_t kRuleMask =
    IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string JoinRel(const std::string& dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out = dir;
  if (!out.empty()) out.push_back('/');
  out.append(name);
  return out;
}

// `path` is `root` or below it (workspace-relative paths; "" is the root of everything).
bool AtOrBelow(std::string_view path, std::string_view root) {
  if (root.empty()) return true;
  return path.size() >= root.size() && path.compare(0, root.size(), root) == 0 &&
         (path.size() == root.size() || path[root.size()] == '/');
}

bool IsIgnoreFileName(std::string_view name) {
  for (std::string_view n : kIgnoreFileNames) {
    if (n == name) return true;
  }
  return false;
}

// The physical path of `path`; of its parent plus its name when it does not exist yet.
std::optional<std::string> RealPath(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) {
    const size_t slash = path.rfind('/');
    if (errno != ENOENT || slash == std::string::npos || slash == 0) return std::nullopt;
    std::optional<std::string> parent = RealPath(path.substr(0, slash));
    if (!parent) return std::nullopt;
    return *parent + path.substr(slash);
  }
  std::string out(real);
  std::free(real);
  return out;
}

std::string ReadSmallFile(const char* path) {
  std::string out;
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return out;
  char buf[64];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  out.assign(buf, n);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

std::string_view WatchStateName(WatchState state) {
  switch (state) {
    case WatchState::kStandby:
      return "Standby";
    case WatchState::kIndexing:
      return "Indexing";
    case WatchState::kIndexed:
      return "Indexed";
    case WatchState::kError:
      return "Error";
  }
  return "Error";
}

class Watcher::Impl {
 public:
  Impl(WatcherOptions options, FileProcessor processor, std::vector<DerivedIndex*> derived)
      : options_(std::move(options)) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    IndexerOptions io = options_.indexer;
    io.scan.on_directory = [this](const std::string& rel) { OnDirectory(rel); };
    io.progress = [this](const IndexProgress& p) { OnProgress(p); };
    io.committed = [this](const std::vector<IndexedFile>& files) {
      if (options_.on_indexed) options_.on_indexed(files);
    };
    io.cancel = &cancel_;
    indexer_ = std::make_unique<Indexer>(std::move(io), std::move(processor), std::move(derived));
  }

  ~Impl() {
    Stop();
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  Status Start() {
    std::lock_guard<std::mutex> lock(thread_mu_);
    if (started_) return Status::FailedPrecondition("the watcher was already started");
    if (stop_.load()) return Status::FailedPrecondition("the watcher was stopped");
    if (wake_fd_ < 0) return Status::FromErrno("eventfd", errno);
    started_ = true;
    thread_ = std::thread([this] {
      loop_id_.store(std::this_thread::get_id());
      Loop();
    });
    return Status::OK();
  }

  Status WaitUntilReady() {
    std::unique_lock<std::mutex> lock(state_mu_);
    state_cv_.wait(lock, [&] { return ready_ || finished_; });
    if (ready_) return Status::OK();
    return final_status_.ok() ? Status::Cancelled("the watcher was stopped before it was ready")
                              : final_status_;
  }

  Status Wait() {
    std::unique_lock<std::mutex> lock(state_mu_);
    state_cv_.wait(lock, [&] { return finished_; });
    return final_status_;
  }

  void RequestStop() {
    stop_.store(true);
    cancel_.store(true);
    Wake();
  }

  void Stop() {
    RequestStop();
    // A callback (on the watcher's own thread) must not wait for itself, nor take thread_mu_:
    // another thread may hold it while joining this very thread.
    if (std::this_thread::get_id() == loop_id_.load()) return;
    std::lock_guard<std::mutex> lock(thread_mu_);
    if (!thread_.joinable()) return;
    thread_.join();
  }

  void RequestFullRun() {
    full_requested_.store(true);
    Wake();
  }

  WatcherStats Stats() const {
    std::lock_guard<std::mutex> lock(watch_mu_);
    WatcherStats s = stats_;
    s.watched_dirs = dir_to_wd_.size();
    s.degraded = degraded_;
    return s;
  }

 private:
  void Wake() {
    if (wake_fd_ < 0) return;
    uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof one);
    (void)n;  // EAGAIN: the counter is already non-zero, the loop wakes anyway
  }

  // ---- The loop -------------------------------------------------------------------------

  void Loop() {
    SetUp();
    // 1. The initial full run; the scan watches every directory it enters.
    PassReport initial = RunFull("initial", /*events=*/0, Clock::duration::zero());
    initial.kind = PassReport::Kind::kInitial;
    Report(initial);
    if (!initial.status.ok()) {
      Finish(initial.status.code() == Code::kCancelled ? Status::OK() : initial.status);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      ready_ = true;
    }
    state_cv_.notify_all();
    ScheduleFullRun(Clock::now());

    while (!stop_.load()) {
      const Clock::time_point now = Clock::now();
      Clock::time_point due = next_full_;
      if (HasPending()) due = std::min(due, PendingDue());
      const auto wait = std::chrono::duration_cast<milliseconds>(due - now);
      // Round up so that a wait of 0.4 ms does not spin.
      int timeout_ms = due == Clock::time_point::max()
                           ? -1
                           : static_cast<int>(std::clamp<int64_t>(wait.count() + 1, 0, INT_MAX));
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
      const int nfds = inotify_fd_ >= 0 ? 2 : 1;
      int rc = ::poll(fds, static_cast<nfds_t>(nfds), timeout_ms);
      if (rc < 0 && errno != EINTR) {
        Finish(Status::FromErrno("poll", errno));
        return;
      }
      if (fds[0].revents & POLLIN) {
        uint64_t value;
        ssize_t n = ::read(wake_fd_, &value, sizeof value);
        (void)n;
      }
      if (stop_.load()) break;
      if (nfds == 2 && (fds[1].revents & POLLIN)) ReadEvents();
      const Clock::time_point after = Clock::now();
      if (full_requested_.exchange(false)) {
        if (pending_events_ == 0) first_event_ = after;
        full_reason_ = "requested";
        force_now_ = true;
      }
      if (after >= next_full_ && full_reason_.empty()) {
        if (pending_events_ == 0) first_event_ = after;
        full_reason_ = retry_pending_ ? "retry" : "periodic";
        force_now_ = true;
      }
      if (HasPending() && (force_now_ || after >= PendingDue())) RunPass();
    }
    Finish(Status::OK());
  }

  bool HasPending() const { return !pending_.empty() || !full_reason_.empty(); }

  Clock::time_point PendingDue() const {
    if (force_now_) return Clock::time_point::min();
    return std::min(last_event_ + options_.debounce, first_event_ + options_.max_delay);
  }

  void ScheduleFullRun(Clock::time_point from) {
    milliseconds interval = options_.rescan_interval;
    if (Degraded()) {
      interval = interval.count() == 0 ? options_.degraded_rescan_interval
                                       : std::min(interval, options_.degraded_rescan_interval);
    }
    if (retry_pending_) interval = options_.retry_interval;
    next_full_ = interval.count() == 0 ? Clock::time_point::max() : from + interval;
  }

  void RunPass() {
    const Clock::time_point start = Clock::now();
    const Clock::duration waited = start - first_event_;
    const size_t events = pending_events_;
    std::string full_reason = std::move(full_reason_);
    std::vector<std::string> paths(pending_.begin(), pending_.end());
    full_reason_.clear();
    pending_.clear();
    pending_events_ = 0;
    force_now_ = false;

    PassReport report;
    if (!full_reason.empty()) {
      report = RunFull(full_reason, events, waited);
    } else {
      report = RunPaths(MinimalPathCover(std::move(paths)), events, waited);
    }
    Report(report);
    retry_pending_ = !report.status.ok() && report.status.code() != Code::kCancelled;
    const Clock::time_point now = Clock::now();
    if (report.kind != PassReport::Kind::kPaths || retry_pending_) {
      ScheduleFullRun(now);
    } else if (Degraded()) {
      // The pass met the watch limit: rescan sooner than the normal interval.
      next_full_ = std::min(next_full_, now + options_.degraded_rescan_interval);
    }
  }

  PassReport RunFull(const std::string& reason, size_t events, Clock::duration waited) {
    PassReport report;
    report.kind = PassReport::Kind::kFull;
    report.reason = reason;
    report.events = events;
    report.waited_ms = Ms(waited);
    BeginPass();
    const Clock::time_point start = Clock::now();
    Result<IndexStats> stats = indexer_->Run();
    report.run_ms = Ms(Clock::now() - start);
    if (stats.ok()) {
      report.stats = std::move(stats).value();
      EndPass({std::string()});
    } else {
      report.status = stats.error();
    }
    return report;
  }

  PassReport RunPaths(std::vector<std::string> paths, size_t events, Clock::duration waited) {
    PassReport report;
    report.kind = PassReport::Kind::kPaths;
    report.reason = "events";
    report.events = events;
    report.paths = paths.size();
    report.waited_ms = Ms(waited);
    BeginPass();
    const Clock::time_point start = Clock::now();
    Result<IndexStats> stats = indexer_->UpdatePaths(paths);
    if (!stats.ok() && stats.error().code() == Code::kFailedPrecondition) {
      // The index needs a rebuild (deleted under us?): a full run does it.
      PassReport full = RunFull("rebuild", events, waited);
      return full;
    }
    report.run_ms = Ms(Clock::now() - start);
    if (stats.ok()) {
      report.stats = std::move(stats).value();
      EndPass(paths);
    } else {
      report.status = stats.error();
    }
    return report;
  }

  void BeginPass() {
    std::lock_guard<std::mutex> lock(watch_mu_);
    entered_.clear();
    ++stats_.passes;
  }

  // Removes the watches of directories at or below `roots` that the pass's scan did not
  // enter: they are gone, renamed away or ignored now.
  void EndPass(const std::vector<std::string>& roots) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    for (const std::string& root : roots) {
      if (root.empty()) ++stats_.full_runs;
      std::vector<std::string> stale;
      for (auto it = dir_to_wd_.lower_bound(root);
           it != dir_to_wd_.end() && (root.empty() || it->first.compare(0, root.size(), root) == 0);
           ++it) {
        if (!AtOrBelow(it->first, root)) continue;  // "a-b" after "a"
        if (!entered_.count(it->first)) stale.push_back(it->first);
      }
      for (const std::string& dir : stale) UnwatchLocked(dir);
    }
    entered_.clear();
  }

  void Report(PassReport& report) {
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      report.watched_dirs = dir_to_wd_.size();
    }
    if (report.status.ok()) {
      SetState(WatchState::kIndexed, "Index up to date");
    } else if (report.status.code() != Code::kCancelled) {
      SetState(WatchState::kError, report.status.ToString());
    }
    EmitWarnings();
    if (options_.on_pass) options_.on_pass(report);
  }

  void Finish(Status status) {
    SetState(WatchState::kStandby, "Watcher stopped");
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      finished_ = true;
      final_status_ = std::move(status);
    }
    state_cv_.notify_all();
  }

  void SetState(WatchState state, const std::string& message) {
    if (state == state_) return;
    state_ = state;
    if (options_.on_state) options_.on_state(state, message);
  }

  void OnProgress(const IndexProgress& p) {
    // Indexing only while a pass has files to read (a pass that finds nothing changed
    // does not flap the state).
    if (p.phase == IndexProgress::Phase::kIndexing && p.files_done < p.files_total) {
      SetState(WatchState::kIndexing, "Indexing");
    }
    if (options_.on_progress) options_.on_progress(p);
  }

  // ---- inotify ----------------------------------------------------------------------------

  void SetUp() {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ < 0) {
      std::lock_guard<std::mutex> lock(watch_mu_);
      degraded_ = true;
      warning_ = "cannot watch files (inotify_init1: " + std::string(std::strerror(errno)) +
                 "); the index is refreshed by a full rescan every " +
                 std::to_string(options_.degraded_rescan_interval.count() / 1000) + " s";
    }
    const std::string& ws = options_.indexer.workspace;
    // The index directory, when it lies inside the workspace under a name the scanner walks
    // ($CODEINDEX_INDEX_DIR): never watched, its events never wake a pass.
    std::optional<std::string> ws_real = RealPath(ws.empty() ? "." : ws);
    std::optional<std::string> index_real = RealPath(options_.indexer.index_dir);
    if (ws_real && index_real && index_real->size() > ws_real->size() &&
        index_real->compare(0, ws_real->size(), *ws_real) == 0 &&
        (*index_real)[ws_real->size()] == '/') {
      index_rel_ = index_real->substr(ws_real->size() + 1);
    }
    if (inotify_fd_ < 0) return;
    ScanOptions so = options_.indexer.scan;
    so.workspace = ws;
    for (const std::string& file : RuleFilesOutsideTree(so)) {
      const size_t slash = file.rfind('/');
      if (slash == std::string::npos) continue;
      const std::string dir = slash == 0 ? "/" : file.substr(0, slash);
      int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), kRuleMask);
      if (wd < 0) continue;  // a missing directory: the periodic rescan covers it
      std::lock_guard<std::mutex> lock(watch_mu_);
      rule_names_[wd].insert(file.substr(slash + 1));
    }
  }

  bool Degraded() const {
    std::lock_guard<std::mutex> lock(watch_mu_);
    return degraded_;
  }

  // ScanOptions::on_directory: from the scan's walker threads, before `rel` is listed.
  void OnDirectory(const std::string& rel) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    entered_.insert(rel);
    if (inotify_fd_ < 0) return;
    if (!index_rel_.empty() && AtOrBelow(rel, index_rel_)) return;
    auto known = dir_to_wd_.find(rel);
    if (known == dir_to_wd_.end() && options_.max_watches > 0 &&
        dir_to_wd_.size() >= options_.max_watches) {
      DegradeLocked(ENOSPC);
      return;
    }
    // Added again even when the path is watched already (one system call): if the
    // directory was replaced by another one of the same name, the old watch is gone or
    // stale and the kernel returns a new descriptor.
    const std::string& ws = options_.indexer.workspace;
    const std::string path = rel.empty() ? (ws.empty() ? "." : ws) : JoinRel(ws, rel);
    int wd = ::inotify_add_watch(inotify_fd_, path.c_str(), kTreeMask);
    if (wd < 0) {
      // ENOENT/ENOTDIR: gone already (its parent's event brings it back if it returns).
      if (errno == ENOSPC || errno == ENOMEM) DegradeLocked(errno);
      return;
    }
    if (known != dir_to_wd_.end()) {
      if (known->second == wd) return;
      UnwatchLocked(rel);
    }
    // Several paths may reach the same directory through links: one watch, several paths.
    dir_to_wd_[rel] = wd;
    wd_to_dirs_[wd].insert(rel);
  }

  void DegradeLocked(int err) {
    if (degraded_) return;
    degraded_ = true;
    std::string limit = ReadSmallFile("/proc/sys/fs/inotify/max_user_watches");
    std::string why =
        options_.max_watches > 0 && dir_to_wd_.size() >= options_.max_watches
            ? "the configured limit of " + std::to_string(options_.max_watches) + " directories"
            : std::string(std::strerror(err)) +
                  (limit.empty() ? "" : ", fs.inotify.max_user_watches = " + limit);
    warning_ = "cannot watch every directory (" + why + "; " + std::to_string(dir_to_wd_.size()) +
               " watched): changes elsewhere are found by a full rescan every " +
               std::to_string(options_.degraded_rescan_interval.count() / 1000) + " s";
  }

  void EmitWarnings() {
    std::string warning;
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      warning.swap(warning_);
    }
    if (!warning.empty() && options_.on_warning) options_.on_warning(warning);
  }

  void UnwatchLocked(const std::string& rel) {
    auto it = dir_to_wd_.find(rel);
    if (it == dir_to_wd_.end()) return;
    const int wd = it->second;
    dir_to_wd_.erase(it);
    auto w = wd_to_dirs_.find(wd);
    if (w == wd_to_dirs_.end()) return;
    w->second.erase(rel);
    if (w->second.empty()) {
      wd_to_dirs_.erase(w);
      if (!rule_names_.count(wd)) ::inotify_rm_watch(inotify_fd_, wd);
    }
  }

  void ReadEvents() {
    alignas(inotify_event) char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(inotify_fd_, buf, sizeof buf);
      if (n <= 0) return;  // EAGAIN: drained
      const Clock::time_point now = Clock::now();
      for (ssize_t pos = 0; pos < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + pos);
        pos += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        std::string_view name =
            ev->len > 0 ? std::string_view(ev->name, std::strlen(ev->name)) : std::string_view();
        OnEvent(ev->wd, ev->mask, name, now);
      }
    }
  }

  // An event that will wake a pass.
  void Note(Clock::time_point now) {
    if (pending_events_ == 0) first_event_ = now;
    last_event_ = now;
    ++pending_events_;
  }

  void OnEvent(int wd, uint32_t mask, std::string_view name, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    ++stats_.events;
    if (mask & IN_Q_OVERFLOW) {
      ++stats_.overflows;
      full_reason_ = "overflow";
      Note(now);
      return;
    }
    if (mask & IN_IGNORED) {
      // The kernel removed the watch (directory deleted, or we removed it).
      auto w = wd_to_dirs_.find(wd);
      if (w != wd_to_dirs_.end()) {
        for (const std::string& dir : w->second) dir_to_wd_.erase(dir);
        wd_to_dirs_.erase(w);
      }
      rule_names_.erase(wd);
      return;
    }
    if (auto r = rule_names_.find(wd); r != rule_names_.end() && !name.empty()) {
      if (r->second.count(std::string(name))) {
        full_reason_ = "rules";
        Note(now);
      }
    }
    auto w = wd_to_dirs_.find(wd);
    if (w == wd_to_dirs_.end()) return;
    for (const std::string& dir : w->second) {
      if (name.empty()) {
        // The watched directory itself was deleted, moved or changed mode: re-check it (its
        // parent's event names it too). The root moved or deleted: a full run says so.
        if (dir.empty() && (mask & (IN_DELETE_SELF | IN_MOVE_SELF))) {
          full_reason_ = "root";
        } else {
          pending_.insert(dir);
        }
        Note(now);
        continue;
      }
      if (IsIgnoreFileName(name) || name == ".git") {
        // The rules of this directory's subtree changed: re-check all of it.
        pending_.insert(dir);
        Note(now);
        continue;
      }
      if (name[0] == '.') continue;  // hidden: never listed, never walked
      std::string rel = JoinRel(dir, name);
      if (!index_rel_.empty() && AtOrBelow(rel, index_rel_)) continue;
      pending_.insert(std::move(rel));
      Note(now);
    }
  }

  WatcherOptions options_;
  std::unique_ptr<Indexer> indexer_;
  int wake_fd_ = -1;
  int inotify_fd_ = -1;
  std::string index_rel_;  // the index directory relative to the workspace, if inside it

  std::atomic<bool> stop_{false};
  std::atomic<bool> cancel_{false};
  std::atomic<bool> full_requested_{false};

  // Owned by the loop thread.
  std::set<std::string> pending_;
  std::string full_reason_;  // non-empty: the next pass is a full run
  size_t pending_events_ = 0;
  bool force_now_ = false;
  bool retry_pending_ = false;
  Clock::time_point first_event_{}, last_event_{};
  Clock::time_point next_full_ = Clock::time_point::max();
  WatchState state_ = WatchState::kStandby;

  // The watch set; written by walker threads during a pass (OnDirectory), read by the loop.
  mutable std::mutex watch_mu_;
  std::map<std::string, int> dir_to_wd_;  // workspace-relative dir -> watch
  std::unordered_map<int, std::set<std::string>> wd_to_dirs_;
  std::unordered_map<int, std::set<std::string>> rule_names_;  // rule-file watches
  std::set<std::string> entered_;  // directories the current pass's scan entered
  bool degraded_ = false;
  std::string warning_;  // to emit on the loop thread
  WatcherStats stats_;

  std::mutex thread_mu_;
  std::thread thread_;
  std::atomic<std::thread::id> loop_id_{};  // the watcher thread's id once it runs
  bool started_ = false;

  std::mutex state_mu_;
  std::condition_variable state_cv_;
  bool ready_ = false;
  bool finished_ = false;
  Status final_status_;
};

Watcher::Watcher(WatcherOptions options, FileProcessor processor,
                 std::vector<DerivedIndex*> derived)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(processor), std::move(derived))) {}

Watcher::~Watcher() = default;

Status Watcher::Start() { return impl_->Start(); }
Status Watcher::WaitUntilReady() { return impl_->WaitUntilReady(); }
Status Watcher::Wait() { return impl_->Wait(); }
void Watcher::RequestStop() { impl_->RequestStop(); }
void Watcher::Stop() { impl_->Stop(); }
void Watcher::RequestFullRun() { impl_->RequestFullRun(); }
WatcherStats Watcher::Stats() const { return impl_->Stats(); }

}  // namespace codeindex
