// RFC 9162 §2.1.3.2 and §2.1.4.2, written from the RFC's own steps, and multi-leaf inclusion
// (merkle_proof.h), written from its recursion. This file must not depend on anything but the
// hasher: it is what a client carries to check the log.
#include <bit>

#include "absl/strings/str_cat.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {

Hash EmptyTreeRoot() { return Sha256(""); }

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             absl::Span<const Hash> path, const Hash& root) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not below tree size ", tree_size));
  }
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : path) {
    if (sn == 0) {
      return absl::InvalidArgumentError(absl::StrCat("inclusion path is too long for leaf ",
                                                     leaf_index, " in tree size ", tree_size, " (",
                                                     path.size(), " hashes)"));
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError(absl::StrCat("inclusion path is too short for leaf ",
                                                   leaf_index, " in tree size ", tree_size, " (",
                                                   path.size(), " hashes)"));
  }
  if (r != root) {
    return absl::DataLossError(absl::StrCat("inclusion proof for leaf ", leaf_index,
                                            " in tree size ", tree_size, " leads to root ",
                                            HashToBase64(r), ", expected ", HashToBase64(root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, absl::Span<const Hash> path) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", old_size, " is larger than new size ", new_size));
  }
  if (old_size == new_size) {
    if (!path.empty()) {
      return absl::InvalidArgumentError("consistency path must be empty for equal sizes");
    }
    if (old_root != new_root) {
      return absl::DataLossError(absl::StrCat("different roots at the same size ", old_size, ": ",
                                              HashToBase64(old_root), " and ",
                                              HashToBase64(new_root)));
    }
    return absl::OkStatus();
  }
  if (old_size == 0) {
    if (!path.empty()) {
      return absl::InvalidArgumentError("consistency path from the empty tree must be empty");
    }
    return absl::OkStatus();
  }
  if (path.empty()) {
    return absl::InvalidArgumentError("consistency path is empty");
  }
  // Step 2: if old_size is an exact power of 2, prepend old_root to the path.
  const bool old_is_power_of_two = std::has_single_bit(old_size);
  size_t next = 0;
  auto take = [&](Hash* out) {
    if (next < path.size()) {
      *out = path[next++];
      return true;
    }
    return false;
  };
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  // Step 4: while LSB(fn) is set, shift both right.
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr;
  if (old_is_power_of_two) {
    fr = old_root;
  } else if (!take(&fr)) {
    return absl::InvalidArgumentError("consistency path is too short");
  }
  Hash sr = fr;
  Hash c;
  while (take(&c)) {
    if (sn == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("consistency path is too long for sizes ", old_size, " and ", new_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency path is too short for sizes ", old_size, " and ", new_size));
  }
  if (fr != old_root) {
    return absl::DataLossError(absl::StrCat("consistency proof gives old root ", HashToBase64(fr),
                                            " for size ", old_size, ", expected ",
                                            HashToBase64(old_root)));
  }
  if (sr != new_root) {
    return absl::DataLossError(absl::StrCat("consistency proof gives new root ", HashToBase64(sr),
                                            " for size ", new_size, ", expected ",
                                            HashToBase64(new_root)));
  }
  return absl::OkStatus();
}

namespace {

// "the largest power of two smaller than n" (RFC 9162 §2.1.1). REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Runs the recursion PROOF([lo, hi)) of merkle_proof.h over checked input, taking path hashes
// and leaf hashes in the order the prover emitted them. Depth is at most 64 (one level per
// bit of the tree size) and nothing is allocated.
class MultiInclusionWalk {
 public:
  MultiInclusionWalk(absl::Span<const uint64_t> leaf_indices, absl::Span<const Hash> leaf_hashes,
                     absl::Span<const Hash> path)
      : leaf_indices_(leaf_indices), leaf_hashes_(leaf_hashes), path_(path) {}

  // Sets *out to MTH(D[lo:hi]) as the proof gives it; false if the path runs out first.
  bool SubtreeHash(uint64_t lo, uint64_t hi, Hash* out) {
    // Every leaf index before next_leaf_ is below lo, so this one is the first that may be in
    // [lo, hi).
    if (next_leaf_ == leaf_indices_.size() || leaf_indices_[next_leaf_] >= hi) {
      // "no index of I is in [lo, hi)": the path holds MTH(D[lo:hi]).
      if (next_path_ == path_.size()) return false;
      *out = path_[next_path_++];
      return true;
    }
    if (hi - lo == 1) {
      // A requested leaf: its hash is the verifier's own.
      *out = leaf_hashes_[next_leaf_++];
      return true;
    }
    // "MTH(D[lo:hi]) = HASH(0x01 || MTH(D[lo:lo+k]) || MTH(D[lo+k:hi]))", left subtree first.
    const uint64_t k = SplitPoint(hi - lo);
    Hash left;
    Hash right;
    if (!SubtreeHash(lo, lo + k, &left) || !SubtreeHash(lo + k, hi, &right)) return false;
    *out = HashChildren(left, right);
    return true;
  }

  size_t path_hashes_left() const { return path_.size() - next_path_; }

 private:
  const absl::Span<const uint64_t> leaf_indices_;
  const absl::Span<const Hash> leaf_hashes_;
  const absl::Span<const Hash> path_;
  size_t next_leaf_ = 0;
  size_t next_path_ = 0;
};

}  // namespace

absl::Status CheckMultiInclusionIndices(absl::Span<const uint64_t> leaf_indices,
                                        uint64_t tree_size) {
  if (leaf_indices.empty()) {
    return absl::InvalidArgumentError("multi-leaf inclusion needs at least one leaf index");
  }
  for (size_t i = 0; i < leaf_indices.size(); ++i) {
    if (leaf_indices[i] >= tree_size) {
      return absl::InvalidArgumentError(absl::StrCat("leaf index ", leaf_indices[i],
                                                     " at position ", i, " is not below tree size ",
                                                     tree_size));
    }
    if (i > 0 && leaf_indices[i] == leaf_indices[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat("leaf index ", leaf_indices[i], " is repeated at position ", i));
    }
    if (i > 0 && leaf_indices[i] < leaf_indices[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat("leaf indices are not strictly increasing at position ", i, ": ",
                       leaf_indices[i], " follows ", leaf_indices[i - 1]));
    }
  }
  return absl::OkStatus();
}

absl::Status VerifyMultiInclusion(absl::Span<const uint64_t> leaf_indices,
                                  absl::Span<const Hash> leaf_hashes, uint64_t tree_size,
                                  absl::Span<const Hash> path, const Hash& root) {
  RETURN_IF_ERROR(CheckMultiInclusionIndices(leaf_indices, tree_size));
  if (leaf_hashes.size() != leaf_indices.size()) {
    return absl::InvalidArgumentError(absl::StrCat("got ", leaf_hashes.size(), " leaf hashes for ",
                                                   leaf_indices.size(), " leaf indices"));
  }
  MultiInclusionWalk walk(leaf_indices, leaf_hashes, path);
  Hash r;
  if (!walk.SubtreeHash(0, tree_size, &r)) {
    return absl::InvalidArgumentError(absl::StrCat("multi-leaf inclusion path is too short for ",
                                                   leaf_indices.size(), " leaves in tree size ",
                                                   tree_size, " (", path.size(), " hashes)"));
  }
  if (walk.path_hashes_left() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "multi-leaf inclusion path is too long: ", walk.path_hashes_left(), " of its ", path.size(),
        " hashes left over for ", leaf_indices.size(), " leaves in tree size ", tree_size));
  }
  if (r != root) {
    return absl::DataLossError(absl::StrCat("root mismatch: multi-leaf inclusion proof of ",
                                            leaf_indices.size(), " leaves in tree size ", tree_size,
                                            " leads to root ", HashToBase64(r), ", expected ",
                                            HashToBase64(root)));
  }
  return absl::OkStatus();
}

}  // namespace sealtrail
