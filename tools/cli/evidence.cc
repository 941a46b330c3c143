#include "cli/evidence.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sealtrail::cli {
namespace {

Json PathToJson(const std::vector<Hash>& path) {
  Json out = Json::array();
  for (const Hash& hash : path) out.push_back(HashToBase64(hash));
  return out;
}

absl::StatusOr<std::vector<Hash>> GetPath(const Json& json) {
  auto it = json.find("path");
  if (it == json.end() || !it->is_array()) {
    return absl::InvalidArgumentError("field \"path\" is missing or not an array");
  }
  std::vector<Hash> path;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& element = (*it)[i];
    absl::StatusOr<Hash> hash = element.is_string() ? HashFromBase64(element.get<std::string>())
                                                    : absl::InvalidArgumentError("not a string");
    if (!hash.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("field \"path\"[", i, "]: ", hash.status().message()));
    }
    path.push_back(*hash);
  }
  return path;
}

}  // namespace

Json ToJson(const InclusionEvidence& evidence) {
  return Json{{"leaf_index", evidence.proof.leaf_index},
              {"tree_size", evidence.proof.tree_size},
              {"leaf_hash", HashToBase64(evidence.leaf_hash)},
              {"root", HashToBase64(evidence.root)},
              {"path", PathToJson(evidence.proof.path)}};
}

Json ToJson(const ConsistencyEvidence& evidence) {
  return Json{{"old_size", evidence.proof.old_size},
              {"new_size", evidence.proof.new_size},
              {"old_root", HashToBase64(evidence.old_root)},
              {"new_root", HashToBase64(evidence.new_root)},
              {"path", PathToJson(evidence.proof.path)}};
}

absl::StatusOr<LeafInclusionProof> LeafInclusionProofFromJson(const Json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  absl::StatusOr<uint64_t> leaf_index = GetJsonUint(json, "leaf_index");
  if (!leaf_index.ok()) return leaf_index.status();
  absl::StatusOr<uint64_t> tree_size = GetJsonUint(json, "tree_size");
  if (!tree_size.ok()) return tree_size.status();
  absl::StatusOr<Hash> leaf_hash = GetJsonHash(json, "leaf_hash");
  if (!leaf_hash.ok()) return leaf_hash.status();
  absl::StatusOr<std::vector<Hash>> path = GetPath(json);
  if (!path.ok()) return path.status();
  return LeafInclusionProof{*leaf_hash, InclusionProof{*leaf_index, *tree_size, *path}};
}

absl::StatusOr<ConsistencyProof> ConsistencyProofFromJson(const Json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  absl::StatusOr<uint64_t> old_size = GetJsonUint(json, "old_size");
  if (!old_size.ok()) return old_size.status();
  absl::StatusOr<uint64_t> new_size = GetJsonUint(json, "new_size");
  if (!new_size.ok()) return new_size.status();
  absl::StatusOr<std::vector<Hash>> path = GetPath(json);
  if (!path.ok()) return path.status();
  return ConsistencyProof{*old_size, *new_size, *path};
}

// The evidence forms are the plain proofs plus the roots they claim.
absl::StatusOr<InclusionEvidence> InclusionEvidenceFromJson(const Json& json) {
  absl::StatusOr<LeafInclusionProof> proof = LeafInclusionProofFromJson(json);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<Hash> root = GetJsonHash(json, "root");
  if (!root.ok()) return root.status();
  return InclusionEvidence{proof->leaf_hash, *root, std::move(proof->proof)};
}

absl::StatusOr<ConsistencyEvidence> ConsistencyEvidenceFromJson(const Json& json) {
  absl::StatusOr<ConsistencyProof> proof = ConsistencyProofFromJson(json);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<Hash> old_root = GetJsonHash(json, "old_root");
  if (!old_root.ok()) return old_root.status();
  absl::StatusOr<Hash> new_root = GetJsonHash(json, "new_root");
  if (!new_root.ok()) return new_root.status();
  return ConsistencyEvidence{*old_root, *new_root, *std::move(proof)};
}

absl::Status CheckEvidence(const InclusionEvidence& evidence) {
  return VerifyInclusion(evidence.leaf_hash, evidence.proof.leaf_index, evidence.proof.tree_size,
                         evidence.proof.path, evidence.root);
}

absl::Status CheckEvidence(const ConsistencyEvidence& evidence) {
  return VerifyConsistency(evidence.proof.old_size, evidence.proof.new_size, evidence.old_root,
                           evidence.new_root, evidence.proof.path);
}

}  // namespace sealtrail::cli
