// The checks an auditor runs on their own machine, trusting only the log's verifier key: a
// witness's acceptance of a new checkpoint, and an inclusion proof against a signed checkpoint.
// Part of the client verifier library (OpenSSL and Abseil only).
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_AUDIT_H_
#define SEALTRAIL_AUDIT_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/note.h"

namespace sealtrail {

// Decides whether a witness that trusts `trusted_note` (none: the first checkpoint it sees) may
// accept `new_note`. Both notes must verify with `key` and carry the expected origin (the key's
// name when `expected_origin` is empty). Returns the new checkpoint when it may be recorded.
//   - No trusted checkpoint: accepted, no proof needed.
//   - Same size: accepted only with the same root (nothing to prove).
//   - Larger size: `proof` must be a consistency proof from the trusted size to the new size
//     that verifies against both roots.
// Errors: UNAUTHENTICATED (a signature or origin), INVALID_ARGUMENT (a malformed note, a missing
// proof, or a proof for other sizes than the two checkpoints'), DATA_LOSS (a rollback: the new
// tree is smaller, or its timestamp older, than the trusted one's; or a fork: a different root at
// the same size, or a proof that fails). Every refusal message gives both sizes and both roots in
// base64.
absl::StatusOr<Checkpoint> WitnessCheck(std::optional<std::string_view> trusted_note,
                                        std::string_view new_note,
                                        const std::optional<ConsistencyProof>& proof,
                                        const NoteVerifierKey& key,
                                        std::string_view expected_origin = {});

// Verifies `proof` of the leaf with hash `leaf_hash` against the signed checkpoint `note`
// (signature by `key`, origin as in VerifyCheckpoint): the proof's tree size must be the
// checkpoint's and it must lead to the checkpoint's root. Returns the checkpoint.
// UNAUTHENTICATED, INVALID_ARGUMENT or DATA_LOSS as above.
absl::StatusOr<Checkpoint> VerifyInclusionInCheckpoint(std::string_view note,
                                                       const NoteVerifierKey& key,
                                                       const Hash& leaf_hash,
                                                       const InclusionProof& proof,
                                                       std::string_view expected_origin = {});

}  // namespace sealtrail

#endif  // SEALTRAIL_AUDIT_H_
