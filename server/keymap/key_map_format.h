// The key map's keys, entries and hashes (docs/format/keymap.md, version 1): what a key's path
// is, how an entry (a leaf) and an inner node hash, and how a path's bits are numbered. Shared
// by the map (key_map.h) and the proof verifier (map_proof.h); depends on nothing but SHA-256
// (sealtrail/hash.h).
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_SERVER_KEYMAP_KEY_MAP_FORMAT_H_
#define SEALTRAIL_SERVER_KEYMAP_KEY_MAP_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sealtrail/hash.h"

namespace sealtrail::keymap {

// The kinds of indexed key; the values are the format's kind bytes and are never reused.
enum class KeyKind : uint8_t {
  kTenant = 1,  // value: empty
  kActor = 2,   // value: the actor id, UTF-8, as stored in the record
  kAction = 3,  // value: the action name, UTF-8, as stored in the record
  kTrace = 4,   // value: the 16 raw bytes of the trace id
};

// A path has this many bits; a proof's terminal depth is at most this.
inline constexpr int kPathBits = 256;

// The hash of an empty subtree: 32 zero bytes (no SHA-256 output).
inline constexpr Hash kEmptyHash{};

// What the map holds for one key.
struct KeyHead {
  uint64_t head = 0;   // sequence number of the key's newest record
  uint64_t count = 0;  // how many records the key has; at least 1 in a map entry
  friend bool operator==(const KeyHead&, const KeyHead&) = default;
};

// One entry of the map: a key's path and its value.
struct MapEntry {
  Hash path{};
  KeyHead value;
  friend bool operator==(const MapEntry&, const MapEntry&) = default;
};

// u8 kind || be32 len(tenant) || tenant || be32 len(value) || value.
// The value must follow the kind's rule above (empty for kTenant, 16 bytes for kTrace): these
// functions encode whatever they are given, the caller owns that rule.
// REQUIRES: tenant and value are shorter than 2^32 bytes.
std::string KeyBytes(KeyKind kind, std::string_view tenant, std::string_view value);

// SHA-256(0x10 || KeyBytes(kind, tenant, value)): where the key lives in the map.
Hash KeyPath(KeyKind kind, std::string_view tenant, std::string_view value);

// SHA-256(0x11 || path || be64 head || be64 count).
Hash LeafHash(const Hash& path, const KeyHead& value);

// SHA-256(0x12 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);

// Bit `i` (0..255) of a path, most significant bit of byte 0 first: 0 or 1.
inline int PathBit(const Hash& path, int i) { return (path[i / 8] >> (7 - i % 8)) & 1; }

// How many leading bits `a` and `b` share: 0..256 (256 when they are equal).
int CommonPrefixBits(const Hash& a, const Hash& b);

}  // namespace sealtrail::keymap

#endif  // SEALTRAIL_SERVER_KEYMAP_KEY_MAP_FORMAT_H_
