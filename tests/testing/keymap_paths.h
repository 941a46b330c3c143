// Paths for the key map's tests (server/keymap/, docs/format/keymap.md): random ones, and ones
// that share a chosen number of leading bits with another, so that the chains of one-sided node
// hashes get long and proofs get deep.
//
// Thread-safety: pure functions of their arguments (and of `rng`, which the caller owns).
#ifndef SEALTRAIL_TESTS_TESTING_KEYMAP_PATHS_H_
#define SEALTRAIL_TESTS_TESTING_KEYMAP_PATHS_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "sealtrail/hash.h"

namespace sealtrail::testing {

inline std::string Hex(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}
inline std::string Hex(const Hash& hash) { return Hex(AsStringView(hash)); }

inline Hash RandomPath(std::mt19937_64& rng) {
  Hash path;
  for (uint8_t& b : path) b = static_cast<uint8_t>(rng());
  return path;
}

// Flips bit `i` (0..255, most significant bit of byte 0 first, as in a path).
inline void FlipPathBit(Hash& path, int i) {
  path[i / 8] = static_cast<uint8_t>(path[i / 8] ^ (0x80 >> (i % 8)));
}

// A path that shares exactly `shared` (0..255) leading bits with `base`; random after that.
inline Hash PathSharing(const Hash& base, int shared, std::mt19937_64& rng) {
  Hash path = RandomPath(rng);
  for (int i = 0; i <= shared; ++i) {
    const bool base_bit = (base[i / 8] >> (7 - i % 8)) & 1;
    const bool path_bit = (path[i / 8] >> (7 - i % 8)) & 1;
    // Equal to the base's bits before `shared`, different at `shared`.
    if ((base_bit == path_bit) != (i < shared)) FlipPathBit(path, i);
  }
  return path;
}

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_KEYMAP_PATHS_H_
