#include "open_tree.h"

namespace sealtrail {

OpenTree::OpenTree(SegmentGeometry geometry)
    : geometry_(geometry), nodes_(new Hash[geometry.node_count()]) {}

void OpenTree::AddLeaf(const Hash& leaf_hash) {
  uint64_t index = leaf_count_;
  nodes_[geometry_.NodeSlot(0, index)] = leaf_hash;
  // Each trailing 1 bit of the index closes one more level: a right child completes its parent.
  const Hash* right = &nodes_[geometry_.NodeSlot(0, index)];
  for (uint32_t level = 0; (index & 1) == 1; ++level) {
    const Hash& left = nodes_[geometry_.NodeSlot(level, index - 1)];
    index >>= 1;
    Hash& parent = nodes_[geometry_.NodeSlot(level + 1, index)];
    parent = HashChildren(left, *right);
    right = &parent;
  }
  ++leaf_count_;
}

}  // namespace sealtrail
