#include "embed/tokenizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "embed/code_tokenizer.h"
#include "embed/unicode.h"

namespace codeindex {
namespace {

using nlohmann::json;
namespace u = unicode;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Vocab = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

constexpr std::string_view kMetaspaceChar = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// --- Normalizer -------------------------------------------------------------------------------

struct NormOp {
  enum Kind { kBert, kLowercase, kStripAccents, kStrip, kReplace, kPrepend } kind;
  bool clean_text = true, cjk = true, strip_accents = true, lowercase = true;  // kBert
  bool left = true, right = true;                                              // kStrip
  std::string pattern, content;                                                // kReplace/kPrepend
};

std::string ApplyBert(const NormOp& op, std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // ASCII fast path
      ++i;
      char32_t c = b;
      if (op.clean_text) {
        if (c == 0 || u::IsControl(c)) continue;
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
      }
      if (op.lowercase && c >= 'A' && c <= 'Z') c += 32;
      out.push_back(static_cast<char>(c));
      continue;
    }
    char32_t c = u::DecodeUtf8(s, &i);
    if (op.clean_text) {
      if (c == u::kReplacement || u::IsControl(c)) continue;
      if (u::IsWhitespace(c)) c = ' ';
    }
    if (op.cjk && u::IsCjk(c)) {
      out.push_back(' ');
      u::AppendUtf8(c, &out);
      out.push_back(' ');
      continue;
    }
    if (op.lowercase) c = u::ToLower(c);
    if (op.strip_accents) {
      if (u::IsCombiningMark(c)) continue;
      c = u::StripAccent(c);
    }
    u::AppendUtf8(c, &out);
  }
  return out;
}

std::string ApplyOp(const NormOp& op, std::string_view s) {
  switch (op.kind) {
    case NormOp::kBert:
      return ApplyBert(op, s);
    case NormOp::kLowercase: {
      NormOp b;
      b.kind = NormOp::kBert;
      b.clean_text = b.cjk = b.strip_accents = false;
      return ApplyBert(b, s);
    }
    case NormOp::kStripAccents: {
      NormOp b;
      b.kind = NormOp::kBert;
      b.clean_text = b.cjk = b.lowercase = false;
      return ApplyBert(b, s);
    }
    case NormOp::kStrip: {
      size_t b = 0, e = s.size();
      if (op.left) {
        while (b < e) {
          size_t n = b;
          if (!u::IsWhitespace(u::DecodeUtf8(s, &n))) break;
          b = n;
        }
      }
      if (op.right) {
        while (e > b) {
          size_t p = e - 1;
          while (p > b && IsContinuation(s[p])) --p;
          size_t n = p;
          if (!u::IsWhitespace(u::DecodeUtf8(s, &n))) break;
          e = p;
        }
      }
      return std::string(s.substr(b, e - b));
    }
    case NormOp::kReplace: {
      if (op.pattern.empty()) return std::string(s);
      std::string out;
      size_t pos = 0;
      while (true) {
        const size_t hit = s.find(op.pattern, pos);
        if (hit == std::string_view::npos) break;
        out.append(s.substr(pos, hit - pos));
        out += op.content;
        pos = hit + op.pattern.size();
      }
      out.append(s.substr(pos));
      return out;
    }
    case NormOp::kPrepend:
      return s.empty() ? std::string() : op.content + std::string(s);
  }
  return std::string(s);
}

// --- Pre-tokenizer ----------------------------------------------------------------------------

struct Span {
  size_t b, e;
};

struct PreOp {
  enum Kind {
    kBert,
    kWhitespace,
    kWhitespaceSplit,
    kPunctuation,
    kDigits,
    kMetaspace,
    kByteLevel
  } kind;
  bool add_prefix_space = false;   // kByteLevel
  bool use_regex = true;           // kByteLevel
  bool individual_digits = false;  // kDigits
  std::string replacement = std::string(kMetaspaceChar);
  enum Prepend { kAlways, kFirst, kNever } prepend = kAlways;  // kMetaspace
  bool split = true;                                           // kMetaspace
};

// Splits each span of `buf` by character class: whitespace is dropped; `isolated` chars become
// one-char pieces; runs of chars of equal `group` stay together.
template <typename Classify>
void SplitSpans(const std::string& buf, std::vector<Span>* spans, Classify classify) {
  // classify(c) returns: 0 = drop (whitespace), 1 = isolate, >= 2 = group id.
  std::vector<Span> out;
  out.reserve(spans->size() * 2);
  for (const Span& sp : *spans) {
    size_t start = sp.b;
    int cur = -1;
    for (size_t i = sp.b; i < sp.e;) {
      const size_t at = i;
      const char32_t c = u::DecodeUtf8(std::string_view(buf.data(), sp.e), &i);
      const int cls = classify(c);
      if (cls >= 2 && cls == cur) continue;
      if (cur >= 2 && at > start) out.push_back({start, at});
      if (cls == 0) {
        cur = -1;
      } else if (cls == 1) {
        out.push_back({at, i});
        cur = -1;
      } else {
        start = at;
        cur = cls;
      }
    }
    if (cur >= 2 && sp.e > start) out.push_back({start, sp.e});
  }
  spans->swap(out);
}

