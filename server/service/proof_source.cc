#include "server/service/proof_source.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {
namespace {

std::string HashBytes(const Hash& hash) { return std::string(AsStringView(hash)); }

}  // namespace

absl::StatusOr<StoredCheckpoint> ProofSource::Latest() {
  std::optional<StoredCheckpoint> latest = store_->Latest();
  if (latest.has_value()) return *std::move(latest);
  return checkpointer_->SignNow();
}

absl::StatusOr<uint64_t> ProofSource::TreeSize(uint64_t requested, uint64_t must_cover) {
  if (requested != 0) {
    uint64_t size = log_->Size();
    if (requested > size) {
      return absl::OutOfRangeError(
          absl::StrCat("tree size ", requested, " is beyond the log's size ", size));
    }
    return requested;
  }
  ASSIGN_OR_RETURN(StoredCheckpoint latest, Latest());
  if (latest.checkpoint.size >= must_cover) return latest.checkpoint.size;
  // Records newer than the latest checkpoint: sign one that covers everything acknowledged.
  ASSIGN_OR_RETURN(StoredCheckpoint fresh, checkpointer_->SignNow());
  return fresh.checkpoint.size;
}

absl::StatusOr<v1::InclusionProof> ProofSource::Inclusion(uint64_t seq, uint64_t tree_size) {
  ASSIGN_OR_RETURN(InclusionProof proof, log_->ProveInclusion(seq, tree_size));
  ASSIGN_OR_RETURN(Hash leaf_hash, log_->LeafHash(seq));
  ASSIGN_OR_RETURN(Hash root, RootOf(tree_size));
  v1::InclusionProof out;
  out.set_leaf_index(seq);
  out.set_tree_size(tree_size);
  out.set_leaf_hash(HashBytes(leaf_hash));
  out.set_root(HashBytes(root));
  for (const Hash& node : proof.path) out.add_path(HashBytes(node));
  return out;
}

absl::StatusOr<v1::ConsistencyProof> ProofSource::Consistency(uint64_t old_size,
                                                              uint64_t new_size) {
  ASSIGN_OR_RETURN(ConsistencyProof proof, log_->ProveConsistency(old_size, new_size));
  ASSIGN_OR_RETURN(Hash old_root, RootOf(old_size));
  ASSIGN_OR_RETURN(Hash new_root, RootOf(new_size));
  v1::ConsistencyProof out;
  out.set_old_size(old_size);
  out.set_new_size(new_size);
  out.set_old_root(HashBytes(old_root));
  out.set_new_root(HashBytes(new_root));
  for (const Hash& node : proof.path) out.add_path(HashBytes(node));
  return out;
}

absl::StatusOr<Hash> ProofSource::RootOf(uint64_t size) {
  {
    absl::MutexLock lock(&root_mu_);
    if (size != 0 && size == cached_root_size_) return cached_root_;
  }
  ASSIGN_OR_RETURN(Hash root, log_->Root(size));
  absl::MutexLock lock(&root_mu_);
  cached_root_size_ = size;
  cached_root_ = root;
  return root;
}

v1::Checkpoint ProofSource::ToProto(const StoredCheckpoint& stored) {
  v1::Checkpoint out;
  out.set_tree_size(stored.checkpoint.size);
  out.set_root(HashBytes(stored.checkpoint.root));
  out.set_signed_note(stored.note);
  return out;
}

}  // namespace sealtrail
