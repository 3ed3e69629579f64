// Internal to src/scan/: the little of git the scanner needs without running git: finding the
// work tree that contains a directory, and reading the two settings that change ignore
// rules (core.excludesFile and core.ignoreCase) from git's configuration files.
//
// What is read, in git's order (a later file overrides an earlier one):
//   1. system:  $GIT_CONFIG_SYSTEM or /etc/gitconfig (skipped when $GIT_CONFIG_NOSYSTEM is true)
//   2. global:  $GIT_CONFIG_GLOBAL if set, else $XDG_CONFIG_HOME/git/config (or
//               ~/.config/git/config) then ~/.gitconfig
//   3. local:   the repository's config file (in the common directory for linked worktrees)
// `[include] path = ...` is followed (relative to the including file, `~/` expanded, depth
// limited as git does); conditional `[includeIf ...]`, `-c`/GIT_CONFIG_PARAMETERS and
// GIT_CONFIG_COUNT are not (they do not reach a process started without them).
//
// core.excludesFile defaults to $XDG_CONFIG_HOME/git/ignore, or ~/.config/git/ignore when
// XDG_CONFIG_HOME is unset or empty. A value starting with `~/` or `~user/` is expanded; a
// relative value is relative to the top of the work tree (git's working directory).
//
// Thread safety: all functions are reentrant; they read the environment and the disk.
#ifndef CODEINDEX_SCAN_GIT_REPO_H_
#define CODEINDEX_SCAN_GIT_REPO_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace codeindex {

struct GitRepo {
  std::string work_tree;   // absolute path of the top of the work tree (no trailing '/')
  std::string git_dir;     // the repository directory ($GIT_DIR)
  std::string common_dir;  // where config and info/exclude live (== git_dir unless a worktree)
};

// The repository whose work tree top is exactly `dir`: `dir/.git` is a directory with a HEAD
// file, or a file "gitdir: PATH" naming one (submodules, `git worktree add`).
std::optional<GitRepo> OpenGitRepoAt(const std::string& dir);

// Walks up from `dir` (an absolute, symlink-free path) to the nearest directory for which
// OpenGitRepoAt succeeds, like git's discovery (without GIT_DIR, ceiling directories or the
// file-system boundary check).
std::optional<GitRepo> DiscoverGitRepo(const std::string& dir);

// The ignore-related settings of one repository after reading every configuration file.
struct GitIgnoreSettings {
  std::string excludes_file;  // absolute path of core.excludesFile or its default; may not exist
  bool ignore_case = false;   // core.ignoreCase
  // Every configuration file consulted, in reading order, whether or not it exists (an
  // included file only when the file that includes it exists): a change to any of them may
  // change the two settings above (the watcher watches them).
  std::vector<std::string> config_files;
};
GitIgnoreSettings ReadGitIgnoreSettings(const GitRepo& repo);

// One assignment found in a configuration text: `key` is "section.name" lower-cased
// ("core.excludesfile"); `value` is absent for a bare `name` line (which means true).
struct GitConfigEntry {
  std::string key;
  std::optional<std::string> value;
};
// Parses git-config syntax (sections, quoting, escapes, continuation lines, comments) and
// returns, in file order, the assignments of sections without a subsection. Malformed lines
// are skipped (git would refuse the whole file; we prefer to keep scanning).
std::vector<GitConfigEntry> ParseGitConfig(std::string_view text);

// git's boolean syntax: true/yes/on/1 (or any non-zero number), false/no/off/0/"".
std::optional<bool> ParseGitBool(std::string_view value);

// `~/x` -> $HOME/x, `~user/x` -> that user's home; anything else unchanged.
std::string ExpandGitPath(std::string_view value);

}  // namespace codeindex

#endif  // CODEINDEX_SCAN_GIT_REPO_H_
