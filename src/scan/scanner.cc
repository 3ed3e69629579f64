#include "scan/scanner.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/languages.h"
#include "scan/git_repo.h"
#include "scan/ignore.h"

namespace codeindex {
namespace {

// docs/original.md §5.1 DIRS_TO_IGNORE, single-component entries (`.git` and `.*`
// are covered by the hidden-name rule, the two pairs by IsIgnoredPair).
constexpr std::string_view kIgnoredNames[] = {
    "node_modules", "__pycache__", "env",  "venv", "dist", "out",  "bundle",
    "vendor",       "tmp",         "temp", "deps", "pkg",  "Pods",
};

bool IsIgnoredName(std::string_view name) {
  for (std::string_view n : kIgnoredNames) {
    if (n == name) return true;
  }
  return false;
}

// `target/dependency` and `build/dependencies`: `parent` is the name of the directory that
// holds `name`, empty when that directory is the workspace root (which does not count).
bool IsIgnoredPair(std::string_view parent, std::string_view name) {
  return (parent == "target" && name == "dependency") ||
         (parent == "build" && name == "dependencies");
}

// The supported extensions, for a lookup per file without allocating.
class ExtensionSet {
 public:
  ExtensionSet() {
    for (const LanguageEntry& e : Languages()) {
      exts_.emplace_back(e.extension);
      max_len_ = std::max(max_len_, e.extension.size());
    }
  }
  bool Contains(std::string_view name) const {
    size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return false;
    size_t len = name.size() - dot;
    if (len > max_len_) return false;
    char buf[32];
    for (size_t i = 0; i < len; ++i) {
      char c = name[dot + i];
      buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    std::string_view ext(buf, len);
    for (const std::string& e : exts_) {
      if (e == ext) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> exts_;
  size_t max_len_ = 0;
};

const ExtensionSet& Extensions() {
  static const ExtensionSet* set = new ExtensionSet();
  return *set;
}

struct DirId {
  dev_t dev;
  ino_t ino;
};

// The directories on the path from the root to a directory, for loop detection.
struct Ancestor {
  std::shared_ptr<const Ancestor> parent;
  DirId id;
};

// One git repository met by the walk (the one around the workspace, or a nested one).
struct GitContext {
  // Path of the workspace relative to the top of the work tree, without trailing '/';
  // empty when the work tree top is the workspace root or below it.
  std::string ws_prefix;
  // For a repository nested in the workspace: length of its workspace-relative path plus
  // one (the '/'), dropped from workspace-relative paths to get repository paths.
  size_t strip = 0;
  bool casefold = false;
  IgnoreList info_exclude;   // $GIT_DIR/info/exclude
  IgnoreList excludes_file;  // core.excludesFile
};

// A directory waiting to be walked, with the rules in force inside it.
struct DirJob {
  std::string rel;  // relative to the workspace, "" for the root
  std::shared_ptr<const Ancestor> ancestors;
  std::shared_ptr<const IgnoreNode> extra;      // .ignore ... .codeindexignore, deepest first
  std::shared_ptr<const GitContext> git;        // null outside a repository
  std::shared_ptr<const IgnoreNode> gitignore;  // .gitignore files of `git`, deepest first
};

// The path of a workspace-relative path inside its repository.
std::string_view GitPath(const GitContext& g, std::string_view rel, std::string* scratch) {
  if (g.ws_prefix.empty()) {
    // Outer repository at the workspace root (strip 0), or a nested one: drop its prefix;
    // its own top directory maps to "".
    return g.strip > rel.size() ? std::string_view() : rel.substr(g.strip);
  }
  if (rel.empty()) return g.ws_prefix;
  scratch->assign(g.ws_prefix);
  scratch->push_back('/');
  scratch->append(rel);
  return *scratch;
}

std::string JoinRel(std::string_view dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out.append(dir);
  if (!dir.empty()) out.push_back('/');
  out.append(name);
  return out;
}

std::string_view BaseName(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? rel : rel.substr(slash + 1);
}

// Reads a whole small file relative to a directory descriptor. Returns false with errno set.
bool ReadAt(int dirfd, const char* name, int extra_flags, std::string* out) {
  int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | extra_flags);
  if (fd < 0) return false;
  out->clear();
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      errno = err;
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

IgnoreList ReadIgnoreFile(const std::string& path, std::string_view base, bool casefold) {
  std::string content;
  if (!ReadAt(AT_FDCWD, path.c_str(), 0, &content)) return IgnoreList();
  return IgnoreList::Parse(content, base, casefold, path);
}

struct ThreadOut {
  std::vector<ScannedFile> files;
  std::vector<Status> errors;
  ScanStats stats;
  std::string scratch;
  std::string names;  // directory entry names of the directory being read
  struct Entry {
    uint32_t offset;
    uint32_t len;
    unsigned char type;
  };
  std::vector<Entry> entries;
  std::unique_ptr<char[]> dents = std::make_unique<char[]>(kDentsBufSize);
  static constexpr size_t kDentsBufSize = 64 * 1024;
};

class Walker {
 public:
  Walker(const ScanOptions& options, std::string root, std::string physical)
      : options_(options), root_(std::move(root)), physical_(std::move(physical)) {
    int threads = options.threads;
    if (threads <= 0) {
      threads = static_cast<int>(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
    }
    outs_.resize(static_cast<size_t>(threads));
  }

  // Walks every job (and what lies below) on the pool, then merges what every thread found,
  // including what the caller already put in out0() (ScanPaths' single files).
  ScanResult Run(std::vector<DirJob> jobs) {
    for (DirJob& j : jobs) queue_.push_back(std::move(j));
    std::vector<std::thread> threads;
    if (!queue_.empty()) {
      for (size_t i = 1; i < outs_.size(); ++i) threads.emplace_back([this, i] { Work(i); });
      Work(0);
    }
    for (std::thread& t : threads) t.join();

    ScanResult result;
    size_t total = 0;
    for (const ThreadOut& o : outs_) total += o.files.size();
    result.files.reserve(total);
    for (ThreadOut& o : outs_) {
      std::move(o.files.begin(), o.files.end(), std::back_inserter(result.files));
      std::move(o.errors.begin(), o.errors.end(), std::back_inserter(result.errors));
      const ScanStats& s = o.stats;
      ScanStats& r = result.stats;
      r.dirs_visited += s.dirs_visited;
      r.dirs_skipped += s.dirs_skipped;
      r.files_seen += s.files_seen;
      r.skipped_ignored += s.skipped_ignored;
      r.skipped_extension += s.skipped_extension;
      r.skipped_size += s.skipped_size;
      r.skipped_binary += s.skipped_binary;
      r.symlink_loops += s.symlink_loops;
      r.broken_links += s.broken_links;
      r.links_outside += s.links_outside;
    }
    std::sort(result.files.begin(), result.files.end(),
              [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
    std::sort(result.errors.begin(), result.errors.end(),
              [](const Status& a, const Status& b) { return a.message() < b.message(); });
    return result;
  }

  // ScanPaths: decides about `rel` (a normalized workspace-relative path, "" for the root)
  // as the walk from `root` would. Each directory on the way is entered as WalkDir enters
  // it (loop check, its own ignore files, a nested repository) without being listed, and
  // each component is judged by the rules WalkDir applies to an entry. A directory at the
  // end becomes a job for Run(); a file at the end is listed into out0().
  void Descend(const DirJob& root, std::string_view rel, std::vector<DirJob>* jobs) {
    if (rel.empty()) {
      jobs->push_back(root);
      return;
    }
    ThreadOut& out = outs_[0];
    DirJob job = root;
    size_t start = 0;
    for (;;) {
      const size_t slash = rel.find('/', start);
      const bool last = slash == std::string_view::npos;
      const std::string name(rel.substr(start, last ? rel.npos : slash - start));
      std::shared_ptr<const Ancestor> ancestors;
      const int fd = EnterDir(job, out, /*list=*/false, &ancestors);
      if (fd < 0) return;
      struct stat st;
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
          !LinkAllowed(job.rel, name, out)) {
        ::close(fd);
        return;
      }
      if (::fstatat(fd, name.c_str(), &st, 0) != 0) {
        // Absent, or a broken link: nothing listed under this path.
        ::close(fd);
        return;
      }
      const unsigned char type = S_ISDIR(st.st_mode)   ? DT_DIR
                                 : S_ISREG(st.st_mode) ? DT_REG
                                                       : DT_UNKNOWN;
      std::string child_rel;
      const EntryKind kind = Classify(job, name, type, &child_rel, out);
      if (kind == EntryKind::kFile && last) {
        AddFile(fd, name.c_str(), std::move(child_rel), &st, out);
      }
      ::close(fd);
      if (kind != EntryKind::kDir) return;  // skipped, or a file with more path below it
      DirJob child{std::move(child_rel), std::move(ancestors), job.extra, job.git, job.gitignore};
      if (last) {
        jobs->push_back(std::move(child));
        return;
      }
      job = std::move(child);
      start = slash + 1;
    }
  }

 private:
  // Shared-queue pool: each thread pops a directory, reads it without the lock, then pushes
  // the subdirectories it found. Directories are the unit of work; a thread that finds the
  // queue empty waits until another thread pushes work or the last busy thread finishes.
  void Work(size_t index) {
    ThreadOut& out = outs_[index];
    std::vector<DirJob> children;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      while (queue_.empty() && active_ > 0) cv_.wait(lock);
      if (queue_.empty()) {
        cv_.notify_all();
        return;
      }
      DirJob job = std::move(queue_.back());
      queue_.pop_back();
      ++active_;
      lock.unlock();
      children.clear();
      // Cancelled: the remaining jobs are popped without being walked.
      if (options_.cancel == nullptr || !options_.cancel->load(std::memory_order_relaxed)) {
        WalkDir(job, out, &children);
      }
      lock.lock();
      --active_;
      for (DirJob& c : children) queue_.push_back(std::move(c));
      if (!children.empty() || active_ == 0) cv_.notify_all();
    }
  }

  std::string Display(std::string_view rel) const {
    if (rel.empty()) return root_;
    std::string out = root_;
    if (out.back() != '/') out.push_back('/');
    out.append(rel);
    return out;
  }

  // Rule 1 for the symbolic link `name` in the directory `dir_rel`: whether the walk may
  // follow it. A broken link is allowed here (the caller's stat then counts it as broken).
  bool LinkAllowed(std::string_view dir_rel, std::string_view name, ThreadOut& out) const {
    if (options_.follow_symlinks == FollowSymlinks::kNone) {
      ++out.stats.links_outside;
      return false;
    }
    const std::string path = Display(JoinRel(dir_rel, name));
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return true;
    const std::string_view target(buf);
    // `/` or a directory above the workspace: walking it would list the whole machine or the
    // workspace's siblings. The root itself is left to the loop check.
    const bool above = target != physical_ && PathInsideRoot(physical_, target);
    if (above || (options_.follow_symlinks == FollowSymlinks::kInside &&
                  !PathInsideRoot(target, physical_))) {
      ++out.stats.links_outside;
      return false;
    }
    return true;
  }

  void Error(ThreadOut& out, std::string_view rel, int err) {
    out.errors.push_back(Status::FromErrno(Display(rel), err));
  }

  // Rules 3-4 for an entry of `dir` (whose own ignore files are already in `dir`).
  bool Excluded(const DirJob& dir, std::string_view rel, bool is_dir, std::string* scratch) const {
    if (dir.extra != nullptr) {
      IgnoreMatch m = MatchChain(dir.extra.get(), rel, is_dir);
      if (m != IgnoreMatch::kNone) return m == IgnoreMatch::kIgnore;
    }
    if (dir.git != nullptr) {
      std::string_view path = GitPath(*dir.git, rel, scratch);
      IgnoreMatch m = MatchChain(dir.gitignore.get(), path, is_dir);
      if (m == IgnoreMatch::kNone) m = dir.git->info_exclude.Match(path, is_dir);
      if (m == IgnoreMatch::kNone) m = dir.git->excludes_file.Match(path, is_dir);
      return m == IgnoreMatch::kIgnore;
    }
    return false;
  }

  bool ReadEntries(int fd, ThreadOut& out) {
    out.names.clear();
    out.entries.clear();
    for (;;) {
      ssize_t n = ::getdents64(fd, out.dents.get(), ThreadOut::kDentsBufSize);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (n == 0) return true;
      for (ssize_t pos = 0; pos < n;) {
        const auto* d = reinterpret_cast<const struct dirent64*>(out.dents.get() + pos);
        pos += d->d_reclen;
        const char* name = d->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        size_t len = std::strlen(name);
        out.entries.push_back(
            {static_cast<uint32_t>(out.names.size()), static_cast<uint32_t>(len), d->d_type});
        out.names.append(name, len + 1);  // keep the NUL: names are passed to *at() calls
      }
    }
  }

  // Starts a nested repository when `dir` (below the root) holds a `.git`.
  void MaybeEnterNestedRepo(DirJob* dir) {
    std::optional<GitRepo> repo = OpenGitRepoAt(Display(dir->rel));
    if (!repo) return;
    auto ctx = std::make_shared<GitContext>();
    ctx->strip = dir->rel.size() + 1;
    GitIgnoreSettings settings = ReadGitIgnoreSettings(*repo);
    ctx->casefold = settings.ignore_case;
    ctx->info_exclude = ReadIgnoreFile(repo->common_dir + "/info/exclude", "", ctx->casefold);
    if (!settings.excludes_file.empty()) {
      ctx->excludes_file = ReadIgnoreFile(settings.excludes_file, "", ctx->casefold);
    }
    dir->git = std::move(ctx);
    dir->gitignore = nullptr;
  }

  // Opens the directory of `job`, refuses a loop, and with `list` reads its entries into
  // `out` (and tells ScanOptions::on_directory). Then loads the directory's own ignore files
  // into `job`: those the listing shows, or, without a listing, every name that could be
  // one (a missing file is skipped exactly as a listed file that vanished). Sets
  // `*ancestors` to the chain for the directory's children. Returns the open descriptor
  // (the caller closes it), or -1 when the directory is not walked.
  int EnterDir(DirJob& job, ThreadOut& out, bool list, std::shared_ptr<const Ancestor>* ancestors) {
    const std::string path = Display(job.rel);
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      // Gone since it was listed (or a race with a rename): nothing to report.
      if (errno != ENOENT && errno != ENOTDIR) Error(out, job.rel, errno);
      return -1;
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Error(out, job.rel, errno);
      ::close(fd);
      return -1;
    }
    for (const Ancestor* a = job.ancestors.get(); a != nullptr; a = a->parent.get()) {
      if (a->id.dev == st.st_dev && a->id.ino == st.st_ino) {
        ++out.stats.symlink_loops;
        ::close(fd);
        return -1;
      }
    }
    if (list) {
      // Before the listing, so that a watcher that starts watching here sees every change
      // the listing may have missed.
      if (options_.on_directory) options_.on_directory(job.rel);
      if (!ReadEntries(fd, out)) {
        Error(out, job.rel, errno);
        ::close(fd);
        return -1;
      }
      ++out.stats.dirs_visited;
    }

    auto self = std::make_shared<Ancestor>();
    self->parent = job.ancestors;
    self->id = {st.st_dev, st.st_ino};
    *ancestors = std::move(self);

    // Ignore files of this directory, found in the listing (no extra system calls when
    // there are none).
    bool has_git = !list, has_gitignore = !list;
    bool extra_present[4] = {!list, !list, !list, !list};
    static constexpr const char* kExtraNames[4] = {".ignore", ".rgignore", ".rooignore",
                                                   ".codeindexignore"};
    if (list) {
      for (const ThreadOut::Entry& e : out.entries) {
        const char* name = out.names.data() + e.offset;
        if (name[0] != '.') continue;
        std::string_view n(name, e.len);
        if (n == ".git")
          has_git = true;
        else if (n == ".gitignore")
          has_gitignore = true;
        for (int i = 0; i < 4; ++i) {
          if (n == kExtraNames[i]) extra_present[i] = true;
        }
      }
    }
    if (has_git && !job.rel.empty() && options_.git_ignore) MaybeEnterNestedRepo(&job);
    if (has_gitignore && job.git != nullptr) {
      std::string content;
      // Like git, an in-tree .gitignore that is a symbolic link is not followed.
      if (ReadAt(fd, ".gitignore", O_NOFOLLOW, &content)) {
        std::string scratch;
        std::string base(GitPath(*job.git, job.rel, &scratch));
        auto node = std::make_shared<IgnoreNode>();
        node->parent = job.gitignore;
        node->list =
            IgnoreList::Parse(content, base, job.git->casefold, JoinRel(job.rel, ".gitignore"));
        if (!node->list.empty()) job.gitignore = std::move(node);
      } else if (errno != ENOENT && errno != ELOOP && errno != EISDIR) {
        Error(out, JoinRel(job.rel, ".gitignore"), errno);
      }
    }
    if (options_.extra_ignore_files) {
      IgnoreList merged;
      bool any = false;
      for (int i = 0; i < 4; ++i) {
        if (!extra_present[i]) continue;
        std::string content;
        if (!ReadAt(fd, kExtraNames[i], 0, &content)) {
          if (errno != ENOENT && errno != EISDIR)
            Error(out, JoinRel(job.rel, kExtraNames[i]), errno);
          continue;
        }
        IgnoreList list_i =
            IgnoreList::Parse(content, job.rel, false, JoinRel(job.rel, kExtraNames[i]));
        if (!any)
          merged = std::move(list_i);
        else
          merged.Append(list_i);
        any = true;
      }
      if (any && !merged.empty()) {
        auto node = std::make_shared<IgnoreNode>();
        node->parent = job.extra;
        node->list = std::move(merged);
        job.extra = std::move(node);
      }
    }
    return fd;
  }

  enum class EntryKind { kSkip, kDir, kFile };

  // Rules 2-5 for the entry `name` of `dir` (whose own ignore files are loaded), whose type
  // (after following links) is `type`. For kDir and kFile, `*rel` is the entry's path.
  EntryKind Classify(const DirJob& dir, std::string_view name, unsigned char type, std::string* rel,
                     ThreadOut& out) const {
    if (type == DT_DIR) {
      const std::string_view parent_name = dir.rel.empty() ? std::string_view() : BaseName(dir.rel);
      if (name[0] == '.' || IsIgnoredName(name) || IsIgnoredPair(parent_name, name)) {
        ++out.stats.dirs_skipped;
        return EntryKind::kSkip;
      }
      *rel = JoinRel(dir.rel, name);
      if (Excluded(dir, *rel, /*is_dir=*/true, &out.scratch)) {
        ++out.stats.dirs_skipped;
        return EntryKind::kSkip;
      }
      return EntryKind::kDir;
    }
    if (type != DT_REG) return EntryKind::kSkip;  // sockets, fifos, devices
    ++out.stats.files_seen;
    if (name[0] == '.' || IsIgnoredName(name)) {
      ++out.stats.skipped_ignored;
      return EntryKind::kSkip;
    }
    if (!Extensions().Contains(name)) {
      ++out.stats.skipped_extension;
      return EntryKind::kSkip;
    }
    *rel = JoinRel(dir.rel, name);
    if (Excluded(dir, *rel, /*is_dir=*/false, &out.scratch)) {
      ++out.stats.skipped_ignored;
      return EntryKind::kSkip;
    }
    return EntryKind::kFile;
  }

  void WalkDir(DirJob& job, ThreadOut& out, std::vector<DirJob>* children) {
    std::shared_ptr<const Ancestor> ancestors;
    const int fd = EnterDir(job, out, /*list=*/true, &ancestors);
    if (fd < 0) return;
    for (const ThreadOut::Entry& e : out.entries) {
      const char* cname = out.names.data() + e.offset;
      std::string_view name(cname, e.len);
      unsigned char type = e.type;
      struct stat est;
      bool have_stat = false;
      if (type == DT_UNKNOWN && ::fstatat(fd, cname, &est, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(est.st_mode)) {
        type = DT_LNK;
      }
      if (type == DT_LNK && !LinkAllowed(job.rel, name, out)) continue;
      if (type == DT_LNK || type == DT_UNKNOWN) {
        if (::fstatat(fd, cname, &est, 0) != 0) {
          if (type == DT_LNK || errno == ELOOP) ++out.stats.broken_links;
          continue;
        }
        have_stat = true;
        type = S_ISDIR(est.st_mode) ? DT_DIR : S_ISREG(est.st_mode) ? DT_REG : DT_UNKNOWN;
      }
      std::string rel;
      switch (Classify(job, name, type, &rel, out)) {
        case EntryKind::kSkip:
          break;
        case EntryKind::kDir:
          children->push_back(DirJob{std::move(rel), ancestors, job.extra, job.git, job.gitignore});
          break;
        case EntryKind::kFile:
          AddFile(fd, cname, std::move(rel), have_stat ? &est : nullptr, out);
          break;
      }
    }
    ::close(fd);
  }

  // Rules 6-7 for one candidate file, then lists it.
  void AddFile(int dirfd, const char* name, std::string rel, const struct stat* known,
               ThreadOut& out) {
    struct stat st;
    if (!options_.skip_binary) {
      if (known != nullptr) {
        st = *known;
      } else if (::fstatat(dirfd, name, &st, 0) != 0) {
        if (errno != ENOENT) Error(out, rel, errno);
        return;
      }
      if (static_cast<uint64_t>(st.st_size) > options_.max_file_size) {
        ++out.stats.skipped_size;
        return;
      }
    } else {
      int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      if (fd < 0) {
        if (errno != ENOENT) Error(out, rel, errno);
        return;
      }
      if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return;
      }
      if (static_cast<uint64_t>(st.st_size) > options_.max_file_size) {
        ++out.stats.skipped_size;
        ::close(fd);
        return;
      }
      char buf[kBinaryProbeBytes];
      // Stop at the size fstat gave: for the usual file shorter than the probe, this saves
      // the read() that would only report end of file (a third of the system calls).
      const size_t want = std::min(sizeof buf, static_cast<size_t>(std::max<off_t>(st.st_size, 0)));
      size_t got = 0;
      while (got < want) {
        ssize_t n = ::read(fd, buf + got, sizeof buf - got);
        if (n < 0) {
          if (errno == EINTR) continue;
          int err = errno;
          ::close(fd);
          Error(out, rel, err);
          return;
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
      }
      ::close(fd);
      if (LooksBinary(std::string_view(buf, got))) {
        ++out.stats.skipped_binary;
        return;
      }
    }
    ScannedFile f;
    f.path = std::move(rel);
    f.size = static_cast<uint64_t>(st.st_size);
    f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    out.files.push_back(std::move(f));
  }

  const ScanOptions& options_;
  const std::string root_;
  const std::string physical_;  // the root with every link resolved
  std::vector<ThreadOut> outs_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<DirJob> queue_;  // guarded by mu_
  int active_ = 0;             // guarded by mu_: directories being walked
};

// The git context of the repository around the workspace, with the .gitignore files of the
// directories between the top of the work tree and the workspace (exclusive).
void SetUpOuterRepo(const ScanOptions& options, const std::string& physical, DirJob* root) {
  if (!options.git_ignore) return;
  std::optional<GitRepo> repo = DiscoverGitRepo(physical);
  if (!repo) {
    if (!options.require_git) root->git = std::make_shared<GitContext>();
    return;
  }
  auto ctx = std::make_shared<GitContext>();
  if (physical.size() > repo->work_tree.size()) {
    size_t skip = repo->work_tree == "/" ? 1 : repo->work_tree.size() + 1;
    ctx->ws_prefix = physical.substr(skip);
  }
  GitIgnoreSettings settings = ReadGitIgnoreSettings(*repo);
  ctx->casefold = settings.ignore_case;
  ctx->info_exclude = ReadIgnoreFile(repo->common_dir + "/info/exclude", "", ctx->casefold);
  if (!settings.excludes_file.empty()) {
    ctx->excludes_file = ReadIgnoreFile(settings.excludes_file, "", ctx->casefold);
  }
  // .gitignore files above the workspace, from the top of the work tree down to the
  // workspace's parent (the workspace's own is read by the walk).
  std::shared_ptr<const IgnoreNode> chain;
  if (!ctx->ws_prefix.empty()) {
    std::vector<std::string> bases{""};
    for (size_t pos = ctx->ws_prefix.find('/'); pos != std::string::npos;
         pos = ctx->ws_prefix.find('/', pos + 1)) {
      bases.push_back(ctx->ws_prefix.substr(0, pos));
    }
    for (const std::string& base : bases) {
      std::string file = repo->work_tree;
      if (file.back() != '/') file.push_back('/');
      if (!base.empty()) file += base + "/";
      file += ".gitignore";
      std::string content;
      if (!ReadAt(AT_FDCWD, file.c_str(), O_NOFOLLOW, &content)) continue;
      auto node = std::make_shared<IgnoreNode>();
      node->parent = chain;
      node->list = IgnoreList::Parse(content, base, ctx->casefold, file);
      if (!node->list.empty()) chain = std::move(node);
    }
  }
  root->git = std::move(ctx);
  root->gitignore = std::move(chain);
}

}  // namespace

Result<FollowSymlinks> ParseFollowSymlinks(std::string_view name) {
  if (name == "inside") return FollowSymlinks::kInside;
  if (name == "all") return FollowSymlinks::kAll;
  if (name == "none") return FollowSymlinks::kNone;
  return Status::InvalidArgument("follow_symlinks: '" + std::string(name) +
                                 "' is not one of inside, all, none");
}

std::string_view FollowSymlinksName(FollowSymlinks mode) {
  switch (mode) {
    case FollowSymlinks::kInside: return "inside";
    case FollowSymlinks::kAll: return "all";
    case FollowSymlinks::kNone: return "none";
  }
  return "inside";
}

Status CheckWorkspaceRoot(std::string_view physical) {
  // The file-system root and the directories of the Filesystem Hierarchy Standard that hold
  // the system or every user's files, not a project.
  static constexpr std::string_view kRefused[] = {
      "/",     "/bin",  "/boot", "/dev",  "/etc", "/home", "/lib", "/lib32", "/lib64",
      "/libx32", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv",
      "/sys",  "/tmp",  "/usr",  "/var",  "/usr/lib", "/usr/share", "/usr/local", "/var/lib"};
  for (std::string_view r : kRefused) {
    if (physical == r) {
      return Status::InvalidArgument(std::string(physical) +
                                     ": refusing to index a system directory (it would walk "
                                     "the whole machine); name a project directory instead");
    }
  }
  return Status::OK();
}

bool LooksBinary(std::string_view content) {
  return std::memchr(content.data(), '\0', std::min(content.size(), kBinaryProbeBytes)) != nullptr;
}

namespace {

// The root of a walk: the workspace as the user named it (for messages and system calls),
// and its physical path (for git discovery).
struct Root {
  std::string display;
  std::string physical;
};

Result<Root> OpenRoot(const ScanOptions& options) {
  Root r;
  r.display = options.workspace.empty() ? "." : options.workspace;
  while (r.display.size() > 1 && r.display.back() == '/') r.display.pop_back();
  struct stat st;
  if (::stat(r.display.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(r.display + ": no such directory");
    return Status::FromErrno(r.display, err);
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(r.display + ": not a directory");
  int fd = ::open(r.display.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(r.display, errno);
  ::close(fd);
  char* real = ::realpath(r.display.c_str(), nullptr);
  if (real == nullptr) return Status::FromErrno(r.display, errno);
  r.physical = real;
  std::free(real);
  Status allowed = CheckWorkspaceRoot(r.physical);
  if (!allowed.ok()) return allowed;
  return r;
}

Result<ScanResult> Finish(const ScanOptions& options, ScanResult result) {
  if (options.cancel != nullptr && options.cancel->load()) {
    return Status::Cancelled("scan interrupted");
  }
  return result;
}

}  // namespace

Result<std::string> ResolveWorkspaceRoot(const std::string& workspace) {
  ScanOptions o;
  o.workspace = workspace;
  ASSIGN_OR_RETURN(Root root, OpenRoot(o));
  return root.physical;
}

Result<ScanResult> Scan(const ScanOptions& options) {
  ASSIGN_OR_RETURN(Root root, OpenRoot(options));
  DirJob root_job;
  SetUpOuterRepo(options, root.physical, &root_job);
  Walker walker(options, root.display, root.physical);
  std::vector<DirJob> jobs;
  jobs.push_back(std::move(root_job));
  return Finish(options, walker.Run(std::move(jobs)));
}

Result<std::string> NormalizeRelPath(std::string_view path) {
  std::string out;
  size_t start = 0;
  if (!path.empty() && path[0] == '/') {
    return Status::InvalidArgument(std::string(path) + ": not relative to the workspace");
  }
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view c = path.substr(start, slash - start);
    if (c == "..") {
      return Status::InvalidArgument(std::string(path) + ": leaves the workspace");
    }
    if (!c.empty() && c != ".") {
      if (!out.empty()) out.push_back('/');
      out.append(c);
    }
    start = slash + 1;
  }
  return out;
}

std::vector<std::string> MinimalPathCover(std::vector<std::string> paths) {
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  if (!paths.empty() && paths.front().empty()) return {std::string()};
  std::vector<std::string> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& p = paths[i];
    bool covered = false;
    for (size_t pos = p.find('/'); pos != std::string::npos && !covered;
         pos = p.find('/', pos + 1)) {
      covered = std::binary_search(paths.begin(), paths.begin() + static_cast<ptrdiff_t>(i),
                                   std::string_view(p).substr(0, pos),
                                   [](std::string_view a, std::string_view b) { return a < b; });
    }
    if (!covered) out.push_back(p);
  }
  return out;
}

Result<ScanResult> ScanPaths(const ScanOptions& options,
                             const std::vector<std::string>& rel_paths) {
  std::vector<std::string> normalized;
  normalized.reserve(rel_paths.size());
  for (const std::string& p : rel_paths) {
    ASSIGN_OR_RETURN(std::string n, NormalizeRelPath(p));
    normalized.push_back(std::move(n));
  }
  normalized = MinimalPathCover(std::move(normalized));
  ASSIGN_OR_RETURN(Root root, OpenRoot(options));
  DirJob root_job;
  SetUpOuterRepo(options, root.physical, &root_job);
  Walker walker(options, root.display, root.physical);
  std::vector<DirJob> jobs;
  for (const std::string& p : normalized) walker.Descend(root_job, p, &jobs);
  return Finish(options, walker.Run(std::move(jobs)));
}

std::vector<std::string> RuleFilesOutsideTree(const ScanOptions& options) {
  std::vector<std::string> out;
  if (!options.git_ignore) return out;
  Result<Root> root = OpenRoot(options);
  if (!root.ok()) return out;
  std::optional<GitRepo> repo = DiscoverGitRepo(root->physical);
  if (!repo) return out;
  GitIgnoreSettings settings = ReadGitIgnoreSettings(*repo);
  out = std::move(settings.config_files);
  out.push_back(repo->common_dir + "/info/exclude");
  if (!settings.excludes_file.empty()) out.push_back(settings.excludes_file);
  // The .gitignore files from the top of the work tree down to the workspace's parent.
  if (root->physical.size() > repo->work_tree.size()) {
    std::string dir = repo->work_tree;
    const size_t skip = repo->work_tree == "/" ? 1 : repo->work_tree.size() + 1;
    const std::string prefix = root->physical.substr(skip);
    if (dir.back() != '/') dir.push_back('/');
    out.push_back(dir + ".gitignore");
    for (size_t pos = prefix.find('/'); pos != std::string::npos; pos = prefix.find('/', pos + 1)) {
      out.push_back(dir + prefix.substr(0, pos) + "/.gitignore");
    }
  }
  return out;
}

}  // namespace codeindex
