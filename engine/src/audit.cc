// The auditor's checks: a witness accepting a new checkpoint, and inclusion in a checkpoint.
#include "sealtrail/audit.h"

#include "absl/strings/str_cat.h"

namespace sealtrail {
namespace {

std::string Describe(const Checkpoint& checkpoint) {
  return absl::StrCat("size ", checkpoint.size, " root ", HashToBase64(checkpoint.root));
}

std::string Both(const Checkpoint& trusted, const Checkpoint& offered) {
  return absl::StrCat("trusted checkpoint: ", Describe(trusted),
                      "; new checkpoint: ", Describe(offered));
}

}  // namespace

absl::StatusOr<Checkpoint> WitnessCheck(std::optional<std::string_view> trusted_note,
                                        std::string_view new_note,
                                        const std::optional<ConsistencyProof>& proof,
                                        const NoteVerifierKey& key,
                                        std::string_view expected_origin) {
  absl::StatusOr<Checkpoint> offered = VerifyCheckpoint(new_note, key, expected_origin);
  if (!offered.ok()) {
    return absl::Status(offered.status().code(),
                        absl::StrCat("new checkpoint: ", offered.status().message()));
  }
  if (!trusted_note.has_value()) return offered;
  absl::StatusOr<Checkpoint> trusted = VerifyCheckpoint(*trusted_note, key, expected_origin);
  if (!trusted.ok()) {
    return absl::Status(trusted.status().code(),
                        absl::StrCat("trusted checkpoint: ", trusted.status().message()));
  }
  if (offered->size < trusted->size) {
    return absl::DataLossError(absl::StrCat(
        "rollback: the new tree is smaller than the trusted one; ", Both(*trusted, *offered)));
  }
  if (offered->timestamp_ms.has_value() && trusted->timestamp_ms.has_value() &&
      *offered->timestamp_ms < *trusted->timestamp_ms) {
    return absl::DataLossError(
        absl::StrCat("the new checkpoint's timestamp ", *offered->timestamp_ms,
                     " is older than the trusted one's ", *trusted->timestamp_ms, "; ",
                     Both(*trusted, *offered)));
  }
  if (offered->size == trusted->size) {
    if (offered->root != trusted->root) {
      return absl::DataLossError(absl::StrCat("fork: two different roots for the same tree size; ",
                                              Both(*trusted, *offered)));
    }
    return offered;
  }
  if (!proof.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a consistency proof is needed to accept a larger tree; ", Both(*trusted, *offered)));
  }
  if (proof->old_size != trusted->size || proof->new_size != offered->size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the consistency proof is from size ", proof->old_size, " to ", proof->new_size,
        ", not between the two checkpoints; ", Both(*trusted, *offered)));
  }
  absl::Status consistent =
      VerifyConsistency(trusted->size, offered->size, trusted->root, offered->root, proof->path);
  if (!consistent.ok()) {
    return absl::DataLossError(
        absl::StrCat("fork: the new checkpoint does not extend the trusted one (",
                     consistent.message(), "); ", Both(*trusted, *offered)));
  }
  return offered;
}

absl::StatusOr<Checkpoint> VerifyInclusionInCheckpoint(std::string_view note,
                                                       const NoteVerifierKey& key,
                                                       const Hash& leaf_hash,
                                                       const InclusionProof& proof,
                                                       std::string_view expected_origin) {
  absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(note, key, expected_origin);
  if (!checkpoint.ok()) return checkpoint.status();
  if (proof.tree_size != checkpoint->size) {
    return absl::InvalidArgumentError(absl::StrCat("the proof is for tree size ", proof.tree_size,
                                                   " but the checkpoint is of size ",
                                                   checkpoint->size));
  }
  absl::Status included =
      VerifyInclusion(leaf_hash, proof.leaf_index, proof.tree_size, proof.path, checkpoint->root);
  if (!included.ok()) return included;
  return checkpoint;
}

}  // namespace sealtrail
