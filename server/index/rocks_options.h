// The RocksDB options the index runs with. docs/index.md ("RocksDB options") says why.
#ifndef SEALTRAIL_SERVER_INDEX_ROCKS_OPTIONS_H_
#define SEALTRAIL_SERVER_INDEX_ROCKS_OPTIONS_H_

#include "rocksdb/options.h"
#include "server/index/index_options.h"

namespace sealtrail::index_internal {

// DB options: one column family, prefix bloom filter on (tenant, trace id), LZ4 when available.
rocksdb::Options MakeDbOptions(const IndexOptions& options);

// Index writes skip RocksDB's WAL: the log is the write-ahead log (see docs/index.md).
rocksdb::WriteOptions MakeWriteOptions();

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_ROCKS_OPTIONS_H_
