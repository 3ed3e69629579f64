// UTF-8 helpers for the tokenizer. Internal to src/tokens/.
//
// tiktoken in the original receives JavaScript strings, so bytes that are not valid UTF-8
// never reach it: Node decoded them first, replacing each maximal ill-formed subsequence
// with U+FFFD as the WHATWG Encoding Standard prescribes (Buffer#toString('utf8'),
// TextDecoder). ReplaceInvalidUtf8() reproduces that decoding so that counts agree.
#ifndef CODEINDEX_TOKENS_UTF8_H_
#define CODEINDEX_TOKENS_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace codeindex::tokens {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with every maximal ill-formed subsequence replaced by U+FFFD (EF BF BD), exactly
// as the WHATWG UTF-8 decoder does. Valid input is returned unchanged.
std::string ReplaceInvalidUtf8(std::string_view text);

// Decodes the code point starting at s[0] and stores its byte length in *len.
// REQUIRES: s points into well-formed UTF-8 at a code point boundary.
inline uint32_t DecodeValid(const uint8_t* s, size_t* len) {
  uint32_t b0 = s[0];
  if (b0 < 0x80) {
    *len = 1;
    return b0;
  }
  if (b0 < 0xE0) {
    *len = 2;
    return ((b0 & 0x1F) << 6) | (s[1] & 0x3F);
  }
  if (b0 < 0xF0) {
    *len = 3;
    return ((b0 & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3F);
  }
  *len = 4;
  return ((b0 & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3F);
}

}  // namespace codeindex::tokens

#endif  // CODEINDEX_TOKENS_UTF8_H_
