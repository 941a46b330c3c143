// The key map's proof parser and verifier (server/keymap/map_proof.h) as a fuzz target, shared by
// the libFuzzer binary (map_proof_fuzzer.cc) and the GoogleTest that replays its corpus under the
// normal build (tests/map_proof_fuzz_corpus_test.cc).
//
// The harness holds two fixed maps: "wide", 64 entries at the paths of actors "a0".."a63" of
// tenant "fuzz", and "deep", four entries whose paths share up to 255 leading bits (long chains
// of one-sided nodes). An input's first byte b picks the path and the map (b % 4):
//   0  wide, the path of entry (b / 4) % 64: membership;
//   1  wide, that path with bit (b * 37) % 256 flipped: mostly non-membership next to a member;
//   2  wide, the path in the next 32 bytes of the input;
//   3  deep, the path in the next 32 bytes of the input.
// The rest of the input is the encoded proof, checked against that map's root.
//
// Thread-safety: none needed; fuzz inputs run one at a time.
#ifndef SEALTRAIL_TESTS_FUZZ_MAP_PROOF_FUZZ_HARNESS_H_
#define SEALTRAIL_TESTS_FUZZ_MAP_PROOF_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sealtrail/hash.h"
#include "server/keymap/key_map.h"

namespace sealtrail::fuzzing {

struct MapProofFuzzOutcome {
  // A broken invariant, or nullopt: a status code or message the API does not promise; a parsed
  // proof that does not encode back to the same bytes (the encoding is canonical); or an
  // accepted proof that is not the map's own proof for the path, or answers other than the map
  // (soundness). A crash is the other way to fail.
  std::optional<std::string> broken;
  bool parsed = false;
  bool verified = false;
};

// Runs one input.
MapProofFuzzOutcome RunMapProofFuzzInput(const uint8_t* data, size_t size);

// Inputs worth starting from: every map's own proofs (membership and non-membership, in each
// mode) and each kind of malformed proof the unit tests cover.
std::vector<std::string> MapProofFuzzSeeds();

// What an input's first bytes select (see above), for the seeds. nullopt for an input too short
// to name a path.
struct MapProofFuzzTarget {
  keymap::KeyMap* map;  // one of the two fixed maps, built on first use; never stale
  Hash path;
  size_t proof_offset;  // where the proof starts in the input
};
std::optional<MapProofFuzzTarget> SelectMapProofFuzzTarget(const uint8_t* data, size_t size);

}  // namespace sealtrail::fuzzing

#endif  // SEALTRAIL_TESTS_FUZZ_MAP_PROOF_FUZZ_HARNESS_H_
