// RFC 9162 inclusion and consistency proofs, multi-leaf inclusion proofs, and their
// verification.
//
// This verifier depends on nothing but the hasher (hash.h), so a client can carry it alone; it
// shares no code with the log that builds the proofs. Paths are in RFC 9162 order: from the
// leaf (or the old tree's subtree) upward.
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_MERKLE_PROOF_H_
#define SEALTRAIL_MERKLE_PROOF_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "sealtrail/hash.h"

namespace sealtrail {

struct InclusionProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<Hash> path;
};

struct ConsistencyProof {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<Hash> path;
};

// RFC 9162 §2.1.3.2. OK when `path` proves that the leaf with hash `leaf_hash` sits at
// `leaf_index` in the tree of `tree_size` leaves whose root is `root`.
// INVALID_ARGUMENT if leaf_index >= tree_size or the path has the wrong length;
// DATA_LOSS ("root mismatch") when the path does not lead to `root`.
[[nodiscard]] absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t leaf_index,
                                           uint64_t tree_size, absl::Span<const Hash> path,
                                           const Hash& root);

// RFC 9162 §2.1.4.2. OK when `path` proves that the tree of `old_size` leaves with root
// `old_root` is a prefix of the tree of `new_size` leaves with root `new_root`.
// old_size == 0 is consistent with anything (empty path); old_size == new_size needs an empty
// path and equal roots. INVALID_ARGUMENT for old_size > new_size or a path of the wrong length;
// DATA_LOSS when a reconstructed root does not match.
[[nodiscard]] absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                                             const Hash& old_root, const Hash& new_root,
                                             absl::Span<const Hash> path);

// Multi-leaf inclusion proofs: one shared path proves k leaves at once (docs/format/README.md,
// "Multi-leaf inclusion proofs"). For strictly increasing leaf indices I, each < n, the path is
// what PROOF([0, n)) emits, depth first and left before right:
//   PROOF([lo, hi)) = MTH(D[lo:hi])                      if no index of I is in [lo, hi)
//                   = {}                                 if hi - lo == 1 (a leaf of I)
//                   = PROOF([lo, lo+k)) : PROOF([lo+k, hi))  otherwise,
// with k the largest power of two smaller than hi - lo, as in RFC 9162 §2.1.1: one hash per
// maximal subtree with no leaf of I, ordered left to right over the tree. It holds
// O(k log(n/k)) hashes at worst and O(k + log n) for adjacent leaves; for one leaf it holds the
// hashes of the RFC 9162 inclusion path, in this order rather than leaf upward.

// OK when leaf_indices is a valid leaf set for a tree of tree_size leaves: non-empty, strictly
// increasing, every index below tree_size. Otherwise INVALID_ARGUMENT naming the first fault
// (its position in the list). The check VerifyMultiInclusion and Log::ProveMultiInclusion make.
[[nodiscard]] absl::Status CheckMultiInclusionIndices(absl::Span<const uint64_t> leaf_indices,
                                                      uint64_t tree_size);

// OK when `path` proves that each leaf_hashes[i] sits at leaf_indices[i] in the tree of
// `tree_size` leaves whose root is `root`. INVALID_ARGUMENT when CheckMultiInclusionIndices
// fails, when leaf_hashes and leaf_indices differ in length, or when the path is too short or
// has hashes left over; DATA_LOSS ("root mismatch") when the path does not lead to `root`.
// It runs PROOF's recursion: a range with no leaf of I takes the next path hash, leaf
// leaf_indices[i] takes leaf_hashes[i], any other range hashes its two halves (HashChildren).
// Cost: one interior hash per path hash and leaf, less one; nothing is allocated.
[[nodiscard]] absl::Status VerifyMultiInclusion(absl::Span<const uint64_t> leaf_indices,
                                                absl::Span<const Hash> leaf_hashes,
                                                uint64_t tree_size, absl::Span<const Hash> path,
                                                const Hash& root);

// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
Hash EmptyTreeRoot();

}  // namespace sealtrail

#endif  // SEALTRAIL_MERKLE_PROOF_H_
