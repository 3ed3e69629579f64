// The project's code-aware tokenizer: `"model": {"type": "CodeUnigram", ...}` in a
// tokenizer.json (internal to embed; reached through LoadTokenizerJson, and used by the
// model-training tools in train/). Spec: docs/formats/code-tokenizer.md.
//
// Text is tokenized in two steps, the same for queries and code:
//
//   1. Words. The BM25 analyzer's rules (text/analyzer.h, kAnalyzerVersion 1, default
//      options) cut the text into words and each word into parts at '_', case changes and
//      letter/digit boundaries, lower-cased; parts shorter than 2 bytes are dropped, words
//      longer than 64 bytes and blobs (hex digests, base64) yield no parts. A word with
//      several parts contributes its parts ("parseHTTPHeader" -> parse, http, header); a
//      word with one part contributes that part ("isinstance"). Sharing the analyzer means a
//      query word and a code word meet in the embedding exactly when BM25 would match them.
//   2. Pieces. A part found in the vocabulary is one token. Any other part is segmented
//      into vocabulary pieces by Viterbi over piece scores (log relative frequencies, as a
//      Unigram language model: "getpeername" -> get, peer, name; "strftime" -> str, f,
//      time). Pieces carry no continuation marker, so the `time` of "strftime" is the row
//      of the word "time". A character no piece covers becomes the unknown token (runs of
//      them fuse into one), which the static model skips.
//
// The vocabulary is learned from the training corpus by train/vocab.cc (frequent parts,
// plus every ASCII letter and digit so that any ASCII part can be segmented).
//
// Thread safety: immutable after construction; Encode() may run on many threads at once.
#ifndef CODEINDEX_EMBED_CODE_TOKENIZER_H_
#define CODEINDEX_EMBED_CODE_TOKENIZER_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/status.h"
#include "embed/tokenizer.h"

namespace codeindex {

class CodeTokenizer final : public EmbedTokenizer {
 public:
  // The tokenizer.json "model.type".
  static constexpr std::string_view kModelType = "CodeUnigram";

  struct Piece {
    std::string text;  // lower-case bytes, no separators
    double score = 0;  // log probability (<= 0); higher wins in the segmentation
  };

  // A tokenizer over `vocab` (id = position). `unk_id` names the unknown token (its text
  // is never matched). Errors: kInvalidArgument for an empty or duplicate piece, a
  // non-finite score or an unk_id out of range.
  static Result<std::unique_ptr<CodeTokenizer>> Create(std::vector<Piece> vocab, int32_t unk_id);

  // Loads the "model" object of a tokenizer.json whose type is kModelType.
  static Result<std::unique_ptr<CodeTokenizer>> FromJson(const nlohmann::json& model,
                                                         std::string_view label);

  // The whole tokenizer.json document.
  std::string ToJson() const;

  // Step 1 alone: the parts of `text` in order (what the vocabulary is learned from).
  static void Words(std::string_view text, std::vector<std::string>* words);

  void Encode(std::string_view text, std::vector<int32_t>* ids) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(pieces_.size()); }
  std::optional<int32_t> TokenToId(std::string_view token) const override;
  std::string IdToToken(int32_t id) const override;
  double score(int32_t id) const { return pieces_[id].score; }

 private:
  CodeTokenizer() = default;
  void Segment(std::string_view part, std::vector<int32_t>* ids) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Piece> pieces_;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> index_;
  size_t max_piece_bytes_ = 1;
  double unk_score_ = -100;
};

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_CODE_TOKENIZER_H_
