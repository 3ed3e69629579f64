#include "tokens/tokenizer.h"

#include <cstdio>
#include <cstdlib>

#include "tokens/byte_pair.h"
#include "tokens/embedded_ranks.h"
#include "tokens/pretokenizer.h"
#include "tokens/rank_table.h"
#include "tokens/utf8.h"

// The ranks blobs, embedded by the generated tokens_data.c (see CMakeLists.txt).
extern "C" const unsigned char codeindex_tokens_cl100k_base[];
extern "C" const unsigned char codeindex_tokens_cl100k_base_end[];
extern "C" const unsigned char codeindex_tokens_o200k_base[];
extern "C" const unsigned char codeindex_tokens_o200k_base_end[];

namespace codeindex {
namespace tokens {
std::string_view EmbeddedRanksBlob(TokenEncoding encoding) {
  const unsigned char* begin = encoding == TokenEncoding::kO200kBase ? codeindex_tokens_o200k_base
                                                                     : codeindex_tokens_cl100k_base;
  const unsigned char* end = encoding == TokenEncoding::kO200kBase
                                 ? codeindex_tokens_o200k_base_end
                                 : codeindex_tokens_cl100k_base_end;
  return {reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin)};
}
}  // namespace tokens

namespace {

using tokens::Pattern;
using tokens::RankTable;

Pattern PatternOf(TokenEncoding encoding) {
  return encoding == TokenEncoding::kO200kBase ? Pattern::kO200k : Pattern::kCl100k;
}

}  // namespace

std::string_view TokenEncodingName(TokenEncoding encoding) {
  return encoding == TokenEncoding::kO200kBase ? "o200k_base" : "cl100k_base";
}

std::optional<TokenEncoding> TokenEncodingFromName(std::string_view name) {
  if (name == "o200k_base") return TokenEncoding::kO200kBase;
  if (name == "cl100k_base") return TokenEncoding::kCl100kBase;
  return std::nullopt;
}

Tokenizer::Tokenizer(TokenEncoding encoding, std::unique_ptr<RankTable> table)
    : encoding_(encoding), table_(std::move(table)) {}

Tokenizer::~Tokenizer() = default;

const Tokenizer& Tokenizer::Get(TokenEncoding encoding) {
  auto build = [](TokenEncoding e) -> const Tokenizer* {
    auto table = RankTable::FromBlob(tokens::EmbeddedRanksBlob(e), /*verify=*/false);
    if (!table.ok()) {
      // Only a broken build gets here: the blob was generated and checked at build time.
      std::fprintf(stderr, "codeindex: embedded %s vocabulary: %s\n",
                   std::string(TokenEncodingName(e)).c_str(), table.error().ToString().c_str());
      std::abort();
    }
    return new Tokenizer(e, std::move(table).value());
  };
  if (encoding == TokenEncoding::kO200kBase) {
    static const Tokenizer* const o200k = build(TokenEncoding::kO200kBase);
    return *o200k;
  }
  static const Tokenizer* const cl100k = build(TokenEncoding::kCl100kBase);
  return *cl100k;
}

uint32_t Tokenizer::vocabulary_size() const { return table_->size(); }

size_t Tokenizer::Run(std::string_view text, size_t limit, std::vector<uint32_t>* ids) const {
  const RankTable& table = *table_;
  size_t count = 0;
  tokens::ForEachPiece(PatternOf(encoding_), text, [&](const uint8_t* piece, size_t len) {
    if (len == 1) {
      if (ids != nullptr) ids->push_back(table.ByteRank(piece[0]));
      ++count;
    } else if (uint32_t rank = table.Find(piece, len); rank != RankTable::kNoRank) {
      if (ids != nullptr) ids->push_back(rank);
      ++count;
    } else {
      count += tokens::BytePairMerge(table, piece, len, ids);
    }
    return count <= limit;
  });
  return count;
}

size_t Tokenizer::Count(std::string_view text) const { return CountUpTo(text, SIZE_MAX); }

size_t Tokenizer::CountUpTo(std::string_view text, size_t limit) const {
  if (tokens::IsValidUtf8(text)) return Run(text, limit, nullptr);
  return Run(tokens::ReplaceInvalidUtf8(text), limit, nullptr);
}

std::vector<uint32_t> Tokenizer::Encode(std::string_view text) const {
  std::vector<uint32_t> ids;
  ids.reserve(text.size() / 4 + 1);
  if (tokens::IsValidUtf8(text)) {
    Run(text, SIZE_MAX, &ids);
  } else {
    Run(tokens::ReplaceInvalidUtf8(text), SIZE_MAX, &ids);
  }
  return ids;
}

std::string Tokenizer::Decode(std::span<const uint32_t> ids) const {
  std::string out;
  for (uint32_t id : ids) {
    if (id < table_->size()) out += table_->Bytes(id);
  }
  return out;
}

TokenFit Tokenizer::FitLines(std::string_view text, size_t max_tokens) const {
  size_t total = CountUpTo(text, max_tokens);
  if (total <= max_tokens) return {text.size(), total};
  // Candidate prefixes: every line end (just after '\n') before the end of the text.
  std::vector<size_t> ends;
  for (size_t i = text.find('\n'); i != std::string_view::npos && i + 1 < text.size();
       i = text.find('\n', i + 1)) {
    ends.push_back(i + 1);
  }
  // Invariant: prefix lo fits (lo == 0 is the empty prefix), prefix hi does not (hi ==
  // ends.size() + 1 stands for the whole text).
  size_t lo = 0, hi = ends.size() + 1, lo_tokens = 0;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    size_t c = CountUpTo(text.substr(0, ends[mid - 1]), max_tokens);
    if (c <= max_tokens) {
      lo = mid;
      lo_tokens = c;
    } else {
      hi = mid;
    }
  }
  return {lo == 0 ? 0 : ends[lo - 1], lo_tokens};
}

}  // namespace codeindex
