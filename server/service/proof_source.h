// ProofSource: what Query and Prove share: choosing the tree size a proof is against, keeping a
// signed checkpoint available for it, and filling the proof messages from the log.
//
// "Latest checkpoint" is the newest stored one. When a caller needs a proof for a record newer
// than it (a record appended since the background signer last ran), ProofSource signs a new
// checkpoint first (Checkpointer::SignNow), so every proof it returns is against a tree size
// for which a signed checkpoint exists, unless the caller named another size.
//
// Thread-safety: all methods may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_PROOF_SOURCE_H_
#define SEALTRAIL_SERVER_SERVICE_PROOF_SOURCE_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/checkpointer.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail {

class ProofSource {
 public:
  // None owned; all must outlive this.
  ProofSource(const Log* log, CheckpointStore* store, Checkpointer* checkpointer)
      : log_(log), store_(store), checkpointer_(checkpointer) {}

  // The newest stored checkpoint; signs one first if none is stored yet.
  [[nodiscard]] absl::StatusOr<StoredCheckpoint> Latest();

  // The tree size to prove against. `requested` != 0: that size (OUT_OF_RANGE if the log is
  // smaller). 0: the latest checkpoint's size, after signing a new checkpoint if the latest
  // does not cover `must_cover` records (0: anything goes).
  [[nodiscard]] absl::StatusOr<uint64_t> TreeSize(uint64_t requested, uint64_t must_cover);

  // An inclusion proof of `seq` in the tree of `tree_size`, with the leaf hash and root.
  // INVALID_ARGUMENT if seq >= tree_size; OUT_OF_RANGE if tree_size exceeds the log.
  [[nodiscard]] absl::StatusOr<v1::InclusionProof> Inclusion(uint64_t seq, uint64_t tree_size);

  // A consistency proof between the two sizes, with both roots. Errors as Log::ProveConsistency.
  [[nodiscard]] absl::StatusOr<v1::ConsistencyProof> Consistency(uint64_t old_size,
                                                                 uint64_t new_size);

  // The proto form of a stored checkpoint.
  static v1::Checkpoint ToProto(const StoredCheckpoint& stored);

 private:
  // The root of the tree of `size`. Proofs mostly go against one size (the latest checkpoint's),
  // and a size's root never changes in an append-only log, so the last one is kept.
  absl::StatusOr<Hash> RootOf(uint64_t size);

  const Log* log_;
  CheckpointStore* store_;
  Checkpointer* checkpointer_;
  absl::Mutex root_mu_;
  uint64_t cached_root_size_ ABSL_GUARDED_BY(root_mu_) = 0;
  Hash cached_root_ ABSL_GUARDED_BY(root_mu_){};
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_PROOF_SOURCE_H_
