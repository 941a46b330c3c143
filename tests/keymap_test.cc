// The key map (server/keymap/, docs/format/keymap.md): its hashes against the doc's vectors,
// its root against a naive recursive reference over sorted entries after random update batches,
// its proofs through the verifier, and every way the verifier refuses a proof.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/keymap/key_map.h"
#include "server/keymap/key_map_format.h"
#include "server/keymap/map_proof.h"
#include "testing/keymap_paths.h"
#include "testing/status_matchers.h"

namespace sealtrail::keymap {
namespace {

using ::sealtrail::testing::Hex;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::PathSharing;
using ::sealtrail::testing::RandomPath;
using ::sealtrail::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

// The reference: the format's definition of a subtree hash, applied to sorted entries that
// share their first `depth` bits. std::map orders paths bytewise, which is bit order.
using Entries = std::map<Hash, KeyHead>;

Hash ReferenceSubtree(absl::Span<const MapEntry> sorted, int depth) {
  if (sorted.empty()) return kEmptyHash;
  if (sorted.size() == 1) return LeafHash(sorted[0].path, sorted[0].value);
  const auto split = std::partition_point(
      sorted.begin(), sorted.end(), [&](const MapEntry& e) { return PathBit(e.path, depth) == 0; });
  const size_t left = static_cast<size_t>(split - sorted.begin());
  return NodeHash(ReferenceSubtree(sorted.subspan(0, left), depth + 1),
                  ReferenceSubtree(sorted.subspan(left), depth + 1));
}

Hash ReferenceRoot(const Entries& entries) {
  std::vector<MapEntry> sorted;
  for (const auto& [path, value] : entries) sorted.push_back({path, value});
  return ReferenceSubtree(sorted, 0);
}

// Random paths, or (clustered) paths that share long prefixes with a few bases, so that the
// chains of one-sided node hashes get long.
Hash TestPath(std::mt19937_64& rng, bool clustered, const std::vector<Hash>& bases) {
  if (!clustered) return RandomPath(rng);
  const Hash& base = bases[rng() % bases.size()];
  return PathSharing(base, static_cast<int>(rng() % 256), rng);
}

KeyHead RandomHead(std::mt19937_64& rng) { return {rng() % 1'000'000, 1 + rng() % 1000}; }

absl::Status SetAll(KeyMap& map, const Entries& entries) {
  for (const auto& [path, value] : entries) {
    if (absl::Status status = map.Set(path, value); !status.ok()) return status;
  }
  return absl::OkStatus();
}

// Checks the proof of `path` from `map` through the verifier and the encoding.
void ExpectProofVerifies(KeyMap& map, const Entries& entries, const Hash& path) {
  const MapProof proof = map.Prove(path);
  const auto found = entries.find(path);
  const std::optional<KeyHead> expected =
      found == entries.end() ? std::nullopt : std::optional<KeyHead>(found->second);
  EXPECT_THAT(VerifyMapProof(proof, path, map.Root()), IsOkAndHolds(expected)) << Hex(path);
  const std::string bytes = SerializeMapProof(proof);
  ASSERT_OK_AND_ASSIGN(const MapProof parsed, ParseMapProof(bytes));
  EXPECT_EQ(parsed, proof);
  EXPECT_EQ(SerializeMapProof(parsed), bytes);
}

// The vectors of docs/format/keymap.md, "Test vectors" (computed with tests/keymap_py/).
const std::string kTraceId = absl::HexStringToBytes("000102030405060708090a0b0c0d0e0f");

Hash TenantAcme() { return KeyPath(KeyKind::kTenant, "acme", ""); }
Hash ActorAlice() { return KeyPath(KeyKind::kActor, "acme", "alice"); }
Hash ActionBarge() { return KeyPath(KeyKind::kAction, "acme", "call.barge"); }
Hash TraceAcme() { return KeyPath(KeyKind::kTrace, "acme", kTraceId); }
Hash TenantOther() { return KeyPath(KeyKind::kTenant, "other", ""); }

TEST(KeyMapFormatTest, KeyBytesAreTheKindAndTwoLengthPrefixedFields) {
  EXPECT_EQ(Hex(KeyBytes(KeyKind::kActor, "acme", "alice")),
            "020000000461636d6500000005616c696365");
  EXPECT_EQ(KeyBytes(KeyKind::kTenant, "acme", ""), std::string("\x01\0\0\0\x04"
                                                                "acme\0\0\0\0",
                                                                13));
  // The lengths keep the tenant's end and the kind apart.
  EXPECT_NE(KeyPath(KeyKind::kActor, "ab", "c"), KeyPath(KeyKind::kActor, "a", "bc"));
  EXPECT_NE(KeyPath(KeyKind::kActor, "acme", "x"), KeyPath(KeyKind::kAction, "acme", "x"));
}

TEST(KeyMapFormatTest, PathsAndHashesMatchTheFormatDocVectors) {
  EXPECT_EQ(Hex(TenantAcme()), "79e570848101b75a7e609fff51f4a2820d8866ab5f0acd11d2ca143020b99924");
  EXPECT_EQ(Hex(ActorAlice()), "dde72c7cca120ae3304afe1cc8798be1ceb99f3e8df03e624976eb5a2cc8b4f1");
  EXPECT_EQ(Hex(ActionBarge()), "84218f65afe8f865d64bdb863bba726afa9559fa29df15770e8cb7871466c688");
  EXPECT_EQ(Hex(TraceAcme()), "27458a12581616df6509d72f31ea0b2d4c4a142bf4d34eb1185f54c9ab439769");
  EXPECT_EQ(Hex(TenantOther()), "ed268ac878b02eaf3eaaa1b8a4d1bcf3524329e149f10777998840471437b620");
  EXPECT_EQ(Hex(LeafHash(ActorAlice(), {41, 7})),
            "4ac2bd9aefe62ad624045c14f345674eeb8f9fb2d84cd13ae767e0cf418e051d");
  Hash ones;
  ones.fill(1);
  EXPECT_EQ(Hex(NodeHash(kEmptyHash, ones)),
            "8af6b6feb192c9fc3d91bf46cb530fb9abed143d752e12eb23e76880695ed629");
}

TEST(KeyMapFormatTest, PathBitsAreMostSignificantFirst) {
  Hash path{};
  path[0] = 0x80;
  path[31] = 0x01;
  EXPECT_EQ(PathBit(path, 0), 1);
  EXPECT_EQ(PathBit(path, 1), 0);
  EXPECT_EQ(PathBit(path, 255), 1);
  Hash other = path;
  other[2] ^= 0x10;
  EXPECT_EQ(CommonPrefixBits(path, other), 19);
  EXPECT_EQ(CommonPrefixBits(path, path), 256);
}

TEST(KeyMapTest, MapsOfTheFormatDocHaveItsRootsAndProofs) {
  KeyMap a;
  ASSERT_OK(a.Set(TenantAcme(), {41, 42}));
  ASSERT_OK(a.Set(ActorAlice(), {41, 7}));
  ASSERT_OK(a.Set(ActionBarge(), {40, 3}));
  ASSERT_OK(a.Set(TraceAcme(), {41, 2}));
  EXPECT_EQ(Hex(a.Root()), "24c277e3473246e66da846fa01a8129b68dd3a4a5586f153afde5b095d34242a");
  const std::string alice_proof =
      "01010002c0"
      "3a7cff01dd5adc645d247ecf4e3c65e3826f938cb6ff80601cedec987ba1f04a"
      "b07c7cd59e366287e1a131fc7cc892142d8479bde39fd3956c3ce51eb0d4e3e0"
      "dde72c7cca120ae3304afe1cc8798be1ceb99f3e8df03e624976eb5a2cc8b4f1"
      "0000000000000029"
      "0000000000000007";
  EXPECT_EQ(Hex(SerializeMapProof(a.Prove(ActorAlice()))), alice_proof);
  EXPECT_EQ(Hex(SerializeMapProof(a.Prove(TenantOther()))), alice_proof);

  KeyMap b;
  ASSERT_OK(b.Set(TenantAcme(), {41, 42}));
  ASSERT_OK(b.Set(TraceAcme(), {41, 2}));
  EXPECT_EQ(Hex(b.Root()), "914c963d8b082b560271e8f93dc1fe7dde40f0595ed57d2222dcacb5ec08cd4d");
  EXPECT_EQ(Hex(SerializeMapProof(b.Prove(TenantOther()))),
            "0100000180"
            "3a7cff01dd5adc645d247ecf4e3c65e3826f938cb6ff80601cedec987ba1f04a");

  KeyMap empty;
  EXPECT_EQ(Hex(SerializeMapProof(empty.Prove(TenantOther()))), "01000000");
}

TEST(KeyMapTest, EmptyMapHasTheEmptyRootAndProvesEveryPathAbsent) {
  KeyMap map;
  EXPECT_EQ(map.Root(), kEmptyHash);
  EXPECT_EQ(map.size(), 0u);
  const MapProof proof = map.Prove(TenantAcme());
  EXPECT_EQ(proof.depth, 0);
  EXPECT_FALSE(proof.terminal.has_value());
  EXPECT_THAT(VerifyMapProof(proof, TenantAcme(), kEmptyHash), IsOkAndHolds(std::nullopt));
  EXPECT_EQ(map.Get(TenantAcme()), std::nullopt);
}

TEST(KeyMapTest, OneEntryRootIsItsLeafHashAtDepthZero) {
  KeyMap map;
  ASSERT_OK(map.Set(ActorAlice(), {5, 1}));
  EXPECT_EQ(map.Root(), LeafHash(ActorAlice(), {5, 1}));
  const MapProof member = map.Prove(ActorAlice());
  EXPECT_EQ(member.depth, 0);
  EXPECT_THAT(VerifyMapProof(member, ActorAlice(), map.Root()),
              IsOkAndHolds(Optional(KeyHead{5, 1})));
  // Any other path: the same single entry, at depth 0 it shares every path's empty prefix.
  EXPECT_THAT(VerifyMapProof(map.Prove(TenantOther()), TenantOther(), map.Root()),
              IsOkAndHolds(std::nullopt));
}

TEST(KeyMapTest, TwoEntriesPartingAtTheFirstBitAreOneNode) {
  Hash left{};
  Hash right{};
  right[0] = 0x80;
  KeyMap map;
  ASSERT_OK(map.Set(right, {2, 2}));
  ASSERT_OK(map.Set(left, {1, 1}));
  EXPECT_EQ(map.Root(), NodeHash(LeafHash(left, {1, 1}), LeafHash(right, {2, 2})));
  const MapProof proof = map.Prove(left);
  EXPECT_EQ(proof.depth, 1);
  EXPECT_EQ(proof.siblings, std::vector<Hash>{LeafHash(right, {2, 2})});
}

// Two entries that part only at bit `shared`: a node hash at that depth, then one one-sided node
// hash per shared bit above it, EMPTY on the side the paths do not take.
Hash TwoEntryRootByHand(const Hash& a, const KeyHead& va, const Hash& b, const KeyHead& vb,
                        int shared) {
  const bool a_left = PathBit(a, shared) == 0;
  Hash h = a_left ? NodeHash(LeafHash(a, va), LeafHash(b, vb))
                  : NodeHash(LeafHash(b, vb), LeafHash(a, va));
  for (int i = shared - 1; i >= 0; --i) {
    h = PathBit(a, i) == 0 ? NodeHash(h, kEmptyHash) : NodeHash(kEmptyHash, h);
  }
  return h;
}

TEST(KeyMapTest, TwoEntriesSharingALongPrefixHashAChainOfOneSidedNodes) {
  std::mt19937_64 rng(7);
  for (int shared : {255, 200, 100, 9, 1}) {
    SCOPED_TRACE(shared);
    const Hash a = RandomPath(rng);
    const Hash b = PathSharing(a, shared, rng);
    ASSERT_EQ(CommonPrefixBits(a, b), shared);
    KeyMap map;
    ASSERT_OK(map.Set(a, {10, 3}));
    ASSERT_OK(map.Set(b, {11, 4}));
    EXPECT_EQ(map.Root(), TwoEntryRootByHand(a, {10, 3}, b, {11, 4}, shared));
    const MapProof member = map.Prove(b);
    EXPECT_EQ(member.depth, shared + 1);
    EXPECT_EQ(std::count(member.siblings.begin(), member.siblings.end(), kEmptyHash), shared);
    EXPECT_THAT(VerifyMapProof(member, b, map.Root()), IsOkAndHolds(Optional(KeyHead{11, 4})));
    EXPECT_EQ(SerializeMapProof(member).size(),
              static_cast<size_t>(4 + (shared + 8) / 8 + 32 + 48));
    // A path that leaves the shared prefix halfway: empty there, the sibling is both entries.
    if (shared >= 2) {
      const Hash away = PathSharing(a, shared / 2, rng);
      const MapProof absent = map.Prove(away);
      EXPECT_EQ(absent.depth, shared / 2 + 1);
      EXPECT_FALSE(absent.terminal.has_value());
      EXPECT_THAT(VerifyMapProof(absent, away, map.Root()), IsOkAndHolds(std::nullopt));
    }
  }
  // Bit 255 parts them: the deepest possible proof, D = 256.
  const Hash a = RandomPath(rng);
  Hash b = a;
  b[31] ^= 0x01;
  KeyMap map;
  ASSERT_OK(map.Set(a, {1, 1}));
  ASSERT_OK(map.Set(b, {2, 1}));
  const MapProof deepest = map.Prove(a);
  EXPECT_EQ(deepest.depth, 256);
  EXPECT_THAT(ParseMapProof(SerializeMapProof(deepest)), IsOkAndHolds(deepest));
  EXPECT_THAT(VerifyMapProof(deepest, a, map.Root()), IsOkAndHolds(Optional(KeyHead{1, 1})));
}

TEST(KeyMapTest, RootAfterRandomBatchesEqualsTheReference) {
  for (const bool clustered : {false, true}) {
    SCOPED_TRACE(clustered ? "clustered paths" : "random paths");
    std::mt19937_64 rng(clustered ? 11 : 12);
    std::vector<Hash> bases;
    for (int i = 0; i < 3; ++i) bases.push_back(RandomPath(rng));
    KeyMap map;
    Entries entries;
    std::vector<Hash> known;
    for (int batch = 0; batch < 12; ++batch) {
      const int updates = 1 + static_cast<int>(rng() % 300);
      for (int u = 0; u < updates; ++u) {
        // A third overwrite a path already in the map.
        const bool overwrite = !known.empty() && rng() % 3 == 0;
        const Hash path = overwrite ? known[rng() % known.size()] : TestPath(rng, clustered, bases);
        const KeyHead value = RandomHead(rng);
        ASSERT_OK(map.Set(path, value));
        if (entries.emplace(path, value).second) {
          known.push_back(path);
        } else {
          entries[path] = value;
        }
      }
      ASSERT_EQ(map.size(), entries.size());
      ASSERT_EQ(map.Root(), ReferenceRoot(entries)) << "after batch " << batch;
    }
    // The same entries inserted in another order give the same root.
    std::shuffle(known.begin(), known.end(), rng);
    KeyMap reordered;
    for (const Hash& path : known) ASSERT_OK(reordered.Set(path, entries[path]));
    EXPECT_EQ(reordered.Root(), map.Root());
    for (const Hash& path : known) EXPECT_THAT(map.Get(path), Optional(entries[path]));
  }
}

TEST(KeyMapTest, MembershipAndNonMembershipProofsOfRandomPathsVerify) {
  for (const bool clustered : {false, true}) {
    SCOPED_TRACE(clustered ? "clustered paths" : "random paths");
    std::mt19937_64 rng(clustered ? 21 : 22);
    std::vector<Hash> bases = {RandomPath(rng), RandomPath(rng)};
    Entries entries;
    for (int i = 0; i < 1500; ++i) entries[TestPath(rng, clustered, bases)] = RandomHead(rng);
    KeyMap map;
    ASSERT_OK(SetAll(map, entries));
    for (const auto& [path, value] : entries) ExpectProofVerifies(map, entries, path);
    for (int i = 0; i < 500; ++i) {
      ExpectProofVerifies(map, entries, TestPath(rng, clustered, bases));
      // Next to a member: shares a random number of its leading bits.
      auto member = entries.begin();
      std::advance(member, rng() % entries.size());
      ExpectProofVerifies(map, entries,
                          PathSharing(member->first, static_cast<int>(rng() % 256), rng));
    }
  }
}

TEST(KeyMapTest, ProveAfterSetWithoutRootRehashesFirst) {
  std::mt19937_64 rng(31);
  Entries entries;
  for (int i = 0; i < 100; ++i) entries[RandomPath(rng)] = RandomHead(rng);
  KeyMap map;
  ASSERT_OK(SetAll(map, entries));
  const Hash path = entries.begin()->first;
  const MapProof proof = map.Prove(path);
  EXPECT_THAT(VerifyMapProof(proof, path, ReferenceRoot(entries)),
              IsOkAndHolds(Optional(entries.begin()->second)));
}

TEST(KeyMapTest, ABatchRehashesOnlyThePathsItChanged) {
  std::mt19937_64 rng(41);
  constexpr int kEntries = 1 << 14;
  std::vector<Hash> paths;
  KeyMap map;
  for (int i = 0; i < kEntries; ++i) {
    paths.push_back(RandomPath(rng));
    ASSERT_OK(map.Set(paths.back(), RandomHead(rng)));
  }
  map.Root();
  for (const bool fresh : {false, true}) {
    SCOPED_TRACE(fresh ? "inserts" : "overwrites");
    constexpr int kBatch = 64;
    for (int u = 0; u < kBatch; ++u) {
      ASSERT_OK(map.Set(fresh ? RandomPath(rng) : paths[rng() % paths.size()], RandomHead(rng)));
    }
    const uint64_t before = map.hashes_computed();
    map.Root();
    const uint64_t spent = map.hashes_computed() - before;
    // log2(16384) = 14 levels, plus short chains and the leaf hashes of leaf siblings; a rebuild
    // would be about 2 × 16384.
    EXPECT_GT(spent, 0u);
    EXPECT_LE(spent, static_cast<uint64_t>(kBatch) * (14 + 6));
  }
  // Nothing changed: nothing to rehash.
  const uint64_t before = map.hashes_computed();
  map.Root();
  ASSERT_OK(map.Set(paths[0], *map.Get(paths[0])));
  map.Root();
  EXPECT_EQ(map.hashes_computed(), before);
}

TEST(KeyMapTest, SetWithCountZeroIsRefusedAndChangesNothing) {
  KeyMap map;
  ASSERT_OK(map.Set(TenantAcme(), {1, 1}));
  const Hash root = map.Root();
  EXPECT_THAT(map.Set(ActorAlice(), {3, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count 0")));
  EXPECT_THAT(map.Set(TenantAcme(), {3, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count 0")));
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.Root(), root);
  EXPECT_THAT(map.Get(TenantAcme()), Optional(KeyHead{1, 1}));
}

TEST(KeyMapTest, MemoryIsAboutNinetySixBytesPerEntry) {
  std::mt19937_64 rng(51);
  KeyMap map;
  map.Reserve(10'000);
  for (int i = 0; i < 10'000; ++i) ASSERT_OK(map.Set(RandomPath(rng), RandomHead(rng)));
  EXPECT_EQ(map.MemoryBytes(), 10'000u * 48 + 9'999u * 48);
}

// A map of 300 random entries and, for a member and a non-member path, their proofs.
class MapProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(61);
    for (int i = 0; i < 300; ++i) entries_[RandomPath(rng)] = RandomHead(rng);
    ASSERT_OK(SetAll(map_, entries_));
    root_ = map_.Root();
    member_ = entries_.begin()->first;
    member_proof_ = map_.Prove(member_);
    // A non-member whose walk ends at a single other entry (terminal entry, not the path).
    for (int i = 0; i < 1000 && !absent_proof_.terminal.has_value(); ++i) {
      absent_ = RandomPath(rng);
      absent_proof_ = map_.Prove(absent_);
    }
    ASSERT_TRUE(absent_proof_.terminal.has_value());
    ASSERT_GE(member_proof_.depth, 4);
  }

  // The verifier's answer for `bytes` as a proof of `path`.
  absl::StatusOr<std::optional<KeyHead>> VerifyBytes(const std::string& bytes, const Hash& path) {
    absl::StatusOr<MapProof> proof = ParseMapProof(bytes);
    if (!proof.ok()) return proof.status();
    return VerifyMapProof(*proof, path, root_);
  }

  Entries entries_;
  KeyMap map_;
  Hash root_{};
  Hash member_{};
  MapProof member_proof_;
  Hash absent_{};
  MapProof absent_proof_;
};

TEST_F(MapProofTest, EveryMalformedEncodingIsRefusedWithItsReason) {
  const std::string good = SerializeMapProof(member_proof_);
  ASSERT_TRUE(VerifyBytes(good, member_).ok());
  // The member's proof: header (4), bitmap, siblings (32 each), entry (48).
  const size_t bitmap_bytes = (member_proof_.depth + 7) / 8;
  struct Case {
    const char* name;
    std::string bytes;
    const char* reason;
  };
  std::string with_version = good;
  with_version[0] = 2;
  std::string with_terminal = good;
  with_terminal[1] = 2;
  std::string too_deep = good;
  too_deep[2] = 0x01;
  too_deep[3] = 0x01;  // 257
  // Depth 3 with bitmap bit 3 (beyond D) set.
  const std::string padding = std::string("\x01\x00\x00\x03\x10", 5);
  // Depth 1, sibling 0 present but zero.
  const std::string zero_sibling = std::string("\x01\x00\x00\x01\x80", 5) + std::string(32, '\0');
  std::string zero_count = good;
  zero_count.replace(zero_count.size() - 8, 8, std::string(8, '\0'));
  const std::vector<Case> cases = {
      {"empty input", "", "truncated in the header"},
      {"short header", good.substr(0, 3), "truncated in the header"},
      {"version 2", with_version, "unknown version 2"},
      {"terminal byte 2", with_terminal, "terminal byte 2 is neither 0 (empty) nor 1 (entry)"},
      {"depth 257", too_deep, "depth 257 is above 256"},
      {"cut in the bitmap", good.substr(0, 4 + bitmap_bytes - 1), "truncated in the bitmap"},
      {"cut in a sibling", good.substr(0, 4 + bitmap_bytes + 40), "truncated in sibling"},
      {"cut in the entry", good.substr(0, good.size() - 1), "truncated in the terminal entry"},
      {"a trailing byte", good + "x", "1 trailing bytes"},
      {"padding bit set", padding, "padding bit 3 of the bitmap is set"},
      {"explicit zero sibling", zero_sibling, "sibling 0 is given explicitly as the empty hash"},
      {"count 0", zero_count, "count is 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(ParseMapProof(c.bytes),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.reason)));
  }
}

TEST_F(MapProofTest, MalformedProofsInMemoryAreRefusedWithTheirReason) {
  MapProof wrong_count = member_proof_;
  wrong_count.siblings.pop_back();
  EXPECT_THAT(VerifyMapProof(wrong_count, member_, root_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("depth " + std::to_string(member_proof_.depth) + " but " +
                                 std::to_string(member_proof_.depth - 1) + " siblings")));
  MapProof too_deep;
  too_deep.depth = 300;
  too_deep.siblings.assign(300, kEmptyHash);
  EXPECT_THAT(VerifyMapProof(too_deep, member_, root_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("depth 300 is above 256")));
  MapProof zero_count = member_proof_;
  zero_count.terminal->value.count = 0;
  EXPECT_THAT(VerifyMapProof(zero_count, member_, root_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count is 0")));
  // The member's proof checked for a path that parts from the member above its depth.
  Hash elsewhere = member_;
  elsewhere[0] ^= 0x80;
  EXPECT_THAT(VerifyMapProof(member_proof_, elsewhere, root_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not share the first " + std::to_string(member_proof_.depth) +
                                 " bits of the path")));
}

TEST_F(MapProofTest, TamperingWithAnyPartIsDataLoss) {
  const auto expect_mismatch = [&](const MapProof& proof, const Hash& path, const char* what) {
    SCOPED_TRACE(what);
    EXPECT_THAT(VerifyMapProof(proof, path, root_),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("map root mismatch")));
    // Also through the encoding (a tampered proof is still well formed).
    EXPECT_THAT(VerifyBytes(SerializeMapProof(proof), path),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("map root mismatch")));
  };
  for (size_t i = 0; i < member_proof_.siblings.size(); ++i) {
    if (member_proof_.siblings[i] == kEmptyHash) continue;
    MapProof flipped = member_proof_;
    flipped.siblings[i][5] ^= 0x04;
    expect_mismatch(flipped, member_, "a sibling's byte");
    MapProof emptied = member_proof_;
    emptied.siblings[i] = kEmptyHash;
    expect_mismatch(emptied, member_, "a sibling left out");
  }
  MapProof head = member_proof_;
  head.terminal->value.head += 1;
  expect_mismatch(head, member_, "the head");
  MapProof count = member_proof_;
  count.terminal->value.count += 1;
  expect_mismatch(count, member_, "the count");
  // The non-member's terminal entry moved to another path within the same prefix (the last bit
  // flipped) and claimed as the path itself: membership of a path that is not there.
  MapProof moved = absent_proof_;
  moved.terminal->path[31] ^= 0x01;
  expect_mismatch(moved, moved.terminal->path, "the terminal's path");
  MapProof claimed = absent_proof_;
  claimed.terminal->path = absent_;
  expect_mismatch(claimed, absent_, "the terminal claimed as the path");
  // Membership hidden: the terminal dropped.
  MapProof dropped = member_proof_;
  dropped.terminal.reset();
  expect_mismatch(dropped, member_, "the terminal dropped");
  // Another root.
  Hash other_root = root_;
  other_root[0] ^= 0x01;
  EXPECT_THAT(VerifyMapProof(member_proof_, member_, other_root),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("map root mismatch")));
}

TEST_F(MapProofTest, EveryFlippedBitOfAnEncodedProofIsRefused) {
  for (const MapProof* proof : {&member_proof_, &absent_proof_}) {
    const Hash& path = proof == &member_proof_ ? member_ : absent_;
    const std::string good = SerializeMapProof(*proof);
    for (size_t i = 0; i < good.size() * 8; ++i) {
      std::string bad = good;
      bad[i / 8] = static_cast<char>(bad[i / 8] ^ (1 << (i % 8)));
      const auto result = VerifyBytes(bad, path);
      EXPECT_TRUE(result.status().code() == absl::StatusCode::kInvalidArgument ||
                  result.status().code() == absl::StatusCode::kDataLoss)
          << "bit " << i << ": " << result.status();
    }
  }
}

}  // namespace
}  // namespace sealtrail::keymap
