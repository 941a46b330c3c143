// KeyMap: the key map of docs/format/keymap.md held in memory: every indexed key's newest record
// and count, by path, with the map root and proofs for any path.
//
// It is a compacted sparse Merkle tree stored as a crit-bit tree: one leaf per entry and one
// inner node per point where paths part (N - 1 of them for N entries), all in two vectors and
// linked by 32-bit indices, never a heap allocation per node. Each inner node caches the hash
// of its subtree; Set marks the nodes on the path to the entry stale and Root() rehashes only
// those, so a batch of m updates costs about m × (log2 N + 2) hashes, fewer where their paths
// share nodes, and never a rebuild.
//
// Memory: 96 bytes per entry (a 48-byte leaf and a 48-byte inner node), times the vectors'
// spare capacity: up to twice that right after a vector grows, unless Reserve was called.
// 10^6 entries take about 96 MB, 10^7 about 960 MB.
//
// Nothing is ever removed: a key that has records keeps them (the log is append-only).
//
// Thread-safety: none. Every method, the const ones too, must be serialized by the caller
// (Root and Prove write the hash cache).
#ifndef SEALTRAIL_SERVER_KEYMAP_KEY_MAP_H_
#define SEALTRAIL_SERVER_KEYMAP_KEY_MAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "sealtrail/hash.h"
#include "server/keymap/key_map_format.h"
#include "server/keymap/map_proof.h"

namespace sealtrail::keymap {

class KeyMap {
 public:
  // The most entries a map can hold (leaf indexes are 31 bits).
  static constexpr size_t kMaxEntries = (size_t{1} << 31) - 1;

  KeyMap() = default;
  // Moves are cheap; copies would double a structure of up to a gigabyte, so there are none.
  KeyMap(KeyMap&&) = default;
  KeyMap& operator=(KeyMap&&) = default;
  KeyMap(const KeyMap&) = delete;
  KeyMap& operator=(const KeyMap&) = delete;

  // Makes `path` map to `value`: inserts the entry, or overwrites the one there. Hashes nothing
  // (the next Root or Prove does). INVALID_ARGUMENT for a count of 0 (the format has no such
  // entry); RESOURCE_EXHAUSTED for an insert beyond kMaxEntries. On error nothing changes.
  [[nodiscard]] absl::Status Set(const Hash& path, const KeyHead& value);

  // The value at `path`, or nullopt.
  std::optional<KeyHead> Get(const Hash& path) const;

  // Number of entries.
  size_t size() const { return leaves_.size(); }

  // The map root (kEmptyHash for an empty map), rehashing what Set made stale first.
  Hash Root();

  // The proof for `path` (membership if it is in the map, otherwise non-membership), valid
  // against Root(): it rehashes what Set made stale first, as Root does.
  MapProof Prove(const Hash& path);

  // Makes room for `entries` entries in all, so that growing to that size moves nothing.
  void Reserve(size_t entries);

  // Bytes held by the node vectors (their capacity).
  size_t MemoryBytes() const;

  // SHA-256 computations done by Root and Prove since construction: for tests and benchmarks
  // that check the cost of an update batch.
  uint64_t hashes_computed() const { return hashes_computed_; }

 private:
  // A child link: an inner node's index, or a leaf's index with kLeafTag set.
  using NodeRef = uint32_t;
  static constexpr NodeRef kLeafTag = NodeRef{1} << 31;
  static constexpr NodeRef kNoNode = ~NodeRef{0};

  struct Leaf {
    Hash path;
    KeyHead value;
  };
  // Where two or more entries part: they share their first `bit` bits, and child[0] holds those
  // with a 0 at bit `bit`, child[1] those with a 1.
  struct Inner {
    // The subtree hash at this node's top: the depth just below its parent's split (0 for the
    // root), so it includes the chain of one-sided node hashes above `bit`. Valid unless stale.
    Hash hash;
    NodeRef child[2];
    // A leaf below, whose path gives the bits this node's entries share.
    uint32_t some_leaf;
    uint8_t bit;
    bool stale;
  };
  static_assert(sizeof(Leaf) == 48 && sizeof(Inner) == 48);

  static bool IsLeaf(NodeRef ref) { return (ref & kLeafTag) != 0; }
  static uint32_t LeafIndex(NodeRef ref) { return ref & ~kLeafTag; }

  // Brings node `ref` (whose top is at depth `top`) and everything stale below it up to date;
  // returns its hash at its top.
  Hash Refresh(NodeRef ref, int top);
  // The hash of `ref` at its top. REQUIRES: not stale.
  Hash TopHash(NodeRef ref);
  // The subtree hash of inner node `index` at depth `depth` (its top <= depth <= its bit).
  // REQUIRES: its children are not stale.
  Hash InnerHashAt(uint32_t index, int depth);
  // `h`, the subtree hash of inner node `index` at its bit, raised to depth `depth` (its top <=
  // depth <= its bit) through the chain of one-sided node hashes above the bit.
  Hash RaiseThroughChain(uint32_t index, Hash h, int depth);
  Hash CountedLeafHash(const Leaf& leaf);
  Hash CountedNodeHash(const Hash& left, const Hash& right);

  std::vector<Leaf> leaves_;
  std::vector<Inner> inner_;
  NodeRef root_ = kNoNode;
  // Some node is stale (and root_hash_ with it).
  bool stale_ = false;
  Hash root_hash_ = kEmptyHash;
  uint64_t hashes_computed_ = 0;
};

}  // namespace sealtrail::keymap

#endif  // SEALTRAIL_SERVER_KEYMAP_KEY_MAP_H_
