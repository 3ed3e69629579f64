#include "eval/doc_comments.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "parse/parser.h"

namespace codeindex {
namespace {

// Line starts of a text: line i (0-based) is [starts[i], starts[i+1]) including its '\n'.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
    if (starts_.back() == text.size() && text.size() > 0) starts_.pop_back();
  }
  int count() const { return static_cast<int>(starts_.size()); }
  size_t begin(int i) const { return starts_[i]; }
  size_t end(int i) const {  // after the newline
    return i + 1 < count() ? starts_[i + 1] : text_.size();
  }
  // The line without its newline (and '\r').
  std::string_view line(int i) const {
    std::string_view l = text_.substr(begin(i), end(i) - begin(i));
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
    return l;
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\f')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\f')) {
    --e;
  }
  return s.substr(b, e - b);
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// --- Cleaning ---------------------------------------------------------------------------------

// True when a (marker-stripped, trimmed) doc line starts a section that is not prose.
bool IsSectionBreak(std::string_view t) {
  if (t.empty()) return false;
  if (t[0] == '@') return true;                                   // Javadoc / JSDoc block tag
  if (StartsWith(t, "```") || StartsWith(t, "~~~")) return true;  // code fence
  if (StartsWith(t, "# ") || StartsWith(t, "## ")) return true;   // Markdown heading (Rust)
  if (StartsWith(t, ">>>")) return true;                          // doctest
  if (t[0] == ':' && t.size() > 1 && std::isalpha(static_cast<unsigned char>(t[1]))) {
    return true;  // reST field list: ":param x:", ":return:"
  }
  static constexpr std::string_view kSections[] = {
      "Args:",      "Arguments:", "Returns:", "Return:",
      "Raises:",    "Yields:",    "Example:", "Examples:",
      "Parameters", "Note:",      "Notes:",   "Attributes:",
      "See also",   "See Also",   "Usage:",   "Keyword arguments:",
      "Deprecated:"};
  for (std::string_view s : kSections) {
    if (t == s || (StartsWith(t, s) && (s.back() == ':' || t.size() == s.size()))) return true;
  }
  // NumPy/reST underlines: a line of only '-' or '='.
  if (t.size() >= 3 && t.find_first_not_of("-=") == std::string_view::npos) return true;
  return false;
}

// Unwraps inline markup of one paragraph's text.
std::string Unmarkup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '{' && i + 1 < s.size() && s[i + 1] == '@') {
      // {@code x}, {@link A#b label}, {@inheritDoc}
      const size_t close = s.find('}', i);
      if (close == std::string_view::npos) {
        ++i;
        continue;
      }
      std::string_view inner = s.substr(i + 2, close - i - 2);
      const size_t sp = inner.find_first_of(" \t");
      const std::string_view tag = inner.substr(0, sp);
      std::string_view body = sp == std::string_view::npos ? "" : Trim(inner.substr(sp + 1));
      if (tag == "link" || tag == "linkplain") {
        // "A#b label" -> label; "A#b" -> "A b"
        const size_t sp2 = body.find_first_of(" \t");
        if (sp2 != std::string_view::npos && body.find('(') > sp2) {
          body = Trim(body.substr(sp2 + 1));
        }
        for (char b : body) out.push_back(b == '#' ? ' ' : b);
      } else {
        out.append(body);
      }
      i = close + 1;
      continue;
    }
    if (c == '<') {
      // An HTML tag: <p>, </code>, <a href="...">, <br/>.
      size_t j = i + 1;
      if (j < s.size() && s[j] == '/') ++j;
      if (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) {
        const size_t close = s.find('>', j);
        if (close != std::string_view::npos && close - i < 200 &&
            s.substr(i, close - i).find('<', 1) == std::string_view::npos) {
          out.push_back(' ');
          i = close + 1;
          continue;
        }
      }
    }
    if (c == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&lt;", '<'},   {"&gt;", '>'},   {"&amp;", '&'},
          {"&quot;", '"'}, {"&nbsp;", ' '}, {"&#39;", '\''}};
      bool hit = false;
      for (const auto& [name, ch] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out.push_back(ch);
          i += name.size();
          hit = true;
          break;
        }
      }
      if (hit) continue;
    }
    if (c == '`') {
      ++i;
      continue;
    }
    if (c == ']' && i + 1 < s.size() && s[i + 1] == '(') {
      // Markdown link target: [text](url) -> text
      const size_t close = s.find(')', i);
      if (close != std::string_view::npos) {
        i = close + 1;
        continue;
      }
    }
    if (c == '[' || c == ']') {
      ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

// Joins marker-stripped doc lines into cleaned prose (see the header).
std::string CleanDoc(const std::vector<std::string>& lines) {
  std::string out;
  std::string para;
  auto flush = [&] {
    std::string u = Unmarkup(para);
    std::string collapsed;
    bool space = false;
    for (char c : u) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = !collapsed.empty();
        continue;
      }
      if (space) collapsed.push_back(' ');
      space = false;
      collapsed.push_back(c);
    }
    if (!collapsed.empty()) {
      if (!out.empty()) out += "\n\n";
      out += collapsed;
    }
    para.clear();
  };
  for (const std::string& raw : lines) {
    const std::string_view t = Trim(raw);
    if (IsSectionBreak(t)) break;
    if (t.empty()) {
      flush();
      continue;
    }
    if (!para.empty()) para.push_back(' ');
    para.append(t);
  }
  flush();
  return out;
}

