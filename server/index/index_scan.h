// Query execution: validates an IndexQuery, picks the index to scan, and filters its entries;
// and the leaf-hash lookup.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_SCAN_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "server/index/index_query.h"

namespace sealtrail::index_internal {

// INVALID_ARGUMENT as documented on AuditIndex::Query.
absl::Status ValidateQuery(const IndexQuery& query);

// Runs a validated query on `db`. Reads one implicit snapshot of the DB.
absl::StatusOr<IndexQueryResult> RunQuery(rocksdb::DB& db, const IndexQuery& query);

// Up to `max_results` sequence numbers, ascending, of the H entries sharing `leaf_hash`'s first
// kLeafHashKeyBytes. REQUIRES: leaf_hash.size() == kLeafHashSize.
absl::StatusOr<std::vector<uint64_t>> ScanLeafHash(rocksdb::DB& db, std::string_view leaf_hash,
                                                   size_t max_results);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_SCAN_H_
