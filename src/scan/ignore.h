// Internal to src/scan/: gitignore(5) patterns, compiled once and matched the way git's
// dir.c matches them. The scanner's contract (which ignore files apply, in which order) is
// in scan/scanner.h; this header only answers "does this list of patterns decide about
// this path, and how?".
//
// Why hand-written and not a library. The candidates on this machine were libgit2 (Debian
// libgit2-dev) and fnmatch(3). fnmatch has no `**`, and its FNM_PATHNAME rules differ from
// git's wildmatch (e.g. `a/**/b` matching `a/b`, `[!...]` vs `[^...]`, the "abort to `**`"
// shortcut). libgit2 re-implements ignore matching itself and is known to differ from git in
// corner cases (trailing-space escapes, `**` in the middle, negated directory patterns), and
// it would also bring its own directory walk that we cannot run in parallel. So this file
// re-states git's algorithm: pattern parsing as parse_path_pattern()/add_patterns_from_buffer()
// do, matching as match_basename()/match_pathname(), and the glob engine as wildmatch.c. The
// behaviour, not the code, is git's; tests in ignore_test.cc pin it, and
// tests/e2e/scan_git_e2e_test.cc compares whole trees with `git ls-files`.
//
// Pattern semantics, as git applies them (gitignore(5)):
//   - Lines are split on '\n'; a trailing '\r' is dropped; a UTF-8 BOM at the start of the
//     file is skipped; empty lines and lines starting with '#' are skipped.
//   - Trailing spaces are removed unless escaped with a backslash (`foo\ ` keeps one space).
//     Tabs are not trimmed.
//   - A leading '!' negates (re-includes); `\!` and `\#` match a literal '!' or '#'.
//   - A trailing '/' makes the pattern match directories only (the slash is dropped).
//   - A pattern with no other '/' matches the basename at any depth below the file's
//     directory; with a '/' at the start or in the middle it is anchored to the directory
//     of the ignore file and matched against the whole relative path (`*` and `?` do not
//     cross '/', `**` does when it is a whole path component: `**/x`, `x/**`, `a/**/b`).
//   - `*`, `?`, `[abc]`, `[a-z]`, `[!a-z]`/`[^a-z]`, `[[:alpha:]]` classes, `\x` escapes.
//   - Within one list the last matching pattern wins.
//
// Case: matching is byte-exact unless the list was compiled with `casefold` (git's
// core.ignoreCase, false by default on Linux), which then folds ASCII letters only, like git.
//
// Thread safety: an IgnoreList is immutable after Parse(); Match() may be called from any
// number of threads.
#ifndef CODEINDEX_SCAN_IGNORE_H_
#define CODEINDEX_SCAN_IGNORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace codeindex {

// git's wildmatch(): does `text` match the glob `pattern`? With `pathname`, '*' and '?' do
// not match '/', and `**` is special only as a whole path component (WM_PATHNAME); without
// it '*' matches anything. `casefold` folds ASCII letters (WM_CASEFOLD).
bool WildMatch(std::string_view pattern, std::string_view text, bool pathname,
               bool casefold = false);

enum class IgnoreMatch : uint8_t {
  kNone,       // no pattern of the list matches: ask the next list
  kIgnore,     // the last matching pattern excludes the path
  kWhitelist,  // the last matching pattern is a negation ('!'): the path is included
};

// One compiled pattern; exposed for tests and benchmarks.
struct IgnorePattern {
  enum Flags : uint8_t {
    kNegative = 1,   // '!pattern'
    kMustBeDir = 2,  // 'pattern/'
    kNoDir = 4,      // no '/' (other than a trailing one): matches the basename
    kEndsWith = 8,   // '*literal': basename ends with the literal
  };
  // Which fast path Match() takes before falling back to WildMatch.
  enum class Kind : uint8_t {
    kBasenameLiteral,   // basename == text
    kBasenameEndsWith,  // basename ends with text[1..]       ("*.o")
    kBasenamePrefix,    // basename starts with text[..n-1]   ("foo*")
    kBasenameGlob,      // WildMatch(text, basename), no pathname semantics
    kPathname,          // git's match_pathname(): literal prefix, then WildMatch(pathname)
  };
  std::string text;        // without '!', without the trailing '/'
  int nowildcard_len = 0;  // length of the leading part free of * ? [ and backslash
  uint8_t flags = 0;
  Kind kind = Kind::kBasenameGlob;
  uint32_t line = 0;  // 1-based line in its file, for explanations
};

