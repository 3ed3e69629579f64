#include "scan/ignore.h"

#include <cstring>
#include <utility>

namespace codeindex {
namespace {

// wildmatch's result codes. The two abort codes let a failed '*' tell the caller that no
// later start position can succeed either, which keeps matching linear in practice.
enum WildResult { kWildMatch, kWildNoMatch, kWildAbortAll, kWildAbortToStarStar };

inline bool IsGlobSpecial(unsigned char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }
inline unsigned char FoldCase(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}
inline bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(unsigned char c) { return IsUpper(c) || IsLower(c); }
// git's sane_ctype (ASCII only): "\t\n\r " are space (not \v or \f).
inline bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool IsCntrl(unsigned char c) { return c < 0x20 || c == 0x7f; }
inline bool IsPrint(unsigned char c) { return c >= 0x20 && c <= 0x7e; }
inline bool IsPunct(unsigned char c) {
  return IsPrint(c) && c != ' ' && !IsAlpha(c) && !IsDigit(c);
}
inline bool IsXDigit(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A view of a pattern or text with git's "NUL at the end" convention: At(i) is 0 past the
// end, so the control flow below can follow wildmatch.c's without bounds checks everywhere.
struct Bytes {
  const unsigned char* s;
  size_t n;
  unsigned char At(size_t i) const { return i < n ? s[i] : 0; }
};

// Evaluates the character class starting after '[' at p[*pi]; returns the class result or
// an abort code, leaving *pi on the closing ']'.
int MatchClass(Bytes p, size_t* pi, unsigned char t_ch, bool casefold, bool* matched_out) {
  size_t i = *pi;
  unsigned char p_ch = p.At(++i);
  if (p_ch == '^') p_ch = '!';
  bool negated = p_ch == '!';
  if (negated) p_ch = p.At(++i);
  unsigned char prev_ch = 0;
  bool matched = false;
  do {
    if (p_ch == 0) return kWildAbortAll;
    if (p_ch == '\\') {
      p_ch = p.At(++i);
      if (p_ch == 0) return kWildAbortAll;
      if (t_ch == p_ch) matched = true;
    } else if (p_ch == '-' && prev_ch != 0 && p.At(i + 1) != 0 && p.At(i + 1) != ']') {
      p_ch = p.At(++i);
      if (p_ch == '\\') {
        p_ch = p.At(++i);
        if (p_ch == 0) return kWildAbortAll;
      }
      if (t_ch <= p_ch && t_ch >= prev_ch) {
        matched = true;
      } else if (casefold && IsLower(t_ch)) {
        unsigned char upper = static_cast<unsigned char>(t_ch - ('a' - 'A'));
        if (upper <= p_ch && upper >= prev_ch) matched = true;
      }
      p_ch = 0;  // a range cannot be the start of the next range
    } else if (p_ch == '[' && p.At(i + 1) == ':') {
      size_t s = i + 2;
      size_t j = s;
      while (p.At(j) != 0 && p.At(j) != ']') ++j;
      if (p.At(j) == 0) return kWildAbortAll;
      if (j == s || p.At(j - 1) != ':') {
        // No ":]": the '[' is an ordinary member of the set.
        i = s - 2;  // back on this '['
        p_ch = '[';
        if (t_ch == p_ch) matched = true;
        prev_ch = p_ch;
        p_ch = p.At(++i);
        continue;
      }
      std::string_view name(reinterpret_cast<const char*>(p.s + s), j - 1 - s);
      bool in;
      if (name == "alnum")
        in = IsAlpha(t_ch) || IsDigit(t_ch);
      else if (name == "alpha")
        in = IsAlpha(t_ch);
      else if (name == "blank")
        in = t_ch == ' ' || t_ch == '\t';
      else if (name == "cntrl")
        in = IsCntrl(t_ch);
      else if (name == "digit")
        in = IsDigit(t_ch);
      else if (name == "graph")
        in = IsPrint(t_ch) && t_ch != ' ';
      else if (name == "lower")
        in = IsLower(t_ch);
      else if (name == "print")
        in = IsPrint(t_ch);
      else if (name == "punct")
        in = IsPunct(t_ch);
      else if (name == "space")
        in = IsSpace(t_ch);
      else if (name == "upper")
        in = IsUpper(t_ch) || (casefold && IsLower(t_ch));
      else if (name == "xdigit")
        in = IsXDigit(t_ch);
      else
        return kWildAbortAll;  // malformed [:class:]
      if (in) matched = true;
      i = j;
      p_ch = 0;
    } else if (t_ch == p_ch) {
      matched = true;
    }
    prev_ch = p_ch;
    p_ch = p.At(++i);
  } while (p_ch != ']');
  *pi = i;
  *matched_out = matched != negated;
  return kWildMatch;
}

int DoWild(Bytes p, size_t pi, Bytes t, size_t ti, bool pathname, bool casefold) {
  for (; pi < p.n; ++ti, ++pi) {
    unsigned char p_ch = p.s[pi];
    unsigned char t_ch = t.At(ti);
    if (ti >= t.n && p_ch != '*') return kWildAbortAll;
    if (casefold) {
      t_ch = FoldCase(t_ch);
      p_ch = FoldCase(p_ch);
    }
    switch (p_ch) {
      case '\\':
        // Literal match with the next character; a backslash at the very end never matches.
        // (As in git, the escaped character is not case-folded.)
        p_ch = p.At(++pi);
        if (t_ch != p_ch) return kWildNoMatch;
        continue;
      default:
        if (t_ch != p_ch) return kWildNoMatch;
        continue;
      case '?':
        if (pathname && t_ch == '/') return kWildNoMatch;
        continue;
      case '*': {
        bool match_slash;
        if (p.At(++pi) == '*') {
          // Remember where the run of stars started: `**` is special only as a whole
          // component (preceded by the start or '/', followed by the end or '/').
          size_t run_start = pi - 1;
          while (p.At(++pi) == '*') {
          }
          if ((run_start == 0 || p.s[run_start - 1] == '/') &&
              (pi >= p.n || p.s[pi] == '/' || (p.s[pi] == '\\' && p.At(pi + 1) == '/'))) {
            // "a/**/b": first try "**/" matching nothing, so that it matches "a/b".
            if (pi < p.n && p.s[pi] == '/' &&
                DoWild(p, pi + 1, t, ti, pathname, casefold) == kWildMatch) {
              return kWildMatch;
            }
            match_slash = true;
          } else {
            match_slash = !pathname;
          }
        } else {
          match_slash = !pathname;
        }
        if (pi >= p.n) {
          // Trailing "**" matches everything; trailing '*' only what has no more '/'.
          if (!match_slash && ti < t.n && std::memchr(t.s + ti, '/', t.n - ti) != nullptr) {
            return kWildNoMatch;
          }
          return kWildMatch;
        }
        if (!match_slash && p.s[pi] == '/') {
          // One star followed by '/': it matches the rest of this component.
          const void* slash = ti < t.n ? std::memchr(t.s + ti, '/', t.n - ti) : nullptr;
          if (slash == nullptr) return kWildNoMatch;
          ti = static_cast<size_t>(static_cast<const unsigned char*>(slash) - t.s);
          break;  // the '/' of both is consumed by the loop increment
        }
        for (;;) {
          if (ti >= t.n) break;
          // Before recursing, skip text up to the next occurrence of a literal that follows
          // the star: everything before it must belong to the star.
          if (!IsGlobSpecial(p.s[pi])) {
            unsigned char want = casefold ? FoldCase(p.s[pi]) : p.s[pi];
            while (ti < t.n && (match_slash || t.s[ti] != '/')) {
              if ((casefold ? FoldCase(t.s[ti]) : t.s[ti]) == want) break;
              ++ti;
            }
            if (ti >= t.n || (casefold ? FoldCase(t.s[ti]) : t.s[ti]) != want) {
              return kWildNoMatch;
            }
          }
          int matched = DoWild(p, pi, t, ti, pathname, casefold);
          if (matched != kWildNoMatch) {
            if (!match_slash || matched != kWildAbortToStarStar) return matched;
          } else if (!match_slash && t.s[ti] == '/') {
            return kWildAbortToStarStar;
          }
          ++ti;
        }
        return kWildAbortAll;
      }
      case '[': {
        bool in = false;
        int r = MatchClass(p, &pi, t_ch, casefold, &in);
        if (r != kWildMatch) return r;
        if (!in || (pathname && t_ch == '/')) return kWildNoMatch;
        continue;
      }
    }
  }
  return ti < t.n ? kWildNoMatch : kWildMatch;
}

inline bool EqualBytes(std::string_view a, std::string_view b, bool casefold) {
  if (a.size() != b.size()) return false;
  if (!casefold) return std::memcmp(a.data(), b.data(), a.size()) == 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldCase(static_cast<unsigned char>(a[i])) != FoldCase(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

size_t SimpleLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && !IsGlobSpecial(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

bool WildMatch(std::string_view pattern, std::string_view text, bool pathname, bool casefold) {
  Bytes p{reinterpret_cast<const unsigned char*>(pattern.data()), pattern.size()};
  Bytes t{reinterpret_cast<const unsigned char*>(text.data()), text.size()};
  return DoWild(p, 0, t, 0, pathname, casefold) == kWildMatch;
}

std::string_view TrimTrailingSpaces(std::string_view line) {
  size_t last_space = std::string_view::npos;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ') {
      if (last_space == std::string_view::npos) last_space = i;
    } else if (c == '\\') {
      ++i;
      if (i >= line.size()) return line;  // a lone trailing backslash: leave the line alone
      last_space = std::string_view::npos;
    } else {
      last_space = std::string_view::npos;
    }
  }
  return last_space == std::string_view::npos ? line : line.substr(0, last_space);
}

bool CompileIgnorePattern(std::string_view line, IgnorePattern* out) {
  IgnorePattern p;
  std::string_view s = line;
  if (!s.empty() && s[0] == '!') {
    p.flags |= IgnorePattern::kNegative;
    s.remove_prefix(1);
  }
  // git measures the nowildcard prefix and the "*literal" shape on the string that still
  // has its trailing '/', then cuts the length; reproduce that exactly.
  const std::string_view with_slash = s;
  if (!s.empty() && s.back() == '/') {
    s.remove_suffix(1);
    p.flags |= IgnorePattern::kMustBeDir;
  }
  if (s.find('/') == std::string_view::npos) p.flags |= IgnorePattern::kNoDir;
  p.nowildcard_len = static_cast<int>(std::min(SimpleLength(with_slash), s.size()));
  if (!with_slash.empty() && with_slash[0] == '*' &&
      SimpleLength(with_slash.substr(1)) == with_slash.size() - 1) {
    p.flags |= IgnorePattern::kEndsWith;
  }
  if (s.empty()) return false;  // matches nothing in git either
  p.text.assign(s);

  const size_t len = p.text.size();
  if (p.flags & IgnorePattern::kNoDir) {
    if (static_cast<size_t>(p.nowildcard_len) == len) {
      p.kind = IgnorePattern::Kind::kBasenameLiteral;
    } else if (p.flags & IgnorePattern::kEndsWith) {
      p.kind = IgnorePattern::Kind::kBasenameEndsWith;
    } else if (static_cast<size_t>(p.nowildcard_len) == len - 1 && p.text.back() == '*') {
      // "foo*" without pathname semantics: '*' matches any rest of the basename.
      p.kind = IgnorePattern::Kind::kBasenamePrefix;
    } else {
      p.kind = IgnorePattern::Kind::kBasenameGlob;
    }
  } else {
    p.kind = IgnorePattern::Kind::kPathname;
  }
  *out = std::move(p);
  return true;
}

IgnoreList IgnoreList::Parse(std::string_view content, std::string_view base, bool casefold,
                             std::string source) {
  IgnoreList list;
  list.base_.assign(base);
  list.casefold_ = casefold;
  list.source_ = std::move(source);
  if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  uint32_t lineno = 0;
  while (!content.empty()) {
    size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    if (line.back() == '\r') line.remove_suffix(1);
    // git keeps patterns as C strings: a NUL byte ends the line.
    line = line.substr(0, line.find('\0'));
    line = TrimTrailingSpaces(line);
    IgnorePattern p;
    if (!CompileIgnorePattern(line, &p)) continue;
    p.line = lineno;
    list.patterns_.push_back(std::move(p));
  }
  list.BuildIndex();
  return list;
}

void IgnoreList::BuildIndex() {
  by_literal_.clear();
  by_ext_.clear();
  rest_.clear();
  for (uint32_t i = static_cast<uint32_t>(patterns_.size()); i-- > 0;) {
    const IgnorePattern& p = patterns_[i];
    // With case folding the keys would need folding too; such lists are rare (a
    // core.ignoreCase repository), so they simply use the scan.
    if (!casefold_ && p.kind == IgnorePattern::Kind::kBasenameLiteral) {
      by_literal_[p.text].push_back(i);
      continue;
    }
    if (!casefold_ && p.kind == IgnorePattern::Kind::kBasenameEndsWith) {
      size_t dot = p.text.rfind('.');
      if (dot != std::string::npos && dot > 0) {
        by_ext_[p.text.substr(dot)].push_back(i);
        continue;
      }
    }
    rest_.push_back(i);
  }
}

void IgnoreList::Append(const IgnoreList& later) {
  patterns_.insert(patterns_.end(), later.patterns_.begin(), later.patterns_.end());
  BuildIndex();
  if (source_.empty())
    source_ = later.source_;
  else if (!later.source_.empty())
    source_ += ", " + later.source_;
}

bool IgnoreList::MatchOne(const IgnorePattern& p, std::string_view path,
                          std::string_view basename) const {
  using Kind = IgnorePattern::Kind;
  std::string_view text = p.text;
  switch (p.kind) {
    case Kind::kBasenameLiteral:
      return EqualBytes(text, basename, casefold_);
    case Kind::kBasenameEndsWith:
      return basename.size() >= text.size() - 1 &&
             EqualBytes(text.substr(1), basename.substr(basename.size() - (text.size() - 1)),
                        casefold_);
    case Kind::kBasenamePrefix:
      return basename.size() >= text.size() - 1 &&
             EqualBytes(text.substr(0, text.size() - 1), basename.substr(0, text.size() - 1),
                        casefold_);
    case Kind::kBasenameGlob:
      return WildMatch(text, basename, /*pathname=*/false, casefold_);
    case Kind::kPathname:
      break;
  }
  // match_pathname(): the pattern is relative to base_, with base_ implicitly in front.
  size_t prefix = static_cast<size_t>(p.nowildcard_len);
  if (text[0] == '/') {
    text.remove_prefix(1);
    --prefix;
  }
  std::string_view name = path;
  if (!base_.empty()) {
    if (path.size() < base_.size() + 1 || path[base_.size()] != '/' ||
        !EqualBytes(path.substr(0, base_.size()), base_, casefold_)) {
      return false;
    }
    name.remove_prefix(base_.size() + 1);
  }
  if (prefix > 0) {
    if (prefix > name.size()) return false;
    if (!EqualBytes(text.substr(0, prefix), name.substr(0, prefix), casefold_)) return false;
    text.remove_prefix(prefix);
    name.remove_prefix(prefix);
    if (text.empty() && name.empty()) return true;
  }
  return WildMatch(text, name, /*pathname=*/true, casefold_);
}

const IgnorePattern* IgnoreList::LastMatching(std::string_view path, bool is_dir) const {
  if (patterns_.empty()) return nullptr;
  size_t slash = path.rfind('/');
  std::string_view basename = slash == std::string_view::npos ? path : path.substr(slash + 1);
  // Highest matching index so far, plus one (0 = none).
  uint32_t best = 0;
  auto consider = [&](const std::vector<uint32_t>& candidates, bool verify) {
    for (uint32_t i : candidates) {  // decreasing: the first that matches is the best here
      if (i + 1 <= best) return;
      const IgnorePattern& p = patterns_[i];
      if ((p.flags & IgnorePattern::kMustBeDir) && !is_dir) continue;
      if (!verify || MatchOne(p, path, basename)) {
        best = i + 1;
        return;
      }
    }
  };
  if (!by_literal_.empty()) {
    auto it = by_literal_.find(basename);
    if (it != by_literal_.end()) consider(it->second, /*verify=*/false);
  }
  if (!by_ext_.empty()) {
    size_t dot = basename.rfind('.');
    if (dot != std::string_view::npos) {
      auto it = by_ext_.find(basename.substr(dot));
      // A suffix ending in ".ext" can only match a name whose last ".ext" is the same.
      if (it != by_ext_.end()) consider(it->second, /*verify=*/true);
    }
  }
  consider(rest_, /*verify=*/true);
  return best == 0 ? nullptr : &patterns_[best - 1];
}

const IgnorePattern* IgnoreList::LastMatchingLinear(std::string_view path, bool is_dir) const {
  if (patterns_.empty()) return nullptr;
  size_t slash = path.rfind('/');
  std::string_view basename = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (size_t i = patterns_.size(); i-- > 0;) {
    const IgnorePattern& p = patterns_[i];
    if ((p.flags & IgnorePattern::kMustBeDir) && !is_dir) continue;
    if (MatchOne(p, path, basename)) return &p;
  }
  return nullptr;
}

}  // namespace codeindex