// GPT-2's reversible byte -> printable character map: bytes 33-126, 161-172 and 174-255 map
// to themselves, the other 68 to U+0100 upwards, in byte order.
const std::array<std::string, 256>& ByteLevelTable() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
      u::AppendUtf8(keep ? static_cast<char32_t>(b) : next++, &t[b]);
    }
    return t;
  }();
  return table;
}

bool IsLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return u::IsWordChar(c) && !u::IsDigit(c) && c != '_';
}

// Splits `s` like GPT-2's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (letters and numbers outside ASCII approximated by unicode.h's classes).
void SplitGpt2(std::string_view s, std::vector<std::string_view>* out) {
  auto cp = [&](size_t i, size_t* next) {
    *next = i;
    return u::DecodeUtf8(s, next);
  };
  enum Cls { kLetter, kNumber, kSpace, kOther };
  auto cls = [](char32_t c) {
    if (u::IsWhitespace(c)) return kSpace;
    if (c < 0x80 ? (c >= '0' && c <= '9') : false) return kNumber;
    if (IsLetter(c)) return kLetter;
    return kOther;
  };
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\'') {
      static constexpr std::string_view kContractions[] = {"'re", "'ve", "'ll", "'s",
                                                           "'t",  "'m",  "'d"};
      bool hit = false;
      for (std::string_view c : kContractions) {
        if (s.substr(i, c.size()) == c) {
          out->push_back(s.substr(i, c.size()));
          i += c.size();
          hit = true;
          break;
        }
      }
      if (hit) continue;
    }
    size_t start = i, j = i, next;
    if (s[j] == ' ' && j + 1 < s.size()) {
      const Cls c = cls(cp(j + 1, &next));
      if (c != kSpace) j = j + 1;
    }
    size_t n;
    const Cls c = cls(cp(j, &n));
    if (c != kSpace) {
      size_t k = n;
      while (k < s.size()) {
        size_t m;
        if (cls(cp(k, &m)) != c) break;
        k = m;
      }
      out->push_back(s.substr(start, k - start));
      i = k;
      continue;
    }
    // A whitespace run: all of it, except the last char when a non-space follows.
    size_t k = i, last = i;
    while (k < s.size()) {
      size_t m;
      if (cls(cp(k, &m)) != kSpace) break;
      last = k;
      k = m;
    }
    if (k < s.size() && last > i) k = last;
    out->push_back(s.substr(i, k - i));
    i = k;
  }
}

void ApplyPreOp(const PreOp& op, std::string* buf, std::vector<Span>* spans) {
  switch (op.kind) {
    case PreOp::kBert:
      SplitSpans(*buf, spans, [](char32_t c) {
        if (u::IsWhitespace(c)) return 0;
        if (u::IsPunctuation(c)) return 1;
        return 2;
      });
      return;
    case PreOp::kWhitespace:  // \w+|[^\w\s]+
      SplitSpans(*buf, spans, [](char32_t c) {
        if (u::IsWhitespace(c)) return 0;
        return u::IsWordChar(c) ? 2 : 3;
      });
      return;
    case PreOp::kWhitespaceSplit:
      SplitSpans(*buf, spans, [](char32_t c) { return u::IsWhitespace(c) ? 0 : 2; });
      return;
    case PreOp::kPunctuation:  // isolated punctuation, everything else kept (incl. spaces)
      SplitSpans(*buf, spans, [](char32_t c) { return u::IsPunctuation(c) ? 1 : 2; });
      return;
    case PreOp::kDigits: {
      const bool individual = op.individual_digits;
      SplitSpans(*buf, spans, [individual](char32_t c) {
        if (u::IsDigit(c)) return individual ? 1 : 3;
        return 2;
      });
      return;
    }
    case PreOp::kByteLevel: {
      const auto& table = ByteLevelTable();
      std::string out;
      std::vector<Span> pieces;
      std::vector<std::string_view> parts;
      std::string tmp;
      bool first = true;
      for (const Span& sp : *spans) {
        std::string_view piece(buf->data() + sp.b, sp.e - sp.b);
        if (op.add_prefix_space && first && !piece.empty() && piece[0] != ' ') {
          tmp = " ";
          tmp.append(piece);
          piece = tmp;
        }
        first = false;
        parts.clear();
        if (op.use_regex) {
          SplitGpt2(piece, &parts);
        } else {
          parts.push_back(piece);
        }
        for (std::string_view part : parts) {
          const size_t b = out.size();
          for (char ch : part) out += table[static_cast<unsigned char>(ch)];
          if (out.size() > b) pieces.push_back({b, out.size()});
        }
      }
      buf->swap(out);
      spans->swap(pieces);
      return;
    }
    case PreOp::kMetaspace: {
      std::string out;
      std::vector<Span> pieces;
      out.reserve(buf->size() + 16);
      bool first = true;
      for (const Span& sp : *spans) {
        const size_t begin = out.size();
        const std::string_view s(buf->data() + sp.b, sp.e - sp.b);
        const bool prepend = op.prepend == PreOp::kAlways || (op.prepend == PreOp::kFirst && first);
        if (prepend && s.substr(0, op.replacement.size()) != op.replacement) out += op.replacement;
        for (char ch : s) {
          if (ch == ' ') {
            out += op.replacement;
          } else {
            out.push_back(ch);
          }
        }
        first = false;
        const size_t end = out.size();
        if (!op.split) {
          if (end > begin) pieces.push_back({begin, end});
          continue;
        }
        // Split before every replacement char (it stays attached to what follows).
        size_t start = begin;
        size_t pos = begin;
        const std::string_view all(out);
        while (true) {
          const size_t hit = all.find(op.replacement, pos);
          if (hit == std::string_view::npos || hit >= end) break;
          if (hit > start) pieces.push_back({start, hit});
          start = hit;
          pos = hit + op.replacement.size();
        }
        if (end > start) pieces.push_back({start, end});
      }
      buf->swap(out);
      spans->swap(pieces);
      return;
    }
  }
}

