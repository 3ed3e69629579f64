// Validation of what clients send: the JSON body of POST /v1/search, URL query strings,
// workspace-relative paths, MCP tool arguments. Everything here is pure (no I/O except
// ResolveWorkspaceFile's stat/realpath) and never throws, so that it can be fuzzed
// (fuzz/server_request_fuzz.cc) and no input can bring the server down.
//
// Thread safety: every function is thread-safe.
#ifndef CODEINDEX_SERVER_REQUEST_H_
#define CODEINDEX_SERVER_REQUEST_H_

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "search/searcher.h"

namespace codeindex {

// Longest query accepted (bytes). The analyzer drops words over 64 bytes anyway; this only
// bounds the work a request can ask for.
inline constexpr size_t kMaxQueryBytes = 4096;

// Builds a SearchRequest from a JSON object:
//   {"query": string (required, 1..kMaxQueryBytes bytes), "mode": "semantic"|"text"|"hybrid",
//    "limit": integer 1..kMaxSearchLimit, "min_score": finite number, "path": string,
//    "explain": boolean, "max_tokens": integer 1..100000000}
// Absent optional fields take `defaults`' values; unknown fields are ignored (clients may
// be newer than the server). `path` is copied as given: the caller checks it against the
// workspace (CheckWorkspacePathLexically) and stores the normalised prefix.
// Errors: kInvalidArgument naming the field, e.g. "'limit' must be an integer in 1..10000".
Result<SearchRequest> SearchRequestFromJson(const nlohmann::json& j, const SearchRequest& defaults);
// The same from the raw body of POST /v1/search; malformed JSON is kInvalidArgument
// "malformed JSON: ...".
Result<SearchRequest> ParseSearchBody(std::string_view body, const SearchRequest& defaults);

// Parses a JSON document without throwing. Depth is limited (nlohmann recurses; a body of
// 1 MiB of '[' must not overflow the stack): more than kMaxJsonDepth nested arrays/objects
// is kInvalidArgument.
inline constexpr int kMaxJsonDepth = 64;
Result<nlohmann::json> ParseJson(std::string_view text);

// Splits a request target "/v1/x?a=1&b=%2F" into its path and decoded parameters
// (percent-decoding, '+' as space; a repeated key keeps its last value).
// Errors: kInvalidArgument for a bad %-escape or a NUL byte.
struct Target {
  std::string path;
  std::map<std::string, std::string> params;
};
Result<Target> ParseTarget(std::string_view target);

// A strict decimal integer in [lo, hi] (no sign for positives, no spaces).
Result<long long> ParseIntParam(std::string_view name, std::string_view value, long long lo,
                                long long hi);

// Where a client-supplied path points.
enum class PathVerdict {
  kInside,     // a file or directory inside the workspace (or not existing yet, lexically inside)
  kMalformed,  // empty, NUL byte, too long
  kOutside,    // absolute outside the workspace, ".." escaping it, or a symlink leading out
};

struct PathCheck {
  PathVerdict verdict = PathVerdict::kMalformed;
  std::string relative;  // normalised, '/'-separated, no "." or ".." components
  std::string full;      // workspace + "/" + relative (kInside only)
  std::string error;     // why, when not kInside
};

// Lexical check of `path` against the workspace root `root` (an absolute, canonical
// directory path): absolute paths must lie under `root`; ".." may not climb above it.
PathCheck CheckWorkspacePathLexically(std::string_view root, std::string_view path);
// CheckWorkspacePathLexically, then the file itself: if it exists, its realpath() must still
// lie under `root` (a symlink inside the workspace pointing out is kOutside).
PathCheck ResolveWorkspacePath(std::string_view root, std::string_view path);

// True if `presented` equals `expected`, in time independent of where they differ and of
// their lengths (both are hashed first).
bool ConstantTimeEquals(std::string_view presented, std::string_view expected);

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_REQUEST_H_
