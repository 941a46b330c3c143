// What the server sends as evidence, checked and converted into the forms the CLI prints
// (evidence.h). The server is not trusted: every hash is checked for its length, every proof is
// verified with the client verifier library (merkle_proof.h) before it is returned, and record
// bytes are rehashed. Whatever does not verify is DATA_LOSS (exit 3), malformed hashes included,
// since a proof that cannot be checked is no proof.
//
// Note what the checks here can show: a proof that verifies against the root the server claims
// ties the record to that root, nothing more. Only a root from a signed checkpoint (checked
// with the verifier key, CheckedCheckpoint) ties it to what the log committed to.
#ifndef SEALTRAIL_TOOLS_CLI_SERVER_EVIDENCE_H_
#define SEALTRAIL_TOOLS_CLI_SERVER_EVIDENCE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/evidence.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/note.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::cli {

// `bytes` as a hash; DATA_LOSS naming `what` ("leaf hash of seq 7") unless it is 32 bytes.
absl::StatusOr<Hash> HashFromServer(std::string_view bytes, absl::string_view what);

// DATA_LOSS unless HashLeaf(data) == leaf_hash.
absl::Status CheckLeafData(uint64_t seq, std::string_view data, const Hash& leaf_hash);

// The proofs as evidence, each verified against the roots it carries; DATA_LOSS if a hash is
// malformed or the proof does not verify.
absl::StatusOr<InclusionEvidence> CheckedInclusionEvidence(const v1::InclusionProof& proof);
absl::StatusOr<ConsistencyEvidence> CheckedConsistencyEvidence(const v1::ConsistencyProof& proof);

// The proof alone, hashes length-checked but not verified: for a witness, which verifies it
// against two signed checkpoints itself.
absl::StatusOr<ConsistencyProof> ConsistencyProofFromServer(const v1::ConsistencyProof& proof);

// Verifies the signed note with `key` (origin as VerifyCheckpoint) and that the message's
// tree_size and root agree with what the note signs. UNAUTHENTICATED or INVALID_ARGUMENT from
// VerifyCheckpoint; DATA_LOSS if the fields disagree with the note.
absl::StatusOr<Checkpoint> CheckedCheckpoint(const v1::Checkpoint& checkpoint,
                                             const NoteVerifierKey& key,
                                             std::string_view expected_origin = {});

// The C2SP tlog-proof (sealtrail/tlog_proof.h) of `evidence`'s leaf with `signed_note` verbatim
// as its checkpoint, after checking that the note's body commits to the proof's tree size and
// root; the signature is not checked here. DATA_LOSS if it does not commit to them; the note
// parser's INVALID_ARGUMENT if it is not a checkpoint note. `prove --format tlog-proof` and
// `export` write their proofs with this, so every tlog-proof the CLI writes is checked alike.
absl::StatusOr<std::string> TlogProofInCheckpoint(const InclusionEvidence& evidence,
                                                  std::string_view signed_note);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_SERVER_EVIDENCE_H_
