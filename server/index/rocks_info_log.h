// The index's RocksDB info log (DIR/LOG): a rocksdb::Logger that survives a full disk.
//
// RocksDB's own info log writes through a WritableFileWriter, which after one failed write
// asserts on the next (Debian's librocksdb keeps assertions): on a full disk sealtraild aborted
// (exit 134) on SIGTERM, and on about half its restarts, in the log line after the first one the
// disk refused. This logger writes each line with one write(2) and drops what the disk refuses:
// the info log is diagnostics; the index's own errors come back as statuses.
#ifndef SEALTRAIL_SERVER_INDEX_ROCKS_INFO_LOG_H_
#define SEALTRAIL_SERVER_INDEX_ROCKS_INFO_LOG_H_

#include <memory>
#include <string>

#include "rocksdb/env.h"

namespace sealtrail::index_internal {

// A logger of `level` and above appending to DIR/LOG (never truncated here: it is opened before
// RocksDB takes the index's lock, and another process may be writing it; at WARN level it grows
// by a few lines per incident). If the file cannot be opened, lines are dropped. Never fails.
std::shared_ptr<rocksdb::Logger> MakeInfoLog(const std::string& dir, rocksdb::InfoLogLevel level);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_ROCKS_INFO_LOG_H_
