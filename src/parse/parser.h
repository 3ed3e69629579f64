// The parse stage: turns one file's text into code blocks. Two chunkers (ParseOptions::chunker):
//
//   kComplete (default): every non-blank line in exactly one block. The syntax tree decides
//     where cuts are cheap; definitions stay whole while they fit the budget (1,500 UTF-16
//     units), larger ones are cut at their shallowest inner boundaries and each piece
//     carries its enclosing signatures as CodeBlock::context (complete_chunker.cc).
//   kQuery: the original's indexing parser (docs/original.md §3-§4), exactly when `compat`
//     is set, else with its data losses fixed (docs/FIDELITY.md):
//     1. Pick the route from the path's extension (src/lang/languages.h): tree-sitter
//        grammar + definition query, markdown header splitter, or line chunker.
//     2. Tree-sitter route: parse, run the language's query (src/parse/queries/<lang>.scm,
//        embedded in the binary) and process every capture through the FIFO queue of §4.2:
//        < 50 units dropped, > 1150 units split into all children (or line-chunked when the
//        node has none), otherwise one block.
//     3. Line chunker (§4.3) and markdown splitter (§4.4); segment hashes (§4.5); blocks
//        whose segment hash was already produced for this file are dropped.
//     The fixes: line chunk labels match their content (TV-B); a short run of lines is kept;
//     a file whose captures are all < 50 units is line-chunked; the small children of an
//     oversized node are gathered into line chunks; .htm, .elm, .ejs, .erb produce blocks;
//     markdown ATX headers are recognised in CRLF files.
//
// Both decode alike: invalid UTF-8 becomes U+FFFD exactly as Node's decoder does; every
// length is a JavaScript length (UTF-16 code units), computed on the UTF-8 bytes.
//
// Thread safety: every function here may be called concurrently from any number of threads.
// Grammars and compiled queries are shared and immutable; each thread keeps its own
// tree-sitter parsers and query cursors (thread_local), created on first use.
#ifndef CODEINDEX_PARSE_PARSER_H_
#define CODEINDEX_PARSE_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "parse/symbols.h"

