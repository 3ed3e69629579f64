#include "tokens/rank_table.h"

#include <algorithm>

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

constexpr size_t kHeaderSize = 32;

void PutU32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

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

Result<std::string> BuildRanksBlob(const std::vector<std::string>& tokens) {
  using T = RankTable;
  const size_t n = tokens.size();
  size_t total = 0, max_len = 0;
  for (const std::string& t : tokens) {
    if (t.empty() || t.size() > 255) return Status::InvalidArgument("token of bad length");
    total += t.size();
    max_len = std::max(max_len, t.size());
  }
  if (n == 0 || n >= T::kRankMask || total > T::kOffsetMask + 1) {
    return Status::InvalidArgument("vocabulary too large for the slot layout");
  }
  // Load factor at most 0.77 (linear probing; the tags keep long probes cheap). Twice the
  // slots made lookups no faster measurably, and the binary 3 MB larger.
  size_t slots = 1;
  while (slots * 10 < n * 13) slots <<= 1;

  std::string blob(kRanksBlobMagic, 8);
  PutU32(&blob, kRanksBlobVersion);
  PutU32(&blob, static_cast<uint32_t>(n));
  PutU32(&blob, static_cast<uint32_t>(total));
  PutU32(&blob, static_cast<uint32_t>(slots));
  PutU32(&blob, static_cast<uint32_t>(max_len));
  PutU32(&blob, 0);
  const size_t slots_at = blob.size();
  blob.append(slots * 8, '\xFF');  // every slot empty
  for (const std::string& t : tokens) blob.push_back(static_cast<char>(t.size()));
  const size_t bytes_at = blob.size();
  for (const std::string& t : tokens) blob += t;

  // Insert into a table viewing the blob (so Find() checks duplicates as it goes).
  std::vector<uint64_t> table(slots, T::kEmpty);
  RankTable view;
  view.n_ = static_cast<uint32_t>(n);
  view.bytes_ = reinterpret_cast<const uint8_t*>(blob.data()) + bytes_at;
  view.slots_ = table.data();
  view.mask_ = slots - 1;
  view.max_len_ = max_len;
  uint64_t offset = 0;
  for (size_t r = 0; r < n; ++r) {
    const auto* tok = reinterpret_cast<const uint8_t*>(tokens[r].data());
    const size_t len = tokens[r].size();
    if (view.Find(tok, len) != T::kNoRank) return Status::InvalidArgument("duplicate token");
    const uint64_t h = HashBytes(tok, len);
    size_t i = h & view.mask_;
    while (table[i] != T::kEmpty) i = (i + 1) & view.mask_;
    table[i] = (h & T::kTagMask) | (uint64_t{r} << T::kRankShift) |
               (uint64_t{len} << T::kLenShift) | offset;
    offset += len;
  }
  for (int b = 0; b < 256; ++b) {
    uint8_t byte = static_cast<uint8_t>(b);
    if (view.Find(&byte, 1) == T::kNoRank) {
      return Status::InvalidArgument("a single byte has no token");
    }
  }
  for (size_t i = 0; i < slots; ++i) {
    for (int k = 0; k < 8; ++k) blob[slots_at + 8 * i + k] = static_cast<char>(table[i] >> (8 * k));
  }
  return blob;
}

Result<std::unique_ptr<RankTable>> RankTable::FromBlob(std::string_view blob, bool verify) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < kHeaderSize || std::memcmp(p, kRanksBlobMagic, 8) != 0) {
    return Status::Corruption("token ranks: bad magic");
  }
  const uint32_t version = static_cast<uint32_t>(Load32(p + 8));
  if (version != kRanksBlobVersion) {
    return Status::Corruption("token ranks: version " + std::to_string(version) + ", expected " +
                              std::to_string(kRanksBlobVersion));
  }
  const uint64_t n = Load32(p + 12), total = Load32(p + 16), slots = Load32(p + 20),
                 max_len = Load32(p + 24);
  if (n == 0 || slots <= n || (slots & (slots - 1)) != 0 || max_len == 0 || max_len > 255 ||
      kHeaderSize + 8 * slots + n + total != blob.size() ||
      reinterpret_cast<uintptr_t>(p) % 8 != 0) {
    return Status::Corruption("token ranks: sizes do not add up");
  }
  std::unique_ptr<RankTable> t(new RankTable());
  t->n_ = static_cast<uint32_t>(n);
  t->slots_ = reinterpret_cast<const uint64_t*>(p + kHeaderSize);
  t->mask_ = slots - 1;
  t->lengths_ = p + kHeaderSize + 8 * slots;
  t->bytes_ = t->lengths_ + n;
  t->max_len_ = max_len;
  if (verify) {
    std::vector<std::string> tokens;
    tokens.reserve(n);
    const uint8_t* b = t->bytes_;
    for (uint64_t r = 0; r < n; ++r) {
      tokens.emplace_back(reinterpret_cast<const char*>(b), t->lengths_[r]);
      b += t->lengths_[r];
    }
    if (b != t->bytes_ + total) return Status::Corruption("token ranks: lengths do not add up");
    auto rebuilt = BuildRanksBlob(tokens);
    if (!rebuilt.ok()) return Status::Corruption("token ranks: " + rebuilt.error().message());
    if (*rebuilt != blob) return Status::Corruption("token ranks: hash table differs");
  }
  for (int b = 0; b < 256; ++b) {
    const uint8_t byte = static_cast<uint8_t>(b);
    t->byte_rank_[b] = t->Find(&byte, 1);
    if (t->byte_rank_[b] == kNoRank) {
      return Status::Corruption("token ranks: a single byte has no token");
    }
  }
  return t;
}

void RankTable::BuildOffsets() const {
  offsets_.resize(size_t{n_} + 1);
  uint32_t off = 0;
  for (uint32_t r = 0; r < n_; ++r) {
    offsets_[r] = off;
    off += lengths_[r];
  }
  offsets_[n_] = off;
}

}  // namespace codeindex::tokens