// --- Models -----------------------------------------------------------------------------------

struct AddedToken {
  std::string content;
  int32_t id;
  bool lstrip = false, rstrip = false;
};

class HfTokenizer : public EmbedTokenizer {
 public:
  void Encode(std::string_view text, std::vector<int32_t>* ids) const final {
    if (added_.empty()) {
      EncodeSegment(text, ids);
      return;
    }
    // Split around added tokens found verbatim (earliest, then longest match).
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t best = std::string_view::npos;
      const AddedToken* tok = nullptr;
      for (const AddedToken& a : added_) {
        const size_t hit = text.find(a.content, pos);
        if (hit == std::string_view::npos) continue;
        if (hit < best || (hit == best && a.content.size() > tok->content.size())) {
          best = hit;
          tok = &a;
        }
      }
      if (tok == nullptr) {
        EncodeSegment(text.substr(pos), ids);
        return;
      }
      size_t seg_end = best;
      if (tok->lstrip) {
        while (seg_end > pos && (text[seg_end - 1] == ' ' || text[seg_end - 1] == '\t' ||
                                 text[seg_end - 1] == '\n' || text[seg_end - 1] == '\r')) {
          --seg_end;
        }
      }
      EncodeSegment(text.substr(pos, seg_end - pos), ids);
      ids->push_back(tok->id);
      pos = best + tok->content.size();
      if (tok->rstrip) {
        while (pos < text.size() &&
               (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
          ++pos;
        }
      }
    }
  }

