#include "server/request.h"

#include <charconv>
#include <cmath>
#include <vector>

#include <limits.h>
#include <stdlib.h>

#include "base/file.h"
#include "base/hash.h"

namespace codeindex {

namespace {

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument("'" + std::string(field) + "' must be " + std::string(what));
}

// Deepest nesting of arrays and objects, outside strings. Linear, no recursion.
int JsonDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) {
        return Status::InvalidArgument("bad %-escape in the query string");
      }
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("bad %-escape in the query string");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  if (out.find('\0') != std::string::npos) {
    return Status::InvalidArgument("NUL byte in the query string");
  }
  return out;
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text) {
  if (JsonDepth(text) > kMaxJsonDepth) {
    return Status::InvalidArgument("malformed JSON: nested more than " +
                                   std::to_string(kMaxJsonDepth) + " levels");
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("malformed JSON");
  return j;
}

Result<SearchRequest> SearchRequestFromJson(const nlohmann::json& j,
                                            const SearchRequest& defaults) {
  if (!j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  SearchRequest req = defaults;
  auto q = j.find("query");
  if (q == j.end() || !q->is_string()) return FieldError("query", "a string");
  req.query = q->get<std::string>();
  if (req.query.empty() || req.query.size() > kMaxQueryBytes) {
    return FieldError("query",
                      "a non-empty string of at most " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  if (auto m = j.find("mode"); m != j.end() && !m->is_null()) {
    if (!m->is_string()) return FieldError("mode", "one of \"semantic\", \"text\", \"hybrid\"");
    ASSIGN_OR_RETURN(req.mode, ParseSearchMode(m->get<std::string>()));
  }
  if (auto l = j.find("limit"); l != j.end() && !l->is_null()) {
    const std::string what = "an integer in 1.." + std::to_string(kMaxSearchLimit);
    if (l->is_number_unsigned()) {
      uint64_t v = l->get<uint64_t>();
      if (v < 1 || v > kMaxSearchLimit) return FieldError("limit", what);
      req.limit = static_cast<size_t>(v);
    } else if (l->is_number_integer()) {
      return FieldError("limit", what);  // negative
    } else {
      return FieldError("limit", what);
    }
  }
  if (auto s = j.find("min_score"); s != j.end() && !s->is_null()) {
    if (!s->is_number()) return FieldError("min_score", "a number");
    double v = s->get<double>();
    if (!std::isfinite(v)) return FieldError("min_score", "a finite number");
    req.min_score = v;
  }
  if (auto p = j.find("path"); p != j.end() && !p->is_null()) {
    if (!p->is_string()) return FieldError("path", "a string");
    req.path_prefix = p->get<std::string>();
  }
  if (auto t = j.find("max_tokens"); t != j.end() && !t->is_null()) {
    if (!t->is_number_integer() || t->get<int64_t>() < 1 || t->get<int64_t>() > 100000000) {
      return FieldError("max_tokens", "an integer from 1 to 100000000");
    }
    req.max_tokens = static_cast<size_t>(t->get<int64_t>());
  }
  if (auto e = j.find("explain"); e != j.end() && !e->is_null()) {
    if (!e->is_boolean()) return FieldError("explain", "a boolean");
    req.explain = e->get<bool>();
  }
  return req;
}

Result<SearchRequest> ParseSearchBody(std::string_view body, const SearchRequest& defaults) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJson(body));
  return SearchRequestFromJson(j, defaults);
}

Result<Target> ParseTarget(std::string_view target) {
  Target t;
  size_t q = target.find('?');
  ASSIGN_OR_RETURN(t.path, PercentDecode(target.substr(0, q)));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq)));
    std::string value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1)));
    }
    t.params[std::move(key)] = std::move(value);
  }
  return t;
}

Result<long long> ParseIntParam(std::string_view name, std::string_view value, long long lo,
                                long long hi) {
  long long v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || p != value.data() + value.size() || v < lo || v > hi) {
    return FieldError(name, "an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

PathCheck CheckWorkspacePathLexically(std::string_view root, std::string_view path) {
  PathCheck c;
  if (path.empty()) {
    c.error = "empty path";
    return c;
  }
  if (path.find('\0') != std::string_view::npos) {
    c.error = "NUL byte in path";
    return c;
  }
  if (path.size() > PATH_MAX) {
    c.error = "path too long";
    return c;
  }
  std::string_view rest = path;
  if (path[0] == '/') {
    if (!PathInsideRoot(path, root)) {
      c.verdict = PathVerdict::kOutside;
      c.error = std::string(path) + ": outside the workspace";
      return c;
    }
    rest = root == "/" ? path.substr(1) : path.substr(root.size());
  }
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) {
        c.verdict = PathVerdict::kOutside;
        c.error = std::string(path) + ": outside the workspace";
        return c;
      }
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) c.relative += '/';
    c.relative += parts[i];
  }
  c.verdict = PathVerdict::kInside;
  c.full = std::string(root);
  if (!c.relative.empty()) {
    if (c.full != "/") c.full += '/';
    c.full += c.relative;
  }
  return c;
}

PathCheck ResolveWorkspacePath(std::string_view root, std::string_view path) {
  PathCheck c = CheckWorkspacePathLexically(root, path);
  if (c.verdict != PathVerdict::kInside) return c;
  char buf[PATH_MAX];
  if (::realpath(c.full.c_str(), buf) == nullptr) return c;  // missing: the caller says 404
  if (!PathInsideRoot(buf, root)) {
    c.verdict = PathVerdict::kOutside;
    c.error = std::string(path) + ": leads outside the workspace (symbolic link)";
    c.full.clear();
  }
  return c;
}

bool ConstantTimeEquals(std::string_view presented, std::string_view expected) {
  Sha256Digest a = Sha256(presented), b = Sha256(expected);
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace codeindex
