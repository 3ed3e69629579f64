// Byte-pair encoding of one pre-tokenized piece, as tiktoken's byte_pair_merge does it.
// Internal to src/tokens/.
//
// The piece starts as single bytes. Repeatedly, among the adjacent pairs of parts whose
// concatenation is a token, the one whose concatenation has the lowest rank is merged; on
// a tie the leftmost wins. It stops when no adjacent pair forms a token. The parts are
// then the tokens.
//
// Two implementations with identical results: BytePairQuadratic is tiktoken's loop
// (rescan for the minimum after every merge, O(n^2), fastest for short pieces);
// BytePairHeap keeps the candidate pairs in a min-heap ordered by (rank, position), which
// pops exactly the pair the loop would pick, in O(n log n) for long pieces (a run of a
// thousand spaces). BytePairMerge picks one by length; the test compares them.
#ifndef CODEINDEX_TOKENS_BYTE_PAIR_H_
#define CODEINDEX_TOKENS_BYTE_PAIR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tokens/rank_table.h"

namespace codeindex::tokens {

// Pieces up to this many bytes use the quadratic loop (measured crossover is higher; the
// heap only has to keep pathological inputs linearithmic).
inline constexpr size_t kQuadraticMaxPiece = 128;

// Each function merges piece[0..n) and, when `ranks` is not null, appends the ranks of the
// resulting tokens to it. Returns the number of tokens. REQUIRES: n >= 1.
size_t BytePairQuadratic(const RankTable& table, const uint8_t* piece, size_t n,
                         std::vector<uint32_t>* ranks);
size_t BytePairHeap(const RankTable& table, const uint8_t* piece, size_t n,
                    std::vector<uint32_t>* ranks);

inline size_t BytePairMerge(const RankTable& table, const uint8_t* piece, size_t n,
                            std::vector<uint32_t>* ranks) {
  return n <= kQuadraticMaxPiece ? BytePairQuadratic(table, piece, n, ranks)
                                 : BytePairHeap(table, piece, n, ranks);
}

}  // namespace codeindex::tokens

#endif  // CODEINDEX_TOKENS_BYTE_PAIR_H_
