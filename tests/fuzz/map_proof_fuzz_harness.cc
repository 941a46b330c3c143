#include "fuzz/map_proof_fuzz_harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/keymap/key_map_format.h"
#include "server/keymap/map_proof.h"
#include "testing/keymap_paths.h"

namespace sealtrail::fuzzing {
namespace {

using keymap::KeyHead;
using keymap::KeyMap;
using keymap::MapProof;

constexpr int kWideEntries = 64;

enum Mode : uint8_t { kWideMember = 0, kWideNearMember = 1, kWidePath = 2, kDeepPath = 3 };

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "map proof fuzz harness: %s failed\n", what);
  std::abort();
}

Hash WidePath(int i) {
  return keymap::KeyPath(keymap::KeyKind::kActor, "fuzz", absl::StrCat("a", i));
}

KeyMap& WideMap() {
  static KeyMap* map = [] {
    auto* built = new KeyMap;
    for (int i = 0; i < kWideEntries; ++i) {
      if (!built->Set(WidePath(i), {static_cast<uint64_t>(1000 + i), static_cast<uint64_t>(i + 1)})
               .ok()) {
        Die("building the wide map");
      }
    }
    built->Root();
    return built;
  }();
  return *map;
}

// Four paths: a base, and three that part from it at bits 255, 128 and 3.
KeyMap& DeepMap() {
  static KeyMap* map = [] {
    auto* built = new KeyMap;
    const Hash base = keymap::KeyPath(keymap::KeyKind::kTrace, "fuzz", std::string(16, '\0'));
    uint64_t head = 1;
    for (int part : {-1, 255, 128, 3}) {
      Hash path = base;
      if (part >= 0) testing::FlipPathBit(path, part);
      if (!built->Set(path, {head, head}).ok()) Die("building the deep map");
      ++head;
    }
    built->Root();
    return built;
  }();
  return *map;
}

bool IsPromisedStatus(const absl::Status& status, bool parsed) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return absl::StartsWith(status.message(), "map proof: ");
  }
  return parsed && status.code() == absl::StatusCode::kDataLoss &&
         absl::StartsWith(status.message(), "map root mismatch");
}

}  // namespace

std::optional<MapProofFuzzTarget> SelectMapProofFuzzTarget(const uint8_t* data, size_t size) {
  if (size == 0) return std::nullopt;
  const uint8_t b = data[0];
  switch (b % 4) {
    case kWideMember:
      return MapProofFuzzTarget{&WideMap(), WidePath((b / 4) % kWideEntries), 1};
    case kWideNearMember: {
      Hash path = WidePath((b / 4) % kWideEntries);
      testing::FlipPathBit(path, (b * 37) % 256);
      return MapProofFuzzTarget{&WideMap(), path, 1};
    }
    default: {
      if (size < 1 + kHashSize) return std::nullopt;
      Hash path;
      std::memcpy(path.data(), data + 1, kHashSize);
      return MapProofFuzzTarget{b % 4 == kWidePath ? &WideMap() : &DeepMap(), path, 1 + kHashSize};
    }
  }
}

MapProofFuzzOutcome RunMapProofFuzzInput(const uint8_t* data, size_t size) {
  MapProofFuzzOutcome outcome;
  const std::optional<MapProofFuzzTarget> target = SelectMapProofFuzzTarget(data, size);
  if (!target.has_value()) return outcome;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + target->proof_offset,
                               size - target->proof_offset);
  const absl::StatusOr<MapProof> proof = keymap::ParseMapProof(bytes);
  if (!proof.ok()) {
    if (!IsPromisedStatus(proof.status(), false)) {
      outcome.broken = absl::StrCat("ParseMapProof returned ", proof.status().ToString());
    }
    return outcome;
  }
  outcome.parsed = true;
  if (keymap::SerializeMapProof(*proof) != bytes) {
    outcome.broken = "a parsed proof encodes to other bytes";
    return outcome;
  }
  KeyMap& map = *target->map;
  const absl::StatusOr<std::optional<KeyHead>> answer =
      keymap::VerifyMapProof(*proof, target->path, map.Root());
  if (!answer.ok()) {
    if (!IsPromisedStatus(answer.status(), true)) {
      outcome.broken = absl::StrCat("VerifyMapProof returned ", answer.status().ToString());
    }
    return outcome;
  }
  outcome.verified = true;
  if (*answer != map.Get(target->path)) {
    outcome.broken = "an accepted proof answers other than the map";
  } else if (!(*proof == map.Prove(target->path))) {
    outcome.broken = "an accepted proof is not the map's own proof for the path";
  }
  return outcome;
}

}  // namespace sealtrail::fuzzing
