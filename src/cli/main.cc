// The `codeindex` binary: declares every subcommand and flag once (CLI11), converts argv
// into the typed argument structs of commands.h, runs the command and maps its Status onto
// the contract's exit codes (0 ok, 1 user error, 2 usage error, 3 internal or I/O error).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <signal.h>

#include "cli/commands.h"
#include "lang/languages.h"

namespace codeindex::cli {
namespace {

constexpr char kVersion[] = "codeindex 0.1.0";

std::string ExtensionsFooter() {
  std::string s = "Supported extensions (the original's 41 first, then additions):\n ";
  int col = 1;
  for (const LanguageEntry& e : Languages()) {
    if (col + e.extension.size() + 1 > 78) {
      s += "\n ";
      col = 1;
    }
    s += " ";
    s += e.extension;
    col += static_cast<int>(e.extension.size()) + 1;
  }
  s += "\n\nRules (see src/scan/scanner.h): inside a git work tree, .gitignore files (every\n"
       "level, also above the workspace), info/exclude and core.excludesFile, exactly as git\n"
       "applies them; then .ignore, .rgignore, .rooignore and .codeindexignore at every level\n"
       "(also outside git). Hidden names and the original's ignored directories (node_modules,\n"
       "dist, vendor, ...) are skipped, as are files over 1 MiB and binary files (NUL in the\n"
       "first 8 KiB). Symbolic links are followed. Output is sorted by path bytes.";
  return s;
}

void AddWorkspace(CLI::App* cmd, std::string* workspace) {
  cmd->add_option("-w,--workspace", *workspace, "Workspace directory (default: .)");
}

int Fail(const Status& s) {
  std::fflush(stdout);
  std::cerr << "codeindex: " << s.ToString() << "\n";
  return ExitCodeFor(s);
}

int Main(int argc, char** argv) {
  // A closed stdout pipe (`codeindex files | head`) must end quietly: writes fail with
  // EPIPE instead of killing us, and we stop at the first failed write.
  ::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"codeindex: code search for agents and editors (semantic, text, hybrid, symbols)",
               "codeindex"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  app.fallthrough(false);

  IndexArgs index_args;
  auto* index =
      app.add_subcommand("index", "Build the index of a workspace, or bring it up to date");
  AddWorkspace(index, &index_args.workspace);
  index->add_flag("--json", index_args.json, "Print a JSON summary");
  index->add_option("--provider", index_args.embedding.provider,
                    "Embedding provider: static, transformer, openai, openai-compatible, "
                    "ollama or none (default: config.toml, else the built-in static model)");
  index->add_option("--model", index_args.embedding.model,
                    "Model directory (static, transformer) or model name (remote)");
  index->add_option("--base-url", index_args.embedding.base_url, "Remote provider URL");
  index->add_option("--dimensions", index_args.embedding.dimensions, "Vector dimensions")
      ->check(CLI::Range(1, 65536));
  index
      ->add_option("--batch-size", index_args.embedding.batch_size,
                   "Remote provider: texts per request at most")
      ->check(CLI::Range(1, 100000));

  SearchArgs search_args;
  auto* search = app.add_subcommand("search", "Search the index");
  AddWorkspace(search, &search_args.workspace);
  search->add_option("-m,--mode", search_args.mode, "hybrid (default), semantic or text")
      ->check(CLI::IsMember({"semantic", "text", "hybrid"}));
  search->add_option("-n,--limit", search_args.limit, "Maximum number of results")
      ->check(CLI::Range(1, 10000));
  search->add_option("--min-score", search_args.min_score, "Minimum score (semantic: cosine)")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(value.c_str(), &end);
            if (end == value.c_str() || *end != '\0' || !std::isfinite(v)) {
              return "must be a finite number";
            }
            return "";
          },
          "FLOAT"));
  search->add_option("-p,--path", search_args.path_prefix,
                     "Keep results under this directory prefix");
  search
      ->add_option("--max-tokens", search_args.max_tokens,
                   "Return the best results that fit this many tokens (o200k_base), long "
                   "chunks trimmed to their most relevant lines")
      ->check(CLI::Range(1, 100000000));
  search->add_flag("--json", search_args.json, "Print one JSON object");
  search->add_flag("--explain", search_args.explain, "Show how each score was made");
  search->add_option("query", search_args.query, "The query")->required();

  FilesArgs files_args;
  auto* files = app.add_subcommand("files", "List the files the scanner would index");
  AddWorkspace(files, &files_args.workspace);
  files->add_flag("--json", files_args.json, "Print one JSON object");
  files->add_flag("-0,--null", files_args.null_separated, "End each path with NUL, not newline");
  files->add_flag("--stats", files_args.stats, "Print what was skipped and why to stderr");
  files->add_option("-j,--threads", files_args.threads, "Walker threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  files->footer(ExtensionsFooter());

  FileArgs chunks_args;
  auto* chunks = app.add_subcommand("chunks", "Print the code blocks the parser makes of FILE");
  chunks->add_flag("--json", chunks_args.json, "Print one JSON object");
  chunks->add_option("--chunker", chunks_args.chunker,
                     "default (every line in a block), original (the original's chunker, "
                     "exactly) or fixed (the original's with its data losses fixed); "
                     "default: the workspace's setting")
      ->check(CLI::IsMember({"default", "original", "fixed"}));
  chunks->add_option("--workspace", chunks_args.workspace,
                     "Use this workspace's .codeindex/config.toml chunker settings");
  chunks->add_option("file", chunks_args.file, "Source file")->required();

  FileArgs symbols_args;
  auto* symbols = app.add_subcommand("symbols", "Print the symbols and imports of FILE");
  symbols->add_flag("--json", symbols_args.json, "Print one JSON object");
  symbols->add_option("file", symbols_args.file, "Source file")->required();

  ContextArgs context_args;
  auto* context = app.add_subcommand(
      "context", "Print lines START..END of FILE with enclosing definitions and imports");
  context->add_flag("--json", context_args.json, "Print one JSON object");
  context->add_option("range", context_args.spec, "FILE:START-END")->required();

  TokensArgs tokens_args;
  auto* tokens = app.add_subcommand("tokens", "Print the token count of a text");
  tokens->add_option("--encoding", tokens_args.encoding, "cl100k_base or o200k_base")
      ->check(CLI::IsMember({"cl100k_base", "o200k_base"}));
  tokens->add_flag("--json", tokens_args.json, "Print one JSON object");
  tokens->add_flag("--estimate", tokens_args.estimate,
                   "Print the original's context estimate ceil(tokens x 1.5) instead");
  tokens->add_option("file", tokens_args.file, "File to count, or - for stdin (default)");
  tokens->footer(
      "Counts exactly as OpenAI's tiktoken (npm tiktoken@1.0.21) does, with the vocabulary\n"
      "embedded in this binary; default encoding o200k_base, as the original. Special-token\n"
      "text such as <|endoftext|> counts as ordinary text. Bytes that are not valid UTF-8\n"
      "count as U+FFFD, one per ill-formed sequence (as Node decodes them for the original).\n"
      "--json prints {\"tokens\": N, \"encoding\": \"o200k_base\", \"bytes\": B}, plus\n"
      "\"estimate\" with --estimate.");

  WatchArgs watch_args;
  auto* watch = app.add_subcommand("watch", "Keep the index current as files change");
  AddWorkspace(watch, &watch_args.workspace);
  watch->add_option("--debounce-ms", watch_args.debounce_ms,
                    "Quiet time after the last change before updating (default 500)")
      ->check(CLI::Range(0, 600000));
  watch->add_option("--rescan-seconds", watch_args.rescan_seconds,
                    "Full rescan interval, catches what events miss; 0 = never (default 600)")
      ->check(CLI::Range(0, 86400 * 7));

  ServeArgs serve_args;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API, or MCP on stdio with --mcp");
  AddWorkspace(serve, &serve_args.workspace);
  serve->add_option("--host", serve_args.host, "Address to bind (default 127.0.0.1)");
  serve->add_option("--port", serve_args.port, "Port (default 7878)")->check(CLI::Range(0, 65535));
  serve->add_flag("--mcp", serve_args.mcp, "Speak the Model Context Protocol on stdin/stdout");
  serve->add_option("--token", serve_args.token,
                    "Require this bearer token (default: $CODEINDEX_TOKEN)");
  serve->add_flag("--no-cache", serve_args.no_cache,
                  "Cache nothing in memory (searches, query embeddings, symbols): for measurements");
  serve->add_option("--cache-size-mb", serve_args.cache_size_mb,
                    "Memory cap of the in-memory cache in MiB (default 256, config [cache] size_mb)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  serve->add_option("--cache-ttl", serve_args.cache_ttl_seconds,
                    "Seconds a cached entry lives; 0 = until evicted (default 300)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400} * 365));

  StatusArgs status_args;
  auto* status = app.add_subcommand("status", "Index state, counts and sizes");
  AddWorkspace(status, &status_args.workspace);
  status->add_flag("--json", status_args.json, "Print one JSON object");

  CheckArgs check_args;
  auto* check = app.add_subcommand(
      "check", "Verify every part of the index (catalog, text, vectors) in full");
  AddWorkspace(check, &check_args.workspace);
  check->add_flag("--json", check_args.json, "Print one JSON object");

  EvalArgs eval_args;
  auto* eval = app.add_subcommand("eval", "Measure search quality on this workspace");
  AddWorkspace(eval, &eval_args.workspace);
  eval->add_flag("--json", eval_args.json, "Print one JSON object");
  eval->add_option("--queries", eval_args.queries, "Number of queries to sample");

  ContextWindowArgs cw_args;
  auto* context_window = app.add_subcommand(
      "context-window",
      "Manage an agent's conversation as the original does: sliding window or condensing");
  AddWorkspace(context_window, &cw_args.workspace);
  context_window->add_option("-i,--input", cw_args.input,
                             "Request JSON file, or - for stdin (default)");
  context_window->add_option("--config", cw_args.config,
                             "config.toml with the [llm] table (default: WORKSPACE/.codeindex/"
                             "config.toml)");
  context_window->add_flag("--condense", cw_args.condense,
                           "Allow the model call that summarises (else condensing reports "
                           "condense_unavailable and the sliding window applies)");
  context_window->add_flag("--send", cw_args.send,
                           "Then send the managed history as the next request, reducing it on "
                           "context-window errors (at most 3 retries); implies --condense");
  context_window->add_flag("--pretty", cw_args.pretty, "Indent the JSON answer");
  context_window->add_option("--provider", cw_args.provider,
                             "openai, openai-compatible, ollama, anthropic or openai-responses")
      ->check(CLI::IsMember(
          {"openai", "openai-compatible", "ollama", "anthropic", "openai-responses"}));
  context_window->add_option("--model", cw_args.model, "Model name");
  context_window->add_option("--base-url", cw_args.base_url, "API base URL");
  context_window->add_option("--api-key-env", cw_args.api_key_env,
                             "Environment variable holding the API key");
  context_window
      ->add_option("--context-window", cw_args.context_window,
                   "Default contextWindow of requests (tokens)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  context_window
      ->add_option("--max-tokens", cw_args.max_tokens, "Default maxTokens of requests (tokens)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  context_window->add_option("--timeout-ms", cw_args.timeout_ms, "Whole model request timeout")
      ->check(CLI::Range(1, 86400000));
  context_window->footer(
      "The request carries the original's manageContext options: messages (stored shape:\n"
      "role, content, ts, isSummary, condenseParent, truncationParent, ...), totalTokens,\n"
      "contextWindow, maxTokens, autoCondenseContext, autoCondenseContextPercent,\n"
      "profileThresholds, currentProfileId, systemPrompt, customCondensingPrompt, metadata,\n"
      "environmentDetails, filesReadByRoo, cwd. The answer: decision (none, condensed,\n"
      "truncated), messages, summary, cost, prevContextTokens, newContextTokens, condenseId,\n"
      "error, truncationId, messagesRemoved, newContextTokensAfterTruncation, explain.\n"
      "See docs/context.md.");

  // An unknown first word is a mistyped command, not a missing one (CLI11 would say "A
  // subcommand is required").
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    const CLI::App& const_app = app;
    const auto known = const_app.get_subcommands(
        [&word](const CLI::App* sub) { return sub->get_name() == word; });
    if (known.empty()) {
      return Fail(Status::Usage("'" + word + "' is not a codeindex command; see `codeindex --help`"));
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // Help of the subcommand that asked for it (CLI11 keeps it parsed).
    const CLI::App* target = &app;
    for (const CLI::App* sub : app.get_subcommands()) target = sub;
    std::cout << target->help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << kVersion << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    return Fail(Status::Usage(e.what()));
  }

  std::ostream& out = std::cout;
  Status s;
  if (index->parsed())
    s = RunIndex(index_args, out);
  else if (search->parsed())
    s = RunSearch(search_args, out);
  else if (files->parsed())
    s = RunFiles(files_args, out);
  else if (chunks->parsed())
    s = RunChunks(chunks_args, out);
  else if (symbols->parsed())
    s = RunSymbols(symbols_args, out);
  else if (context->parsed())
    s = RunContext(context_args, out);
  else if (tokens->parsed())
    s = RunTokens(tokens_args, out);
  else if (watch->parsed())
    s = RunWatch(watch_args, out);
  else if (serve->parsed())
    s = RunServe(serve_args, out);
  else if (status->parsed())
    s = RunStatus(status_args, out);
  else if (check->parsed())
    s = RunCheck(check_args, out);
  else if (eval->parsed())
    s = RunEval(eval_args, out);
  else if (context_window->parsed())
    s = RunContextWindow(cw_args, out);
  out.flush();
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace
}  // namespace codeindex::cli

int main(int argc, char** argv) { return codeindex::cli::Main(argc, argv); }
