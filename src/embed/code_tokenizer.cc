#include "embed/code_tokenizer.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "text/analyzer.h"

namespace codeindex {
namespace {

// The analyzer rules the tokenizer was specified with. A tokenizer.json records them; one
// made under other rules is refused rather than silently tokenized differently.
constexpr int kAnalyzerRules = 1;
static_assert(kAnalyzerVersion == kAnalyzerRules,
              "the analyzer changed: bump the CodeUnigram spec (docs/formats/code-tokenizer.md) "
              "and retrain the default model");

size_t Utf8Len(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

// Walks the analyzer's terms: calls emit(part) for each part as described in the header.
template <typename Emit>
void ForEachPart(std::string_view text, Emit emit) {
  static const Analyzer analyzer;  // default options: the rules the spec names
  thread_local TermList terms;
  terms.clear();
  analyzer.Analyze(text, &terms);
  const size_t n = terms.size();
  for (size_t i = 0; i < n;) {
    if (terms.kind(i) == TermList::Kind::kPart) {  // parts whose whole was too short
      emit(terms[i]);
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && terms.kind(j) == TermList::Kind::kPart) ++j;
    if (j == i + 1) {
      emit(terms[i]);
    } else {
      for (size_t k = i + 1; k < j; ++k) emit(terms[k]);
    }
    i = j;
  }
}

}  // namespace

Result<std::unique_ptr<CodeTokenizer>> CodeTokenizer::Create(std::vector<Piece> vocab,
                                                             int32_t unk_id) {
  if (unk_id < 0 || static_cast<size_t>(unk_id) >= vocab.size()) {
    return Status::InvalidArgument("CodeUnigram: unk_id out of range");
  }
  auto t = std::unique_ptr<CodeTokenizer>(new CodeTokenizer());
  double min_score = 0;
  for (size_t i = 0; i < vocab.size(); ++i) {
    const Piece& p = vocab[i];
    if (!std::isfinite(p.score)) {
      return Status::InvalidArgument(
          fmt::format("CodeUnigram: score of \"{}\" is not finite", p.text));
    }
    if (static_cast<int32_t>(i) == unk_id) continue;
    if (p.text.empty()) return Status::InvalidArgument("CodeUnigram: empty piece");
    if (!t->index_.emplace(p.text, static_cast<int32_t>(i)).second) {
      return Status::InvalidArgument(fmt::format("CodeUnigram: duplicate piece \"{}\"", p.text));
    }
    t->max_piece_bytes_ = std::max(t->max_piece_bytes_, p.text.size());
    min_score = std::min(min_score, p.score);
  }
  t->unk_score_ = min_score - 10.0;
  t->unk_id_ = unk_id;
  t->pieces_ = std::move(vocab);
  return t;
}

Result<std::unique_ptr<CodeTokenizer>> CodeTokenizer::FromJson(const nlohmann::json& m,
                                                               std::string_view label) {
  auto bad = [&](std::string_view what) {
    return Status::Corruption(
        fmt::format("{}: not a valid CodeUnigram tokenizer: {}", label, what));
  };
  if (!m.is_object()) return bad("model is not an object");
  auto rules = m.find("analyzer_rules");
  if (rules == m.end() || !rules->is_number_integer()) return bad("no analyzer_rules");
  if (rules->get<int>() != kAnalyzerRules) {
    return Status::Usage(
        fmt::format("{}: CodeUnigram tokenizer made for analyzer rules {}, this build has {}",
                    label, rules->get<int>(), kAnalyzerRules));
  }
  auto v = m.find("vocab");
  if (v == m.end() || !v->is_array() || v->empty()) return bad("vocab is not a non-empty array");
  if (v->size() > (1u << 24)) return bad("vocabulary too large");
  std::vector<Piece> vocab;
  vocab.reserve(v->size());
  for (const nlohmann::json& e : *v) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) {
      return bad("vocab entry is not [piece, score]");
    }
    vocab.push_back(Piece{e[0].get<std::string>(), e[1].get<double>()});
  }
  auto unk = m.find("unk_id");
  if (unk == m.end() || !unk->is_number_integer()) return bad("no unk_id");
  const int64_t id = unk->get<int64_t>();
  if (id < 0 || id >= static_cast<int64_t>(vocab.size())) return bad("unk_id out of range");
  auto t = Create(std::move(vocab), static_cast<int32_t>(id));
  if (!t.ok()) return bad(t.error().message());
  return t;
}