// Strips the comment marker of one line of a comment above a definition.
std::string StripLineMarker(std::string_view t, DocStyle style) {
  t = Trim(t);
  switch (style) {
    case DocStyle::kSlashes:
      while (!t.empty() && t[0] == '/') t.remove_prefix(1);
      break;
    case DocStyle::kHash:
      while (!t.empty() && t[0] == '#') t.remove_prefix(1);
      break;
    case DocStyle::kDashes:
      while (!t.empty() && t[0] == '-') t.remove_prefix(1);
      if (!t.empty() && t[0] == '|') t.remove_prefix(1);  // Haddock "-- |"
      break;
    default:
      break;
  }
  return std::string(t);
}

// Strips `/**`, `/*`, `*/` and a leading `*` from the lines of a block comment.
std::vector<std::string> StripBlock(const std::vector<std::string_view>& raw) {
  std::vector<std::string> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string_view t = Trim(raw[i]);
    if (i == 0) {
      const size_t open = t.find("/*");
      if (open != std::string_view::npos) t = t.substr(open + 2);
      while (!t.empty() && (t[0] == '*' || t[0] == '!')) t.remove_prefix(1);
    }
    if (i + 1 == raw.size()) {
      const size_t close = t.rfind("*/");
      if (close != std::string_view::npos) t = t.substr(0, close);
      while (!t.empty() && t.back() == '*') t.remove_suffix(1);
    }
    t = Trim(t);
    if (i > 0 && !t.empty() && t[0] == '*') t.remove_prefix(1);
    out.emplace_back(Trim(t));
  }
  return out;
}

bool IsPragmaLine(std::string_view t, DocStyle style) {
  if (style == DocStyle::kHash) {
    return StartsWith(t, "#!") || t.find("frozen_string_literal") != std::string_view::npos ||
           t.find("-*-") != std::string_view::npos || StartsWith(t, "# rubocop:") ||
           StartsWith(t, "# typed:") || StartsWith(t, "#--") || StartsWith(t, "#++") ||
           StartsWith(t, "# :nodoc:");
  }
  if (style == DocStyle::kSlashes) {
    return StartsWith(t, "//!") || StartsWith(t, "/*!") || StartsWith(t, "// eslint") ||
           StartsWith(t, "// @ts-") || StartsWith(t, "// prettier-") || StartsWith(t, "//nolint") ||
           StartsWith(t, "// Copyright") || StartsWith(t, "// SPDX");
  }
  return false;
}

// Lines that may sit between a doc comment and its definition.
bool IsAttributeLine(std::string_view t, std::string_view language) {
  if (language == "rust") return StartsWith(t, "#[");
  if (language == "go") return StartsWith(t, "//go:") || StartsWith(t, "//export ");
  if (language == "c_sharp") return StartsWith(t, "[");
  if (language == "java" || language == "kotlin" || language == "scala" ||
      language == "typescript" || language == "tsx" || language == "javascript" ||
      language == "dart" || language == "swift" || language == "php") {
    return t.size() > 1 && t[0] == '@' && std::isalpha(static_cast<unsigned char>(t[1]));
  }
  return false;
}

struct FoundDoc {
  int first = -1, last = -1;  // 0-based line indexes, inclusive
  std::vector<std::string> lines;
};

