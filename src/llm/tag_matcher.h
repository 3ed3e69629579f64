// The think-tag matcher of OpenAI-style streams (spec ORIGINAL-CONTEXT.md §6.4,
// src/utils/tag-matcher.ts): a character state machine over the concatenated content deltas
// that turns <think>...</think> into reasoning and the rest into text.
//
// A '<' starts a tag only as the very first character of the stream or inside a think
// region, so "<think>" is recognised only at the very start (no leading white space) and
// "a<think>b" stays text. A space right after '<' or right after the full name is tolerated.
// Outside a region the opening tag is dropped; nested opening and closing tags stay in the
// reasoning text; the closing tag that leaves the outermost region is dropped. Outputs of the
// same kind are merged within one Update()/Final() call.
//
// Test vectors (§6.4): ["<thi", "nk>plan</th", "ink>Answer"] -> reasoning "plan", text
// "Answer"; [" <think>x</think>y"] -> one text chunk; ["<think>a<think>b</think>c</think>d"]
// -> reasoning "a<think>b</think>c", text "d".
//
// Bytes are compared one by one; the tag name is ASCII, so UTF-8 text passes through intact.
#ifndef CODEINDEX_LLM_TAG_MATCHER_H_
#define CODEINDEX_LLM_TAG_MATCHER_H_

#include <string>
#include <string_view>
#include <vector>

#include "llm/api.h"

namespace codeindex::llm {

class TagMatcher {
 public:
  explicit TagMatcher(std::string tag_name = "think") : tag_(std::move(tag_name)) {}

  // Feeds one delta; appends the text/reasoning chunks it completes to *out.
  void Update(std::string_view delta, std::vector<Chunk>* out);
  // Flushes whatever is buffered (the end of the stream).
  void Final(std::vector<Chunk>* out);

 private:
  enum class State { kText, kTagOpen, kTagClose };
  void Collect();
  void Pop(std::vector<Chunk>* out);

  std::string tag_;
  State state_ = State::kText;
  size_t index_ = 0;
  size_t pointer_ = 0;
  int depth_ = 0;
  bool matched_ = false;
  std::string cached_;
  struct Piece {
    bool matched;
    std::string data;
  };
  std::vector<Piece> pieces_;
};

}  // namespace codeindex::llm

#endif  // CODEINDEX_LLM_TAG_MATCHER_H_
