// RFC 9162 §2.1.1 Merkle tree hashing.
//
// Thread-safety: every function here is pure and may be called from any thread.
#ifndef SEALTRAIL_HASH_H_
#define SEALTRAIL_HASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sealtrail {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 || data): the hash of a leaf.
Hash HashLeaf(std::string_view data);

// SHA-256(0x01 || left || right): the hash of an interior node.
Hash HashChildren(const Hash& left, const Hash& right);

// SHA-256(data) with no domain prefix; used for the segment chain hash.
Hash Sha256(std::string_view data);

// Standard base64 (RFC 4648 §4, with padding), the form every tool prints.
std::string HashToBase64(const Hash& hash);
// INVALID_ARGUMENT unless `text` is the standard base64 of exactly 32 bytes.
absl::StatusOr<Hash> HashFromBase64(std::string_view text);

inline std::string_view AsStringView(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

}  // namespace sealtrail

#endif  // SEALTRAIL_HASH_H_
