// CheckpointAudit: the integrity alarm's checks of the checkpoints a data directory stores
// (DATA_DIR/checkpoints), made from the files alone, beside the running server, as an outside
// auditor holding only the verifier key would make them.
//
// Each Check looks at the checkpoints stored since the previous one (all of them the first
// time), in order, and for each one:
//   1. its signature verifies with the log's key, with the expected origin;
//   2. it covers no more records than the log holds;
//   3. it extends the last good checkpoint before it (WitnessCheck, sealtrail/audit.h): it is
//      not smaller, its timestamp is not older, the same size has the same root, and a larger
//      one is proven consistent by an RFC 9162 consistency proof between the two sizes, built
//      from the log's files and verified by the client verifier (merkle_proof.h);
//   4. its root is the log's root at its size (the stored nodes, which the segment
//      verification checks against the records, and the open segment's records rehashed).
// A checkpoint that fails is a violation and is not trusted as a predecessor. Every Check also
// confirms that the log still holds the last good checkpoint's records with its root (records
// removed or rewritten after it was checked), and that the checkpoints checked before are still
// in the file unchanged (a digest of their notes); if they are not, it checks the whole file
// again from the first, so that a forged entry is named where it is.
//
// Read-only: opens the store and the log read-only, takes no lock, changes nothing.
// Thread-safety: one Check at a time (it keeps what it checked between calls).
#ifndef SEALTRAIL_SERVER_SERVICE_CHECKPOINT_AUDIT_H_
#define SEALTRAIL_SERVER_SERVICE_CHECKPOINT_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/note.h"
#include "server/service/integrity_violation.h"

namespace sealtrail {

struct CheckpointCheck {
  // Found by this Check (a violation that persists, such as records removed under a checked
  // checkpoint, is found again by every Check).
  std::vector<IntegrityViolation> violations;
  // I/O errors (not damage) that kept part of the checks from running; what was not checked is
  // checked by the next Check.
  std::vector<absl::Status> errors;
  // Not OK when damage to the log's files (the segment verification's to report) kept it from
  // opening, so nothing was checked: the reason.
  absl::Status skipped;
  uint64_t checked = 0;   // Checkpoints checked by this Check.
  uint64_t verified = 0;  // Of which good.
};

class CheckpointAudit {
 public:
  // `origin`: the origin line checkpoints must carry; empty: the key's name. `env`: not owned,
  // nullptr for Env::Default().
  CheckpointAudit(std::string data_dir, NoteVerifierKey key, std::string origin, Env* env);

  CheckpointCheck Check();

 private:
  struct Trusted {
    Checkpoint checkpoint;
    std::string note;
    size_t index = 0;
    uint64_t file_offset = 0;
  };

  // Checks the stored checkpoint `index` against the last good one and the log of `log_size`
  // records. Violations go to *result; an I/O error is returned.
  absl::Status CheckOne(size_t index, const StoredCheckpoint& stored, const Log& log,
                        uint64_t log_size, CheckpointCheck* result);
  // The last good checkpoint must still be what the log holds.
  absl::Status CheckTrustedStillHolds(const Log& log, uint64_t log_size, CheckpointCheck* result);
  IntegrityViolation ViolationAt(size_t index, const StoredCheckpoint& stored,
                                 std::optional<uint64_t> seq, absl::string_view what) const;

  const std::string data_dir_;
  const std::string path_;  // DATA_DIR/checkpoints.
  const NoteVerifierKey key_;
  const std::string origin_;
  Env* const env_;

  size_t checked_ = 0;              // Checkpoints [0, checked_) of the file were checked.
  Hash checked_digest_{};           // Chained SHA-256 of their notes (ChainNote).
  std::optional<Trusted> trusted_;  // The last good one among them.
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_CHECKPOINT_AUDIT_H_
