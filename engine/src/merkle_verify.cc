// RFC 9162 §2.1.3.2 and §2.1.4.2, written from the RFC's own steps. This file must not depend on
// anything but the hasher: it is what a client carries to check the log.
#include <bit>

#include "absl/strings/str_cat.h"
#include "sealtrail/merkle_proof.h"

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

}  // namespace sealtrail
