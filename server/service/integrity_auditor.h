// IntegrityAuditor: sealtraild's integrity alarm. A background thread that re-verifies the data
// directory from its files, beside the running writer, at start and then every scan period:
//   - every segment file (VerifyDataDir, sealtrail/verify.h, on one thread): each record's
//     checksum and hash, every stored node and offset, every footer and the chain of segments,
//     so a changed byte, a missing, swapped or extra frame, and a truncated, removed or extra
//     segment are found, every damaged segment on its own;
//   - each checkpoint stored since the last scan (CheckpointAudit, checkpoint_audit.h): its
//     signature, that it extends its predecessor (an RFC 9162 consistency proof from the log's
//     files), and that its root is the records' root at its size.
// Each distinct violation is passed to `on_violation` once (and logged as an error event
// "integrity_violation"), naming the file, the byte offset and the sequence number: damage
// that stays is not raised again by later scans; new damage is. A segment violation that a
// complete scan no longer finds (the file was restored) is forgotten, so it is raised again if
// it comes back; a checkpoint violation is remembered for the auditor's life (the checkpoint
// file only grows). The auditor goes on scanning after a violation; it changes no file, takes
// no lock of the data directory, and reads every file with pread (it maps none: a file
// truncated under it is damage it reports, not a SIGBUS).
//
// The open segment, the one the writer appends to, can for a moment end in a half-written
// frame or seal. A problem there is looked at again after `confirm_delay` and raised only if it
// is still there, unchanged.
//
// A scan's own failure (an I/O error, not damage) is an error event "integrity_scan_error"
// and shows in status(); what it kept from being checked is checked by the next scan. Damage
// that keeps the log from opening (raised as a segment violation) also keeps the checkpoints
// from being checked: a warning event "integrity_checkpoints_not_checked" says so, each scan.
// Each scan ends with an info event "integrity_scan".
//
// Thread-safety: every method may be called from any thread. `on_violation` is called on the
// auditor's thread, one violation at a time, never with a lock of the auditor held; the next
// scan waits for it.
#ifndef SEALTRAIL_SERVER_SERVICE_INTEGRITY_AUDITOR_H_
#define SEALTRAIL_SERVER_SERVICE_INTEGRITY_AUDITOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "sealtrail/note.h"
#include "server/service/event_log.h"
#include "server/service/integrity_violation.h"

namespace sealtrail {

struct IntegrityAuditorOptions {
  // From the end of one scan to the start of the next (ScanNow starts one sooner).
  absl::Duration scan_period = absl::Minutes(10);
  // How long to wait before looking again at a problem found in the open segment.
  absl::Duration confirm_delay = absl::Seconds(1);
  // Files and the clock of status(); nullptr: Env::Default(). Not owned.
  Env* env = nullptr;
};

struct IntegrityAuditorStatus {
  uint64_t scans = 0;  // Scans finished.
  // Wall-clock times (the Env's clock) of the last scan's start and end; unset before the first.
  std::optional<absl::Time> last_scan_start;
  std::optional<absl::Time> last_scan_end;
  // OK when the last scan found the directory intact and met no error; DATA_LOSS while any
  // violation raised is still present (a checkpoint violation always is), saying how many and
  // the first; otherwise the last scan's first I/O error.
  absl::Status last_result;
  absl::Status last_error;            // The last scan's first I/O error; OK if none.
  uint64_t violations = 0;            // Distinct violations raised since Start.
  uint64_t scan_errors = 0;           // I/O errors met since Start.
  uint64_t records_verified = 0;      // Records in the last scan that found the segments intact.
  uint64_t segments_verified = 0;     // Segment files in that scan.
  uint64_t checkpoints_verified = 0;  // Checkpoints found good since Start.
};

class IntegrityAuditor {
 public:
  // Starts the thread, which scans at once. `verifier_key` is the log's (checkpoints must be
  // signed by it); `origin` the origin line they carry (empty: the key's name). `events` is not
  // owned and must outlive the auditor. INVALID_ARGUMENT, and no thread, for an empty data_dir,
  // a null `events`, an empty `on_violation`, or a scan period or confirm delay not positive.
  static absl::StatusOr<std::unique_ptr<IntegrityAuditor>> Start(
      std::string data_dir, NoteVerifierKey verifier_key, std::string origin,
      std::function<void(const IntegrityViolation&)> on_violation, EventLog* events,
      IntegrityAuditorOptions options);

  ~IntegrityAuditor();  // Stops.
  IntegrityAuditor(const IntegrityAuditor&) = delete;
  IntegrityAuditor& operator=(const IntegrityAuditor&) = delete;

  // Asks for a scan now (after the one running, if any); returns at once.
  void ScanNow();
  IntegrityAuditorStatus status() const;
  // Stops the thread: a scan in progress is abandoned (nothing more is raised), and Stop
  // returns once the thread has ended. Idempotent. REQUIRES: not called from on_violation.
  void Stop();

  class Impl;

 private:
  explicit IntegrityAuditor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_INTEGRITY_AUDITOR_H_
