// Map proofs (docs/format/keymap.md, "Proof"): that a path is in the key map with a given head
// and count, or that it is not; their one encoding; and their verification against a map root.
//
// The verifier depends on nothing but the hashes of key_map_format.h, so a client can carry it
// alone; it shares no code with the map that builds proofs (key_map.h).
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_SERVER_KEYMAP_MAP_PROOF_H_
#define SEALTRAIL_SERVER_KEYMAP_MAP_PROOF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/hash.h"
#include "server/keymap/key_map_format.h"

namespace sealtrail::keymap {

// The version byte this build writes and reads.
inline constexpr uint8_t kMapProofVersion = 1;

struct MapProof {
  // D: the depth at which the walk along the path reaches an empty or single-entry subtree,
  // 0..kPathBits.
  uint16_t depth = 0;
  // D hashes: sibling i is the subtree hash of the child at depth i + 1 off the path's side,
  // sibling 0 (next to the root) first. kEmptyHash is allowed here (the encoding leaves it out).
  std::vector<Hash> siblings;
  // The single entry at depth D (the path itself: membership; another path sharing the first D
  // bits: non-membership), or nullopt for an empty subtree (non-membership).
  std::optional<MapEntry> terminal;
  friend bool operator==(const MapProof&, const MapProof&) = default;
};

// The encoding of docs/format/keymap.md, "Encoding".
// REQUIRES: proof.depth == proof.siblings.size() <= kPathBits (true of every proof from
// KeyMap::Prove and ParseMapProof); otherwise the bytes are unspecified (the loops stay in
// bounds).
std::string SerializeMapProof(const MapProof& proof);

// The inverse of SerializeMapProof, accepting exactly the canonical encoding (so
// SerializeMapProof(*ParseMapProof(b)) == b). INVALID_ARGUMENT, naming what is wrong, for a bad
// version or terminal byte, a depth above 256, a truncated input, trailing bytes, a non-zero
// padding bit in the bitmap, a sibling given explicitly as 32 zero bytes, or an entry count of 0.
[[nodiscard]] absl::StatusOr<MapProof> ParseMapProof(std::string_view bytes);

// Checks `proof` for `path` against the map root `root`. On success: the path's head and count
// (membership), or nullopt (the path is not in the map). INVALID_ARGUMENT for a malformed proof
// (depth above 256 or not the number of siblings, an entry count of 0, a terminal entry whose
// path does not share the first D bits of `path`); DATA_LOSS ("map root mismatch") when the
// proof does not lead to `root`.
[[nodiscard]] absl::StatusOr<std::optional<KeyHead>> VerifyMapProof(const MapProof& proof,
                                                                    const Hash& path,
                                                                    const Hash& root);

}  // namespace sealtrail::keymap

#endif  // SEALTRAIL_SERVER_KEYMAP_MAP_PROOF_H_