namespace codeindex {

// One block of a file, as the original's CodeBlock (docs/original.md §1).
struct CodeBlock {
  std::string file_path;                  // the hash path given to ParseBlocks
  std::optional<std::string> identifier;  // name of the definition, or header text; may be absent
  std::string type;          // grammar node kind, "fallback_chunk", "markdown_header_h2", ...
  int start_line = 0;        // 1-based, inclusive
  int end_line = 0;          // 1-based, inclusive; start_line <= end_line
  std::string content;       // valid UTF-8 (the decoded text, re-encoded)
  std::string segment_hash;  // 64 lowercase hex chars (§4.5)
  std::string file_hash;     // SHA-256 hex of the decoded file text
  // Complete chunker only: the first lines (signatures) of the definitions that enclose the
  // block but start above it, outermost first, '\n'-separated ("" when none). Indexed and
  // embedded with the content; never part of the content or of its line range.
  std::string context;
};

// Which chunker makes the blocks.
//   kComplete  (default) every non-blank line of the file is in exactly one block: blocks
//              follow the syntax tree (definitions whole while they fit the budget, cuts at
//              the shallowest boundaries, comments kept with what follows) and are packed
//              up to complete_max_chars; see complete_chunker.cc.
//   kQuery     the original's definition-query chunker (docs/original.md §4), with the
//              fixes of docs/FIDELITY.md unless `compat` is set.
enum class Chunker { kComplete, kQuery };
// "default" / "complete" -> kComplete, "original" / "query" -> kQuery.
std::string_view ChunkerName(Chunker chunker);

// Options that change the blocks. Every field enters ParseOptionsHash(), which the index
// stores: a change re-parses every file instead of silently mixing two chunkings.
struct ParseOptions {
  Chunker chunker = Chunker::kComplete;
  // Complete chunker: the block budget (UTF-16 units; a single longer line is cut into
  // segments of this size) and the size below which a block is "tiny" and merged with a
  // neighbour when the budget allows. bench/README.md "chunking" has the measurements.
  int complete_max_chars = 1500;
  int complete_min_chars = 300;
  // The cost of one more block against the cost of a cut (complete_chunker.cc): 0 keeps
  // each top-level definition of at least complete_min_chars in a block of its own (and
  // packs the members of a larger one); 1 packs neighbouring definitions into blocks near
  // the budget. bench/README.md "chunking" has the measurement behind 0.
  double complete_block_cost = 0.0;
  // Nodes and chunks shorter than this (UTF-16 units) are dropped. The original's 50:
  // smaller blocks are mostly braces and one-liners that embed poorly.
  int min_block_chars = 50;
  // Target block size and oversized-line segment length. The original's 1000.
  int max_block_chars = 1000;
  // A block may exceed max_block_chars by this factor (1000 x 1.15 = 1150 exactly, as in
  // JavaScript) before it is split.
  double max_chars_tolerance_factor = 1.15;
  // Line chunker re-balancing threshold for the last chunk (original: 200). Only used in
  // compat mode: with labels fixed, re-balancing has no effect (see FIDELITY.md).
  int min_chunk_remainder_chars = 200;
  // kQuery only: reproduce the original exactly, including its data losses and mislabelled
  // lines. Default false: the fixes listed in the file comment apply.
  bool compat = false;
  // tree-sitter parse budget per file; a file that takes longer is a per-file error
  // (kUnavailable). 0 = no limit. 10 s is ~50x the parse time of a 1 MiB file here.
  uint32_t parse_timeout_ms = 10000;
};

// A stable hash of everything that determines ParseBlocks' output for a given file: the
// options, the chunker version and the embedded queries. Equal hashes, equal blocks.
uint64_t ParseOptionsHash(const ParseOptions& options = {});

// The options `chunker = "<name>"` of .codeindex/config.toml and `chunks --chunker` select:
// "default" (kComplete), "original" (kQuery, compat: the original exactly) and "fixed"
// (kQuery with the fixes). kInvalidArgument for another name.
Result<ParseOptions> ParseOptionsForChunker(std::string_view name);

// The blocks of one file. `hash_path` is the string hashed into each segment hash and
// copied into CodeBlock::file_path (the original hashes absolute paths; the caller
// decides); its extension picks the language (docs/original.md §3). `content` is the raw
// file bytes (any bytes; invalid UTF-8 is decoded as Node does).
// Returns an empty vector for an unsupported extension or a file too small to chunk.
// Errors (per file; the caller reports and goes on): kUnavailable when parsing exceeds
// parse_timeout_ms, kInternal if a grammar or query cannot be loaded.
// REQUIRES: content.size() < 4 GiB.
Result<std::vector<CodeBlock>> ParseBlocks(std::string_view hash_path, std::string_view content,
                                           const ParseOptions& options = {});

// Blocks and symbols of one file from a single parse: what the indexer stores. Same blocks
// as ParseBlocks; same symbols as ExtractSymbols(hash_path, content) (empty language and
// no symbols when the extension has no grammar; swift and scala files are line-chunked
// but parsed for symbols).
struct ParsedFile {
  std::vector<CodeBlock> blocks;
  FileSymbols symbols;
  int64_t lines = 0;          // non-blank lines of the file (blank: JavaScript whitespace only)
  int64_t covered_lines = 0;  // of which inside some block (coverage = covered / lines)
};
Result<ParsedFile> ParseFile(std::string_view hash_path, std::string_view content,
                             const ParseOptions& options = {});

// The original scanner's point id of a block: UUIDv5(segment_hash) in the namespace
// f47ac10b-58cc-4372-a567-0e02b2c3d479.
std::string PointId(const CodeBlock& block);

// SHA-256 hex of the decoded text of `content` (the original's fileHash).
std::string FileHash(std::string_view content);

// The language name used for `path` ("python", "tsx", ...) or "" when the extension has no
// grammar here. Same table as ParseBlocks.
std::string_view LanguageNameForPath(std::string_view path);

// Every language with a compiled-in grammar, in table order.
std::vector<std::string_view> SupportedLanguages();

}  // namespace codeindex

#endif  // CODEINDEX_PARSE_PARSER_H_