// The patterns of one ignore file (or of one group of files read as one, in order).
class IgnoreList {
 public:
  // Compiles `content` (the bytes of a gitignore-syntax file). `base` is the directory of
  // the file relative to the match root, without leading or trailing '/' ("" for the root):
  // anchored patterns only match paths under it. `source` names the file in explanations.
  static IgnoreList Parse(std::string_view content, std::string_view base, bool casefold = false,
                          std::string source = {});

  // Appends the patterns of another file of the same directory; they take precedence over
  // the patterns already present (they come later).
  void Append(const IgnoreList& later);

  // Decides about `path` (relative to the match root, '/'-separated, no trailing '/';
  // REQUIRES: under base(), as the walk guarantees) whose type is given by `is_dir`.
  IgnoreMatch Match(std::string_view path, bool is_dir) const {
    const IgnorePattern* p = LastMatching(path, is_dir);
    if (p == nullptr) return IgnoreMatch::kNone;
    return (p->flags & IgnorePattern::kNegative) ? IgnoreMatch::kWhitelist : IgnoreMatch::kIgnore;
  }

  // The pattern that decides (the last one that matches), or nullptr. Uses the index
  // built by Parse()/Append(): literal basenames in a hash table, "*.ext" patterns bucketed
  // by their final ".ext", and a scan of the remaining patterns that stops below the best
  // match found so far; the result is the one LastMatchingLinear() gives.
  const IgnorePattern* LastMatching(std::string_view path, bool is_dir) const;
  // The reference: every pattern from the last to the first (git's loop).
  const IgnorePattern* LastMatchingLinear(std::string_view path, bool is_dir) const;

  bool empty() const { return patterns_.empty(); }
  size_t size() const { return patterns_.size(); }
  const std::vector<IgnorePattern>& patterns() const { return patterns_; }
  const std::string& base() const { return base_; }
  const std::string& source() const { return source_; }

 private:
  bool MatchOne(const IgnorePattern& p, std::string_view path, std::string_view basename) const;
  void BuildIndex();

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringMap =
      std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>>;

  std::vector<IgnorePattern> patterns_;
  // Pattern indices, each list in decreasing order (later patterns first).
  StringMap by_literal_;  // kBasenameLiteral, keyed by the basename
  StringMap by_ext_;      // kBasenameEndsWith whose literal has a '.', keyed by its last ".ext"
  std::vector<uint32_t> rest_;  // everything else
  std::string base_;            // "" or "dir/sub" (no trailing slash)
  std::string source_;
  bool casefold_ = false;
};

// Compiles one pattern line as git does (after comment/blank-line removal and trailing
// space trimming). Returns false for a line that yields no pattern (empty after parsing).
bool CompileIgnorePattern(std::string_view line, IgnorePattern* out);

// git's trim_trailing_spaces(): drops trailing unescaped spaces.
std::string_view TrimTrailingSpaces(std::string_view line);

// A chain of ignore lists from the deepest directory up: each node is the list of one
// directory and points at its parent's node. Shared between walker threads (immutable).
struct IgnoreNode {
  std::shared_ptr<const IgnoreNode> parent;
  IgnoreList list;
};

// Walks `node` and its parents (deepest first); the first list that decides wins.
inline IgnoreMatch MatchChain(const IgnoreNode* node, std::string_view path, bool is_dir) {
  for (; node != nullptr; node = node->parent.get()) {
    IgnoreMatch m = node->list.Match(path, is_dir);
    if (m != IgnoreMatch::kNone) return m;
  }
  return IgnoreMatch::kNone;
}

}  // namespace codeindex

#endif  // CODEINDEX_SCAN_IGNORE_H_
