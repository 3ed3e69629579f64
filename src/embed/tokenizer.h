// Tokenizers (internal to embed, shared with the model-training tools of issue 6).
//
// An EmbedTokenizer turns text into vocabulary ids. The HF `tokenizer.json` loader composes the
// four stages of the tokenizers library, each implemented for the kinds embedding models use:
//
//   added tokens    special tokens ([CLS], <s>, ...) found verbatim in the text are kept whole
//   normalizer      BertNormalizer (clean text, CJK spacing, strip accents, lowercase),
//                   Lowercase, StripAccents, Strip, Replace (literal pattern), Prepend,
//                   NFC/NFD/NFKC/NFKD (accepted; only precomposed Latin is decomposed, see
//                   unicode.h), Sequence
//   pre-tokenizer   BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits,
//                   Metaspace, ByteLevel (GPT-2's split pattern and byte-to-char map),
//                   Sequence
//   model           WordPiece (greedy longest match, `##` continuation, [UNK] for a word with
//                   no decomposition), Unigram (Viterbi over piece log-probabilities, unknown
//                   characters fused into one unk, optional byte fallback), BPE (lowest-rank
//                   merge first; byte fallback, ignore_merges, prefixes/suffixes), WordLevel
//   post-processor  TemplateProcessing / BertProcessing / RobertaProcessing: the special ids
//                   an encoder adds around a sequence (prefix_ids()/suffix_ids())
//
// Anything else (a Split pre-tokenizer with a regex, as Llama 3 and Qwen tokenizers use, a
// Replace normalizer with a regex, Precompiled) is refused with kUsage "not supported".
//
// The project's own code-aware tokenizer (code_tokenizer.h: identifiers split on case,
// underscores and digits by the BM25 analyzer's rules, then Unigram pieces) is another
// `model.type` in tokenizer.json, "CodeUnigram", with its own class (CodeTokenizer, deriving from
// EmbedTokenizer).
//
// Thread safety: a loaded EmbedTokenizer is immutable; Encode() may run on many threads at once.
#ifndef CODEINDEX_EMBED_TOKENIZER_H_
#define CODEINDEX_EMBED_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex {

// Not named `Tokenizer`: that is codeindex::Tokenizer of tokens/tokenizer.h, and the binary
// links both stages (two classes of one name made `codeindex index` with a model crash in
// the destructor: the linker kept one class's inline members for both).
class EmbedTokenizer {
 public:
  virtual ~EmbedTokenizer() = default;
  EmbedTokenizer(const EmbedTokenizer&) = delete;
  EmbedTokenizer& operator=(const EmbedTokenizer&) = delete;

  // Appends the ids of `text` to *ids, without the special tokens of the post-processor
  // (as tokenizers' encode(add_special_tokens=False)). Unknown words become unk_id().
  virtual void Encode(std::string_view text, std::vector<int32_t>* ids) const = 0;

  // Number of ids (max id + 1).
  virtual int32_t vocab_size() const = 0;
  virtual std::optional<int32_t> TokenToId(std::string_view token) const = 0;
  // The token string of `id`, or "" if out of range.
  virtual std::string IdToToken(int32_t id) const = 0;

  // The model's unknown token, if it has one.
  std::optional<int32_t> unk_id() const { return unk_id_; }
  // Ids an encoder puts before / after a single sequence ([CLS] / [SEP] for BERT).
  const std::vector<int32_t>& prefix_ids() const { return prefix_ids_; }
  const std::vector<int32_t>& suffix_ids() const { return suffix_ids_; }
  // The padding id (0 when the tokenizer does not say).
  int32_t pad_id() const { return pad_id_; }

 protected:
  EmbedTokenizer() = default;
  std::optional<int32_t> unk_id_;
  std::vector<int32_t> prefix_ids_;
  std::vector<int32_t> suffix_ids_;
  int32_t pad_id_ = 0;
};

// Parses an HF tokenizers JSON document. `label` names the source in errors.
Result<std::unique_ptr<EmbedTokenizer>> LoadTokenizerJson(std::string_view json,
                                                          std::string_view label);
Result<std::unique_ptr<EmbedTokenizer>> LoadTokenizerFile(const std::string& path);

// A BERT WordPiece tokenizer from a vocab.txt (one token per line, id = line number) with
// BERT's normaliser (lower-casing and accent stripping iff `lowercase`), pre-tokenizer and
// [CLS]/[SEP] post-processing.
Result<std::unique_ptr<EmbedTokenizer>> LoadVocabTxt(const std::string& path, bool lowercase);

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_TOKENIZER_H_
