// The little Unicode the tokenizers need (internal to embed): UTF-8 decoding and encoding,
// and the character classes of BERT's normaliser and pre-tokenizer.
//
// Exact for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals, the CJK ideograph
// blocks and the common punctuation blocks; elsewhere an approximation (a rare letter may not
// be lower-cased, a rare punctuation mark may stay inside a word). Documented in
// docs/architecture.md (embed). All functions are pure and thread-safe.
#ifndef CODEINDEX_EMBED_UNICODE_H_
#define CODEINDEX_EMBED_UNICODE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace codeindex::unicode {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at s[*pos] and advances *pos past it. Invalid or truncated sequences
// decode as U+FFFD and advance by one byte. REQUIRES: *pos < s.size().
char32_t DecodeUtf8(std::string_view s, size_t* pos);
void AppendUtf8(char32_t c, std::string* out);

// Number of UTF-16 code units of `s` (what JavaScript's String.length counts; the original's
// token estimate is ceil(length / 4)).
size_t Utf16Length(std::string_view s);
// The longest prefix of `s` of at most `units` UTF-16 code units that ends on a code point.
std::string_view Utf16Prefix(std::string_view s, size_t units);

bool IsWhitespace(char32_t c);     // BERT: \t \n \r and category Zs
bool IsControl(char32_t c);        // BERT: Cc/Cf other than \t \n \r
bool IsPunctuation(char32_t c);    // BERT: ASCII non-alphanumeric printable, or category P*
bool IsCjk(char32_t c);            // CJK ideographs (BERT's handle_chinese_chars ranges)
bool IsCombiningMark(char32_t c);  // category Mn (combining diacritics blocks)
// \w of the tokenizers' Whitespace pre-tokenizer: letters, digits, marks, '_'.
bool IsWordChar(char32_t c);
bool IsDigit(char32_t c);

char32_t ToLower(char32_t c);
// The base letter of a precomposed Latin letter with diacritics (é -> e), else c.
char32_t StripAccent(char32_t c);

}  // namespace codeindex::unicode

#endif  // CODEINDEX_EMBED_UNICODE_H_
