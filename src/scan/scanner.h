// The scanner: which files of a workspace get indexed.
//
// A file is listed when every rule below lets it through. The rules (the result does not
// depend on the order in which they are evaluated; a later rule can only remove files):
//
//   1. The walk starts at the workspace root and follows symbolic links whose target
//      lies inside the workspace (ScanOptions::follow_symlinks, default kInside; the
//      original runs `rg --follow`, which follows every link, kAll here). The workspace is
//      the boundary: a link whose target (every link on the way resolved) is outside the
//      workspace root is not followed under kInside (ScanStats::links_outside), and a link
//      to the file-system root or to a directory above the workspace is never walked, in
//      any mode. A link to a directory that is already on the current path (a loop) is not
//      entered again (ScanStats::symlink_loops). A directory reachable through several
//      links is walked, and its files listed, under every path that reaches it, as ripgrep
//      --follow does: each listed path is one the user can open. Broken links are skipped
//      silently (ScanStats::broken_links). Unreadable directories and files are reported
//      once each in ScanResult::errors ("PATH: Permission denied") and skipped. Git lists
//      a link itself and never follows it; ripgrep follows none without --follow and every
//      one with it.
//   2. Names the original always ignores (docs/original.md §5.1-5.2): any file or
//      directory whose name starts with '.', the directories node_modules, __pycache__, env,
//      venv, dist, out, bundle, vendor, tmp, temp, deps, pkg, Pods, and the pairs
//      target/dependency and build/dependencies (a `dependency` directory directly inside a
//      `target` directory, ...). Only components below the workspace root count: a workspace
//      at ~/.local/src/proj or inside a `dist` directory is scanned.
//   3. Ignore files with git's exact semantics (gitignore(5); see scan/ignore.h), when the
//      workspace is inside a git work tree (ScanOptions::require_git, ripgrep's default):
//      `.gitignore` in every directory from the top of the work tree down (files above the
//      workspace apply too), `$GIT_DIR/info/exclude`, and `core.excludesFile` (default
//      `$XDG_CONFIG_HOME/git/ignore`, settings read as scan/git_repo.h says). Precedence as
//      in git: the deepest .gitignore first, then shallower ones, then info/exclude, then
//      core.excludesFile; within a file the last matching pattern wins; an excluded
//      directory is not entered, so nothing below it can be re-included. core.ignoreCase is
//      honoured (false unless configured). A directory below the root that holds its own
//      `.git` (a submodule, a nested clone) starts a new repository: the outer .gitignore
//      files stop applying there and its own info/exclude and config apply, as git run
//      inside it would decide (and as ripgrep does).
//   4. `.ignore`, `.rgignore`, `.rooignore` and `.codeindexignore` in every directory of the
//      workspace (not above it), same syntax, whether or not there is a git repository.
//      They are consulted before the git rules, deepest directory first; within one
//      directory the files are read in that order and the last matching pattern wins. So
//      they can exclude more and re-include (`!pattern`) what rule 3 excluded, like
//      ripgrep's `.ignore` over `.gitignore`.
//   5. Extension in lang/languages.h (compared lower-cased).
//   6. Size: files strictly larger than ScanOptions::max_file_size (1 MiB) are skipped.
//   7. Binary: a NUL byte in the first 8 KiB skips the file.
//
// Where this differs from `git ls-files -co --exclude-standard` (besides rules 2 and 4-7):
// git does not follow symbolic links (it lists the link itself) and lists tracked files
// even when an ignore pattern matches them; we never read the index, so an ignored file is
// skipped whether or not it is tracked (as ripgrep does). A "directory-only" pattern
// (`build/`) matches a symbolic link to a directory here (we follow it) but not in git.
// The workspace root itself and the directories above it are never tested against
// ignore patterns: naming a workspace includes it, even inside an ignored directory.
//
// Output is sorted by path bytes (deterministic, independent of thread timing). Paths are
// relative to the workspace root, '/'-separated, raw bytes: names with spaces, newlines or
// invalid UTF-8 are kept as they are.
//
// Differences from the original (docs/FIDELITY.md): no 50,000-entry cap; every
// .gitignore level applied by one matcher; .rooignore at every level, not only the root.
//
// Per-path scanning. ScanPaths() answers, for some workspace-relative paths, exactly what
// Scan() would list under them: a file path is listed or not (with its stat), a directory
// path has its subtree walked with the rules in force there. Each directory from the root
// down to the path is entered as the walk enters it (loop check, its ignore files, a nested
// repository) without being listed, and each path component is judged by the rules the
// walk applies to a directory entry; so ScanPaths(paths) == Scan() restricted to paths
// (tested on random trees). Cost: about eight system calls per ancestor directory (open,
// fstat, the five ignore-file names, .git) plus reading the git configuration once.
//
// Thread safety: Scan() and ScanPaths() may be called from several threads at once; each
// call walks with up to ScanOptions::threads threads of its own and shares no state with
// other calls (except ScanOptions::on_directory, which the caller provides).
#ifndef CODEINDEX_SCAN_SCANNER_H_
#define CODEINDEX_SCAN_SCANNER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/file.h"
#include "base/status.h"