std::string CodeTokenizer::ToJson() const {
  nlohmann::json vocab = nlohmann::json::array();
  for (const Piece& p : pieces_) vocab.push_back(nlohmann::json::array({p.text, p.score}));
  nlohmann::json j = {{"version", "1.0"},
                      {"truncation", nullptr},
                      {"padding", nullptr},
                      {"added_tokens", nlohmann::json::array()},
                      {"normalizer", nullptr},
                      {"pre_tokenizer", nullptr},
                      {"post_processor", nullptr},
                      {"decoder", nullptr},
                      {"model",
                       {{"type", kModelType},
                        {"analyzer_rules", kAnalyzerRules},
                        {"unk_id", *unk_id_},
                        {"vocab", vocab}}}};
  return j.dump();
}

void CodeTokenizer::Words(std::string_view text, std::vector<std::string>* words) {
  ForEachPart(text, [words](std::string_view p) { words->emplace_back(p); });
}

void CodeTokenizer::Encode(std::string_view text, std::vector<int32_t>* ids) const {
  ForEachPart(text, [this, ids](std::string_view part) {
    auto it = index_.find(part);
    if (it != index_.end()) {
      ids->push_back(it->second);
    } else {
      Segment(part, ids);
    }
  });
}

void CodeTokenizer::Segment(std::string_view part, std::vector<int32_t>* ids) const {
  const size_t n = part.size();
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  // best[j]: best score of a segmentation of part[0, j); back pointers to rebuild it.
  thread_local std::vector<double> best;
  thread_local std::vector<size_t> from;
  thread_local std::vector<int32_t> tok;
  best.assign(n + 1, kNegInf);
  from.assign(n + 1, 0);
  tok.assign(n + 1, -1);
  best[0] = 0;
  for (size_t i = 0; i < n;) {
    const size_t char_end = std::min(n, i + Utf8Len(static_cast<unsigned char>(part[i])));
    if (best[i] != kNegInf) {
      bool covered = false;
      const size_t max_end = std::min(n, i + max_piece_bytes_);
      for (size_t j = char_end; j <= max_end; ++j) {
        auto it = index_.find(part.substr(i, j - i));
        if (it == index_.end()) continue;
        if (j == char_end) covered = true;
        const double cand = best[i] + pieces_[it->second].score;
        if (cand > best[j]) {
          best[j] = cand;
          from[j] = i;
          tok[j] = it->second;
        }
      }
      if (!covered) {  // the character as an unknown piece
        const double cand = best[i] + unk_score_;
        if (cand > best[char_end]) {
          best[char_end] = cand;
          from[char_end] = i;
          tok[char_end] = *unk_id_;
        }
      }
    }
    i = char_end;
  }
  thread_local std::vector<int32_t> rev;
  rev.clear();
  for (size_t j = n; j > 0; j = from[j]) rev.push_back(tok[j]);
  for (auto it = rev.rbegin(); it != rev.rend(); ++it) {
    if (*it == *unk_id_ && !ids->empty() && ids->back() == *unk_id_) continue;  // fuse unks
    ids->push_back(*it);
  }
}

std::optional<int32_t> CodeTokenizer::TokenToId(std::string_view token) const {
  auto it = index_.find(token);
  if (it != index_.end()) return it->second;
  if (token == pieces_[*unk_id_].text) return *unk_id_;
  return std::nullopt;
}

std::string CodeTokenizer::IdToToken(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return "";
  return pieces_[id].text;
}

}  // namespace codeindex