// The comment right above line `def` (0-based).
FoundDoc FindDocAbove(const Lines& lines, int def, DocStyle style, std::string_view language) {
  FoundDoc found;
  int j = def - 1;
  while (j >= 0 && IsAttributeLine(Trim(lines.line(j)), language)) --j;
  if (j < 0) return found;
  const std::string_view t = Trim(lines.line(j));
  if (t.empty()) return found;
  if (style == DocStyle::kSlashes && EndsWith(t, "*/")) {
    int k = j;
    while (k >= 0 && Trim(lines.line(k)).find("/*") == std::string_view::npos) {
      --k;
      if (j - k > 400) return found;
    }
    if (k < 0) return found;
    const std::string_view head = Trim(lines.line(k));
    if (!StartsWith(head, "/*") || StartsWith(head, "/*!") || StartsWith(head, "/*-")) {
      return found;  // a comment at the end of a code line, or a license/inner doc
    }
    std::vector<std::string_view> raw;
    for (int i = k; i <= j; ++i) raw.push_back(lines.line(i));
    found.first = k;
    found.last = j;
    found.lines = StripBlock(raw);
    return found;
  }
  std::string_view marker;
  switch (style) {
    case DocStyle::kSlashes:
      marker = "//";
      break;
    case DocStyle::kHash:
      marker = "#";
      break;
    case DocStyle::kDashes:
      marker = "--";
      break;
    default:
      return found;
  }
  int k = j;
  while (k >= 0) {
    const std::string_view l = Trim(lines.line(k));
    if (!StartsWith(l, marker) || IsPragmaLine(l, style)) break;
    if (language == "rust" && StartsWith(l, "#[")) break;
    --k;
  }
  if (k == j) return found;
  found.first = k + 1;
  found.last = j;
  for (int i = found.first; i <= found.last; ++i) {
    found.lines.push_back(StripLineMarker(lines.line(i), style));
  }
  return found;
}

