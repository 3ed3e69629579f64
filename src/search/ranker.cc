#include "search/ranker.h"

#include <algorithm>
#include <cctype>
#include <map>
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

RankedList Rank(std::string_view query, const std::vector<Candidate>& candidates,
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
  for (const Candidate& c : candidates) {
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
  std::unordered_map<std::string_view, int> per_file;
  for (const Candidate& c : candidates) ++per_file[c.file_path];
  std::map<PathKind, bool> asked;

  out.ranked.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    RankedCandidate r;
    r.index = i;
    if (options.fusion == FusionMethod::kRrf) {
      if (c.text_rank > 0) r.text_part = wt / (options.rrf_k + c.text_rank);
      if (c.semantic_rank > 0) r.semantic_part = ws / (options.rrf_k + c.semantic_rank);
    } else {
      if (c.text_rank > 0) r.text_part = wt * norm(c.bm25, bm25_min, bm25_max);
      if (c.semantic_rank > 0) r.semantic_part = ws * norm(c.cosine, cos_min, cos_max);
    }
    r.fused = r.text_part + r.semantic_part;
    r.score = r.fused;

    if (options.definition && c.identifier && !c.identifier->empty()) {
      std::string_view id = *c.identifier;
      size_t cut = id.find_last_of(".:#");
      if (cut != std::string_view::npos) id = id.substr(cut + 1);
      std::string fid = Folded(id);
      bool match = !fid.empty() && fid == query_run && query_run.size() >= 3;
      for (const std::string& w : query_words) match = match || w == fid;
      if (match) {
        r.signals.push_back({"definition", options.definition_factor,
                             "defines '" + std::string(id) + "', a name in the query"});
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
  std::sort(out.ranked.begin(), out.ranked.end(),
            [&](const RankedCandidate& a, const RankedCandidate& b) {
              if (a.score != b.score) return a.score > b.score;
              return candidates[a.index].block_id < candidates[b.index].block_id;
            });
  if (options.dedupe) {
    std::vector<RankedCandidate> kept;
    for (RankedCandidate& r : out.ranked) {
      if (kept.size() >= limit) break;
      const Candidate& c = candidates[r.index];
      bool overlaps = false;
      for (const RankedCandidate& k : kept) {
        const Candidate& o = candidates[k.index];
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

}  // namespace codeindex
