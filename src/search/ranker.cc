#include "search/ranker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace codeindex {

namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Lower-cased with '_' and '-' removed: parseFile, parse_file and PARSE_FILE agree.
std::string Folded(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '-') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::vector<std::string_view> SplitWhitespace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Runs of identifier characters.
std::vector<std::string_view> IdentifierWords(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !IsIdentChar(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && IsIdentChar(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A word written the way code names things: snake_case, camelCase, a qualified or called
// name.
bool SymbolLike(std::string_view w) {
  if (w.find("::") != std::string_view::npos || w.find("->") != std::string_view::npos ||
      w.find('(') != std::string_view::npos || w.find('_') != std::string_view::npos) {
    return true;
  }
  size_t dot = w.find('.');
  if (dot != std::string_view::npos && dot > 0 && dot + 1 < w.size() && IsIdentChar(w[dot + 1])) {
    return true;  // obj.method, but not the end of a sentence
  }
  for (size_t i = 1; i < w.size(); ++i) {
    if (std::islower(static_cast<unsigned char>(w[i - 1])) &&
        std::isupper(static_cast<unsigned char>(w[i]))) {
      return true;  // camelCase, PascalCase with a second capital
    }
  }
  return false;
}

// The words of an identifier, lower-cased: parseHTTPResponse2 -> parse, http, response.
std::vector<std::string> IdentifierParts(std::string_view id) {
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (cur.size() >= 2) parts.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (!std::isalpha(c)) {
      flush();
      continue;
    }
    if (std::isupper(c) && !cur.empty()) {
      bool prev_lower = std::islower(static_cast<unsigned char>(id[i - 1]));
      bool next_lower = i + 1 < id.size() && std::islower(static_cast<unsigned char>(id[i + 1]));
      if (prev_lower || next_lower) flush();
    }
    cur.push_back(static_cast<char>(std::tolower(c)));
  }
  flush();
  return parts;
}

bool WordsMatch(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const std::string& shorter = a.size() < b.size() ? a : b;
  const std::string& longer = a.size() < b.size() ? b : a;
  return shorter.size() >= 3 && longer.compare(0, shorter.size(), shorter) == 0;
}

bool HasComponent(const std::vector<std::string>& dirs, std::initializer_list<const char*> names) {
  for (const std::string& d : dirs) {
    for (const char* n : names) {
      if (d == n) return true;
    }
  }
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ContainsWord(const std::vector<std::string>& words, std::initializer_list<const char*> any) {
  for (const std::string& w : words) {
    for (const char* a : any) {
      if (w == a) return true;
    }
  }
  return false;
}

}  // namespace

std::string_view QueryShapeName(QueryShape shape) {
  switch (shape) {
    case QueryShape::kSymbol:
      return "symbol";
    case QueryShape::kMixed:
      return "mixed";
    case QueryShape::kSentence:
      return "sentence";
  }
  return "mixed";
}

QueryShape ClassifyQuery(std::string_view query) {
  std::vector<std::string_view> words = SplitWhitespace(query);
  if (words.empty()) return QueryShape::kMixed;
  size_t symbols = 0;
  for (std::string_view w : words) symbols += SymbolLike(w) ? 1 : 0;
  if (symbols * 2 >= words.size() && words.size() <= 3) return QueryShape::kSymbol;
  if (symbols == 0 && words.size() >= 3) return QueryShape::kSentence;
  return QueryShape::kMixed;
}

std::string_view PathKindName(PathKind kind) {
  switch (kind) {
    case PathKind::kNormal:
      return "normal";
    case PathKind::kTest:
      return "test";
    case PathKind::kVendored:
      return "vendored";
    case PathKind::kGenerated:
      return "generated";
    case PathKind::kExample:
      return "example";
    case PathKind::kStub:
      return "stub";
    case PathKind::kCompat:
      return "compat";
  }
  return "normal";
}

PathKind ClassifyPath(std::string_view path) {
  std::string lower = Lower(path);
  std::vector<std::string> dirs;
  size_t start = 0;
  for (size_t slash = lower.find('/'); slash != std::string::npos; slash = lower.find('/', start)) {
    dirs.push_back(lower.substr(start, slash - start));
    start = slash + 1;
  }
  const std::string name = lower.substr(start);
  const std::string_view original_name = path.substr(path.rfind('/') + 1);

  if (HasComponent(dirs, {"vendor", "vendored", "third_party", "thirdparty", "third-party",
                          "node_modules", "external", "extern", "bower_components"})) {
    return PathKind::kVendored;
  }
  if (name.find(".min.") != std::string::npos || name.find(".pb.") != std::string::npos ||
      name.find("_pb2.") != std::string::npos || name.find(".generated.") != std::string::npos ||
      name.find("_generated.") != std::string::npos || name.find(".g.") != std::string::npos ||
      HasComponent(dirs, {"generated", "gen", "autogen"})) {
    return PathKind::kGenerated;
  }
  if (EndsWith(name, ".d.ts") || EndsWith(name, ".d.mts") || EndsWith(name, ".d.cts") ||
      EndsWith(name, ".pyi")) {
    return PathKind::kStub;
  }
  if (HasComponent(dirs, {"test", "tests", "__tests__", "testing", "testdata", "spec", "specs",
                          "fixtures", "__mocks__"}) ||
      StartsWith(name, "test_") || name.find("_test.") != std::string::npos ||
      name.find(".test.") != std::string::npos || name.find(".spec.") != std::string::npos ||
      name.find("_spec.") != std::string::npos || name == "conftest.py" ||
      original_name.find("Test.") != std::string_view::npos ||
      original_name.find("Tests.") != std::string_view::npos) {
    return PathKind::kTest;
  }
  if (HasComponent(dirs, {"example", "examples", "sample", "samples", "demo", "demos"})) {
    return PathKind::kExample;
  }
  if (HasComponent(dirs, {"compat", "shims", "polyfills", "legacy"}) ||
      name.find("compat") != std::string::npos || name.find("shim") != std::string::npos ||
      name.find("polyfill") != std::string::npos) {
    return PathKind::kCompat;
  }
  return PathKind::kNormal;
}

bool QueryAsksFor(std::string_view query, PathKind kind) {
  std::vector<std::string> words;
  for (std::string_view w : IdentifierWords(query)) words.push_back(Lower(w));
  switch (kind) {
    case PathKind::kNormal:
      return true;
    case PathKind::kTest:
      return ContainsWord(words, {"test", "tests", "testing", "spec", "specs", "mock", "mocks",
                                  "fixture", "fixtures", "unittest", "pytest"});
    case PathKind::kVendored:
      return ContainsWord(words, {"vendor", "vendored", "third_party", "dependency"});
    case PathKind::kGenerated:
      return ContainsWord(words, {"generated", "proto", "protobuf", "minified"});
    case PathKind::kExample:
      return ContainsWord(words, {"example", "examples", "sample", "samples", "demo"});
    case PathKind::kStub:
      return ContainsWord(
          words, {"declaration", "declarations", "stub", "stubs", "typings", "dts", "pyi"});
    case PathKind::kCompat:
      return ContainsWord(words,
                          {"compat", "compatibility", "shim", "shims", "polyfill", "legacy"});
  }
  return false;
}

RankedList Rank(std::string_view query, const std::vector<FusionCandidate>& candidates,
                const RankOptions& options, size_t limit) {
  RankedList out;
  out.shape = ClassifyQuery(query);
  switch (out.shape) {
    case QueryShape::kSymbol:
      out.text_weight = options.text_weight_symbol;
      break;
    case QueryShape::kMixed:
      out.text_weight = options.text_weight_mixed;
      break;
    case QueryShape::kSentence:
      out.text_weight = options.text_weight_sentence;
      break;
  }
  const double wt = out.text_weight, ws = 1 - out.text_weight;

  // Score fusion needs each list's range.
  double bm25_min = 0, bm25_max = 0, cos_min = 0, cos_max = 0;
  bool have_text = false, have_sem = false;
  for (const FusionCandidate& c : candidates) {
    if (c.text_rank > 0) {
      bm25_min = have_text ? std::min(bm25_min, c.bm25) : c.bm25;
      bm25_max = have_text ? std::max(bm25_max, c.bm25) : c.bm25;
      have_text = true;
    }
    if (c.semantic_rank > 0) {
      cos_min = have_sem ? std::min(cos_min, c.cosine) : c.cosine;
      cos_max = have_sem ? std::max(cos_max, c.cosine) : c.cosine;
      have_sem = true;
    }
  }
  auto norm = [](double v, double lo, double hi) { return hi > lo ? (v - lo) / (hi - lo) : 1.0; };

  // Query words for the definition signal.
  std::vector<std::string> query_words;
  std::string query_run;
  for (std::string_view w : IdentifierWords(query)) {
    std::string f = Folded(w);
    query_run += f;
    if (f.size() >= 3) query_words.push_back(std::move(f));
  }
  std::vector<std::string> query_parts;
  for (std::string_view w : IdentifierWords(query)) {
    for (std::string& p : IdentifierParts(w)) query_parts.push_back(std::move(p));
  }
  std::unordered_map<std::string_view, int> per_file;
  for (const FusionCandidate& c : candidates) ++per_file[c.file_path];
  std::map<PathKind, bool> asked;

  out.ranked.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const FusionCandidate& c = candidates[i];
    RankedCandidate r;
    r.index = i;
    if (options.fusion == FusionMethod::kRrf) {
      if (c.text_rank > 0) r.text_part = wt / (options.rrf_k + c.text_rank);
      if (c.semantic_rank > 0) r.semantic_part = ws / (options.rrf_k + c.semantic_rank);
    } else {
      if (c.text_rank > 0) r.text_part = wt * norm(c.bm25, bm25_min, bm25_max);
      if (c.semantic_rank > 0) r.semantic_part = ws * norm(c.cosine, cos_min, cos_max);
    }
    if (options.symbol && c.symbol_rank > 0) {
      // A rank list of its own in both fusion methods: a definition has no score to
      // normalise, only its place among the definitions.
      r.symbol_part = c.symbol_weight / (options.rrf_k + c.symbol_rank);
    }
    r.fused = r.text_part + r.semantic_part + r.symbol_part;
    r.score = r.fused;

    // The definition and name signals are independent switches: a block whose name is a
    // query word gets `definition` (when on), any other named block `name` (when on).
    if ((options.definition || options.name) && c.identifier && !c.identifier->empty()) {
      std::string_view id = *c.identifier;
      size_t cut = id.find_last_of(".:#");
      if (cut != std::string_view::npos) id = id.substr(cut + 1);
      std::string fid = Folded(id);
      bool match = !fid.empty() && fid == query_run && query_run.size() >= 3;
      for (const std::string& w : query_words) match = match || w == fid;
      if (match) {
        if (options.definition) {
          r.signals.push_back({"definition", options.definition_factor,
                               "defines '" + std::string(id) + "', a name in the query"});
        }
      } else if (options.name) {
        std::vector<std::string> parts = IdentifierParts(id);
        size_t matched = 0;
        for (const std::string& p : parts) {
          for (const std::string& w : query_parts) {
            if (WordsMatch(p, w)) {
              ++matched;
              break;
            }
          }
        }
        if (matched > 0) {
          double share = static_cast<double>(matched) / static_cast<double>(parts.size());
          r.signals.push_back({"name", 1 + options.name_weight * share * share,
                               std::to_string(matched) + " of " + std::to_string(parts.size()) +
                                   " words of '" + std::string(id) + "' in the query"});
        }
      }
    }
    if (options.file) {
      int others = std::min(per_file[c.file_path] - 1, 4);
      if (others > 0) {
        r.signals.push_back({"file", 1 + options.file_factor_per_block * others,
                             std::to_string(others) + " other matching block(s) in the file"});
      }
    }
    if (options.path) {
      PathKind kind = ClassifyPath(c.file_path);
      if (kind != PathKind::kNormal) {
        auto it = asked.find(kind);
        if (it == asked.end()) it = asked.emplace(kind, QueryAsksFor(query, kind)).first;
        if (!it->second) {
          r.signals.push_back({"path", options.path_factor,
                               std::string(PathKindName(kind)) + " code, not asked for"});
        }
      }
    }
    for (const Signal& s : r.signals) r.score *= s.factor;
    out.ranked.push_back(std::move(r));
  }
  auto by_score = [&](const RankedCandidate& a, const RankedCandidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return candidates[a.index].block_id < candidates[b.index].block_id;
  };
  std::sort(out.ranked.begin(), out.ranked.end(), by_score);
  if (options.diversity && options.diversity_factor < 1) {
    // The n-th block of a file in score order is scaled by diversity_factor^n, so that one
    // file's many matching blocks do not fill the top of the list; one pass, then re-sort.
    std::map<std::string_view, int> seen;
    for (RankedCandidate& r : out.ranked) {
      int n = seen[candidates[r.index].file_path]++;
      if (n == 0) continue;
      double f = std::pow(options.diversity_factor, n);
      r.signals.push_back({"diversity", f,
                           std::to_string(n) + " better-scored block(s) of the same file"});
      r.score *= f;
    }
    std::stable_sort(out.ranked.begin(), out.ranked.end(), by_score);
  }
  if (options.dedupe) {
    std::vector<RankedCandidate> kept;
    for (RankedCandidate& r : out.ranked) {
      if (kept.size() >= limit) break;
      const FusionCandidate& c = candidates[r.index];
      bool overlaps = false;
      for (const RankedCandidate& k : kept) {
        const FusionCandidate& o = candidates[k.index];
        // Overlapping by at least half the smaller block: nested, not merely touching.
        int shared = std::min(o.end_line, c.end_line) - std::max(o.start_line, c.start_line) + 1;
        int smaller = std::min(o.end_line - o.start_line, c.end_line - c.start_line) + 1;
        if (o.file_path == c.file_path && shared > 0 && 2 * shared >= smaller) {
          overlaps = true;
          break;
        }
      }
      if (!overlaps) kept.push_back(std::move(r));
    }
    out.ranked = std::move(kept);
  }
  if (out.ranked.size() > limit) out.ranked.resize(limit);
  return out;
}

// CODEINDEX_RANK="name=value,..." overrides RankOptions fields for ranking experiments
// (bench/README.md "hybrid"; like git's GIT_TEST_* knobs, not a user setting). Unknown
// names are a usage error so that a typo cannot silently measure the defaults.
Status ApplyRankEnv(RankOptions* o) {
  const char* env = std::getenv("CODEINDEX_RANK");
  if (env == nullptr || *env == '\0') return Status::OK();
  std::string_view spec(env);
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Status::InvalidArgument("CODEINDEX_RANK: no '='");
    const std::string name(item.substr(0, eq));
    const double v = std::strtod(std::string(item.substr(eq + 1)).c_str(), nullptr);
    struct Field {
      const char* name;
      double* d;
      bool* b;
      int* i = nullptr;
    } fields[] = {
        {"rrf_k", &o->rrf_k, nullptr},
        {"text_weight_symbol", &o->text_weight_symbol, nullptr},
        {"text_weight_mixed", &o->text_weight_mixed, nullptr},
        {"text_weight_sentence", &o->text_weight_sentence, nullptr},
        {"definition", nullptr, &o->definition},
        {"definition_factor", &o->definition_factor, nullptr},
        {"name", nullptr, &o->name},
        {"name_weight", &o->name_weight, nullptr},
        {"file", nullptr, &o->file},
        {"file_factor_per_block", &o->file_factor_per_block, nullptr},
        {"path", nullptr, &o->path},
        {"path_factor", &o->path_factor, nullptr},
        {"dedupe", nullptr, &o->dedupe},
        {"diversity", nullptr, &o->diversity},
        {"diversity_factor", &o->diversity_factor, nullptr},
        {"symbol", nullptr, &o->symbol},
        {"symbol_weight", &o->symbol_weight, nullptr},
        {"symbol_weight_sentence", &o->symbol_weight_sentence, nullptr},
        {"symbol_limit", nullptr, nullptr, &o->symbol_limit},
    };
    bool found = false;
    for (const Field& f : fields) {
      if (name != f.name) continue;
      if (f.d != nullptr) *f.d = v;
      if (f.b != nullptr) *f.b = v != 0;
      if (f.i != nullptr) *f.i = static_cast<int>(v);
      found = true;
    }
    if (!found) return Status::InvalidArgument("CODEINDEX_RANK: unknown option " + name);
  }
  return Status::OK();
}


