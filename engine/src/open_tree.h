// OpenTree: every node of the open segment's subtree, kept in memory in the node table's
// layout (docs/format/README.md, "Node table"), so sealing writes it out unchanged.
//
// Thread-safety: one writer calls AddLeaf; any number of readers may concurrently call Node()
// for nodes that were complete before the writer published the leaf count they read (the Log
// publishes with release/acquire). Storage is allocated once, so readers never see it move.
#ifndef SEALTRAIL_ENGINE_OPEN_TREE_H_
#define SEALTRAIL_ENGINE_OPEN_TREE_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "sealtrail/hash.h"
#include "segment_format.h"

namespace sealtrail {

class OpenTree {
 public:
  explicit OpenTree(SegmentGeometry geometry);

  // REQUIRES: leaf_count() < geometry.leaves(). Adds the leaf and every node it completes.
  void AddLeaf(const Hash& leaf_hash);
  uint64_t leaf_count() const { return leaf_count_; }
  bool full() const { return leaf_count_ == geometry_.leaves(); }

  // REQUIRES: the node is complete: (index + 1) << level <= leaf_count().
  const Hash& Node(uint32_t level, uint64_t index) const {
    return nodes_[geometry_.NodeSlot(level, index)];
  }
  // REQUIRES: full().
  const Hash& Root() const { return Node(geometry_.leaves_log2, 0); }

  // The node table bytes. REQUIRES: full().
  std::string_view NodeTableBytes() const {
    return {reinterpret_cast<const char*>(nodes_.get()), geometry_.node_count() * kHashSize};
  }

 private:
  const SegmentGeometry geometry_;
  std::unique_ptr<Hash[]> nodes_;
  uint64_t leaf_count_ = 0;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_OPEN_TREE_H_