namespace codeindex {

// Which symbolic links the walk follows (rule 1). Config: follow_symlinks = "inside" |
// "all" | "none".
enum class FollowSymlinks {
  kInside,  // links whose target resolves inside the workspace (default)
  kAll,     // every link (the original's `rg --follow`), except to `/` or above the root
  kNone,    // no link (git's listing never follows one)
};

// "inside" / "all" / "none"; kInvalidArgument otherwise.
Result<FollowSymlinks> ParseFollowSymlinks(std::string_view name);
std::string_view FollowSymlinksName(FollowSymlinks mode);

struct ScanOptions {
  // Absolute or relative path of the workspace root. REQUIRES: an existing directory
  // (otherwise Scan() fails with kNotFound or kInvalidArgument) that is not the file-system
  // root or a system directory (CheckWorkspaceRoot).
  std::string workspace;
  FollowSymlinks follow_symlinks = FollowSymlinks::kInside;
  // When it becomes true the walk stops within one directory per thread and Scan()
  // returns kCancelled.
  const std::atomic<bool>* cancel = nullptr;
  // The original's MAX_FILE_SIZE_BYTES; strictly larger files are skipped.
  uint64_t max_file_size = 1 << 20;
  // Read the first 8 KiB of every candidate and skip files with a NUL byte (rule 7). Costs
  // an open, a read and a close per candidate: about half of the scan's system calls
  // (bench/README.md). A caller that reads every listed file anyway (the indexer) may turn
  // it off and apply LooksBinary() to the bytes it reads: the result is the same.
  bool skip_binary = true;
  // Apply .gitignore / info/exclude / core.excludesFile (rule 3).
  bool git_ignore = true;
  // Apply .gitignore files only inside a git work tree (ripgrep's default; its
  // --no-require-git is `false` here). Outside a repository, info/exclude and
  // core.excludesFile never apply.
  bool require_git = true;
  // Apply .ignore, .rgignore, .rooignore and .codeindexignore (rule 4).
  bool extra_ignore_files = true;
  // Walker threads; 0 means one per core (capped at 8). The walk is system-call bound
  // (open, fstat, read, close per candidate file) and directories are independent units
  // of work. Total CPU is the same for 1, 2 and 4 threads on the 2-core bench machine (no
  // measurable pool overhead); the wall-clock gain could not be measured there because the
  // machine was saturated by other work (bench/README.md, "Scanner").
  int threads = 0;
  // Called for every directory the walk enters (not for loops, nor for the ancestors that
  // ScanPaths() passes through), with its workspace-relative path ("" for the root), before
  // the directory is listed: a watcher that starts watching it there misses no change that
  // the listing could miss. Called concurrently from the walker threads.
  std::function<void(const std::string& rel_dir)> on_directory;
};

struct ScannedFile {
  std::string path;      // relative to the workspace, '/'-separated
  uint64_t size = 0;     // bytes, from stat (after following links)
  int64_t mtime_ns = 0;  // modification time, nanoseconds since the epoch
};

struct ScanStats {
  uint64_t dirs_visited = 0;
  uint64_t dirs_skipped = 0;  // directories not entered because of rules 2-4
  uint64_t files_seen = 0;    // regular files met by the walk, before any filter
  // Each file below is counted once, under the first rule that rejected it, in the order
  // the walk checks them: name (rule 2), extension (5), ignore files (3-4), size, binary.
  uint64_t skipped_ignored = 0;  // by rules 2-4
  uint64_t skipped_extension = 0;
  uint64_t skipped_size = 0;
  uint64_t skipped_binary = 0;
  uint64_t symlink_loops = 0;  // links to a directory on their own path, not followed
  uint64_t broken_links = 0;   // links whose target does not exist (or loops of links)
  // Links not followed: target outside the workspace (kInside), a directory above the root
  // or `/` (any mode), or any link (kNone).
  uint64_t links_outside = 0;
};

struct ScanResult {
  std::vector<ScannedFile> files;  // sorted by path bytes
  // Per-path problems (unreadable directory or file, unreadable ignore file), sorted by
  // message; the walk went on without them. Each message starts with the path as the
  // user can type it (the workspace argument joined with the relative path).
  std::vector<Status> errors;
  ScanStats stats;
};

// Rule 7: the number of leading bytes inspected, and the test itself (a NUL byte among
// the first kBinaryProbeBytes of `content`).
inline constexpr size_t kBinaryProbeBytes = 8192;
bool LooksBinary(std::string_view content);

// kInvalidArgument when `physical` (an absolute path with every link resolved) is the
// file-system root or a system directory (/usr, /etc, /proc, /home, ...): indexing one
// would walk the whole machine and write `.codeindex` there. Directories below them are
// fine (/usr/include, /home/me/src).
Status CheckWorkspaceRoot(std::string_view physical);

// The workspace root's real path, after the checks every walk makes first: kNotFound when
// it does not exist, kInvalidArgument when it is not a directory or CheckWorkspaceRoot
// refuses it, kIOError when it cannot be opened. Front ends call it before creating
// `.codeindex` inside it.
Result<std::string> ResolveWorkspaceRoot(const std::string& workspace);

// Walks the workspace. Fails only when the root itself cannot be read: kNotFound when it
// does not exist, kInvalidArgument when it is not a directory or is refused by
// CheckWorkspaceRoot, kCancelled when ScanOptions::cancel was set, kIOError otherwise.
Result<ScanResult> Scan(const ScanOptions& options);

// What Scan(options) would list at or below each of `rel_paths` (see "Per-path scanning"
// above): a path naming a file gives that file (when listed), a path naming a directory
// gives its listed files, a missing or excluded path gives nothing. Paths are relative to
// the workspace, '/'-separated; "" or "." means the whole workspace; "./", "//" and a
// trailing '/' are tolerated. Overlapping paths are listed once. Errors: as Scan() for the
// root; kInvalidArgument for an absolute path or one with a ".." component. Per-path
// problems go to ScanResult::errors as in Scan().
Result<ScanResult> ScanPaths(const ScanOptions& options, const std::vector<std::string>& rel_paths);

// The canonical form of a workspace-relative path: no "." or empty components, no leading
// or trailing '/'; "" for the root. kInvalidArgument for an absolute path or "..".
Result<std::string> NormalizeRelPath(std::string_view path);

// Sorted, without duplicates, and without any path that lies below another one of the list
// ("" covers everything). REQUIRES: normalized paths.
std::vector<std::string> MinimalPathCover(std::vector<std::string> paths);

// The names of the ignore files read inside the walked tree (rules 3-4); a change to one of
// them changes what is listed below its directory.
inline constexpr std::string_view kIgnoreFileNames[] = {".gitignore", ".ignore", ".rgignore",
                                                        ".rooignore", ".codeindexignore"};

// Files outside the walked tree whose content changes the rules of Scan(options), as
// absolute paths that may not exist: the git configuration files (scan/git_repo.h), the
// repository's info/exclude, core.excludesFile, and the .gitignore files of the
// directories from the top of the work tree down to the workspace's parent. Empty outside
// a git work tree or without ScanOptions::git_ignore. Nested repositories are not included.
std::vector<std::string> RuleFilesOutsideTree(const ScanOptions& options);

}  // namespace codeindex

#endif  // CODEINDEX_SCAN_SCANNER_H_
