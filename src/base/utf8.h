// UTF-8 validation and lossy decoding, as the original sees text.
//
// The original reads files with Node's UTF-8 decoder, which replaces every maximal
// ill-formed subsequence with U+FFFD (WHATWG Encoding Standard, the same rule as
// TextDecoder). Its file hashes and block contents are of that decoded text, so we decode
// the same way before hashing and chunking.
//
// Thread-safe, pure functions.
#ifndef CODEINDEX_BASE_UTF8_H_
#define CODEINDEX_BASE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace codeindex {

// Length of the longest valid UTF-8 prefix of `s` (== s.size() when all valid).
size_t ValidUtf8Prefix(std::string_view s);
inline bool IsValidUtf8(std::string_view s) { return ValidUtf8Prefix(s) == s.size(); }

// `s` with each maximal ill-formed subsequence replaced by U+FFFD (EF BF BD).
std::string ToValidUtf8(std::string_view s);

}  // namespace codeindex

#endif  // CODEINDEX_BASE_UTF8_H_
