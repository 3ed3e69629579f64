#include "parse/parser.h"

#include <algorithm>
#include <cstdio>

#include "base/hash.h"
#include "lang/languages.h"
#include "parse/chunker.h"
#include "parse/grammars.h"
#include "parse/text.h"
#include "parse/tree_symbols.h"

namespace codeindex {

using parse_internal::BlockEmitter;
using parse_internal::ChunkLimits;

namespace {

// Bump when the chunker's output changes for the same options and queries.
// 1: initial port of docs/original.md §4 with the fixes of docs/FIDELITY.md.
// 2: the complete chunker (every non-blank line in a block), block context.
constexpr int kChunkerVersion = 2;

constexpr char kPointNamespace[] = "f47ac10b-58cc-4372-a567-0e02b2c3d479";

}  // namespace

uint64_t ParseOptionsHash(const ParseOptions& o) {
  std::string key = "chunker=" + std::to_string(kChunkerVersion);
  key += ";min=" + std::to_string(o.min_block_chars);
  key += ";max=" + std::to_string(o.max_block_chars);
  char buf[64];
  std::snprintf(buf, sizeof(buf), ";tol=%.17g", o.max_chars_tolerance_factor);
  key += buf;
  key += ";rem=" + std::to_string(o.min_chunk_remainder_chars);
  key += ";compat=" + std::to_string(o.compat ? 1 : 0);
  key += ";chunker=" + std::string(ChunkerName(o.chunker));
  if (o.chunker == Chunker::kComplete) {
    key += ";cmax=" + std::to_string(o.complete_max_chars);
    key += ";cmin=" + std::to_string(o.complete_min_chars);
    char bc[32];
    std::snprintf(bc, sizeof(bc), ";cbc=%.17g", o.complete_block_cost);
    key += bc;
  }
  for (const parse_internal::EmbeddedQuery* q = parse_internal::kEmbeddedQueries;
       q->name != nullptr; ++q) {
    key += ";q:";
    key += q->name;
    key += '=';
    key += Sha256Hex(q->text);
  }
  for (const LanguageEntry& e : Languages()) {
    key += ";";
    key += e.extension;
    key += e.language;
    key += std::to_string(static_cast<int>(e.route));
  }
  Sha256Digest d = Sha256(key);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | d[i];
  return h;
}

std::string_view ChunkerName(Chunker chunker) {
  return chunker == Chunker::kComplete ? "default" : "original";
}

Result<ParseOptions> ParseOptionsForChunker(std::string_view name) {
  ParseOptions o;
  if (name == "default" || name == "complete") {
    o.chunker = Chunker::kComplete;
  } else if (name == "original") {
    o.chunker = Chunker::kQuery;
    o.compat = true;
  } else if (name == "fixed") {
    o.chunker = Chunker::kQuery;
  } else {
    return Status::InvalidArgument("unknown chunker \"" + std::string(name) +
                                   "\" (expected default, original or fixed)");
  }
  return o;
}

std::string FileHash(std::string_view content) {
  if (parse_internal::IsValidUtf8(content)) return Sha256Hex(content);
  return Sha256Hex(parse_internal::RepairUtf8(content));
}

std::string PointId(const CodeBlock& block) { return UuidV5(block.segment_hash, kPointNamespace); }

std::string_view LanguageNameForPath(std::string_view path) {
  const LanguageEntry* e = LanguageForPath(path);
  if (e == nullptr || e->language.empty()) return {};
  if (parse_internal::FindGrammar(e->language) == nullptr) return {};
  return e->language;
}

std::vector<std::string_view> SupportedLanguages() {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < parse_internal::kGrammarTableSize; ++i) {
    out.push_back(parse_internal::kGrammarTable[i].name);
  }
  return out;
}