// --- Symbol lookup ---

namespace {

// The kind a kind word asks for, or "" when the word is none.
std::string KindWord(std::string_view w) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"class", "class"},       {"struct", "struct"},       {"interface", "interface"},
      {"trait", "interface"},   {"protocol", "interface"},  {"enum", "enum"},
      {"type", "type"},         {"typedef", "type"},        {"function", "function"},
      {"func", "function"},     {"fn", "function"},         {"def", "function"},
      {"method", "method"},     {"module", "module"},       {"namespace", "module"},
      {"mod", "module"},        {"const", "constant"},      {"constant", "constant"},
      {"var", "variable"},      {"variable", "variable"},   {"macro", "macro"},
  };
  std::string lower = Lower(w);
  for (const auto& [word, kind] : kWords) {
    if (lower == word) return kind;
  }
  return "";
}

// 2 types, 1 callables, 0 the rest.
int KindGroup(std::string_view kind) {
  for (const char* k : {"class", "struct", "interface", "trait", "enum", "type", "module",
                        "union", "namespace"}) {
    if (kind == k) return 2;
  }
  for (const char* k : {"function", "method", "macro"}) {
    if (kind == k) return 1;
  }
  return 0;
}

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

// One identifier, qualified or not: ident ((:: | . | -> | \ | / | #) ident)* [()].
std::optional<SymbolQuery> ParseQualified(std::string_view w) {
  if (w.size() >= 2 && w.substr(w.size() - 2) == "()") w.remove_suffix(2);
  SymbolQuery q;
  std::vector<std::string> parts;
  size_t i = 0;
  while (true) {
    if (i >= w.size() || !IsIdentStart(w[i])) return std::nullopt;
    size_t j = i;
    while (j < w.size() && IsIdentChar(w[j])) ++j;
    parts.emplace_back(w.substr(i, j - i));
    if (j == w.size()) break;
    std::string_view rest = w.substr(j);
    size_t sep = 0;
    if (rest.substr(0, 2) == "::" || rest.substr(0, 2) == "->") {
      sep = 2;
    } else if (rest[0] == '.' || rest[0] == '\\' || rest[0] == '/' || rest[0] == '#') {
      sep = 1;
    } else {
      return std::nullopt;
    }
    i = j + sep;
  }
  q.name = parts.back();
  parts.pop_back();
  q.qualifier = std::move(parts);
  return q;
}

