// The ranks blobs (rank_table.h) of both encodings, embedded in the binary by the
// generated tokens_data.c. Internal to src/tokens/.
#ifndef CODEINDEX_TOKENS_EMBEDDED_RANKS_H_
#define CODEINDEX_TOKENS_EMBEDDED_RANKS_H_

#include <string_view>

#include "tokens/tokenizer.h"

namespace codeindex::tokens {

// The blob of `encoding`; static storage, never freed.
std::string_view EmbeddedRanksBlob(TokenEncoding encoding);

}  // namespace codeindex::tokens

#endif  // CODEINDEX_TOKENS_EMBEDDED_RANKS_H_
