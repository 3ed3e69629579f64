// The subcommands of the `codeindex` binary (docs/interface.md), as typed arguments
// and one Run function each. main.cc declares every flag once with CLI11 and converts argv
// into these structs; the Run functions never see argv.
//
// Each Run function writes its normal output to `out` (stdout) and returns a Status; the
// caller prints a non-OK Status as one line "codeindex: <message>" on stderr and exits
// with ExitCodeFor(status).
#ifndef CODEINDEX_CLI_COMMANDS_H_
#define CODEINDEX_CLI_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "base/status.h"

namespace codeindex::cli {

// Embedding settings that override WORKSPACE/.codeindex/config.toml (index/config.h).
struct EmbeddingFlags {
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<std::string> base_url;
  std::optional<int> dimensions;
  std::optional<int> batch_size;
};

struct IndexArgs {
  std::string workspace = ".";
  bool json = false;
  EmbeddingFlags embedding;
};
Status RunIndex(const IndexArgs& args, std::ostream& out);

struct SearchArgs {
  std::string workspace = ".";
  std::string mode;  // empty = the configured default
  std::optional<int> limit;
  std::optional<double> min_score;
  std::string path_prefix;
  bool json = false;
  bool explain = false;
  std::optional<int> max_tokens;
  std::string query;
};
Status RunSearch(const SearchArgs& args, std::ostream& out);

struct FilesArgs {
  std::string workspace = ".";
  bool json = false;
  bool null_separated = false;  // -0: NUL-terminated paths, for names with newlines
  bool stats = false;           // print counts of skipped files to stderr
  int threads = 0;              // walker threads; 0 = one per core (ScanOptions::threads)
};
Status RunFiles(const FilesArgs& args, std::ostream& out);

struct FileArgs {  // chunks, symbols
  std::string file;
  bool json = false;
  // chunks only: the chunker ("default", "original", "fixed"); unset: the one the
  // workspace's .codeindex/config.toml selects (workspace: --workspace, else none).
  std::optional<std::string> chunker;
  std::optional<std::string> workspace;
};
Status RunChunks(const FileArgs& args, std::ostream& out);
Status RunSymbols(const FileArgs& args, std::ostream& out);

struct ContextArgs {
  std::string spec;  // FILE:START-END
  bool json = false;
};
Status RunContext(const ContextArgs& args, std::ostream& out);

struct TokensArgs {
  std::string encoding = "o200k_base";
  std::string file = "-";
  bool json = false;
  bool estimate = false;  // print ceil(tokens x 1.5), the original's context estimate
};
Status RunTokens(const TokensArgs& args, std::ostream& out);

struct WatchArgs {
  std::string workspace = ".";
  int debounce_ms = 500;     // WatcherOptions::debounce (the original's 500 ms)
  int rescan_seconds = 600;  // WatcherOptions::rescan_interval; 0 = never
};
Status RunWatch(const WatchArgs& args, std::ostream& out);

struct ServeArgs {
  std::string workspace = ".";
  std::string host = "127.0.0.1";
  int port = 7878;
  bool mcp = false;
  std::string token;  // bearer token; empty = none (also from CODEINDEX_TOKEN)
  // Over config.toml's [cache]: --no-cache (for measurements), --cache-size-mb, --cache-ttl.
  bool no_cache = false;
  std::optional<int64_t> cache_size_mb;
  std::optional<int64_t> cache_ttl_seconds;
};
Status RunServe(const ServeArgs& args, std::ostream& out);

struct StatusArgs {
  std::string workspace = ".";
  bool json = false;
};
Status RunStatus(const StatusArgs& args, std::ostream& out);

// `codeindex check`: full verification of the index (index/health.h, CheckDepth::kFull).
struct CheckArgs {
  std::string workspace = ".";
  bool json = false;
};
Status RunCheck(const CheckArgs& args, std::ostream& out);

// `codeindex context-window`: one manageContext request (JSON, the original's option names) on
// stdin or --input; the answer as JSON on stdout (docs/context.md).
struct ContextWindowArgs {
  std::string input = "-";
  std::string workspace = ".";  // its .codeindex/config.toml holds the [llm] table
  std::string config;           // another config.toml
  bool condense = false;        // allow the model call that summarises
  bool send = false;            // then send the next request (implies condense)
  bool pretty = false;
  std::optional<std::string> provider, model, base_url, api_key_env;
  std::optional<int64_t> context_window, max_tokens;
  std::optional<int> timeout_ms;
};
Status RunContextWindow(const ContextWindowArgs& args, std::ostream& out);

struct EvalArgs {
  std::string workspace = ".";
  bool json = false;
  int queries = 200;
};
Status RunEval(const EvalArgs& args, std::ostream& out);

}  // namespace codeindex::cli

#endif  // CODEINDEX_CLI_COMMANDS_H_
