// Seed inputs for the map-proof fuzz target (see map_proof_fuzz_harness.h for the input format).
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/map_proof_fuzz_harness.h"
#include "server/keymap/key_map_format.h"
#include "server/keymap/map_proof.h"
#include "testing/keymap_paths.h"

namespace sealtrail::fuzzing {
namespace {

std::string Bytes(const Hash& hash) { return std::string(AsStringView(hash)); }

// The map's own proof for the target the input's head selects, appended to that head.
std::string WithOwnProof(const std::string& head) {
  const std::optional<MapProofFuzzTarget> target =
      SelectMapProofFuzzTarget(reinterpret_cast<const uint8_t*>(head.data()), head.size());
  if (!target.has_value()) return head;
  return head + keymap::SerializeMapProof(target->map->Prove(target->path));
}

// Each malformed form of a valid input `seed` (head of `head_size` bytes, then a proof).
void AddMalformed(const std::string& seed, size_t head_size, std::vector<std::string>* seeds) {
  const std::string head = seed.substr(0, head_size);
  const std::string proof = seed.substr(head_size);
  auto with_byte = [&](size_t at, char value) {
    std::string bad = proof;
    if (at < bad.size()) bad[at] = value;
    seeds->push_back(head + bad);
  };
  with_byte(0, 2);                                             // version
  with_byte(1, 2);                                             // terminal byte
  with_byte(2, 1);                                             // depth >= 256
  with_byte(3, '\xff');                                        // depth off by a lot
  seeds->push_back(head + proof.substr(0, proof.size() - 1));  // truncated
  seeds->push_back(head + proof + '\0');                       // trailing byte
  seeds->push_back(head + proof.substr(0, 4));                 // header only
  std::string zero_count = proof;
  if (zero_count.size() >= 8) zero_count.replace(zero_count.size() - 8, 8, std::string(8, '\0'));
  seeds->push_back(head + zero_count);
}

}  // namespace

std::vector<std::string> MapProofFuzzSeeds() {
  std::vector<std::string> seeds;
  // Modes 0 and 1: each wide entry, and a flipped-bit neighbour of it.
  for (int b = 0; b < 256; ++b) {
    if (b % 4 == 0 || b % 4 == 1)
      seeds.push_back(WithOwnProof(std::string(1, static_cast<char>(b))));
  }
  // Modes 2 and 3: members, neighbours at several depths, and strangers, of both maps.
  for (char mode : {'\2', '\3'}) {
    const std::string probe(1, mode);
    const std::string zero_path_input = probe + std::string(kHashSize, '\0');
    const std::optional<MapProofFuzzTarget> first = SelectMapProofFuzzTarget(
        reinterpret_cast<const uint8_t*>(zero_path_input.data()), zero_path_input.size());
    std::vector<Hash> paths = {Hash{}, keymap::KeyPath(keymap::KeyKind::kTenant, "fuzz", "")};
    Hash ones;
    ones.fill(0xff);
    paths.push_back(ones);
    if (first.has_value()) {
      // The map's own terminal entries are members.
      for (const Hash& p : std::vector<Hash>(paths)) {
        const keymap::MapProof proof = first->map->Prove(p);
        if (proof.terminal.has_value()) {
          Hash near = proof.terminal->path;
          paths.push_back(near);
          for (int flip : {255, 200, 129, 127, 64, 4, 2}) {
            Hash neighbour = near;
            testing::FlipPathBit(neighbour, flip);
            paths.push_back(neighbour);
          }
        }
      }
    }
    for (const Hash& p : paths) seeds.push_back(WithOwnProof(probe + Bytes(p)));
  }
  // Malformed forms of a membership proof (mode 0) and of a deep non-membership proof (mode 3).
  const std::vector<std::string> valid = seeds;
  AddMalformed(valid[0], 1, &seeds);
  AddMalformed(valid.back(), 33, &seeds);
  // A padding bit, an explicit zero sibling, an empty and a one-byte proof.
  seeds.push_back(std::string("\0\x01\x00\x00\x03\x10", 6));
  seeds.push_back(std::string("\0\x01\x00\x00\x01\x80", 6) + std::string(32, '\0'));
  seeds.push_back(std::string(1, '\0'));
  seeds.push_back(std::string("\0\x01", 2));
  return seeds;
}

}  // namespace sealtrail::fuzzing
