// Query execution: validates an IndexQuery, picks the index to scan, and filters its entries.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_SCAN_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_SCAN_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "server/index/index_query.h"

namespace sealtrail::index_internal {

// INVALID_ARGUMENT as documented on AuditIndex::Query.
absl::Status ValidateQuery(const IndexQuery& query);

// Runs a validated query on `db`. Reads one implicit snapshot of the DB.
absl::StatusOr<IndexQueryResult> RunQuery(rocksdb::DB& db, const IndexQuery& query);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_SCAN_H_
