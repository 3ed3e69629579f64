// The block-making algorithms of docs/original.md §4.2-§4.5 (internal to src/parse; the
// contract is parser.h): the block emitter with segment hashes and per-file dedup, the line
// chunker, the markdown header splitter and the tree-sitter capture queue.
//
// All lengths are UTF-16 code units of valid UTF-8 text (see text.h).
#ifndef CODEINDEX_PARSE_CHUNKER_H_
#define CODEINDEX_PARSE_CHUNKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "parse/grammars.h"
#include "parse/parser.h"
#include "parse/symbols.h"

namespace codeindex::parse_internal {

struct ChunkLimits {
  size_t min_chars = 50;          // MIN_BLOCK_CHARS
  size_t max_chars = 1000;        // MAX_BLOCK_CHARS (segment length)
  double effective_max = 1150.0;  // MAX_BLOCK_CHARS * MAX_CHARS_TOLERANCE_FACTOR
  size_t min_remainder = 200;     // MIN_CHUNK_REMAINDER_CHARS
  bool compat = false;
  uint32_t timeout_ms = 0;
  static ChunkLimits From(const ParseOptions& o);
};

// UTF-16 length of any byte range of one text in O(1) (a prefix count per 64-byte block;
// nothing at all for ASCII text).
class TextIndex {
 public:
  explicit TextIndex(std::string_view text);
  size_t Units(size_t begin, size_t end) const { return UnitsBefore(end) - UnitsBefore(begin); }

 private:
  size_t UnitsBefore(size_t pos) const;
  std::string_view text_;
  bool ascii_ = true;
  std::vector<uint32_t> block_units_;  // units before each 64-byte block
};

// Builds blocks for one file: segment hashes (§4.5) and the per-file dedup set (§4.1).
class BlockEmitter {
 public:
  BlockEmitter(std::string_view hash_path, std::string file_hash, std::vector<CodeBlock>* out)
      : path_(hash_path), file_hash_(std::move(file_hash)), out_(out) {}
  BlockEmitter(const BlockEmitter&) = delete;
  BlockEmitter& operator=(const BlockEmitter&) = delete;

  // `units` is the UTF-16 length of `content`. Returns false if the hash was already seen.
  bool Emit(std::string_view type, std::optional<std::string> identifier, int start_line,
            int end_line, std::string_view content, size_t units);
  // An oversized-line piece: its hash includes the piece's start offset in the line.
  bool EmitSegment(std::string_view type, std::optional<std::string> identifier, int line,
                   size_t offset, std::string content, size_t units);
  size_t emitted() const { return out_->size(); }
  // Sets the context of the block emitted at position `index` (if Emit produced it).
  void SetContext(size_t index, const std::string& context) {
    if (index < out_->size()) (*out_)[index].context = context;
  }

 private:
  bool Insert(const std::string& hash);
  std::string_view path_;
  std::string file_hash_;
  std::vector<CodeBlock>* out_;
  std::unordered_set<std::string> seen_;
};

// §4.3: chunks `text` split on '\n'; the first line is line number `base`. `identifier`
// (if non-empty) is given to every chunk, as markdown sections do.
void ChunkLines(std::string_view text, std::string_view type, int base,
                const std::optional<std::string>& identifier, const ChunkLimits& limits,
                BlockEmitter* emitter);

// §4.4: markdown header sections.
void ChunkMarkdown(std::string_view text, const ChunkLimits& limits, BlockEmitter* emitter);

// Markdown header detection, exposed for tests. Returns true and sets level/text when
// `line` is an ATX header (the original's /^(#{1,6})\s+(.+)$/ semantics).
bool MatchAtxHeader(std::string_view line, int* level, std::string* text);
// /^={3,}\s*$/ (c = '=') and /^-{3,}\s*$/ (c = '-').
bool MatchSetextUnderline(std::string_view line, char c);
// /^\s*[^#<>!\[\]`\t]+[^\n]$/: the line above a setext underline.
bool MatchSetextText(std::string_view line);

// The query's captures over `root` in the order the original receives them from
// query.captures() (ts_query_cursor_next_capture), predicates applied. kUnavailable when
// the query exceeds `timeout_ms` of CPU time (0 = no limit).
Status CollectCaptures(const Query& query, TSNode root, std::string_view text, uint32_t timeout_ms,
                       std::vector<TSNode>* out);
// The same through ts_query_cursor_next_capture itself (quadratic in the worst case; the
// reference for tests).
void CollectCapturesInCaptureOrder(const Query& query, TSNode root, std::string_view text,
                                   std::vector<TSNode>* out);

// §4.2: runs the runtime's chunk query over `tree` (parsed from `text`) and processes the
// captures through the FIFO queue. Sets *captured to whether the query captured anything.
// kUnavailable when the query exceeds the time budget.
Status ChunkTree(const LanguageRuntime& runtime, const TSTree* tree, std::string_view text,
                 const TextIndex& index, const ChunkLimits& limits, BlockEmitter* emitter,
                 bool* captured);

// Cuts one line into segments of at most `max_units` UTF-16 units (never inside a code
// point), emitted as blocks of type `type` on line `line_number`.
void EmitLineSegments(std::string_view line, int line_number, size_t max_units,
                      std::string_view type, const std::optional<std::string>& identifier,
                      BlockEmitter* emitter);

// The complete chunker (complete_chunker.cc has the algorithm): every non-blank line of
// `text` in exactly one block.
struct CompleteLimits {
  size_t max_units = 1500;  // block budget; a longer single line becomes segments
  size_t min_units = 300;   // blocks below this are penalised (merged when they can be)
  double block_cost = 0.0;  // cost of one more block (cuts cost their depth)
};
struct CompleteInput {
  std::string_view text;             // valid UTF-8
  const TSTree* tree = nullptr;      // null: indentation (or markdown headers) decide cuts
  const FileSymbols* symbols = nullptr;  // identifiers and context; may be null
  bool markdown = false;             // no tree: cut before ATX headers, name by header
  std::string_view fallback_type = "fallback_chunk";  // block type without tree or markdown
};
void ChunkComplete(const CompleteInput& in, const CompleteLimits& limits, const TextIndex& index,
                   BlockEmitter* emitter);

}  // namespace codeindex::parse_internal

#endif  // CODEINDEX_PARSE_CHUNKER_H_
