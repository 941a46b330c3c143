// The index's RocksDB info log (DIR/LOG): a rocksdb::Logger that survives a full disk.
//
// RocksDB's own info log writes through a WritableFileWriter, which after one failed write
// asserts on the next (Debian's librocksdb keeps assertions): on a full disk sealtraild aborted
// (exit 134) on SIGTERM, and on about half its restarts, in the log line after the first one the
// disk refused. This logger writes each line with one write(2) and drops what the disk refuses:
// the info log is diagnostics; the index's own errors come back as statuses.
#ifndef SEALTRAIL_SERVER_INDEX_ROCKS_INFO_LOG_H_
#define SEALTRAIL_SERVER_INDEX_ROCKS_INFO_LOG_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/listener.h"

namespace sealtrail::index_internal {

// A logger of `level` and above appending to DIR/LOG (never truncated here: it is opened before
// RocksDB takes the index's lock, and another process may be writing it; at WARN level it grows
// by a few lines per incident). If the file cannot be opened, lines are dropped. Never fails.
std::shared_ptr<rocksdb::Logger> MakeInfoLog(const std::string& dir, rocksdb::InfoLogLevel level);

// Passes RocksDB's background errors (a failed flush or compaction) to a handler set after the
// DB is open (nothing before), classed by FromRocks, so they are heard even before a write
// fails because of them. RocksDB's own handling of the error is left as it is.
class BackgroundErrorListener final : public rocksdb::EventListener {
 public:
  using Handler = std::function<void(const absl::Status& error)>;
  // Runs on RocksDB's threads: `handler` must not block.
  void SetHandler(Handler handler) ABSL_LOCKS_EXCLUDED(mu_);
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  Handler handler_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_ROCKS_INFO_LOG_H_
