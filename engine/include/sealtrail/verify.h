// Offline verification (fsck) of a data directory: every frame's checksum, every leaf rehashed,
// every stored interior node and offset compared, every footer, and the segment hash chain.
//
// Reads files only; never changes them, never takes the writer's lock. Verifying a directory
// that a writer is appending to checks a consistent prefix.
#ifndef SEALTRAIL_VERIFY_H_
#define SEALTRAIL_VERIFY_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"

namespace sealtrail {

// One problem VerifyDataDir found, by place, for a caller that reports damage by location (the
// server's integrity auditor) rather than by message.
struct VerifyProblem {
  // DATA_LOSS or FAILED_PRECONDITION for damage, with the message VerifyDataDir would return;
  // any other code is an I/O error that kept `file` from being checked (not damage).
  absl::Status status;
  std::string file;  // The damaged, missing or unreadable file.
  // Byte offset in `file` of what does not match: the frame of a damaged record, or of a
  // record whose hash differs from its stored leaf hash; otherwise the structure the message
  // names (an interior node, an offset-table entry, a footer field, where the footer should
  // be, bytes after the last record). 0 for a missing file, a damaged header or an I/O error.
  uint64_t offset = 0;
  // The record concerned when the problem is about one record (a damaged frame, a hash or an
  // offset-table entry that does not match it, the first record missing from a segment), or
  // the first record of a missing segment file.
  std::optional<uint64_t> seq;
  // In the last segment file, which has no footer. A writer appending beside the verifier can
  // leave a transient torn frame or a half-written seal there, so a caller verifying a live
  // directory should see the same problem twice before calling it damage.
  bool in_open_segment = false;

  bool is_damage() const {
    return status.code() == absl::StatusCode::kDataLoss ||
           status.code() == absl::StatusCode::kFailedPrecondition;
  }
};

struct VerifyOptions {
  Env* env = nullptr;  // nullptr: Env::Default(). Not owned.
  int threads = 0;     // Segments verified in parallel; 0: one per hardware thread.
  // Not owned. When set, receives every problem found: first each run of missing segment files
  // (one entry naming the first of the run), then in file order each damaged or unreadable
  // segment's first problem (verification goes on with the next segment) and each chain hash
  // that does not follow from its predecessor's. The first entry is the status returned.
  std::vector<VerifyProblem>* problems = nullptr;
  // Not owned. Read before each segment: once it is true, VerifyDataDir stops and returns
  // CANCELLED (a background verifier's shutdown need not wait for a whole directory).
  const std::atomic<bool>* cancel = nullptr;
};

struct VerifyReport {
  uint64_t segments = 0;         // Segment files checked, open one included.
  uint64_t sealed_segments = 0;  // Of which sealed.
  uint64_t records = 0;          // = tree size.
  uint64_t bytes = 0;            // Bytes of segment files read.
  Hash root{};                   // Root of the whole tree, recomputed from the records.
  Hash chain{};                  // Chain hash of the last sealed segment (zeros if none).
  // Format 2: whole records at the open segment's end whose batch no frame closes (a crash, or
  // an append in progress). Not acknowledged, so not in `records` or `root`; opening the log
  // for writing removes them.
  uint64_t unfinished_batch_records = 0;
};

// OK with a report when everything is intact. Otherwise the first problem found (a missing
// segment file first, then segments in file order), as
// DATA_LOSS (checksum, hash, chain or footer mismatch; missing or extra segment; torn tail) or
// FAILED_PRECONDITION (unknown format), with a message that names the file, the byte offset and
// the sequence number where it applies.
absl::StatusOr<VerifyReport> VerifyDataDir(const std::string& dir,
                                           const VerifyOptions& options = {});

}  // namespace sealtrail

#endif  // SEALTRAIL_VERIFY_H_
