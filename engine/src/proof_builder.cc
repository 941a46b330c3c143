#include "proof_builder.h"

#include <algorithm>
#include <bit>

#include "status_util.h"

namespace sealtrail {
namespace {

// The largest power of two strictly below n. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// PROOF([lo, hi)) of merkle_proof.h. leaf_indices[*next] is the first index not below lo.
// Recursion depth is at most 64: below the root, a range of at most 2^j leaves splits into
// ranges of at most 2^(j-1).
void PlanMultiRange(absl::Span<const uint64_t> leaf_indices, uint64_t lo, uint64_t hi, size_t* next,
                    std::vector<LeafRange>* plan) {
  if (*next == leaf_indices.size() || leaf_indices[*next] >= hi) {
    plan->push_back({lo, hi});
  } else if (hi - lo == 1) {
    ++*next;  // A requested leaf: the verifier has its hash.
  } else {
    const uint64_t k = SplitPoint(hi - lo);
    PlanMultiRange(leaf_indices, lo, lo + k, next, plan);
    PlanMultiRange(leaf_indices, lo + k, hi, next, plan);
  }
}

}  // namespace

std::vector<LeafRange> PlanInclusion(uint64_t leaf_index, uint64_t tree_size) {
  // RFC 9162 PATH(m, D[lo:hi]) unrolled; the recursion emits the deepest sibling first, so the
  // ranges collected top-down are reversed at the end.
  std::vector<LeafRange> plan;
  uint64_t lo = 0;
  uint64_t hi = tree_size;
  while (hi - lo > 1) {
    uint64_t k = SplitPoint(hi - lo);
    if (leaf_index < lo + k) {
      plan.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      plan.push_back({lo, lo + k});
      lo += k;
    }
  }
  std::reverse(plan.begin(), plan.end());
  return plan;
}

std::vector<LeafRange> PlanConsistency(uint64_t old_size, uint64_t new_size) {
  // RFC 9162 SUBPROOF(m, D[lo:hi], b) unrolled; m is relative to lo.
  std::vector<LeafRange> plan;
  uint64_t m = old_size;
  uint64_t lo = 0;
  uint64_t hi = new_size;
  bool whole_old_tree = true;
  while (true) {
    if (m == hi - lo) {
      if (!whole_old_tree) plan.push_back({lo, hi});
      break;
    }
    uint64_t k = SplitPoint(hi - lo);
    if (m <= k) {
      plan.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      plan.push_back({lo, lo + k});
      lo += k;
      m -= k;
      whole_old_tree = false;
    }
  }
  std::reverse(plan.begin(), plan.end());
  return plan;
}

std::vector<LeafRange> PlanMultiInclusion(absl::Span<const uint64_t> leaf_indices,
                                          uint64_t tree_size) {
  std::vector<LeafRange> plan;
  size_t next = 0;
  PlanMultiRange(leaf_indices, 0, tree_size, &next, &plan);
  return plan;
}

absl::StatusOr<Hash> HashRange(const LeafRange& range, const NodeFetcher& fetch) {
  // Split into perfect nodes of decreasing size, then fold right to left: that is exactly how
  // RFC 9162 hashes a right-border node (split at the largest power of two below its size).
  Hash pieces[64];
  int count = 0;
  uint64_t pos = range.begin;
  while (pos < range.end) {
    uint64_t size = std::bit_floor(range.end - pos);
    uint32_t level = static_cast<uint32_t>(std::countr_zero(size));
    ASSIGN_OR_RETURN(pieces[count], fetch(level, pos >> level));
    ++count;
    pos += size;
  }
  Hash acc = pieces[count - 1];
  for (int i = count - 2; i >= 0; --i) acc = HashChildren(pieces[i], acc);
  return acc;
}

absl::StatusOr<std::vector<Hash>> AssemblePath(const std::vector<LeafRange>& plan,
                                               const NodeFetcher& fetch) {
  std::vector<Hash> path;
  path.reserve(plan.size());
  for (const LeafRange& range : plan) {
    ASSIGN_OR_RETURN(Hash hash, HashRange(range, fetch));
    path.push_back(hash);
  }
  return path;
}

}  // namespace sealtrail
