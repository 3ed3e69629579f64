// Hashing helpers: SHA-256 (the original's file and segment hashes), UUIDv5 (the
// original's point ids) and a fast non-cryptographic 64-bit hash for in-memory tables.
//
// All functions are pure and thread-safe.
#ifndef CODEINDEX_BASE_HASH_H_
#define CODEINDEX_BASE_HASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace codeindex {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
// Lower-case hex of the SHA-256 of `data` (64 chars), as the original writes it.
std::string Sha256Hex(std::string_view data);

// Incremental SHA-256 for data that arrives in pieces.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  Sha256Digest Finish();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

std::string ToHex(const uint8_t* data, size_t n);

// RFC 4122 version-5 UUID of `name` in `namespace_uuid` (textual form
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"), as npm `uuid` v5() computes it.
// Returns an empty string if `namespace_uuid` is not a valid UUID.
std::string UuidV5(std::string_view name, std::string_view namespace_uuid);

// 64-bit FNV-1a-style mix for hash tables; not stable across versions, never persisted.
uint64_t FastHash64(std::string_view data);

}  // namespace codeindex

#endif  // CODEINDEX_BASE_HASH_H_
