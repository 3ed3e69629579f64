// The vocabulary of one encoding: token bytes by rank, and rank by token bytes.
// Internal to src/tokens/.
//
// Built from a ranks blob (format below, produced at build time by ranks_gen.cc from the
// pinned tiktoken package's encoders/<name>.json and embedded in the binary). The token
// bytes stay in the blob (not copied); the lookup side is an open-addressing hash table
// built once, in about a millisecond per 100K tokens (bench/tokens_bench.cc measures it).
//
// Ranks blob, version kRanksBlobVersion, little-endian:
//   offset 0   8 bytes  magic "CIRANKS\0"
//   offset 8   u32      version
//   offset 12  u32      n, the number of tokens; ranks are 0..n-1 (tiktoken's are dense)
//   offset 16  u32      total length of all token bytes
//   offset 20  u8[n]    length of token r (1..255)
//   then                the bytes of token 0, token 1, ... back to back
// Changelog: 1 = first version.
//
// Thread safety: immutable after construction; every const method may be called from any
// number of threads at once.
#ifndef CODEINDEX_TOKENS_RANK_TABLE_H_
#define CODEINDEX_TOKENS_RANK_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex::tokens {

inline constexpr uint32_t kRanksBlobVersion = 1;
inline constexpr char kRanksBlobMagic[8] = {'C', 'I', 'R', 'A', 'N', 'K', 'S', '\0'};

// A 64-bit hash of n bytes (multiply-mix of overlapping word loads; reads only p[0..n)).
uint64_t HashBytes(const uint8_t* p, size_t n);

class RankTable {
 public:
  static constexpr uint32_t kNoRank = 0xFFFFFFFFu;

  // Checks and indexes `blob`, which must outlive the table. Errors: kCorruption when the
  // blob is malformed (bad magic or version, sizes that do not add up, duplicate tokens, a
  // single byte without a token).
  static Result<std::unique_ptr<RankTable>> FromBlob(std::string_view blob);

  RankTable(const RankTable&) = delete;
  RankTable& operator=(const RankTable&) = delete;

  // The rank of the token whose bytes are p[0..len), or kNoRank.
  uint32_t Find(const uint8_t* p, size_t len) const {
    if (len > max_len_) return kNoRank;
    size_t i = HashBytes(p, len) & mask_;
    for (;;) {
      uint64_t slot = slots_[i];
      if (slot == kEmpty) return kNoRank;
      if (((slot >> 32) & 0xFF) == len &&
          std::memcmp(bytes_ + static_cast<uint32_t>(slot), p, len) == 0) {
        return static_cast<uint32_t>(slot >> 40);
      }
      i = (i + 1) & mask_;
    }
  }
  // The rank of the one-byte token `b` (every byte has one).
  uint32_t ByteRank(uint8_t b) const { return byte_rank_[b]; }
  // The bytes of token `rank`. REQUIRES: rank < size().
  std::string_view Bytes(uint32_t rank) const {
    return {reinterpret_cast<const char*>(bytes_) + offsets_[rank],
            offsets_[rank + 1] - offsets_[rank]};
  }
  uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }

 private:
  RankTable() = default;

  // A slot packs rank (bits 40..63), token length (32..39) and offset into bytes_ (0..31).
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  const uint8_t* bytes_ = nullptr;
  std::vector<uint32_t> offsets_;  // size() + 1 entries
  std::vector<uint64_t> slots_;    // power of two, load factor <= 0.4
  size_t mask_ = 0;
  size_t max_len_ = 0;
  uint32_t byte_rank_[256] = {};
};

}  // namespace codeindex::tokens

#endif  // CODEINDEX_TOKENS_RANK_TABLE_H_
