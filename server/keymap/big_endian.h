// Big-endian integers of the key map's formats (docs/format/keymap.md). Internal to
// server/keymap.
#ifndef SEALTRAIL_SERVER_KEYMAP_BIG_ENDIAN_H_
#define SEALTRAIL_SERVER_KEYMAP_BIG_ENDIAN_H_

#include <cstddef>
#include <cstdint>

namespace sealtrail::keymap {

// Writes the low `bytes` bytes of `v` to dst[0..bytes), most significant first.
inline void EncodeBigEndian(uint64_t v, size_t bytes, uint8_t* dst) {
  for (size_t i = 0; i < bytes; ++i) dst[i] = static_cast<uint8_t>(v >> (8 * (bytes - 1 - i)));
}

// Reads `bytes` (at most 8) bytes, most significant first.
inline uint64_t DecodeBigEndian(const uint8_t* src, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v = (v << 8) | src[i];
  return v;
}

}  // namespace sealtrail::keymap

#endif  // SEALTRAIL_SERVER_KEYMAP_BIG_ENDIAN_H_
