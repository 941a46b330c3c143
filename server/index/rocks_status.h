// rocksdb::Status to absl::Status (the status macros come with it).
#ifndef SEALTRAIL_SERVER_INDEX_ROCKS_STATUS_H_
#define SEALTRAIL_SERVER_INDEX_ROCKS_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::index_internal {

// Corruption → DATA_LOSS, NotFound → NOT_FOUND, out of space → RESOURCE_EXHAUSTED, a held lock
// or Busy → UNAVAILABLE, everything else → INTERNAL. The message starts with `context`.
absl::Status FromRocks(const rocksdb::Status& status, std::string_view context);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_ROCKS_STATUS_H_
