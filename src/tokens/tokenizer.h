// Token counting compatible with OpenAI's tiktoken: the contract of src/tokens/.
//
// Counts (and encodes to token ids) text exactly as tiktoken@1.0.21 does for the
// cl100k_base and o200k_base encodings, which is what the original uses to estimate the
// size of an agent's context (docs/original.md, context §1.1: o200k_base, special-token
// text such as "<|endoftext|>" encoded as ordinary text, total × 1.5 rounded up):
//
//   1. Bytes that are not valid UTF-8 become U+FFFD, one per maximal ill-formed
//      subsequence, as Node's UTF-8 decoder does before the original's tiktoken sees a
//      JavaScript string.
//   2. Pre-tokenization splits the text with the encoding's regex (pretokenizer.h, a
//      hand-written equivalent of tiktoken's regexes over Unicode 16.0 classes).
//   3. A piece that is itself a token is one token; otherwise byte-pair merging
//      (byte_pair.h) splits it, lowest rank first.
// Special tokens are never produced: their text is ordinary text.
//
// The vocabularies come from the pinned npm package tiktoken@1.0.21 (deps/npm.lock),
// converted at build time into blobs that already hold their hash tables, and embedded in
// the binary (5.5 MB): nothing is read from disk or built at run time (opening an encoding
// is a header check, ~1 µs), and a copied binary still works.
//
// Exactness is tested against the reference (tiktoken_diff_test.cc runs the pinned
// package under node on a varied corpus and on every code point).
//
// Thread safety: Tokenizer objects are immutable; every method may be called from any
// number of threads at once. Tokenizer::Get() is thread-safe.
#ifndef CODEINDEX_TOKENS_TOKENIZER_H_
#define CODEINDEX_TOKENS_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace codeindex {

namespace tokens {
class RankTable;
}  // namespace tokens

enum class TokenEncoding {
  kCl100kBase,  // GPT-4, GPT-3.5-turbo
  kO200kBase,   // GPT-4o and later; the original's choice, and the default everywhere
};

// "cl100k_base" / "o200k_base".
std::string_view TokenEncodingName(TokenEncoding encoding);
// The encoding called `name`, or nullopt.
std::optional<TokenEncoding> TokenEncodingFromName(std::string_view name);

// The original's local context estimate for a text of `tokens` tokens:
// ceil(tokens × 1.5) (its TOKEN_FUDGE_FACTOR, applied once to a total).
inline uint64_t OriginalContextEstimate(uint64_t tokens) { return tokens + (tokens + 1) / 2; }

// A prefix of a text cut at a line boundary, and its token count.
struct TokenFit {
  size_t bytes = 0;   // length of the prefix in bytes of the input
  size_t tokens = 0;  // Count() of that prefix
};

class Tokenizer {
 public:
  // The process-wide tokenizer of `encoding`, opened on first use and never destroyed.
  // Aborts only if the embedded vocabulary is corrupt (a build bug, caught by the tests).
  static const Tokenizer& Get(TokenEncoding encoding);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  TokenEncoding encoding() const { return encoding_; }
  // Number of ordinary tokens (ids are 0..vocabulary_size()-1).
  uint32_t vocabulary_size() const;

  // The number of tokens of `text` (any bytes; see step 1 above). The fast path: no ids
  // are materialised.
  size_t Count(std::string_view text) const;

  // Count(text) when it is <= limit; otherwise some value > limit, found without
  // necessarily reading the whole text. For budgets over large texts.
  size_t CountUpTo(std::string_view text, size_t limit) const;

  // The token ids of `text`, as tiktoken's encode(text, [], []) returns them.
  std::vector<uint32_t> Encode(std::string_view text) const;

  // The bytes of the tokens `ids` concatenated. Ids out of range are skipped.
  std::string Decode(std::span<const uint32_t> ids) const;

  // Fits a text into a token budget by whole lines: returns the longest prefix that is
  // the whole text or ends just after a '\n', and whose Count() is <= max_tokens (found
  // by bisection over line ends: the returned prefix fits and the one a line longer does
  // not; counts of prefixes are monotonic except in contrived texts). bytes == 0 when not
  // even the first line fits. For trimming a search result to an agent's context budget.
  TokenFit FitLines(std::string_view text, size_t max_tokens) const;

 private:
  Tokenizer(TokenEncoding encoding, std::unique_ptr<tokens::RankTable> table);
  // REQUIRES: `text` is valid UTF-8. `ids` may be null (count only). Stops once the count
  // exceeds `limit`.
  size_t Run(std::string_view text, size_t limit, std::vector<uint32_t>* ids) const;

  TokenEncoding encoding_;
  std::unique_ptr<tokens::RankTable> table_;
};

}  // namespace codeindex

#endif  // CODEINDEX_TOKENS_TOKENIZER_H_
