// OpenOrRebuild: start-up for the index. The log is the source of truth, so an index that is
// missing, stale, foreign or corrupt is rebuilt from it rather than trusted.
#ifndef SEALTRAIL_SERVER_INDEX_OPEN_OR_REBUILD_H_
#define SEALTRAIL_SERVER_INDEX_OPEN_OR_REBUILD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/log.h"
#include "server/index/audit_index.h"
#include "server/index/index_options.h"

namespace sealtrail {

struct IndexOpenReport {
  enum class Action {
    kOpened,    // The index already covered the whole log.
    kCaughtUp,  // The index was sound and records_indexed records were added.
    kRebuilt,   // The index was (re)built from the whole log because of `reason`.
  };
  Action action = Action::kOpened;
  uint64_t records_indexed = 0;
  std::string reason;  // Set for kRebuilt.

  // One line for the server's log, e.g. "index rebuilt (index covers 12 records but the log
  // has 10): indexed 10 records".
  std::string ToString() const;
};

struct OpenedIndex {
  std::unique_ptr<AuditIndex> index;
  IndexOpenReport report;
};

// Opens the index in `dir` and catches it up with `log`. Rebuilds it from the log when:
// the dir is missing or empty; RocksDB reports corruption (DATA_LOSS, including bad block
// checksums with options.verify_checksums_on_open); the format marker is missing or of
// another version; the index covers more records than the log has; or the index entry of the
// last covered record does not match that record (an index of another log).
// Returns an error, touching nothing, if the index is held by another process or another open
// AuditIndex (the lock-held error: UNAVAILABLE with IsLockHeldError, sealtrail/env.h), on I/O
// errors (INTERNAL) or a full disk (RESOURCE_EXHAUSTED): only DATA_LOSS and the index's own
// FAILED_PRECONDITION (another format) call for a rebuild. Also any error of the rebuild or
// catch-up itself (e.g. a record the decoder rejects). REQUIRES: `log` is not appended to
// concurrently by anyone who does not also maintain this index (the server opens the index before
// it accepts appends).
[[nodiscard]] absl::StatusOr<OpenedIndex> OpenOrRebuild(const std::string& dir, const Log& log,
                                                        const IndexDecoder& decoder,
                                                        const IndexOptions& options = {});

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_INDEX_OPEN_OR_REBUILD_H_