// Python: the docstring that starts the body of the definition at [def, end] (0-based).
FoundDoc FindDocstring(const Lines& lines, std::string_view text, int def, int end) {
  FoundDoc found;
  // Find the header's ':' at bracket depth 0, outside strings and comments.
  size_t pos = lines.begin(def);
  const size_t limit = lines.end(end);
  int depth = 0;
  size_t colon = std::string_view::npos;
  while (pos < limit) {
    const char c = text[pos];
    if (c == '#') {
      while (pos < limit && text[pos] != '\n') ++pos;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool triple = text.substr(pos, 3) == std::string(3, c);
      const std::string close = triple ? std::string(3, c) : std::string(1, c);
      size_t q = pos + close.size();
      while (q < limit) {
        if (text[q] == '\\') {
          q += 2;
          continue;
        }
        if (text.substr(q, close.size()) == close) break;
        if (!triple && text[q] == '\n') break;
        ++q;
      }
      pos = q + close.size();
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') depth = std::max(0, depth - 1);
    if (c == ':' && depth == 0) {
      colon = pos;
      break;
    }
    ++pos;
  }
  if (colon == std::string_view::npos) return found;
  // The rest of the header line must be blank or a comment (else the body is inline).
  size_t q = colon + 1;
  while (q < limit && (text[q] == ' ' || text[q] == '\t' || text[q] == '\r')) ++q;
  if (q < limit && text[q] != '\n' && text[q] != '#') return found;
  // First non-blank, non-comment line after the header.
  int li = def;
  while (li < lines.count() && lines.end(li) <= colon) ++li;
  ++li;
  while (li <= end && li < lines.count()) {
    const std::string_view t = Trim(lines.line(li));
    if (!t.empty() && t[0] != '#') break;
    ++li;
  }
  if (li > end || li >= lines.count()) return found;
  std::string_view t = Trim(lines.line(li));
  size_t p = 0;
  while (p < t.size() && p < 2 && std::strchr("rRuU", t[p]) != nullptr) ++p;
  if (p >= t.size() || (t[p] != '"' && t[p] != '\'')) return found;
  const char quote = t[p];
  const bool triple = t.substr(p, 3) == std::string(3, quote);
  const std::string close = triple ? std::string(3, quote) : std::string(1, quote);
  // Search the closing quote from just after the opening one.
  const size_t open_abs = static_cast<size_t>(t.data() - text.data()) + p + close.size();
  size_t r = open_abs;
  while (r < limit) {
    if (text[r] == '\\') {
      r += 2;
      continue;
    }
    if (text.substr(r, close.size()) == close) break;
    if (!triple && text[r] == '\n') return found;
    ++r;
  }
  if (r >= limit) return found;
  const size_t after = r + close.size();
  // The literal must end its line.
  size_t s = after;
  while (s < text.size() && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r')) ++s;
  if (s < text.size() && text[s] != '\n' && text[s] != '#') return found;
  int last = li;
  while (last + 1 < lines.count() && lines.end(last) <= r) ++last;
  found.first = li;
  found.last = last;
  // Dedent the body (the first line has no indentation of its own after the quote).
  std::string_view body = text.substr(open_abs, r - open_abs);
  size_t b = 0;
  while (b <= body.size()) {
    size_t nl = body.find('\n', b);
    if (nl == std::string_view::npos) nl = body.size();
    found.lines.emplace_back(Trim(body.substr(b, nl - b)));
    b = nl + 1;
  }
  return found;
}

}  // namespace

DocStyle DocStyleFor(std::string_view language) {
  if (language == "python") return DocStyle::kDocstring;
  if (language == "ruby" || language == "bash" || language == "elixir") return DocStyle::kHash;
  if (language == "lua" || language == "haskell" || language == "elm") return DocStyle::kDashes;
  static constexpr std::string_view kSlashes[] = {
      "go",      "rust",   "java",  "javascript", "typescript", "tsx", "c",        "cpp",
      "c_sharp", "kotlin", "swift", "scala",      "dart",       "php", "solidity", "zig"};
  for (std::string_view l : kSlashes) {
    if (language == l) return DocStyle::kSlashes;
  }
  return DocStyle::kNone;
}

Result<std::vector<DocumentedSymbol>> ExtractDocumentedSymbols(std::string_view path,
                                                               std::string_view content) {
  const std::string_view language = LanguageNameForPath(path);
  if (DocStyleFor(language) == DocStyle::kNone) return std::vector<DocumentedSymbol>();
  ASSIGN_OR_RETURN(FileSymbols fs, ExtractSymbols(path, content));
  return DocumentedSymbolsOf(path, content, std::move(fs));
}

std::vector<DocumentedSymbol> DocumentedSymbolsOf(std::string_view path, std::string_view content,
                                                  FileSymbols fs) {
  std::vector<DocumentedSymbol> out;
  const std::string_view language = LanguageNameForPath(path);
  const DocStyle style = DocStyleFor(language);
  if (style == DocStyle::kNone) return out;
  const Lines lines(content);
  for (Symbol& sym : fs.symbols) {
    const int def = sym.start_line - 1;
    const int end = std::min(sym.end_line - 1, lines.count() - 1);
    if (def < 0 || def >= lines.count() || end < def) continue;
    FoundDoc found = style == DocStyle::kDocstring ? FindDocstring(lines, content, def, end)
                                                   : FindDocAbove(lines, def, style, language);
    if (found.first < 0) continue;
    std::string doc = CleanDoc(found.lines);
    if (doc.empty()) continue;
    DocumentedSymbol d;
    d.doc = std::move(doc);
    d.doc_inside = style == DocStyle::kDocstring;
    d.doc_start_line = found.first + 1;
    d.doc_end_line = found.last + 1;
    d.doc_start_byte = lines.begin(found.first);
    d.doc_end_byte = lines.end(found.last);
    d.code_start_byte = lines.begin(def);
    d.code_end_byte = lines.end(end);
    d.symbol = std::move(sym);
    out.push_back(std::move(d));
  }
  return out;
}

std::string CodeWithoutDoc(std::string_view content, const DocumentedSymbol& d) {
  std::string code(content.substr(d.code_start_byte, d.code_end_byte - d.code_start_byte));
  if (d.doc_inside && d.doc_start_byte >= d.code_start_byte && d.doc_end_byte <= d.code_end_byte) {
    code.erase(d.doc_start_byte - d.code_start_byte, d.doc_end_byte - d.doc_start_byte);
  }
  return code;
}

std::string FirstSentence(std::string_view doc, size_t max_words) {
  // First paragraph.
  const size_t para_end = doc.find("\n\n");
  std::string_view p = doc.substr(0, para_end);
  size_t cut = p.size();
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c != '.' && c != '!' && c != '?') continue;
    if (i + 1 == p.size()) {
      cut = i + 1;
      break;
    }
    if (p[i + 1] != ' ') continue;
    if (c == '.' && i >= 3) {
      const std::string_view before = p.substr(i - 3, 4);
      if (before == "e.g." || before == "i.e." || before == "etc." || before == " vs.") continue;
    }
    if (i + 2 < p.size() && (IsUpper(p[i + 2]) || p[i + 2] == '"' || p[i + 2] == '(')) {
      cut = i + 1;
      break;
    }
  }
  std::string_view s = p.substr(0, cut);
  std::string out;
  size_t words = 0;
  size_t i = 0;
  while (i < s.size() && words < max_words) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) break;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (!out.empty()) out.push_back(' ');
    out.append(s.substr(i, j - i));
    ++words;
    i = j;
  }
  return out;
}

size_t WordCount(std::string_view text) {
  size_t n = 0;
  bool in = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

}  // namespace codeindex
