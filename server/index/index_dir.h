// The index directory on disk: what is in it, and removing it for a rebuild.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_DIR_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_DIR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sealtrail::index_internal {

enum class IndexDirState {
  kMissingOrEmpty,  // Nothing there: a new index may be created.
  kDatabase,        // A RocksDB CURRENT file is there.
  kOther,           // Files, but no CURRENT: not something to open.
};

absl::StatusOr<IndexDirState> InspectIndexDir(const std::string& dir);

// Deletes RocksDB's files in `dir` (CURRENT, IDENTITY, LOCK, LOG*, MANIFEST-*, OPTIONS-*, *.sst,
// *.log, *.blob, *.dbtmp, *.tmp) and leaves the directory itself. FAILED_PRECONDITION, and
// nothing deleted, if anything else is in it: a mistyped --index-dir must not wipe a home dir.
// Holds RocksDB's own lock on dir/LOCK while deleting: UNAVAILABLE ("in use"), and nothing
// deleted, while another process (a running sealtraild) or this one has the index open.
absl::Status ClearIndexDir(const std::string& dir);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_DIR_H_
