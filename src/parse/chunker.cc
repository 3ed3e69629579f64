#include "parse/chunker.h"

#include <algorithm>
#include <deque>

#include <openssl/evp.h>

#include "base/hash.h"
#include "parse/text.h"
#include "parse/text_simd.h"

namespace codeindex::parse_internal {

ChunkLimits ChunkLimits::From(const ParseOptions& o) {
  ChunkLimits l;
  l.min_chars = static_cast<size_t>(o.min_block_chars < 0 ? 0 : o.min_block_chars);
  l.max_chars = static_cast<size_t>(o.max_block_chars < 1 ? 1 : o.max_block_chars);
  // Same IEEE double product as JavaScript's 1000 * 1.15 (= 1150 exactly).
  l.effective_max = static_cast<double>(o.max_block_chars) * o.max_chars_tolerance_factor;
  l.min_remainder =
      static_cast<size_t>(o.min_chunk_remainder_chars < 0 ? 0 : o.min_chunk_remainder_chars);
  l.compat = o.compat;
  l.timeout_ms = o.parse_timeout_ms;
  return l;
}

// ---------------------------------------------------------------------------------------
// TextIndex

TextIndex::TextIndex(std::string_view text) : text_(text) {
  ascii_ = AsciiPrefixFast(text.data(), text.size()) == text.size();
  if (ascii_) return;
  block_units_.reserve(text.size() / 64 + 2);
  uint32_t units = 0;
  for (size_t b = 0; b < text.size(); b += 64) {
    block_units_.push_back(units);
    size_t n = std::min<size_t>(64, text.size() - b);
    units += static_cast<uint32_t>(Utf16LengthFast(text.data() + b, n));
  }
  block_units_.push_back(units);
}

size_t TextIndex::UnitsBefore(size_t pos) const {
  if (ascii_) return pos;
  if (pos > text_.size()) pos = text_.size();
  size_t block = pos / 64;
  return block_units_[block] + Utf16LengthScalar(text_.data() + block * 64, pos % 64);
}

// ---------------------------------------------------------------------------------------
// BlockEmitter

namespace {

// SHA-256 hex with a per-thread digest context and a fetched-once algorithm: EVP_Digest()
// creates and frees a context per call, which costs more than hashing a ~200-byte key and
// showed up as a tenth of the chunking time on files with thousands of blocks.
std::string SegmentHashHex(std::string_view key) {
  struct Ctx {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
  };
  thread_local Ctx c;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (c.md == nullptr || c.ctx == nullptr || !EVP_DigestInit_ex2(c.ctx, c.md, nullptr) ||
      !EVP_DigestUpdate(c.ctx, key.data(), key.size()) || !EVP_DigestFinal_ex(c.ctx, digest, &n)) {
    return Sha256Hex(key);  // fall back to the one-shot path
  }
  return ToHex(digest, n);
}

std::string SegmentKey(std::string_view path, int start, int end, size_t units,
                       std::string_view content) {
  std::string key;
  key.reserve(path.size() + 140);
  key.append(path);
  key += '-';
  key += std::to_string(start);
  key += '-';
  key += std::to_string(end);
  key += '-';
  key += std::to_string(units);
  key += '-';
  key += JsSlicePrefix(content, 100);
  return key;
}

}  // namespace

bool BlockEmitter::Insert(const std::string& hash) { return seen_.insert(hash).second; }

bool BlockEmitter::Emit(std::string_view type, std::optional<std::string> identifier,
                        int start_line, int end_line, std::string_view content, size_t units) {
  std::string hash = SegmentHashHex(SegmentKey(path_, start_line, end_line, units, content));
  if (!Insert(hash)) return false;
  CodeBlock b;
  b.file_path = std::string(path_);
  b.identifier = std::move(identifier);
  b.type = std::string(type);
  b.start_line = start_line;
  b.end_line = end_line;
  b.content = std::string(content);
  b.segment_hash = std::move(hash);
  b.file_hash = file_hash_;
  out_->push_back(std::move(b));
  return true;
}

bool BlockEmitter::EmitSegment(std::string_view type, std::optional<std::string> identifier,
                               int line, size_t offset, std::string content, size_t units) {
  // <path>-<line>-<line>-<offset>-<length>-<first 100 units>
  std::string key;
  key.append(path_);
  key += '-' + std::to_string(line) + '-' + std::to_string(line) + '-' + std::to_string(offset) +
         '-' + std::to_string(units) + '-';
  key += JsSlicePrefix(content, 100);
  std::string hash = SegmentHashHex(key);
  if (!Insert(hash)) return false;
  CodeBlock b;
  b.file_path = std::string(path_);
  b.identifier = std::move(identifier);
  b.type = std::string(type);
  b.start_line = line;
  b.end_line = line;
  b.content = std::move(content);
  b.segment_hash = std::move(hash);
  b.file_hash = file_hash_;
  out_->push_back(std::move(b));
  return true;
}

// ---------------------------------------------------------------------------------------
// Line chunker (§4.3)

namespace {

constexpr char kReplacementChar[] = "\xEF\xBF\xBD";

struct Piece {
  enum Kind { kChunk, kSmall, kSegment } kind;
  size_t first = 0, last = 0;  // line indexes of the content (chunks)
  int start_label = 0, end_label = 0;
  size_t units = 0;
  size_t offset = 0;    // segments: start offset in units
  std::string segment;  // segments: content
};

// Cuts one line into pieces of `max` UTF-16 units, as JavaScript substring() would: a cut
// through a surrogate pair leaves a lone surrogate on each side, which UTF-8 (and Node's
// hashing) turns into U+FFFD.
void CutLine(std::string_view line, size_t max, std::vector<Piece>* out, int label) {
  size_t pos = 0;
  bool pending_low = false;
  size_t offset = 0;
  while (pos < line.size() || pending_low) {
    Piece p;
    p.kind = Piece::kSegment;
    p.start_label = p.end_label = label;
    p.offset = offset;
    size_t budget = max;
    if (pending_low) {
      p.segment.append(kReplacementChar, 3);
      --budget;
      pending_low = false;
    }
    bool split = false;
    size_t bytes = Utf16PrefixBytes(line.substr(pos), budget, &split);
    p.segment.append(line.substr(pos, bytes));
    size_t used = Utf16Length(line.substr(pos, bytes));
    pos += bytes;
    if (split) {
      p.segment.append(kReplacementChar, 3);
      ++used;
      pos += 4;
      pending_low = true;
    }
    p.units = (max - budget) + used;
    offset += max;
    out->push_back(std::move(p));
  }
}

}  // namespace

void ChunkLines(std::string_view text, std::string_view type, int base,
                const std::optional<std::string>& identifier, const ChunkLimits& lim,
                BlockEmitter* emitter) {
  const Lines lines = SplitLines(text);
  const size_t n = lines.size();
  // prefix[i] = units of lines [0, i) without newlines.
  std::vector<size_t> prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + Utf16Length(lines.line(i));
  auto len = [&](size_t i) { return prefix[i + 1] - prefix[i]; };
  auto L = [&](size_t i) { return len(i) + (i + 1 < n ? 1 : 0); };
  // Length of lines [x, y] joined with '\n'.
  auto join_len = [&](size_t x, size_t y) { return prefix[y + 1] - prefix[x] + (y - x); };

  std::vector<Piece> pieces;
  size_t cur_first = 0, cur_count = 0, cur_len = 0;
  long long start_idx = 0;

  auto finalize = [&](long long end_idx) {
    if (cur_count > 0) {
      size_t last = cur_first + cur_count - 1;
      Piece p;
      p.first = cur_first;
      p.last = last;
      p.units = join_len(cur_first, last);
      if (lim.compat) {
        p.start_label = base + static_cast<int>(start_idx);
        p.end_label = base + static_cast<int>(end_idx);
      } else {
        p.start_label = base + static_cast<int>(cur_first);
        p.end_label = base + static_cast<int>(last);
      }
      if (cur_len >= lim.min_chars) {
        p.kind = Piece::kChunk;
        pieces.push_back(std::move(p));
      } else if (!lim.compat) {
        p.kind = Piece::kSmall;
        pieces.push_back(std::move(p));
      }
    }
    cur_count = 0;
    cur_len = 0;
    start_idx = end_idx + 1;
  };
  auto append = [&](size_t i) {
    if (cur_count == 0) cur_first = i;
    ++cur_count;
    cur_len += L(i);
  };

  for (size_t i = 0; i < n; ++i) {
    const size_t li = L(i);
    if (static_cast<double>(li) > lim.effective_max) {
      if (cur_count > 0) finalize(static_cast<long long>(i) - 1);
      CutLine(lines.line(i), lim.max_chars, &pieces, base + static_cast<int>(i));
      start_idx = static_cast<long long>(i) + 1;
      continue;
    }
    if (cur_len > 0 && static_cast<double>(cur_len + li) > lim.effective_max) {
      long long split = static_cast<long long>(i) - 1;
      if (lim.compat) {
        // Re-balancing (compat only): it changes the labels, never the content (TV-B).
        size_t rem = (prefix[n] - prefix[i]) + (n - 1 - i);
        if (cur_len >= lim.min_chars && rem < lim.min_remainder && cur_count > 1) {
          for (long long k = static_cast<long long>(i) - 2; k >= start_idx; --k) {
            size_t a = join_len(static_cast<size_t>(start_idx), static_cast<size_t>(k)) + 1;
            size_t b = join_len(static_cast<size_t>(k) + 1, n - 1) + 1;
            if (a >= lim.min_chars && b >= lim.min_remainder) {
              split = k;
              break;
            }
          }
        }
      }
      finalize(split);
      append(i);
    } else {
      append(i);
    }
  }
  if (cur_count > 0) finalize(static_cast<long long>(n) - 1);

  // Fixed mode: a short run of lines (< min_chars) is kept: merged into the chunk just
  // before it when the result still fits, else a block of its own; unless the run is all
  // this input produced (a whole input below the minimum stays dropped, as in the original).
  if (!lim.compat) {
    bool has_big = false;
    for (const Piece& p : pieces) has_big = has_big || p.kind != Piece::kSmall;
    std::vector<Piece> merged;
    for (Piece& p : pieces) {
      if (p.kind != Piece::kSmall) {
        merged.push_back(std::move(p));
        continue;
      }
      if (!has_big) continue;
      std::string_view content =
          text.substr(lines.begin(p.first), lines.end(p.last) - lines.begin(p.first));
      if (JsTrim(content).empty()) continue;
      if (!merged.empty() && merged.back().kind == Piece::kChunk &&
          merged.back().last + 1 == p.first &&
          static_cast<double>(merged.back().units + 1 + p.units) <= lim.effective_max) {
        Piece& prev = merged.back();
        prev.last = p.last;
        prev.end_label = p.end_label;
        prev.units += 1 + p.units;
        continue;
      }
      p.kind = Piece::kChunk;
      merged.push_back(std::move(p));
    }
    pieces = std::move(merged);
  }

  std::optional<std::string> id;
  if (identifier && !identifier->empty()) id = identifier;
  std::string segment_type = std::string(type) + "_segment";
  for (Piece& p : pieces) {
    if (p.kind == Piece::kSegment) {
      emitter->EmitSegment(segment_type, id, p.start_label, p.offset, std::move(p.segment),
                           p.units);
    } else {
      std::string_view content =
          text.substr(lines.begin(p.first), lines.end(p.last) - lines.begin(p.first));
      emitter->Emit(type, id, p.start_label, p.end_label, content, p.units);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Markdown (§4.4)

namespace {

// Decodes one code point of valid UTF-8 at s[i].
uint32_t CodePointAt(std::string_view s, size_t i, size_t* len) {
  auto b = static_cast<unsigned char>(s[i]);
  auto c = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F);
  };
  if (b < 0x80) {
    *len = 1;
    return b;
  }
  if (b < 0xE0 && i + 1 < s.size()) {
    *len = 2;
    return ((b & 0x1Fu) << 6) | c(1);
  }
  if (b < 0xF0 && i + 2 < s.size()) {
    *len = 3;
    return ((b & 0x0Fu) << 12) | (c(1) << 6) | c(2);
  }
  if (i + 3 < s.size()) {
    *len = 4;
    return ((b & 0x07u) << 18) | (c(1) << 12) | (c(2) << 6) | c(3);
  }
  *len = 1;
  return 0xFFFD;
}

bool IsLineTerminator(uint32_t cp) {
  return cp == '\r' || cp == '\n' || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

bool MatchAtxHeader(std::string_view line, int* level, std::string* text) {
  size_t r = 0;
  while (r < line.size() && line[r] == '#') ++r;
  if (r < 1 || r > 6) return false;
  std::string_view rest = line.substr(r);
  // rest = W T: W one or more whitespace, T one or more characters without line
  // terminators (the regex's `.`). Whitespace includes CR, LS and PS, so W may absorb them.
  size_t ws_end = 0;  // end of the leading whitespace run
  size_t first_end = 0;
  size_t last_term_end = 0;  // end of the last line terminator
  bool first = true;
  for (size_t i = 0; i < rest.size();) {
    size_t len;
    uint32_t cp = CodePointAt(rest, i, &len);
    if (first) {
      if (!IsJsWhitespace(cp)) return false;
      first_end = i + len;
      first = false;
    }
    if (ws_end == i && IsJsWhitespace(cp)) ws_end = i + len;
    if (IsLineTerminator(cp)) last_term_end = i + len;
    i += len;
  }
  if (first) return false;
  size_t m = std::max(first_end, last_term_end);
  if (m > ws_end || m >= rest.size()) return false;
  *level = static_cast<int>(r);
  *text = std::string(JsTrim(rest));
  return true;
}

bool MatchSetextUnderline(std::string_view line, char c) {
  size_t r = 0;
  while (r < line.size() && line[r] == c) ++r;
  if (r < 3) return false;
  for (size_t i = r; i < line.size();) {
    size_t len;
    if (!IsJsWhitespace(CodePointAt(line, i, &len))) return false;
    i += len;
  }
  return true;
}

bool MatchSetextText(std::string_view line) {
  if (Utf16Length(line) < 2) return false;
  // P = the line without its last UTF-16 unit. If the last code point is supplementary,
  // P keeps its high surrogate, which is an allowed character.
  size_t last = line.size() - 1;
  while (last > 0 && (static_cast<unsigned char>(line[last]) & 0xC0) == 0x80) --last;
  bool last_is_pair = static_cast<unsigned char>(line[last]) >= 0xF0;
  std::string_view p = line.substr(0, last);
  auto forbidden = [](char ch) {
    return ch == '#' || ch == '<' || ch == '>' || ch == '!' || ch == '[' || ch == ']' ||
           ch == '`' || ch == '\t';
  };
  size_t f = std::string_view::npos;
  for (size_t i = 0; i < p.size(); ++i) {
    if (forbidden(p[i])) f = i;
  }
  if (f == std::string_view::npos) return !p.empty() || last_is_pair;
  // Everything up to the last forbidden char must be the leading \s* (so it is a TAB),
  // and at least one allowed character must follow it.
  for (size_t i = 0; i <= f;) {
    size_t len;
    if (!IsJsWhitespace(CodePointAt(p, i, &len))) return false;
    i += len;
  }
  return f + 1 < p.size() || last_is_pair;
}

namespace {

void MarkdownSection(const Lines& lines, size_t first, size_t last, std::string_view type,
                     const std::optional<std::string>& identifier, const ChunkLimits& lim,
                     BlockEmitter* emitter) {
  if (last < first) return;
  std::string_view content =
      lines.text.substr(lines.begin(first), lines.end(last) - lines.begin(first));
  if (Utf16Length(JsTrim(content)) < lim.min_chars) return;
  size_t units = Utf16Length(content);
  bool needs_chunking = static_cast<double>(units) > lim.effective_max;
  for (size_t i = first; i <= last && !needs_chunking; ++i) {
    std::string_view l = lines.line(i);
    // A line's units never exceed its bytes: skip counting short lines.
    if (static_cast<double>(l.size()) > lim.effective_max &&
        static_cast<double>(Utf16Length(l)) > lim.effective_max) {
      needs_chunking = true;
    }
  }
  int start = static_cast<int>(first) + 1;
  if (needs_chunking) {
    ChunkLines(content, type, start, identifier, lim, emitter);
    return;
  }
  emitter->Emit(type, identifier, start, start + static_cast<int>(last - first), content, units);
}

}  // namespace

void ChunkMarkdown(std::string_view text, const ChunkLimits& lim, BlockEmitter* emitter) {
  const Lines lines = SplitLines(text);
  struct Header {
    size_t start;
    int level;
    std::string text;
  };
  std::vector<Header> headers;
  if (!JsTrim(text).empty()) {
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string_view line = lines.line(i);
      std::string_view atx_line = line;
      if (!lim.compat && !atx_line.empty() && atx_line.back() == '\r') atx_line.remove_suffix(1);
      int level = 0;
      std::string header_text;
      if (MatchAtxHeader(atx_line, &level, &header_text)) {
        headers.push_back({i, level, std::move(header_text)});
        continue;
      }
      if (i > 0) {
        if (MatchSetextUnderline(line, '=') && MatchSetextText(lines.line(i - 1))) {
          headers.push_back({i - 1, 1, std::string(JsTrim(lines.line(i - 1)))});
          continue;
        }
        if (MatchSetextUnderline(line, '-') && MatchSetextText(lines.line(i - 1))) {
          headers.push_back({i - 1, 2, std::string(JsTrim(lines.line(i - 1)))});
          continue;
        }
      }
    }
  }
  const size_t n = lines.size();
  if (headers.empty()) {
    MarkdownSection(lines, 0, n - 1, "markdown_content", std::nullopt, lim, emitter);
    return;
  }
  if (headers[0].start > 0) {
    MarkdownSection(lines, 0, headers[0].start - 1, "markdown_content", std::nullopt, lim, emitter);
  }
  for (size_t h = 0; h < headers.size(); ++h) {
    size_t last = h + 1 < headers.size() ? headers[h + 1].start - 1 : n - 1;
    if (h + 1 < headers.size() && headers[h + 1].start == 0) continue;
    MarkdownSection(lines, headers[h].start, last,
                    "markdown_header_h" + std::to_string(headers[h].level), headers[h].text, lim,
                    emitter);
  }
}

// ---------------------------------------------------------------------------------------
// Tree-sitter capture queue (§4.2)

namespace {

struct QueryDeadline {
  uint64_t at_ns;
  uint32_t calls = 0;
  bool expired = false;
};

bool QueryProgress(TSQueryCursorState* state) {
  auto* d = static_cast<QueryDeadline*>(state->payload);
  if ((++d->calls & 31) != 0) return false;
  d->expired = ThreadCpuTimeNanos() >= d->at_ns;
  return d->expired;
}

struct Item {
  TSNode node;
  bool is_span = false;
  uint32_t span_begin = 0, span_end = 0, span_row = 0;
  const char* span_type = nullptr;
};

std::optional<std::string> Identifier(TSNode node, std::string_view text) {
  TSNode name = ts_node_child_by_field_name(node, "name", 4);
  if (!ts_node_is_null(name)) {
    std::string_view t = NodeText(name, text);
    if (!t.empty()) return std::string(t);
  }
  uint32_t n = ts_node_child_count(node);
  if (n == 0) return std::nullopt;
  TSTreeCursor c = ts_tree_cursor_new(node);
  std::optional<std::string> out;
  if (ts_tree_cursor_goto_first_child(&c)) {
    do {
      TSNode child = ts_tree_cursor_current_node(&c);
      if (std::string_view(ts_node_type(child)) == "identifier") {
        std::string_view t = NodeText(child, text);
        if (!t.empty()) out = std::string(t);
        break;
      }
    } while (ts_tree_cursor_goto_next_sibling(&c));
  }
  ts_tree_cursor_delete(&c);
  return out;
}

}  // namespace

Status CollectCaptures(const Query& query, TSNode root, std::string_view text, uint32_t timeout_ms,
                       std::vector<TSNode>* out) {
  TSQueryCursor* cursor = ThreadCursor();
  QueryDeadline qd{ThreadCpuTimeNanos() +
                   uint64_t{timeout_ms == 0 ? 3600000u : timeout_ms} * 1000000u};
  TSQueryCursorOptions qopts{&qd, &QueryProgress};
  ts_query_cursor_exec_with_options(cursor, query.get(), root, &qopts);
  // The original takes query.captures(), i.e. ts_query_cursor_next_capture: captures in
  // order of their node's start byte, then pattern index, each match's captures in its
  // own order. next_capture produces that order by buffering every match that might still
  // precede an unfinished one, and rescans the buffer on each call: quadratic on files
  // with many nested matches (an HTML page of 1K lines took 0.8 s). We collect the matches
  // with next_match and sort instead; CollectCapturesInCaptureOrder is the reference the
  // tests compare this with on every fixture.
  struct Capture {
    uint32_t start;
    uint32_t pattern;
    uint32_t seq;
    TSNode node;
  };
  std::vector<Capture> captures;
  TSQueryMatch match;
  uint32_t seq = 0;
  while (ts_query_cursor_next_match(cursor, &match)) {
    if (!query.Accept(match, text)) continue;
    for (uint16_t c = 0; c < match.capture_count; ++c) {
      TSNode n = match.captures[c].node;
      captures.push_back({ts_node_start_byte(n), match.pattern_index, seq++, n});
    }
  }
  std::sort(captures.begin(), captures.end(), [](const Capture& x, const Capture& y) {
    if (x.start != y.start) return x.start < y.start;
    if (x.pattern != y.pattern) return x.pattern < y.pattern;
    return x.seq < y.seq;
  });
  out->reserve(out->size() + captures.size());
  for (const Capture& c : captures) out->push_back(c.node);
  if (qd.expired) {
    return Status::Unavailable("query took longer than " + std::to_string(timeout_ms) + " ms");
  }
  return Status::OK();
}

void CollectCapturesInCaptureOrder(const Query& query, TSNode root, std::string_view text,
                                   std::vector<TSNode>* out) {
  TSQueryCursor* cursor = ThreadCursor();
  ts_query_cursor_exec(cursor, query.get(), root);
  TSQueryMatch match;
  uint32_t index = 0;
  while (ts_query_cursor_next_capture(cursor, &match, &index)) {
    if (query.Accept(match, text)) out->push_back(match.captures[index].node);
  }
}

Status ChunkTree(const LanguageRuntime& rt, const TSTree* tree, std::string_view text,
                 const TextIndex& index, const ChunkLimits& lim, BlockEmitter* emitter,
                 bool* captured) {
  *captured = false;
  TSNode root = ts_tree_root_node(tree);

  std::deque<Item> queue;
  {
    std::vector<TSNode> nodes;
    RETURN_IF_ERROR(CollectCaptures(*rt.chunk_query, root, text, lim.timeout_ms, &nodes));
    for (const TSNode& n : nodes) queue.push_back(Item{n});
  }
  *captured = !queue.empty();

  // Each node is processed once: a second visit (the node was captured by several patterns,
  // or is also a descendant of an expanded capture) can only produce blocks whose segment
  // hashes were already emitted, so skipping it leaves the output unchanged and bounds the
  // queue by (captures + nodes) instead of (captures x depth).
  std::unordered_set<const void*> visited;
  visited.reserve(queue.size() * 2);
  while (!queue.empty()) {
    Item item = queue.front();
    queue.pop_front();
    if (item.is_span) {
      ChunkLines(text.substr(item.span_begin, item.span_end - item.span_begin), item.span_type,
                 static_cast<int>(item.span_row) + 1, std::nullopt, lim, emitter);
      continue;
    }
    TSNode node = item.node;
    if (!visited.insert(node.id).second) continue;
    uint32_t b = ts_node_start_byte(node), e = ts_node_end_byte(node);
    size_t units = index.Units(b, e);
    if (units < lim.min_chars) continue;
    if (static_cast<double>(units) > lim.effective_max) {
      if (ts_node_child_count(node) == 0) {
        ChunkLines(NodeText(node, text), ts_node_type(node),
                   static_cast<int>(ts_node_start_point(node).row) + 1, std::nullopt, lim, emitter);
        continue;
      }
      TSTreeCursor c = ts_tree_cursor_new(node);
      // Fixed mode: consecutive children below the minimum are gathered into one span
      // (line-chunked later) instead of being dropped one by one.
      bool in_run = false;
      uint32_t run_begin = 0, run_end = 0, run_row = 0;
      auto flush = [&]() {
        if (in_run && index.Units(run_begin, run_end) >= lim.min_chars) {
          Item span{node};
          span.is_span = true;
          span.span_begin = run_begin;
          span.span_end = run_end;
          span.span_row = run_row;
          span.span_type = ts_node_type(node);
          queue.push_back(span);
        }
        in_run = false;
      };
      if (ts_tree_cursor_goto_first_child(&c)) {
        do {
          TSNode child = ts_tree_cursor_current_node(&c);
          if (!lim.compat) {
            uint32_t cb = ts_node_start_byte(child), ce = ts_node_end_byte(child);
            if (index.Units(cb, ce) < lim.min_chars) {
              if (!in_run) {
                in_run = true;
                run_begin = cb;
                run_end = ce;
                run_row = ts_node_start_point(child).row;
              }
              run_end = std::max(run_end, ce);
              continue;
            }
            flush();
          }
          queue.push_back(Item{child});
        } while (ts_tree_cursor_goto_next_sibling(&c));
      }
      flush();
      ts_tree_cursor_delete(&c);
      continue;
    }
    emitter->Emit(ts_node_type(node), Identifier(node, text),
                  static_cast<int>(ts_node_start_point(node).row) + 1,
                  static_cast<int>(ts_node_end_point(node).row) + 1, NodeText(node, text), units);
  }
  return Status::OK();
}

}  // namespace codeindex::parse_internal
