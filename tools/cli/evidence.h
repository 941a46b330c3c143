// Proofs as the tool prints them: an RFC 9162 proof together with the hashes it is checked
// against, so that one printed JSON line is everything a client needs to verify it with
// merkle_proof.h alone.
#ifndef SEALTRAIL_TOOLS_CLI_EVIDENCE_H_
#define SEALTRAIL_TOOLS_CLI_EVIDENCE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/output.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"

namespace sealtrail::cli {

// {"leaf_index":I,"tree_size":N,"leaf_hash":"...","root":"...","path":["...",...]}
struct InclusionEvidence {
  Hash leaf_hash{};
  Hash root{};  // Root of the tree of proof.tree_size leaves.
  InclusionProof proof;
};

// {"old_size":M,"new_size":N,"old_root":"...","new_root":"...","path":["...",...]}
struct ConsistencyEvidence {
  Hash old_root{};
  Hash new_root{};
  ConsistencyProof proof;
};

Json ToJson(const InclusionEvidence& evidence);
Json ToJson(const ConsistencyEvidence& evidence);

// Parse what ToJson printed. INVALID_ARGUMENT naming the field if one is missing, has the wrong
// type, or is not the base64 of a 32-byte hash. Extra fields are ignored.
absl::StatusOr<InclusionEvidence> InclusionEvidenceFromJson(const Json& json);
absl::StatusOr<ConsistencyEvidence> ConsistencyEvidenceFromJson(const Json& json);

// Only the proof in what ToJson printed, without its roots: a client that checks a proof against
// a signed checkpoint takes the root(s) from the checkpoint, never from whoever built the proof.
// Reads leaf_index, tree_size, leaf_hash and path (inclusion) or old_size, new_size and path
// (consistency); other fields, roots included, are ignored. Errors as above.
struct LeafInclusionProof {
  Hash leaf_hash{};
  InclusionProof proof;
};
absl::StatusOr<LeafInclusionProof> LeafInclusionProofFromJson(const Json& json);
absl::StatusOr<ConsistencyProof> ConsistencyProofFromJson(const Json& json);

// VerifyInclusion / VerifyConsistency on the evidence; returns the verifier's status unchanged
// (DATA_LOSS when a root does not match, INVALID_ARGUMENT for a malformed proof).
[[nodiscard]] absl::Status CheckEvidence(const InclusionEvidence& evidence);
[[nodiscard]] absl::Status CheckEvidence(const ConsistencyEvidence& evidence);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_EVIDENCE_H_