  int32_t vocab_size() const final { return static_cast<int32_t>(id_to_token_.size()); }
  std::optional<int32_t> TokenToId(std::string_view token) const final {
    auto it = vocab_.find(token);
    if (it != vocab_.end()) return it->second;
    for (const AddedToken& a : added_) {
      if (a.content == token) return a.id;
    }
    return std::nullopt;
  }
  std::string IdToToken(int32_t id) const final {
    if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size()) return "";
    return id_to_token_[id];
  }

  // Loading.
  Status Load(const json& j, std::string_view label);
  void InitBertVocabTxt(std::vector<std::string> tokens, bool lowercase);

 private:
  enum class ModelKind { kWordPiece, kUnigram, kWordLevel, kBpe };

  void EncodeSegment(std::string_view text, std::vector<int32_t>* ids) const {
    if (text.empty()) return;
    std::string buf;
    if (norm_.empty()) {
      buf.assign(text);
    } else {
      buf = ApplyOp(norm_[0], text);
      for (size_t i = 1; i < norm_.size(); ++i) buf = ApplyOp(norm_[i], buf);
    }
    std::vector<Span> spans{{0, buf.size()}};
    for (const PreOp& op : pre_) ApplyPreOp(op, &buf, &spans);
    std::string scratch;
    for (const Span& sp : spans) {
      if (sp.e == sp.b) continue;
      const std::string_view word(buf.data() + sp.b, sp.e - sp.b);
      switch (model_) {
        case ModelKind::kWordPiece:
          WordPiece(word, ids, &scratch);
          break;
        case ModelKind::kUnigram:
          Unigram(word, ids);
          break;
        case ModelKind::kBpe:
          Bpe(word, ids);
          break;
        case ModelKind::kWordLevel: {
          auto it = vocab_.find(word);
          if (it != vocab_.end()) {
            ids->push_back(it->second);
          } else if (unk_id_) {
            ids->push_back(*unk_id_);
          }
          break;
        }
      }
    }
  }

  void WordPiece(std::string_view word, std::vector<int32_t>* ids, std::string* scratch) const {
    size_t chars = 0;
    for (char c : word) chars += !IsContinuation(c);
    if (chars > max_input_chars_per_word_) {
      if (unk_id_) ids->push_back(*unk_id_);
      return;
    }
    const size_t mark = ids->size();
    size_t start = 0;
    while (start < word.size()) {
      size_t end = word.size();
      int32_t found = -1;
      while (start < end) {
        const std::string_view sub = word.substr(start, end - start);
        Vocab::const_iterator it;
        if (start > 0) {
          scratch->assign(continuing_prefix_);
          scratch->append(sub);
          it = vocab_.find(std::string_view(*scratch));
        } else {
          it = vocab_.find(sub);
        }
        if (it != vocab_.end()) {
          found = it->second;
          break;
        }
        --end;
        while (end > start && IsContinuation(word[end])) --end;
      }
      if (found < 0) {
        ids->resize(mark);
        if (unk_id_) ids->push_back(*unk_id_);
        return;
      }
      ids->push_back(found);
      start = end;
    }
  }

  void Unigram(std::string_view word, std::vector<int32_t>* ids) const {
    const size_t n = word.size();
    constexpr double kNegInf = -std::numeric_limits<double>::infinity();
    std::vector<double> best(n + 1, kNegInf);
    std::vector<size_t> from(n + 1, 0);
    std::vector<int32_t> tok(n + 1, -1);
    best[0] = 0;
    for (size_t i = 0; i < n;) {
      size_t next = i;
      u::DecodeUtf8(word, &next);  // end of the first char
      if (best[i] != kNegInf) {
        bool single = false;
        size_t j = next;
        while (true) {
          auto it = vocab_.find(word.substr(i, j - i));
          if (it != vocab_.end()) {
            if (j == next) single = true;
            const double cand = best[i] + scores_[it->second];
            if (cand > best[j]) {
              best[j] = cand;
              from[j] = i;
              tok[j] = it->second;
            }
          }
          if (j >= n || j - i >= max_piece_bytes_) break;
          u::DecodeUtf8(word, &j);
        }
        if (!single && unk_id_) {
          const double cand = best[i] + unk_score_;
          if (cand > best[next]) {
            best[next] = cand;
            from[next] = i;
            tok[next] = -2;  // unknown char
          }
        }
      }
      i = next;
    }
    // Backtrack.
    std::vector<std::pair<size_t, int32_t>> rev;  // (start, id or -2)
    for (size_t j = n; j > 0;) {
      if (best[j] == kNegInf) return;  // cannot happen with an unk; without one, drop the word
      rev.emplace_back(from[j], tok[j]);
      j = from[j];
    }
    bool prev_unk = false;
    for (auto it = rev.rbegin(); it != rev.rend(); ++it) {
      if (it->second != -2) {
        ids->push_back(it->second);
        prev_unk = false;
        continue;
      }
      const size_t start = it->first;
      if (byte_fallback_) {
        size_t e = start;
        u::DecodeUtf8(word, &e);
        bool all = true;
        std::vector<int32_t> bytes;
        for (size_t k = start; k < e; ++k) {
          auto bt = vocab_.find(fmt::format("<0x{:02X}>", static_cast<unsigned char>(word[k])));
          if (bt == vocab_.end()) {
            all = false;
            break;
          }
          bytes.push_back(bt->second);
        }
        if (all) {
          ids->insert(ids->end(), bytes.begin(), bytes.end());
          prev_unk = false;
          continue;
        }
      }
      if (!prev_unk) ids->push_back(*unk_id_);  // fuse_unk
      prev_unk = true;
    }
  }

  // Byte-pair encoding of one word: start from its characters (the first plain, the others
  // with continuing_subword_prefix, the last with end_of_word_suffix), merge the adjacent pair
  // of lowest merge rank (leftmost on ties) until no pair has a rank, then map to ids.
  void Bpe(std::string_view word, std::vector<int32_t>* ids) const {
    // Merging is quadratic in the word's length: a pathological "word" (a minified line, a
    // base64 blob) is encoded in slices of kMaxBpeWord bytes, cut on code points. Real words
    // are far shorter, so their tokens are unaffected.
    constexpr size_t kMaxBpeWord = 1024;
    while (word.size() > kMaxBpeWord) {
      size_t cut = kMaxBpeWord;
      while (cut > 0 && IsContinuation(word[cut])) --cut;
      if (cut == 0) cut = kMaxBpeWord;  // not UTF-8: cut anywhere
      BpeWord(word.substr(0, cut), ids);
      word.remove_prefix(cut);
    }
    BpeWord(word, ids);
  }

  void BpeWord(std::string_view word, std::vector<int32_t>* ids) const {
    if (ignore_merges_) {
      if (auto it = vocab_.find(word); it != vocab_.end()) {
        ids->push_back(it->second);
        return;
      }
    }
    std::vector<std::string> sym;
    for (size_t i = 0; i < word.size();) {
      const size_t b = i;
      u::DecodeUtf8(word, &i);
      std::string piece = b > 0 ? continuing_prefix_ : std::string();
      piece.append(word.substr(b, i - b));
      sym.push_back(std::move(piece));
    }
    if (!sym.empty()) sym.back() += end_of_word_suffix_;
    std::string key;
    while (sym.size() > 1) {
      int best_rank = std::numeric_limits<int>::max();
      size_t best = 0;
      for (size_t i = 0; i + 1 < sym.size(); ++i) {
        key.assign(sym[i]);
        key.push_back(' ');
        key.append(sym[i + 1]);
        auto it = merges_.find(std::string_view(key));
        if (it != merges_.end() && it->second < best_rank) {
          best_rank = it->second;
          best = i;
        }
      }
      if (best_rank == std::numeric_limits<int>::max()) break;
      // Joining drops the continuation prefix of the right part, as the merge's result does.
      std::string_view right = sym[best + 1];
      if (!continuing_prefix_.empty() && right.starts_with(continuing_prefix_)) {
        right.remove_prefix(continuing_prefix_.size());
      }
      sym[best].append(right);
      sym.erase(sym.begin() + static_cast<long>(best) + 1);
    }
    bool prev_unk = false;
    for (const std::string& p : sym) {
      if (auto it = vocab_.find(p); it != vocab_.end()) {
        ids->push_back(it->second);
        prev_unk = false;
        continue;
      }
      if (byte_fallback_) {
        std::vector<int32_t> bytes;
        for (unsigned char ch : p) {
          auto bt = vocab_.find(fmt::format("<0x{:02X}>", ch));
          if (bt == vocab_.end()) break;
          bytes.push_back(bt->second);
        }
        if (bytes.size() == p.size()) {
          ids->insert(ids->end(), bytes.begin(), bytes.end());
          prev_unk = false;
          continue;
        }
      }
      if (unk_id_ && !(fuse_unk_ && prev_unk)) ids->push_back(*unk_id_);
      prev_unk = true;
    }
  }

  Status LoadNormalizer(const json& n, std::string_view label);
  Status LoadPreTokenizer(const json& p, std::string_view label);
  Status LoadPostProcessor(const json& p, std::string_view label);
  void BuildIdToToken();

  ModelKind model_ = ModelKind::kWordPiece;
  Vocab vocab_;
  std::vector<std::string> id_to_token_;
  std::vector<AddedToken> added_;
  std::vector<NormOp> norm_;
  std::vector<PreOp> pre_;
  // WordPiece
  std::string continuing_prefix_ = "##";
  size_t max_input_chars_per_word_ = 100;
  // Unigram
  std::vector<double> scores_;
  double unk_score_ = 0;
  size_t max_piece_bytes_ = 0;
  bool byte_fallback_ = false;
  // BPE
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> merges_;  // "a b" -> rank
  std::string end_of_word_suffix_;
  bool fuse_unk_ = false;
  bool ignore_merges_ = false;
};

