#include "llm/tag_matcher.h"

namespace codeindex::llm {

void TagMatcher::Collect() {
  if (cached_.empty()) return;
  if (!pieces_.empty() && pieces_.back().matched == matched_) {
    pieces_.back().data += cached_;
  } else {
    pieces_.push_back({matched_, cached_});
  }
  cached_.clear();
}

void TagMatcher::Pop(std::vector<Chunk>* out) {
  for (Piece& p : pieces_) {
    out->push_back(p.matched ? Chunk::Reasoning(std::move(p.data)) : Chunk::Text(std::move(p.data)));
  }
  pieces_.clear();
}

void TagMatcher::Update(std::string_view delta, std::vector<Chunk>* out) {
  for (char c : delta) {
    cached_.push_back(c);
    ++pointer_;
    switch (state_) {
      case State::kText:
        if (c == '<' && (pointer_ <= 1 || matched_)) {
          state_ = State::kTagOpen;
          index_ = 0;
        } else {
          Collect();
        }
        break;
      case State::kTagOpen:
        if (c == '>' && index_ == tag_.size()) {
          state_ = State::kText;
          if (!matched_) cached_.clear();
          ++depth_;
          matched_ = true;
        } else if (index_ == 0 && c == '/') {
          state_ = State::kTagClose;
        } else if (c == ' ' && (index_ == 0 || index_ == tag_.size())) {
          // tolerated
        } else if (index_ < tag_.size() && tag_[index_] == c) {
          ++index_;
        } else {
          state_ = State::kText;
          Collect();
        }
        break;
      case State::kTagClose:
        if (c == '>' && index_ == tag_.size()) {
          state_ = State::kText;
          --depth_;
          matched_ = depth_ > 0;
          if (!matched_) cached_.clear();
        } else if (c == ' ' && (index_ == 0 || index_ == tag_.size())) {
          // tolerated
        } else if (index_ < tag_.size() && tag_[index_] == c) {
          ++index_;
        } else {
          state_ = State::kText;
          Collect();
        }
        break;
    }
  }
  Pop(out);
}

void TagMatcher::Final(std::vector<Chunk>* out) {
  Collect();
  Pop(out);
}

}  // namespace codeindex::llm
