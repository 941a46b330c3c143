// KeyHeads: the server's side of completeness commitments (docs/completeness.md). It gives every
// committed record its back-pointers (v1::KeyLinks) and keeps the authenticated key map
// (server/keymap/key_map.h) of every key's newest record, whose root each checkpoint signs.
//
// Two states, at two sizes:
//   chain heads  the committer's: every key's (newest seq, count) over everything it staged and
//                published. Stage() links a batch and advances the heads, noting what each key
//                was before; Publish(), once the batch is durable, queues the batch's heads for
//                the map; Discard() puts back what a batch that was never written changed.
//   key map      the checkpointer's: Advance() applies what was published, recomputes the
//                root and returns (size, root) to sign. Map proofs are answered at that size
//                only: the map keeps no history, so a proof is always against the newest
//                checkpoint, whose size the caller checks (Prove's `size`).
// A record links only to durable records, and the map never holds an unacknowledged one, so
// every signed map root describes exactly the signed tree.
//
// Where commitments begin: a log written before this feature has records without links. The
// first record with links is the commitment start X (found by binary search at load: records
// below X have none, every record from X on has them); a log with no linked record yet starts at
// its current size. Counts and chains start at X; checkpoints name X in their extension line.
//
// Load replays the links of records [X, size) (O(records) reads: the map is derived state, and a
// persistent snapshot belongs to the index work), checking that they chain: a record whose link
// disagrees with the heads before it is DATA_LOSS naming its sequence number.
//
// Thread-safety: Stage, Publish and Discard from the committer thread only; Advance, Prove,
// and commitment_from from any thread.
#ifndef SEALTRAIL_SERVER_SERVICE_KEY_HEADS_H_
#define SEALTRAIL_SERVER_SERVICE_KEY_HEADS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/completeness/key_map_line.h"
#include "server/keymap/key_map.h"
#include "server/keymap/map_proof.h"

namespace sealtrail {

class KeyHeads {
 public:
  // Finds X and replays the links of every record from X on (see above).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<KeyHeads>> Load(const Log& log);

  KeyHeads(const KeyHeads&) = delete;
  KeyHeads& operator=(const KeyHeads&) = delete;

  // Sets links on `records`, which are to be appended as sequence numbers first_seq, ... One
  // batch may be staged in several calls, for consecutive spans of it.
  // REQUIRES: first_seq is the size after everything published and staged.
  void Stage(absl::Span<v1::AuditRecord> records, uint64_t first_seq);
  // The staged batch is durable: its heads become current and are queued for the map.
  void Publish();
  // The staged batch was not written.
  void Discard();

  // Applies everything published to the map and returns its head. INTERNAL if the map refuses
  // an entry (a count of 0, which Stage never makes).
  [[nodiscard]] absl::StatusOr<KeyMapHead> Advance() ABSL_LOCKS_EXCLUDED(pending_mu_, map_mu_);

  // The map proof for `path`, if the map is at `size` (its last Advance); FAILED_PRECONDITION
  // naming both sizes otherwise (the caller gets a newer checkpoint and asks again).
  [[nodiscard]] absl::StatusOr<keymap::MapProof> Prove(const Hash& path, uint64_t size)
      ABSL_LOCKS_EXCLUDED(map_mu_);

  uint64_t commitment_from() const { return from_; }

 private:
  explicit KeyHeads(uint64_t from) : from_(from), committed_size_(from), map_size_(from) {}

  const uint64_t from_;

  // Committer thread only.
  struct Entry {
    keymap::KeyHead head;
    uint64_t epoch = 0;  // The batch that last changed it (epoch_ while staging it).
  };
  // A key's first change in the staged batch, and what it was before.
  struct Touched {
    Hash path;
    keymap::KeyHead before;
    bool was_new = false;
  };
  absl::flat_hash_map<Hash, Entry> heads_;  // Staged changes included.
  std::vector<Touched> touched_;            // By the staged batch.
  uint64_t epoch_ = 1;
  uint64_t committed_size_;
  uint64_t staged_end_ = 0;

  absl::Mutex pending_mu_;
  absl::flat_hash_map<Hash, keymap::KeyHead> pending_ ABSL_GUARDED_BY(pending_mu_);
  uint64_t pending_size_ ABSL_GUARDED_BY(pending_mu_) = 0;

  absl::Mutex map_mu_;
  keymap::KeyMap map_ ABSL_GUARDED_BY(map_mu_);
  uint64_t map_size_ ABSL_GUARDED_BY(map_mu_);
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_KEY_HEADS_H_
