#include "tokens/rank_table.h"

#include <string>

namespace codeindex::tokens {
namespace {

inline uint64_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Mix(uint64_t a, uint64_t b) {
  __extension__ using U128 = unsigned __int128;  // 64x64->128 multiply (GCC and clang)
  U128 r = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
constexpr uint64_t kSeed0 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kSeed1 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kSeed2 = 0x165667B19E3779F9ull;

uint32_t ReadU32(const uint8_t* p) { return static_cast<uint32_t>(Load32(p)); }

}  // namespace

uint64_t HashBytes(const uint8_t* p, size_t n) {
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 4) {
      // Two pairs of overlapping 4-byte loads cover 4..16 bytes.
      const size_t mid = (n >> 3) << 2;
      a = (Load32(p) << 32) | Load32(p + mid);
      b = (Load32(p + n - 4) << 32) | Load32(p + n - 4 - mid);
    } else if (n > 0) {
      a = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    uint64_t h = kSeed0;
    size_t i = 0;
    for (; i + 16 < n; i += 16) h = Mix(Load64(p + i) ^ kSeed1, Load64(p + i + 8) ^ h);
    a = Load64(p + n - 16) ^ h;
    b = Load64(p + n - 8);
  }
  return Mix(kSeed1 ^ n, Mix(a ^ kSeed1, b ^ kSeed2 ^ n));
}

Result<std::unique_ptr<RankTable>> RankTable::FromBlob(std::string_view blob) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < 20 || std::memcmp(p, kRanksBlobMagic, 8) != 0) {
    return Status::Corruption("token ranks: bad magic");
  }
  const uint32_t version = ReadU32(p + 8), n = ReadU32(p + 12), total = ReadU32(p + 16);
  if (version != kRanksBlobVersion) {
    return Status::Corruption("token ranks: version " + std::to_string(version) + ", expected " +
                              std::to_string(kRanksBlobVersion));
  }
  if (n == 0 || n >= (1u << 24) || uint64_t{20} + n + total != blob.size()) {
    return Status::Corruption("token ranks: sizes do not add up");
  }
  std::unique_ptr<RankTable> t(new RankTable());
  const uint8_t* lengths = p + 20;
  t->bytes_ = lengths + n;
  t->offsets_.resize(size_t{n} + 1);
  uint64_t off = 0;
  for (uint32_t r = 0; r < n; ++r) {
    t->offsets_[r] = static_cast<uint32_t>(off);
    if (lengths[r] == 0) return Status::Corruption("token ranks: empty token");
    off += lengths[r];
    if (lengths[r] > t->max_len_) t->max_len_ = lengths[r];
  }
  if (off != total) return Status::Corruption("token ranks: lengths do not match the bytes");
  t->offsets_[n] = static_cast<uint32_t>(off);

  size_t capacity = 1;
  while (capacity < size_t{n} * 5 / 2) capacity <<= 1;
  t->slots_.assign(capacity, kEmpty);
  t->mask_ = capacity - 1;
  for (uint32_t& r : t->byte_rank_) r = kNoRank;
  for (uint32_t r = 0; r < n; ++r) {
    const uint8_t* tok = t->bytes_ + t->offsets_[r];
    const size_t len = lengths[r];
    if (t->Find(tok, len) != kNoRank) return Status::Corruption("token ranks: duplicate token");
    size_t i = HashBytes(tok, len) & t->mask_;
    while (t->slots_[i] != kEmpty) i = (i + 1) & t->mask_;
    t->slots_[i] = (uint64_t{r} << 40) | (uint64_t{len} << 32) | t->offsets_[r];
    if (len == 1) t->byte_rank_[tok[0]] = r;
  }
  for (uint32_t r : t->byte_rank_) {
    if (r == kNoRank) return Status::Corruption("token ranks: a single byte has no token");
  }
  return t;
}

}  // namespace codeindex::tokens