// Without the punctuation a sentence or markdown puts around a name: `x`, (x), x, x?
std::string_view TrimPunctuation(std::string_view w) {
  auto keep_front = [](char c) { return IsIdentChar(c); };
  auto keep_back = [](char c) { return IsIdentChar(c) || c == ')'; };
  while (!w.empty() && !keep_front(w.front())) w.remove_prefix(1);
  while (!w.empty() && !keep_back(w.back())) w.remove_suffix(1);
  // A closing parenthesis belongs to the name only as "()".
  if (!w.empty() && w.back() == ')' && (w.size() < 2 || w[w.size() - 2] != '(')) {
    w.remove_suffix(1);
  }
  return w;
}

// The scope's and the path's components, folded, for the qualifier key.
std::set<std::string> Qualifiers(const SymbolRecord& d) {
  std::set<std::string> out;
  for (std::string_view w : IdentifierWords(d.scope)) out.insert(Folded(w));
  std::string_view path = d.file_path;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (slash == std::string_view::npos) part = part.substr(0, part.find('.'));  // file stem
    if (!part.empty()) out.insert(Folded(part));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::optional<SymbolQuery> ParseSymbolQuery(std::string_view query) {
  std::vector<std::string_view> words = SplitWhitespace(query);
  std::string kind;
  if (words.size() == 2) {
    // "class Logger" or "Logger class"; the kind word is the one that is one.
    std::string k0 = KindWord(words[0]), k1 = KindWord(words[1]);
    if (!k0.empty()) {
      kind = k0;
      words.erase(words.begin());
    } else if (!k1.empty()) {
      kind = k1;
      words.pop_back();
    } else {
      return std::nullopt;
    }
  }
  if (words.size() != 1) return std::nullopt;
  std::optional<SymbolQuery> q = ParseQualified(TrimPunctuation(words[0]));
  if (q) q->kind = std::move(kind);
  return q;
}

std::vector<SymbolQuery> CodeNamesIn(std::string_view query) {
  std::vector<SymbolQuery> out;
  std::set<std::string> seen;
  for (std::string_view raw : SplitWhitespace(query)) {
    const bool quoted = raw.size() > 2 && raw.front() == '`';
    std::string_view w = TrimPunctuation(raw);
    if (!quoted && !SymbolLike(w)) continue;
    std::optional<SymbolQuery> q = ParseQualified(w);
    if (!q || q->name.size() < 3) continue;
    if (seen.insert(q->name).second) out.push_back(std::move(*q));
  }
  return out;
}

std::vector<RankedDefinition> RankDefinitions(const SymbolQuery& q, std::string_view query,
                                              const std::vector<SymbolRecord>& definitions,
                                              bool exact_only, size_t limit) {
  std::vector<std::string> qualifier;
  for (const std::string& p : q.qualifier) qualifier.push_back(Folded(p));
  const std::string lower_name = Lower(q.name);
  struct Keyed {
    // Larger is better for every key but the last three.
    std::tuple<int, int, int, int, int, int> key;
    std::string_view path;
    int line;
    RankedDefinition def;
  };
  std::vector<Keyed> keyed;
  std::map<PathKind, bool> asked;
  // The name as written is what is asked for when something defines it: other spellings
  // (a `routeMatch` variable for `RouteMatch`) only when nothing does.
  for (const SymbolRecord& d : definitions) exact_only = exact_only || d.name == q.name;
  for (size_t i = 0; i < definitions.size(); ++i) {
    const SymbolRecord& d = definitions[i];
    const bool exact = d.name == q.name;
    if (!exact && (exact_only || Lower(d.name) != lower_name)) continue;
    int kind_asked = 0;
    if (!q.kind.empty()) {
      kind_asked = d.kind == q.kind ? 2 : KindGroup(d.kind) == KindGroup(q.kind) ? 1 : 0;
    }
    int qualified = 0;
    if (!qualifier.empty()) {
      std::set<std::string> have = Qualifiers(d);
      for (const std::string& p : qualifier) qualified += have.count(p) ? 1 : 0;
    }
    PathKind path_kind = ClassifyPath(d.file_path);
    bool path_ok = path_kind == PathKind::kNormal;
    if (!path_ok) {
      auto it = asked.find(path_kind);
      if (it == asked.end()) it = asked.emplace(path_kind, QueryAsksFor(query, path_kind)).first;
      path_ok = it->second;
    }
    const int span = std::max(0, d.end_line - d.start_line) + 1;
    Keyed k;
    k.key = {exact ? 1 : 0, kind_asked, qualified, KindGroup(d.kind), path_ok ? 1 : 0, span};
    k.path = d.file_path;
    k.line = d.start_line;
    k.def.index = i;
    k.def.exact_case = exact;
    std::string why = d.kind + " " + d.name + " (" + (exact ? "exact case" : "other case");
    if (!q.kind.empty()) why += kind_asked == 2 ? ", kind asked" : kind_asked ? ", kind like asked" : "";
    if (!qualifier.empty()) {
      why += ", qualifier " + std::to_string(qualified) + "/" + std::to_string(qualifier.size());
    }
    if (!path_ok) why += ", " + std::string(PathKindName(path_kind)) + " code";
    why += ", " + std::to_string(span) + " lines)";
    k.def.why = std::move(why);
    keyed.push_back(std::move(k));
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.key != b.key) return a.key > b.key;
    if (a.path != b.path) return a.path < b.path;
    return a.line < b.line;
  });
  std::vector<RankedDefinition> out;
  for (Keyed& k : keyed) {
    if (out.size() >= limit) break;
    out.push_back(std::move(k.def));
  }
  return out;
}

int DefinitionBlock(const std::vector<BlockRecord>& blocks, int start_line, int end_line) {
  int best = -1;
  // Containing the first line: nearest start, then larger.
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockRecord& b = blocks[i];
    if (b.start_line > start_line || b.end_line < start_line) continue;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const BlockRecord& o = blocks[static_cast<size_t>(best)];
    if (b.start_line > o.start_line ||
        (b.start_line == o.start_line && b.end_line > o.end_line)) {
      best = static_cast<int>(i);
    }
  }
  if (best >= 0) return best;
  // Else the first block inside the span (a split definition whose header no block holds).
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockRecord& b = blocks[i];
    if (b.start_line < start_line || b.start_line > end_line) continue;
    if (best < 0 || b.start_line < blocks[static_cast<size_t>(best)].start_line) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace codeindex