std::string JStr(const json& j, const char* key, std::string_view def = "") {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::string(def);
  return it->get<std::string>();
}
bool JBool(const json& j, const char* key, bool def) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return def;
  return it->get<bool>();
}

Status HfTokenizer::LoadNormalizer(const json& n, std::string_view label) {
  if (n.is_null()) return Status::OK();
  if (!n.is_object())
    return Status::Corruption(fmt::format("{}: normalizer is not an object", label));
  const std::string type = JStr(n, "type");
  NormOp op;
  if (type == "Sequence") {
    auto it = n.find("normalizers");
    if (it == n.end() || !it->is_array()) {
      return Status::Corruption(fmt::format("{}: Sequence normalizer without a list", label));
    }
    for (const json& sub : *it) RETURN_IF_ERROR(LoadNormalizer(sub, label));
    return Status::OK();
  } else if (type == "BertNormalizer") {
    op.kind = NormOp::kBert;
    op.clean_text = JBool(n, "clean_text", true);
    op.cjk = JBool(n, "handle_chinese_chars", true);
    op.lowercase = JBool(n, "lowercase", true);
    auto sa = n.find("strip_accents");
    op.strip_accents =
        (sa == n.end() || sa->is_null()) ? op.lowercase : (sa->is_boolean() && sa->get<bool>());
  } else if (type == "Lowercase") {
    op.kind = NormOp::kLowercase;
  } else if (type == "StripAccents") {
    op.kind = NormOp::kStripAccents;
  } else if (type == "Strip") {
    op.kind = NormOp::kStrip;
    op.left = JBool(n, "strip_left", true);
    op.right = JBool(n, "strip_right", true);
  } else if (type == "Replace") {
    op.kind = NormOp::kReplace;
    auto p = n.find("pattern");
    if (p == n.end() || !p->is_object() || !p->contains("String")) {
      return Status::Usage(
          fmt::format("{}: Replace normalizer with a regex is not supported", label));
    }
    op.pattern = JStr(*p, "String");
    op.content = JStr(n, "content");
  } else if (type == "Prepend") {
    op.kind = NormOp::kPrepend;
    op.content = JStr(n, "prepend");
  } else if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD" || type == "Nmt") {
    return Status::OK();  // see the file comment: precomposed text passes through
  } else {
    return Status::Usage(fmt::format("{}: normalizer {} is not supported", label, type));
  }
  norm_.push_back(std::move(op));
  return Status::OK();
}

