#include "server/keymap/key_map_format.h"

#include <bit>
#include <cstring>

#include "server/keymap/big_endian.h"

namespace sealtrail::keymap {

namespace {
// Domain separation (docs/format/keymap.md, "Why this is sound"): no hashed form of the map is
// ever another, nor one of the log's RFC 9162 forms (0x00, 0x01).
constexpr uint8_t kPathPrefix = 0x10;
constexpr uint8_t kLeafPrefix = 0x11;
constexpr uint8_t kNodePrefix = 0x12;

std::string_view AsChars(const uint8_t* bytes, size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

void AppendLengthPrefixed(std::string_view bytes, std::string* out) {
  uint8_t length[4];
  EncodeBigEndian(bytes.size(), sizeof(length), length);
  out->append(AsChars(length, sizeof(length)));
  out->append(bytes);
}
}  // namespace

std::string KeyBytes(KeyKind kind, std::string_view tenant, std::string_view value) {
  std::string out;
  out.reserve(1 + 4 + tenant.size() + 4 + value.size());
  out.push_back(static_cast<char>(kind));
  AppendLengthPrefixed(tenant, &out);
  AppendLengthPrefixed(value, &out);
  return out;
}

Hash KeyPath(KeyKind kind, std::string_view tenant, std::string_view value) {
  // The committer computes a path per key of every record: one buffer per thread, reused, so
  // that a path costs the hash and no allocation.
  thread_local std::string input;
  input.clear();
  input.push_back(static_cast<char>(kPathPrefix));
  input.push_back(static_cast<char>(kind));
  AppendLengthPrefixed(tenant, &input);
  AppendLengthPrefixed(value, &input);
  return Sha256(input);
}

Hash LeafHash(const Hash& path, const KeyHead& value) {
  uint8_t input[1 + kHashSize + 8 + 8];
  input[0] = kLeafPrefix;
  std::memcpy(input + 1, path.data(), kHashSize);
  EncodeBigEndian(value.head, 8, input + 1 + kHashSize);
  EncodeBigEndian(value.count, 8, input + 1 + kHashSize + 8);
  return Sha256(AsChars(input, sizeof(input)));
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t input[1 + 2 * kHashSize];
  input[0] = kNodePrefix;
  std::memcpy(input + 1, left.data(), kHashSize);
  std::memcpy(input + 1 + kHashSize, right.data(), kHashSize);
  return Sha256(AsChars(input, sizeof(input)));
}

int CommonPrefixBits(const Hash& a, const Hash& b) {
  for (size_t i = 0; i < kHashSize; ++i) {
    const uint8_t differ = a[i] ^ b[i];
    if (differ != 0) return static_cast<int>(8 * i) + std::countl_zero(differ);
  }
  return kPathBits;
}

}  // namespace sealtrail::keymap
