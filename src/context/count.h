// Token counting as the original estimates a context (spec ORIGINAL-CONTEXT.md §1.1), and
// JavaScript's JSON.stringify, which that count and the condensing request depend on.
//
// CountTokens(blocks) sums, over Anthropic-style content blocks:
//   text         o200k_base tokens of the text (tokens/tokenizer.h, exact vs tiktoken)
//   image        ceil(sqrt(length of source.data)) when the source has string data, else 300
//   tool_use     tokens of "Tool: <name>" + "\nArguments: <JSON.stringify(input)>" (the second
//                line only when input is present)
//   tool_result  tokens of the lines "Tool Result (<tool_use_id>)", "[Error]" if is_error, the
//                string content or, per array item, its text, "[Image content]" or
//                "[Unsupported content block: <type>]", joined by "\n"
//   other        0
// and returns ceil(sum x 1.5) (TOKEN_FUDGE_FACTOR, once on the total); no block -> 0.
// Examples (§1.1, unit tests): a 10,000-character base64 image -> 150; 7 text tokens and that
// image -> 161; "hello world" -> 3.
//
// Thread safety: pure functions.
#ifndef CODEINDEX_CONTEXT_COUNT_H_
#define CODEINDEX_CONTEXT_COUNT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "context/context.h"

namespace codeindex::context {

inline constexpr double kTokenFudgeFactor = 1.5;  // TOKEN_FUDGE_FACTOR
inline constexpr int64_t kImageWithoutDataTokens = 300;

// The estimate for an array of content blocks (anything else counts 0).
int64_t CountTokens(const Json& blocks);
// A message's content: a string is one text block, an array is blocks, anything else 0.
int64_t CountContentTokens(const Json& content);
// One text block of `text` (what the original does for the system prompt).
int64_t CountTextTokens(std::string_view text);

// JSON.stringify(value) (indent 0) or JSON.stringify(value, null, indent): keys in JavaScript
// property order (integer-like keys ascending first, then insertion order), numbers as
// JavaScript prints them (1 not 1.0, 1e+21), strings escaped as JSON.stringify does.
std::string JsStringify(const Json& value, int indent = 0);
// String(value) for a JSON value: strings as they are, numbers as JavaScript prints them,
// true/false/null, objects "[object Object]", arrays their items joined by ",".
std::string JsString(const Json& value);
// Number.prototype.toString() of a double.
std::string JsNumber(double v);

// Length in UTF-16 code units (JavaScript's String length) of UTF-8 text; invalid bytes count
// one unit each (as U+FFFD).
size_t Utf16Length(std::string_view utf8);
// The longest prefix of `utf8` of at most `units` UTF-16 units, as JavaScript's
// substring(0, units) would cut (a surrogate pair split in half keeps its first half: here,
// the whole character is dropped, since UTF-8 cannot hold half of it).
std::string_view Utf16Prefix(std::string_view utf8, size_t units);

}  // namespace codeindex::context

#endif  // CODEINDEX_CONTEXT_COUNT_H_