Status HfTokenizer::LoadPreTokenizer(const json& p, std::string_view label) {
  if (p.is_null()) return Status::OK();
  if (!p.is_object()) {
    return Status::Corruption(fmt::format("{}: pre_tokenizer is not an object", label));
  }
  const std::string type = JStr(p, "type");
  PreOp op;
  if (type == "Sequence") {
    auto it = p.find("pretokenizers");
    if (it == p.end() || !it->is_array()) {
      return Status::Corruption(fmt::format("{}: Sequence pre_tokenizer without a list", label));
    }
    for (const json& sub : *it) RETURN_IF_ERROR(LoadPreTokenizer(sub, label));
    return Status::OK();
  } else if (type == "BertPreTokenizer") {
    op.kind = PreOp::kBert;
  } else if (type == "Whitespace") {
    op.kind = PreOp::kWhitespace;
  } else if (type == "WhitespaceSplit") {
    op.kind = PreOp::kWhitespaceSplit;
  } else if (type == "Punctuation") {
    op.kind = PreOp::kPunctuation;
  } else if (type == "Digits") {
    op.kind = PreOp::kDigits;
    op.individual_digits = JBool(p, "individual_digits", false);
  } else if (type == "Metaspace") {
    op.kind = PreOp::kMetaspace;
    op.replacement = JStr(p, "replacement", kMetaspaceChar);
    if (op.replacement.empty()) op.replacement = std::string(kMetaspaceChar);
    const std::string scheme = JStr(p, "prepend_scheme", "");
    if (scheme == "first") {
      op.prepend = PreOp::kFirst;
    } else if (scheme == "never") {
      op.prepend = PreOp::kNever;
    } else if (scheme.empty()) {
      op.prepend = JBool(p, "add_prefix_space", true) ? PreOp::kAlways : PreOp::kNever;
    }
    op.split = JBool(p, "split", true);
  } else if (type == "ByteLevel") {
    op.kind = PreOp::kByteLevel;
    op.add_prefix_space = JBool(p, "add_prefix_space", false);
    op.use_regex = JBool(p, "use_regex", true);
  } else {
    return Status::Usage(fmt::format("{}: pre_tokenizer {} is not supported", label, type));
  }
  pre_.push_back(std::move(op));
  return Status::OK();
}

Status HfTokenizer::LoadPostProcessor(const json& p, std::string_view label) {
  if (p.is_null() || !p.is_object()) return Status::OK();
  const std::string type = JStr(p, "type");
  auto id_of = [&](const json& pair, int32_t* out) {
    // ["[CLS]", 101]
    if (!pair.is_array() || pair.size() != 2 || !pair[1].is_number_integer()) return false;
    *out = pair[1].get<int32_t>();
    return true;
  };
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    int32_t cls, sep;
    if (!p.contains("cls") || !p.contains("sep") || !id_of(p["cls"], &cls) ||
        !id_of(p["sep"], &sep)) {
      return Status::Corruption(fmt::format("{}: {} without cls/sep", label, type));
    }
    prefix_ids_ = {cls};
    suffix_ids_ = {sep};
  } else if (type == "TemplateProcessing") {
    auto single = p.find("single");
    auto specials = p.find("special_tokens");
    if (single == p.end() || !single->is_array()) return Status::OK();
    bool seen_seq = false;
    for (const json& piece : *single) {
      if (piece.contains("Sequence")) {
        seen_seq = true;
        continue;
      }
      auto st = piece.find("SpecialToken");
      if (st == piece.end()) continue;
      const std::string name = JStr(*st, "id");
      std::vector<int32_t> ids;
      if (specials != p.end() && specials->is_object() && specials->contains(name)) {
        const json& e = (*specials)[name];
        if (e.contains("ids") && e["ids"].is_array()) {
          for (const json& x : e["ids"]) {
            if (x.is_number_integer()) ids.push_back(x.get<int32_t>());
          }
        }
      } else if (auto id = TokenToId(name)) {
        ids.push_back(*id);
      }
      auto& dst = seen_seq ? suffix_ids_ : prefix_ids_;
      dst.insert(dst.end(), ids.begin(), ids.end());
    }
  } else if (type == "Sequence") {
    auto it = p.find("processors");
    if (it != p.end() && it->is_array()) {
      for (const json& sub : *it) RETURN_IF_ERROR(LoadPostProcessor(sub, label));
    }
  }
  return Status::OK();
}

void HfTokenizer::BuildIdToToken() {
  int32_t max_id = -1;
  for (const auto& [tok, id] : vocab_) max_id = std::max(max_id, id);
  for (const AddedToken& a : added_) max_id = std::max(max_id, a.id);
  id_to_token_.assign(static_cast<size_t>(max_id + 1), std::string());
  for (const auto& [tok, id] : vocab_) id_to_token_[id] = tok;
  for (const AddedToken& a : added_) id_to_token_[a.id] = a.content;
}

