// rocksdb::Status to absl::Status (the status macros come with it).
#ifndef SEALTRAIL_SERVER_INDEX_ROCKS_STATUS_H_
#define SEALTRAIL_SERVER_INDEX_ROCKS_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::index_internal {

// Corruption → DATA_LOSS, NotFound → NOT_FOUND, out of space → RESOURCE_EXHAUSTED ("the disk is
// full"), the index's LOCK held by another process or DB → LockHeldError (UNAVAILABLE, see
// sealtrail/env.h), Busy or TryAgain → UNAVAILABLE, InvalidArgument → INVALID_ARGUMENT,
// NotSupported → UNIMPLEMENTED, every other error (I/O errors among them) → INTERNAL. The
// message starts with `context`.
absl::Status FromRocks(const rocksdb::Status& status, std::string_view context);

// Whether `status` is RocksDB failing to take a DB's LOCK file because someone holds it: the
// two errors RocksDB's POSIX file system returns for that ("lock hold by current process" for
// a DB open in this process; "While lock file: PATH: <EAGAIN or EACCES text>" for another
// process), matched on their fixed start, never on a word anywhere in the message.
bool IsRocksLockHeld(const rocksdb::Status& status);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_ROCKS_STATUS_H_
