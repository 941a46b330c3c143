// The crit-bit layout of KeyMap and how it gives the subtree hashes of docs/format/keymap.md.
//
// Invariants:
//  * An inner node's entries share their first `bit` bits and part at bit `bit`; bits grow
//    strictly along every root-to-leaf walk. A leaf's top may be at any depth: a single-entry
//    subtree hashes as its leaf wherever it is.
//  * The format's subtree at each depth between an inner node's top and its `bit` holds all of
//    its entries (two or more) on one side, so its hash is a node hash with EMPTY on the other
//    side; `Inner::hash` folds that chain in, so a parent combines its children's cached hashes
//    with one node hash.
//  * A stale node's ancestors are all stale, so Refresh descends only into stale subtrees.
#include "server/keymap/key_map.h"

#include "absl/strings/str_cat.h"

namespace sealtrail::keymap {

absl::Status KeyMap::Set(const Hash& path, const KeyHead& value) {
  if (value.count == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("key map: the entry for path ", HashToBase64(path),
                     " has count 0; a key in the map has at least one record"));
  }
  if (root_ == kNoNode) {
    leaves_.push_back({path, value});
    root_ = kLeafTag | 0;
    stale_ = true;
    return absl::OkStatus();
  }
  // The leaf `path` leads to shares the longest prefix with it of all entries.
  NodeRef ref = root_;
  while (!IsLeaf(ref)) ref = inner_[ref].child[PathBit(path, inner_[ref].bit)];
  Leaf& nearest = leaves_[LeafIndex(ref)];
  const int split = CommonPrefixBits(nearest.path, path);
  if (split == kPathBits) {
    if (nearest.value == value) return absl::OkStatus();
    nearest.value = value;
    for (NodeRef r = root_; !IsLeaf(r); r = inner_[r].child[PathBit(path, inner_[r].bit)]) {
      inner_[r].stale = true;
    }
    stale_ = true;
    return absl::OkStatus();
  }
  if (leaves_.size() >= kMaxEntries) {
    return absl::ResourceExhaustedError(
        absl::StrCat("key map: full at ", leaves_.size(), " entries"));
  }
  // A new inner node parts the new leaf from the subtree at the first link whose node splits
  // below `split`. Both vectors grow before any link into them is taken.
  const uint32_t leaf = static_cast<uint32_t>(leaves_.size());
  leaves_.push_back({path, value});
  const uint32_t parting = static_cast<uint32_t>(inner_.size());
  inner_.push_back({});
  NodeRef* link = &root_;
  while (!IsLeaf(*link) && inner_[*link].bit < split) {
    Inner& above = inner_[*link];
    above.stale = true;
    link = &above.child[PathBit(path, above.bit)];
  }
  const NodeRef below = *link;
  // Its top moves down to split + 1, which changes its chain.
  if (!IsLeaf(below)) inner_[below].stale = true;
  Inner& node = inner_[parting];
  const int side = PathBit(path, split);
  node.child[side] = kLeafTag | leaf;
  node.child[1 - side] = below;
  node.some_leaf = leaf;
  node.bit = static_cast<uint8_t>(split);
  node.stale = true;
  *link = parting;
  stale_ = true;
  return absl::OkStatus();
}

std::optional<KeyHead> KeyMap::Get(const Hash& path) const {
  if (root_ == kNoNode) return std::nullopt;
  NodeRef ref = root_;
  while (!IsLeaf(ref)) ref = inner_[ref].child[PathBit(path, inner_[ref].bit)];
  const Leaf& leaf = leaves_[LeafIndex(ref)];
  if (leaf.path != path) return std::nullopt;
  return leaf.value;
}

Hash KeyMap::Root() {
  if (stale_) {
    root_hash_ = root_ == kNoNode ? kEmptyHash : Refresh(root_, 0);
    stale_ = false;
  }
  return root_hash_;
}

MapProof KeyMap::Prove(const Hash& path) {
  Root();
  MapProof proof;
  NodeRef ref = root_;
  int depth = 0;  // the top of `ref`; proof.siblings holds one hash per depth above it
  while (ref != kNoNode) {
    if (IsLeaf(ref)) {
      const Leaf& leaf = leaves_[LeafIndex(ref)];
      proof.terminal = MapEntry{leaf.path, leaf.value};
      break;
    }
    const Inner& node = inner_[ref];
    // At least `depth`: the walk so far followed `path`.
    const int shared = CommonPrefixBits(path, leaves_[node.some_leaf].path);
    if (shared < node.bit) {
      // `path` leaves the node's chain at depth `shared`: the child on its side is empty, the
      // other holds all the node's entries.
      proof.siblings.insert(proof.siblings.end(), shared - depth, kEmptyHash);
      proof.siblings.push_back(InnerHashAt(ref, shared + 1));
      break;
    }
    proof.siblings.insert(proof.siblings.end(), node.bit - depth, kEmptyHash);
    const int side = PathBit(path, node.bit);
    proof.siblings.push_back(TopHash(node.child[1 - side]));
    ref = node.child[side];
    depth = node.bit + 1;
  }
  proof.depth = static_cast<uint16_t>(proof.siblings.size());
  return proof;
}

void KeyMap::Reserve(size_t entries) {
  leaves_.reserve(entries);
  inner_.reserve(entries > 0 ? entries - 1 : 0);
}

size_t KeyMap::MemoryBytes() const {
  return leaves_.capacity() * sizeof(Leaf) + inner_.capacity() * sizeof(Inner);
}

Hash KeyMap::Refresh(NodeRef ref, int top) {
  if (IsLeaf(ref)) return CountedLeafHash(leaves_[LeafIndex(ref)]);
  Inner& node = inner_[ref];
  if (!node.stale) return node.hash;
  const Hash left = Refresh(node.child[0], node.bit + 1);
  const Hash right = Refresh(node.child[1], node.bit + 1);
  node.hash = RaiseThroughChain(ref, CountedNodeHash(left, right), top);
  node.stale = false;
  return node.hash;
}

Hash KeyMap::TopHash(NodeRef ref) {
  return IsLeaf(ref) ? CountedLeafHash(leaves_[LeafIndex(ref)]) : inner_[ref].hash;
}

Hash KeyMap::InnerHashAt(uint32_t index, int depth) {
  const Inner& node = inner_[index];
  return RaiseThroughChain(index, CountedNodeHash(TopHash(node.child[0]), TopHash(node.child[1])),
                           depth);
}

Hash KeyMap::RaiseThroughChain(uint32_t index, Hash h, int depth) {
  const Inner& node = inner_[index];
  const Hash& shared = leaves_[node.some_leaf].path;
  for (int i = node.bit - 1; i >= depth; --i) {
    h = PathBit(shared, i) == 0 ? CountedNodeHash(h, kEmptyHash) : CountedNodeHash(kEmptyHash, h);
  }
  return h;
}

Hash KeyMap::CountedLeafHash(const Leaf& leaf) {
  ++hashes_computed_;
  return LeafHash(leaf.path, leaf.value);
}

Hash KeyMap::CountedNodeHash(const Hash& left, const Hash& right) {
  ++hashes_computed_;
  return NodeHash(left, right);
}

}  // namespace sealtrail::keymap
