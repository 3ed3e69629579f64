// The vocabulary of one encoding: token bytes by rank, and rank by token bytes.
// Internal to src/tokens/.
//
// Read from a ranks blob, produced at build time by ranks_gen.cc from the pinned tiktoken
// package's encoders/<name>.json and embedded in the binary. The blob already holds the
// hash table, so that loading it is free: nothing is copied or built, and a short run
// (`codeindex tokens small.txt`) only touches the pages its lookups need. Building the
// table at start-up instead cost ~5 ms of CPU and ~1,000 page faults for o200k_base.
//
// Ranks blob, version kRanksBlobVersion, little-endian (docs/tokens.md):
//   offset 0   8 bytes    magic "CIRANKS\0"
//   offset 8   u32        version
//   offset 12  u32        n, the number of tokens; ranks are 0..n-1 (tiktoken's are dense)
//   offset 16  u32        total length of all token bytes (< 2^21)
//   offset 20  u32        slot count (a power of two, > n)
//   offset 24  u32        length of the longest token
//   offset 28  u32        zero
//   offset 32  u64[slots] the hash table (slot layout below; linear probing from
//                         HashBytes(token) & (slots - 1))
//   then       u8[n]      length of token r (1..255)
//   then       the bytes of token 0, token 1, ... back to back
// Changelog: 1 = first version.
//
// Thread safety: immutable after construction (the rank -> bytes index is built on first
// use under std::call_once); every const method may be called from any number of threads.
#ifndef CODEINDEX_TOKENS_RANK_TABLE_H_
#define CODEINDEX_TOKENS_RANK_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex::tokens {

inline constexpr uint32_t kRanksBlobVersion = 1;
inline constexpr char kRanksBlobMagic[8] = {'C', 'I', 'R', 'A', 'N', 'K', 'S', '\0'};

// A 64-bit hash of n bytes (multiply-mix of overlapping word loads; reads only p[0..n)).
uint64_t HashBytes(const uint8_t* p, size_t n);

// The ranks blob of the vocabulary whose token r is tokens[r]. Errors: kInvalidArgument
// when a token is empty or longer than 255 bytes, two tokens are equal, a single byte has
// no token, or the vocabulary does not fit the slot layout.
Result<std::string> BuildRanksBlob(const std::vector<std::string>& tokens);

class RankTable {
 public:
  static constexpr uint32_t kNoRank = 0xFFFFFFFFu;

  // A table over `blob`, which must outlive it. Errors: kCorruption when the header is
  // malformed (bad magic or version, sizes that do not add up) and, with `verify`, when
  // the hash table is not exactly what BuildRanksBlob() makes of the tokens (so also
  // duplicates and missing single bytes). Verifying reads the whole blob: tests verify,
  // the embedded blobs (checked when they were built) are opened without.
  static Result<std::unique_ptr<RankTable>> FromBlob(std::string_view blob, bool verify = true);

  RankTable(const RankTable&) = delete;
  RankTable& operator=(const RankTable&) = delete;

  // The rank of the token whose bytes are p[0..len), or kNoRank.
  uint32_t Find(const uint8_t* p, size_t len) const {
    if (len > max_len_) return kNoRank;
    const uint64_t h = HashBytes(p, len);
    const uint64_t want = (h & kTagMask) | (uint64_t{len} << kLenShift);
    size_t i = h & mask_;
    for (;;) {
      const uint64_t slot = slots_[i];
      if (slot == kEmpty) return kNoRank;
      if (((slot ^ want) & (kTagMask | kLenMask)) == 0 &&
          BytesEqual(bytes_ + (slot & kOffsetMask), p, len)) {
        return static_cast<uint32_t>((slot >> kRankShift) & kRankMask);
      }
      i = (i + 1) & mask_;
    }
  }
  // The rank of the one-byte token `b` (every byte has one).
  uint32_t ByteRank(uint8_t b) const { return byte_rank_[b]; }
  // The bytes of token `rank`. REQUIRES: rank < size().
  std::string_view Bytes(uint32_t rank) const {
    std::call_once(offsets_once_, [this] { BuildOffsets(); });
    return {reinterpret_cast<const char*>(bytes_) + offsets_[rank],
            offsets_[rank + 1] - offsets_[rank]};
  }
  uint32_t size() const { return n_; }

 private:
  friend Result<std::string> BuildRanksBlob(const std::vector<std::string>& tokens);
  RankTable() = default;
  void BuildOffsets() const;

  // A slot packs, from bit 0: the offset of the token in bytes_ (21 bits), its length
  // (8), its rank (18) and the top 17 bits of its hash as a tag, which rejects almost
  // every other key without touching the token bytes. Empty slots are all ones (rank
  // 2^18-1 is beyond both vocabularies). FromBlob refuses vocabularies that do not fit.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static constexpr int kLenShift = 21, kRankShift = 29;
  static constexpr uint64_t kOffsetMask = (uint64_t{1} << 21) - 1;
  static constexpr uint64_t kLenMask = uint64_t{0xFF} << kLenShift;
  static constexpr uint64_t kRankMask = (uint64_t{1} << 18) - 1;
  static constexpr uint64_t kTagMask = ~((uint64_t{1} << 47) - 1);

  // a[0..n) == b[0..n) with word loads that stay inside both ranges.
  static bool BytesEqual(const uint8_t* a, const uint8_t* b, size_t n) {
    if (n >= 8) {
      if (n > 16) return std::memcmp(a, b, n) == 0;
      return (Load<uint64_t>(a) ^ Load<uint64_t>(b)) == 0 &&
             (Load<uint64_t>(a + n - 8) ^ Load<uint64_t>(b + n - 8)) == 0;
    }
    if (n >= 4) {
      return Load<uint32_t>(a) == Load<uint32_t>(b) &&
             Load<uint32_t>(a + n - 4) == Load<uint32_t>(b + n - 4);
    }
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  template <typename T>
  static T Load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }

  uint32_t n_ = 0;
  const uint8_t* lengths_ = nullptr;  // n_ entries, in the blob
  const uint8_t* bytes_ = nullptr;    // in the blob
  const uint64_t* slots_ = nullptr;   // mask_ + 1 entries, in the blob
  size_t mask_ = 0;
  mutable std::once_flag offsets_once_;
  mutable std::vector<uint32_t> offsets_;  // n_ + 1 entries, built on first Bytes()
  size_t max_len_ = 0;
  uint32_t byte_rank_[256] = {};
};

}  // namespace codeindex::tokens

#endif  // CODEINDEX_TOKENS_RANK_TABLE_H_
