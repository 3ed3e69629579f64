#include "tokens/byte_pair.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace codeindex::tokens {
namespace {

constexpr uint32_t kNone = RankTable::kNoRank;

void AppendRanks(const RankTable& table, const uint8_t* piece, const uint32_t* starts, size_t parts,
                 std::vector<uint32_t>* ranks) {
  for (size_t k = 0; k < parts; ++k) {
    ranks->push_back(table.Find(piece + starts[k], starts[k + 1] - starts[k]));
  }
}

}  // namespace

size_t BytePairQuadratic(const RankTable& table, const uint8_t* piece, size_t n,
                         std::vector<uint32_t>* ranks) {
  if (n == 1) {
    if (ranks != nullptr) ranks->push_back(table.ByteRank(piece[0]));
    return 1;
  }
  // parts k = [start[k], start[k+1]); rank[k] is the rank of parts k and k+1 merged.
  // Entries n-1 and n are sentinels (no pair), as in tiktoken.
  uint32_t stack_start[kQuadraticMaxPiece + 1], stack_rank[kQuadraticMaxPiece + 1];
  std::vector<uint32_t> heap_start, heap_rank;
  uint32_t* start = stack_start;
  uint32_t* rank = stack_rank;
  if (n > kQuadraticMaxPiece) {
    heap_start.resize(n + 1);
    heap_rank.resize(n + 1);
    start = heap_start.data();
    rank = heap_rank.data();
  }
  size_t len = n + 1;
  for (size_t i = 0; i + 1 < n; ++i) {
    start[i] = static_cast<uint32_t>(i);
    rank[i] = table.Find(piece + i, 2);
  }
  start[n - 1] = static_cast<uint32_t>(n - 1);
  rank[n - 1] = kNone;
  start[n] = static_cast<uint32_t>(n);
  rank[n] = kNone;

  // Rank of parts i and i+1 merged with part i+2 (indices before removing i+1).
  auto rank_after = [&](size_t i) -> uint32_t {
    if (i + 3 < len) return table.Find(piece + start[i], start[i + 3] - start[i]);
    return kNone;
  };
  for (;;) {
    uint32_t min_rank = kNone;
    size_t min_i = 0;
    for (size_t i = 0; i + 1 < len; ++i) {
      if (rank[i] < min_rank) {
        min_rank = rank[i];
        min_i = i;
      }
    }
    if (min_rank == kNone) break;
    const size_t i = min_i;
    if (i > 0) rank[i - 1] = rank_after(i - 1);
    rank[i] = rank_after(i);
    std::copy(start + i + 2, start + len, start + i + 1);
    std::copy(rank + i + 2, rank + len, rank + i + 1);
    --len;
  }
  const size_t parts = len - 1;
  if (ranks != nullptr) AppendRanks(table, piece, start, parts, ranks);
  return parts;
}

size_t BytePairHeap(const RankTable& table, const uint8_t* piece, size_t n,
                    std::vector<uint32_t>* ranks) {
  if (n == 1) return BytePairQuadratic(table, piece, n, ranks);
  // A doubly linked list of parts, indexed by their start offset; next[i] == n ends it.
  std::vector<uint32_t> next(n), prev(n), version(n, 0);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    next[i] = static_cast<uint32_t>(i + 1);
    prev[i] = static_cast<uint32_t>(i == 0 ? 0 : i - 1);
  }
  struct Candidate {
    uint32_t rank;
    uint32_t start;
    uint32_t version;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : start > o.start;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  // The rank of part `a` merged with its successor, or kNone.
  auto pair_rank = [&](uint32_t a) -> uint32_t {
    uint32_t b = next[a];
    if (b >= n) return kNone;
    uint32_t end = next[b];
    return table.Find(piece + a, end - a);
  };
  auto push = [&](uint32_t a) {
    ++version[a];
    uint32_t r = pair_rank(a);
    if (r != kNone) heap.push({r, a, version[a]});
  };
  for (uint32_t i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    if (!alive[c.start] || version[c.start] != c.version) continue;  // stale
    const uint32_t a = c.start, b = next[a];
    alive[b] = false;
    next[a] = next[b];
    if (next[a] < n) prev[next[a]] = a;
    push(a);
    if (a > 0) push(prev[a]);
  }
  size_t parts = 0;
  for (uint32_t a = 0; a < n; a = next[a]) {
    ++parts;
    if (ranks != nullptr) ranks->push_back(table.Find(piece + a, next[a] - a));
  }
  return parts;
}

}  // namespace codeindex::tokens
