// Proof planning and assembly over stored perfect nodes (RFC 9162 §2.1.3.1 and §2.1.4.1, and
// multi-leaf inclusion as defined in sealtrail/merkle_proof.h).
//
// Planning turns a proof into leaf ranges [begin, end) of the tree: every range is either a
// perfect node, or a right-border range of a tree whose size is not a power of two (at most one
// per proof, and at most one per multi-leaf proof too: only the last range can end at n).
// Assembly fetches each range's perfect nodes and folds a border range into one hash. A proof
// thus costs O(log n) node reads (a multi-leaf one O(log n) per range) and never reads a
// leaf's record.
#ifndef SEALTRAIL_ENGINE_PROOF_BUILDER_H_
#define SEALTRAIL_ENGINE_PROOF_BUILDER_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sealtrail/hash.h"

namespace sealtrail {

struct LeafRange {
  uint64_t begin;
  uint64_t end;
};

// REQUIRES: leaf_index < tree_size. Ranges in RFC 9162 path order (leaf upward).
std::vector<LeafRange> PlanInclusion(uint64_t leaf_index, uint64_t tree_size);
// REQUIRES: 0 < old_size < new_size.
std::vector<LeafRange> PlanConsistency(uint64_t old_size, uint64_t new_size);
// The ranges whose hashes PROOF([0, tree_size)) of merkle_proof.h emits, in path order.
// REQUIRES: CheckMultiInclusionIndices(leaf_indices, tree_size) is OK.
std::vector<LeafRange> PlanMultiInclusion(absl::Span<const uint64_t> leaf_indices,
                                          uint64_t tree_size);

// Returns the hash of the perfect node at (level, index): leaves [index << level, +2^level).
using NodeFetcher = std::function<absl::StatusOr<Hash>(uint32_t level, uint64_t index)>;

// MTH(D[begin:end]) for a node of an RFC 9162 tree: begin is a multiple of the smallest power
// of two >= end - begin (every node PlanInclusion/PlanConsistency returns is one).
// REQUIRES: begin < end.
absl::StatusOr<Hash> HashRange(const LeafRange& range, const NodeFetcher& fetch);

// The hash of each planned range, in order.
absl::StatusOr<std::vector<Hash>> AssemblePath(const std::vector<LeafRange>& plan,
                                               const NodeFetcher& fetch);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_PROOF_BUILDER_H_