Status HfTokenizer::Load(const json& j, std::string_view label) {
  auto bad = [&](std::string_view what) {
    return Status::Corruption(fmt::format("{}: not a valid tokenizer.json: {}", label, what));
  };
  if (!j.is_object()) return bad("not a JSON object");
  auto m = j.find("model");
  if (m == j.end() || !m->is_object()) return bad("no model");
  std::string type = JStr(*m, "type");
  if (type.empty()) {  // old files omit the type: guess from the fields
    if (m->contains("merges")) {
      type = "BPE";
    } else if (m->contains("continuing_subword_prefix")) {
      type = "WordPiece";
    } else if (m->contains("vocab") && (*m)["vocab"].is_array()) {
      type = "Unigram";
    } else {
      type = "WordLevel";
    }
  }
  constexpr int32_t kMaxVocab = 1 << 24;
  if (type == "WordPiece" || type == "WordLevel") {
    model_ = type == "WordPiece" ? ModelKind::kWordPiece : ModelKind::kWordLevel;
    auto v = m->find("vocab");
    if (v == m->end() || !v->is_object()) return bad("model.vocab is not an object");
    for (const auto& [tok, id] : v->items()) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= kMaxVocab) {
        return bad(fmt::format("vocab id of \"{}\" is not a valid id", tok));
      }
      vocab_.emplace(tok, id.get<int32_t>());
    }
    const std::string unk = JStr(*m, "unk_token", "[UNK]");
    if (auto it = vocab_.find(unk); it != vocab_.end()) unk_id_ = it->second;
    if (model_ == ModelKind::kWordPiece) {
      continuing_prefix_ = JStr(*m, "continuing_subword_prefix", "##");
      auto mx = m->find("max_input_chars_per_word");
      if (mx != m->end() && mx->is_number_unsigned()) max_input_chars_per_word_ = mx->get<size_t>();
    }
  } else if (type == "Unigram") {
    model_ = ModelKind::kUnigram;
    auto v = m->find("vocab");
    if (v == m->end() || !v->is_array()) return bad("model.vocab is not an array");
    if (v->size() > static_cast<size_t>(kMaxVocab)) return bad("vocabulary too large");
    double min_score = 0;
    for (const json& e : *v) {
      if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) {
        return bad("Unigram vocab entry is not [piece, score]");
      }
      const int32_t id = static_cast<int32_t>(scores_.size());
      const std::string piece = e[0].get<std::string>();
      const double score = e[1].get<double>();
      if (!std::isfinite(score)) return bad("Unigram score is not finite");
      scores_.push_back(score);
      min_score = std::min(min_score, score);
      max_piece_bytes_ = std::max(max_piece_bytes_, piece.size());
      vocab_.emplace(piece, id);
    }
    unk_score_ = min_score - 10.0;  // the tokenizers library's unknown-token penalty
    auto unk = m->find("unk_id");
    if (unk != m->end() && unk->is_number_integer()) {
      const int64_t id = unk->get<int64_t>();
      if (id < 0 || id >= static_cast<int64_t>(scores_.size())) return bad("unk_id out of range");
      unk_id_ = static_cast<int32_t>(id);
    }
    byte_fallback_ = JBool(*m, "byte_fallback", false);
  } else if (type == "BPE") {
    model_ = ModelKind::kBpe;
    auto v = m->find("vocab");
    if (v == m->end() || !v->is_object()) return bad("model.vocab is not an object");
    for (const auto& [tok, id] : v->items()) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= kMaxVocab) {
        return bad(fmt::format("vocab id of \"{}\" is not a valid id", tok));
      }
      vocab_.emplace(tok, id.get<int32_t>());
    }
    auto merges = m->find("merges");
    if (merges == m->end() || !merges->is_array()) return bad("model.merges is not an array");
    int rank = 0;
    for (const json& e : *merges) {
      std::string key;
      if (e.is_string()) {
        key = e.get<std::string>();
        if (key.find(' ') == std::string::npos) return bad("a merge is not \"a b\"");
      } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
        key = e[0].get<std::string>() + " " + e[1].get<std::string>();
      } else {
        return bad("a merge is neither \"a b\" nor [a, b]");
      }
      merges_.emplace(std::move(key), rank++);  // the first occurrence keeps its rank
    }
    auto unk = m->find("unk_token");
    if (unk != m->end() && unk->is_string()) {
      if (auto it = vocab_.find(unk->get<std::string>()); it != vocab_.end()) unk_id_ = it->second;
    }
    auto cont = m->find("continuing_subword_prefix");
    if (cont != m->end() && cont->is_string())
      continuing_prefix_ = cont->get<std::string>();
    else
      continuing_prefix_.clear();
    end_of_word_suffix_ = JStr(*m, "end_of_word_suffix");
    byte_fallback_ = JBool(*m, "byte_fallback", false);
    fuse_unk_ = JBool(*m, "fuse_unk", false);
    ignore_merges_ = JBool(*m, "ignore_merges", false);
  } else {
    return Status::Usage(fmt::format("{}: tokenizer model {} is not supported", label, type));
  }

  auto added = j.find("added_tokens");
  if (added != j.end() && added->is_array()) {
    for (const json& a : *added) {
      if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer()) continue;
      const int64_t id = a["id"].get<int64_t>();
      if (id < 0 || id >= kMaxVocab) return bad("added token id out of range");
      AddedToken t{JStr(a, "content"), static_cast<int32_t>(id), JBool(a, "lstrip", false),
                   JBool(a, "rstrip", false)};
      if (t.content.empty()) continue;
      added_.push_back(std::move(t));
    }
  }
  BuildIdToToken();
  if (auto it = j.find("normalizer"); it != j.end()) RETURN_IF_ERROR(LoadNormalizer(*it, label));
  if (auto it = j.find("pre_tokenizer"); it != j.end()) {
    RETURN_IF_ERROR(LoadPreTokenizer(*it, label));
  }
  if (auto it = j.find("post_processor"); it != j.end()) {
    RETURN_IF_ERROR(LoadPostProcessor(*it, label));
  }
  for (int32_t id : prefix_ids_) {
    if (id < 0) return bad("negative special token id");
  }
  for (int32_t id : suffix_ids_) {
    if (id < 0) return bad("negative special token id");
  }
  auto pad = j.find("padding");
  if (pad != j.end() && pad->is_object() && pad->contains("pad_id") &&
      (*pad)["pad_id"].is_number_integer()) {
    pad_id_ = (*pad)["pad_id"].get<int32_t>();
  } else if (auto id = TokenToId("[PAD]")) {
    pad_id_ = *id;
  }
  return Status::OK();
}

