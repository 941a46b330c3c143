#include "cli/server_evidence.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "sealtrail/note.h"
#include "sealtrail/status_macros.h"
#include "sealtrail/tlog_proof.h"

namespace sealtrail::cli {
namespace {

absl::StatusOr<std::vector<Hash>> PathFromServer(
    const google::protobuf::RepeatedPtrField<std::string>& path) {
  std::vector<Hash> hashes;
  hashes.reserve(path.size());
  for (int i = 0; i < path.size(); ++i) {
    ASSIGN_OR_RETURN(Hash hash, HashFromServer(path[i], absl::StrCat("proof path entry ", i)));
    hashes.push_back(hash);
  }
  return hashes;
}

}  // namespace

absl::StatusOr<Hash> HashFromServer(std::string_view bytes, absl::string_view what) {
  if (bytes.size() != kHashSize) {
    return absl::DataLossError(absl::StrCat("the server sent a ", what, " of ", bytes.size(),
                                            " bytes; a hash has ", kHashSize));
  }
  Hash hash;
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

absl::Status CheckLeafData(uint64_t seq, std::string_view data, const Hash& leaf_hash) {
  if (HashLeaf(data) != leaf_hash) {
    return absl::DataLossError(absl::StrCat("the bytes the server sent for seq ", seq,
                                            " do not hash to its leaf hash ",
                                            HashToBase64(leaf_hash)));
  }
  return absl::OkStatus();
}

absl::StatusOr<InclusionEvidence> CheckedInclusionEvidence(const v1::InclusionProof& proof) {
  InclusionEvidence evidence;
  evidence.proof.leaf_index = proof.leaf_index();
  evidence.proof.tree_size = proof.tree_size();
  ASSIGN_OR_RETURN(evidence.leaf_hash, HashFromServer(proof.leaf_hash(), "leaf hash"));
  ASSIGN_OR_RETURN(evidence.root, HashFromServer(proof.root(), "root"));
  ASSIGN_OR_RETURN(evidence.proof.path, PathFromServer(proof.path()));
  if (absl::Status check = CheckEvidence(evidence); !check.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the server's inclusion proof of seq ", proof.leaf_index(), " in the tree of size ",
        proof.tree_size(), " does not verify: ", check.message()));
  }
  return evidence;
}

absl::StatusOr<ConsistencyProof> ConsistencyProofFromServer(const v1::ConsistencyProof& proof) {
  ASSIGN_OR_RETURN(std::vector<Hash> path, PathFromServer(proof.path()));
  return ConsistencyProof{proof.old_size(), proof.new_size(), std::move(path)};
}

absl::StatusOr<ConsistencyEvidence> CheckedConsistencyEvidence(const v1::ConsistencyProof& proof) {
  ConsistencyEvidence evidence;
  ASSIGN_OR_RETURN(evidence.proof, ConsistencyProofFromServer(proof));
  ASSIGN_OR_RETURN(evidence.old_root, HashFromServer(proof.old_root(), "old root"));
  ASSIGN_OR_RETURN(evidence.new_root, HashFromServer(proof.new_root(), "new root"));
  if (absl::Status check = CheckEvidence(evidence); !check.ok()) {
    return absl::DataLossError(absl::StrCat("the server's consistency proof from size ",
                                            proof.old_size(), " to ", proof.new_size(),
                                            " does not verify: ", check.message()));
  }
  return evidence;
}

absl::StatusOr<Checkpoint> CheckedCheckpoint(const v1::Checkpoint& checkpoint,
                                             const NoteVerifierKey& key,
                                             std::string_view expected_origin) {
  ASSIGN_OR_RETURN(Checkpoint verified,
                   VerifyCheckpoint(checkpoint.signed_note(), key, expected_origin));
  if (verified.size != checkpoint.tree_size() || AsStringView(verified.root) != checkpoint.root()) {
    return absl::DataLossError(absl::StrCat(
        "the server's checkpoint says tree size ", checkpoint.tree_size(), " and root ",
        absl::Base64Escape(checkpoint.root()), " but its signed note says tree size ",
        verified.size, " and root ", HashToBase64(verified.root)));
  }
  return verified;
}

absl::StatusOr<std::string> TlogProofInCheckpoint(const InclusionEvidence& evidence,
                                                  std::string_view signed_note) {
  ASSIGN_OR_RETURN(ParsedNote note, ParseSignedNote(signed_note));
  ASSIGN_OR_RETURN(Checkpoint body, ParseCheckpointBody(note.text));
  if (body.size != evidence.proof.tree_size || body.root != evidence.root) {
    return absl::DataLossError(
        absl::StrCat("the checkpoint of tree size ", body.size, " and root ",
                     HashToBase64(body.root), " does not commit to the proof's tree size ",
                     evidence.proof.tree_size, " and root ", HashToBase64(evidence.root)));
  }
  return FormatTlogProof(
      {std::nullopt, evidence.proof.leaf_index, evidence.proof.path, std::string(signed_note)});
}

}  // namespace sealtrail::cli
