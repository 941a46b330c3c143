// Offline verification (fsck) of a data directory: every frame's checksum, every leaf rehashed,
// every stored interior node and offset compared, every footer, and the segment hash chain.
//
// Reads files only; never changes them, never takes the writer's lock. Verifying a directory
// that a writer is appending to checks a consistent prefix.
#ifndef SEALTRAIL_VERIFY_H_
#define SEALTRAIL_VERIFY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"

namespace sealtrail {

struct VerifyOptions {
  Env* env = nullptr;  // nullptr: Env::Default(). Not owned.
  int threads = 0;     // Segments verified in parallel; 0: one per hardware thread.
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

// OK with a report when everything is intact. Otherwise the first problem found, as
// DATA_LOSS (checksum, hash, chain or footer mismatch; missing or extra segment; torn tail) or
// FAILED_PRECONDITION (unknown format), with a message that names the file, the byte offset and
// the sequence number where it applies.
absl::StatusOr<VerifyReport> VerifyDataDir(const std::string& dir,
                                           const VerifyOptions& options = {});

}  // namespace sealtrail

#endif  // SEALTRAIL_VERIFY_H_