void HfTokenizer::InitBertVocabTxt(std::vector<std::string> tokens, bool lowercase) {
  model_ = ModelKind::kWordPiece;
  for (size_t i = 0; i < tokens.size(); ++i) vocab_.emplace(tokens[i], static_cast<int32_t>(i));
  id_to_token_ = std::move(tokens);
  NormOp n;
  n.kind = NormOp::kBert;
  n.lowercase = lowercase;
  n.strip_accents = lowercase;
  norm_.push_back(n);
  PreOp p;
  p.kind = PreOp::kBert;
  pre_.push_back(p);
  for (const char* special : {"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"}) {
    auto it = vocab_.find(std::string_view(special));
    if (it != vocab_.end()) added_.push_back({special, it->second});
  }
  if (auto it = vocab_.find(std::string_view("[UNK]")); it != vocab_.end()) unk_id_ = it->second;
  if (auto it = vocab_.find(std::string_view("[CLS]")); it != vocab_.end()) {
    prefix_ids_ = {it->second};
  }
  if (auto it = vocab_.find(std::string_view("[SEP]")); it != vocab_.end()) {
    suffix_ids_ = {it->second};
  }
  if (auto it = vocab_.find(std::string_view("[PAD]")); it != vocab_.end()) pad_id_ = it->second;
}

}  // namespace

Result<std::unique_ptr<EmbedTokenizer>> LoadTokenizerJson(std::string_view text,
                                                          std::string_view label) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return Status::Corruption(fmt::format("{}: tokenizer.json is not JSON ({})", label, e.what()));
  }
  try {
    // The project's code tokenizer (code_tokenizer.h) is its own class.
    if (j.is_object() && j.contains("model") && j["model"].is_object() &&
        j["model"].value("type", "") == CodeTokenizer::kModelType) {
      ASSIGN_OR_RETURN(auto code, CodeTokenizer::FromJson(j["model"], label));
      return std::unique_ptr<EmbedTokenizer>(std::move(code));
    }
  } catch (const json::exception& e) {
    return Status::Corruption(fmt::format("{}: not a valid tokenizer.json ({})", label, e.what()));
  }
  auto t = std::make_unique<HfTokenizer>();
  try {
    RETURN_IF_ERROR(t->Load(j, label));
  } catch (const json::exception& e) {  // a value of an unexpected type deep inside
    return Status::Corruption(fmt::format("{}: not a valid tokenizer.json ({})", label, e.what()));
  }
  return std::unique_ptr<EmbedTokenizer>(std::move(t));
}

Result<std::unique_ptr<EmbedTokenizer>> LoadTokenizerFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return LoadTokenizerJson(text, path);
}

Result<std::unique_ptr<EmbedTokenizer>> LoadVocabTxt(const std::string& path, bool lowercase) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(std::move(line));
    pos = nl + 1;
  }
  if (tokens.empty()) return Status::Corruption(fmt::format("{}: empty vocabulary", path));
  auto t = std::make_unique<HfTokenizer>();
  t->InitBertVocabTxt(std::move(tokens), lowercase);
  return std::unique_ptr<EmbedTokenizer>(std::move(t));
}

}  // namespace codeindex