namespace {

// Non-blank lines of `text` and how many of them some block holds.
void CountCoverage(std::string_view text, ParsedFile* file) {
  const parse_internal::Lines lines = parse_internal::SplitLines(text);
  std::vector<char> in_block(lines.size(), 0);
  for (const CodeBlock& b : file->blocks) {
    for (int l = std::max(b.start_line, 1); l <= b.end_line && l <= static_cast<int>(lines.size());
         ++l) {
      in_block[static_cast<size_t>(l - 1)] = 1;
    }
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (parse_internal::IsBlankLine(lines.line(i))) continue;
    ++file->lines;
    file->covered_lines += in_block[i];
  }
}

// Parses at most once: for the chunk query when the route is tree-sitter, and for the
// symbols when asked and the language has a grammar.
Status ParseImpl(std::string_view hash_path, std::string_view content, const ParseOptions& options,
                 bool want_symbols, ParsedFile* out) {
  const LanguageEntry* entry = LanguageForPath(hash_path);
  if (entry == nullptr || content.empty()) return Status::OK();
  const ChunkRoute route = options.compat ? entry->original_route : entry->route;

  std::string repaired;
  std::string_view text = content;
  if (!parse_internal::IsValidUtf8(content)) {
    repaired = parse_internal::RepairUtf8(content);
    text = repaired;
  }
  const ChunkLimits limits = ChunkLimits::From(options);
  BlockEmitter emitter(hash_path, Sha256Hex(text), &out->blocks);
  const bool complete = options.chunker == Chunker::kComplete && !options.compat;
  const bool has_grammar = !LanguageNameForPath(hash_path).empty();

  const parse_internal::LanguageRuntime* rt = nullptr;
  parse_internal::TreePtr tree;
  const bool need_tree = route == ChunkRoute::kTreeSitter || (want_symbols && has_grammar) ||
                         (complete && has_grammar && route != ChunkRoute::kNone);
  if (need_tree) {
    ASSIGN_OR_RETURN(rt, parse_internal::GetRuntime(entry->language));
    tree.reset(parse_internal::ParseWithDeadline(parse_internal::ThreadParser(rt->language), text,
                                                 options.parse_timeout_ms));
    if (!tree) {
      return Status::Unavailable(std::string(hash_path) + ": parsing took longer than " +
                                 std::to_string(options.parse_timeout_ms) + " ms");
    }
  }

  if (complete) {
    if (route == ChunkRoute::kNone) return Status::OK();
    // Identifiers and context come from the symbols: extract them once for both.
    if (tree) parse_internal::SymbolsFromTree(*rt, tree.get(), text, &out->symbols);
    parse_internal::CompleteInput in;
    in.text = text;
    in.tree = tree.get();
    in.symbols = tree ? &out->symbols : nullptr;
    in.markdown = route == ChunkRoute::kMarkdown && !tree;
    parse_internal::CompleteLimits cl;
    cl.max_units = static_cast<size_t>(std::max(options.complete_max_chars, 1));
    cl.min_units = static_cast<size_t>(std::max(options.complete_min_chars, 0));
    cl.block_cost = std::max(options.complete_block_cost, 0.0);
    parse_internal::ChunkComplete(in, cl, parse_internal::TextIndex(text), &emitter);
    if (!want_symbols) out->symbols = FileSymbols();
    if (want_symbols) CountCoverage(text, out);
    return Status::OK();
  }

  switch (route) {
    case ChunkRoute::kMarkdown:
      parse_internal::ChunkMarkdown(text, limits, &emitter);
      break;
    case ChunkRoute::kFallback:
      parse_internal::ChunkLines(text, "fallback_chunk", 1, std::nullopt, limits, &emitter);
      break;
    case ChunkRoute::kNone:
      break;
    case ChunkRoute::kTreeSitter: {
      if (rt->chunk_query == nullptr) {
        return Status::Internal("no definition query for language " + rt->name);
      }
      parse_internal::TextIndex index(text);
      bool captured = false;
      Status s =
          parse_internal::ChunkTree(*rt, tree.get(), text, index, limits, &emitter, &captured);
      if (!s.ok()) return s.WithContext(std::string(hash_path));
      // No captures: line-chunk the whole file if it is long enough (§4.2 step 2). Fixed
      // mode also does so when the captures produced nothing (all below the minimum).
      bool fallback = !captured || (!options.compat && emitter.emitted() == 0);
      if (fallback && index.Units(0, text.size()) >= limits.min_chars) {
        parse_internal::ChunkLines(text, "fallback_chunk", 1, std::nullopt, limits, &emitter);
      }
      break;
    }
  }
  if (want_symbols && tree) parse_internal::SymbolsFromTree(*rt, tree.get(), text, &out->symbols);
  if (want_symbols) CountCoverage(text, out);
  return Status::OK();
}

}  // namespace

Result<std::vector<CodeBlock>> ParseBlocks(std::string_view hash_path, std::string_view content,
                                           const ParseOptions& options) {
  ParsedFile file;
  RETURN_IF_ERROR(ParseImpl(hash_path, content, options, false, &file));
  return std::move(file.blocks);
}

Result<ParsedFile> ParseFile(std::string_view hash_path, std::string_view content,
                             const ParseOptions& options) {
  ParsedFile file;
  RETURN_IF_ERROR(ParseImpl(hash_path, content, options, true, &file));
  return file;
}

}  // namespace codeindex
