#include "stream/sse.h"

#include <cstring>

namespace codeindex {
namespace {

constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};

// First position >= from of `c` in s, or npos; memchr is the fast scan.
inline size_t Find(std::string_view s, size_t from, char c) {
  if (from >= s.size()) return std::string_view::npos;
  const void* p = std::memchr(s.data() + from, c, s.size() - from);
  return p ? static_cast<size_t>(static_cast<const char*>(p) - s.data()) : std::string_view::npos;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

SseParser::SseParser(SseHandler* handler, SseParserOptions options)
    : handler_(handler), options_(options) {}

void SseParser::Reset() {
  bom_matched_ = 0;
  skip_lf_ = false;
  failed_ = false;
  line_.clear();
  data_ = {};
  has_data_ = false;
  data_in_buf_ = false;
  type_ = {};
  type_in_buf_ = false;
  id_ = {};
  has_id_ = false;
  id_in_buf_ = false;
}

Status SseParser::Overflow() {
  failed_ = true;
  line_.clear();
  data_ = {};
  has_data_ = false;
  data_in_buf_ = false;
  return Status::InvalidArgument("server-sent events: a line or an event is larger than " +
                                 std::to_string(options_.max_buffer_bytes) + " bytes");
}

Status SseParser::Feed(std::string_view chunk) {
  if (failed_) {
    return Status::InvalidArgument("server-sent events: parser stopped after an overflow");
  }
  if (bom_matched_ >= 0) {
    // The first bytes of the stream: drop them if they are exactly a BOM. A partial match
    // waits for more input; a mismatch makes the matched bytes ordinary input.
    while (bom_matched_ < 3 && !chunk.empty()) {
      if (static_cast<unsigned char>(chunk[0]) != kBom[bom_matched_]) break;
      ++bom_matched_;
      chunk.remove_prefix(1);
    }
    if (bom_matched_ == 3) {
      bom_matched_ = -1;
    } else if (chunk.empty()) {
      return Status::OK();  // still possibly a BOM
    } else {
      const int matched = bom_matched_;
      bom_matched_ = -1;
      if (matched > 0) {
        RETURN_IF_ERROR(ParseLines(std::string_view(reinterpret_cast<const char*>(kBom),
                                                    static_cast<size_t>(matched))));
      }
    }
  }
  if (chunk.empty()) return Status::OK();
  if (skip_lf_) {
    skip_lf_ = false;
    if (chunk[0] == '\n') chunk.remove_prefix(1);
  }
  return ParseLines(chunk);
}

Status SseParser::ParseLines(std::string_view chunk) {
  const size_t n = chunk.size();
  size_t pos = 0;
  size_t cr = Find(chunk, 0, '\r');
  size_t lf = Find(chunk, 0, '\n');
  while (pos < n) {
    if (cr < pos) cr = Find(chunk, pos, '\r');
    if (lf < pos) lf = Find(chunk, pos, '\n');
    const size_t end = cr < lf ? cr : lf;
    if (end == std::string_view::npos) break;
    if (line_.empty()) {
      ParseLine(chunk.substr(pos, end - pos));
    } else {
      // The line began in an earlier chunk.
      if (line_.size() + (end - pos) > options_.max_buffer_bytes) return Overflow();
      line_.append(chunk.data() + pos, end - pos);
      ParseLine(line_);
      Materialise();  // views into line_ must not outlive it
      line_.clear();
    }
    if (has_data_ && data_.size() > options_.max_buffer_bytes) return Overflow();
    pos = end + 1;
    if (chunk[end] == '\r') {
      if (pos < n) {
        if (chunk[pos] == '\n') ++pos;
      } else {
        skip_lf_ = true;  // CRLF may be split: the LF would start the next chunk
      }
    }
  }
  if (pos < n) {
    if (line_.size() + (n - pos) > options_.max_buffer_bytes) return Overflow();
    line_.append(chunk.data() + pos, n - pos);
  }
  Materialise();
  return Status::OK();
}

void SseParser::ParseLine(std::string_view line) {
  if (line.empty()) {
    Dispatch();
    return;
  }
  if (line[0] == ':') {
    line.remove_prefix(line.size() > 1 && line[1] == ' ' ? 2 : 1);
    handler_->OnComment(line);
    return;
  }
  std::string_view field = line;
  std::string_view value;
  const size_t colon = Find(line, 0, ':');
  if (colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  switch (field.size()) {
    case 4:
      if (field == "data") {
        if (!has_data_) {
          data_ = value;
          has_data_ = true;
          data_in_buf_ = false;
        } else {
          if (!data_in_buf_) {
            data_buf_.assign(data_.data(), data_.size());
            data_in_buf_ = true;
          }
          data_buf_.push_back('\n');
          data_buf_.append(value.data(), value.size());
          data_ = data_buf_;
        }
      }
      return;
    case 5:
      if (field == "event") {
        type_ = value;
        type_in_buf_ = false;
      } else if (field == "retry") {
        if (AllDigits(value)) {
          uint64_t ms = 0;
          for (char c : value) {
            const uint64_t d = static_cast<uint64_t>(c - '0');
            ms = ms > (UINT64_MAX - d) / 10 ? UINT64_MAX : ms * 10 + d;
          }
          handler_->OnRetry(value, ms);
        }
      }
      return;
    case 2:
      if (field == "id" && Find(value, 0, '\0') == std::string_view::npos) {
        id_ = value;
        has_id_ = true;
        id_in_buf_ = false;
      }
      return;
    default:
      return;  // unknown field: ignored
  }
}

void SseParser::Dispatch() {
  if (has_data_) {
    SseEvent event;
    event.type = type_;
    event.data = data_;
    event.id = id_;
    event.has_id = has_id_;
    handler_->OnEvent(event);
  }
  data_ = {};
  has_data_ = false;
  data_in_buf_ = false;
  type_ = {};
  type_in_buf_ = false;
  id_ = {};
  has_id_ = false;
  id_in_buf_ = false;
}

void SseParser::Materialise() {
  if (has_data_ && !data_in_buf_) {
    data_buf_.assign(data_.data(), data_.size());
    data_ = data_buf_;
    data_in_buf_ = true;
  }
  if (!type_.empty() && !type_in_buf_) {
    type_buf_.assign(type_.data(), type_.size());
    type_ = type_buf_;
    type_in_buf_ = true;
  }
  if (has_id_ && !id_in_buf_) {
    id_buf_.assign(id_.data(), id_.size());
    id_ = id_buf_;
    id_in_buf_ = true;
  }
}

}  // namespace codeindex
