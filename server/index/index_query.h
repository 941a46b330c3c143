// IndexQuery and IndexQueryResult: what AuditIndex::Query takes and returns.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_QUERY_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sealtrail {

inline constexpr uint32_t kMaxQueryLimit = 10000;

// Every set filter must hold (AND). Results are ordered by (commit time, sequence number), which
// is sequence order because commit times never decrease along the log.
struct IndexQuery {
  std::string tenant_id;  // Required, non-empty, unless all_tenants.
  // Every tenant's records (tenant_id must then be empty), in the same (time, seq) order as a
  // one-tenant query, with the same filters. The caller checks who may ask.
  bool all_tenants = false;
  std::optional<std::string> actor;
  std::optional<std::string> action;
  std::optional<std::string> trace_id;  // Exactly 16 raw bytes.
  std::optional<int32_t> outcome;
  std::optional<int64_t> from_ns;  // Inclusive.
  std::optional<int64_t> to_ns;    // Exclusive. from_ns > to_ns is INVALID_ARGUMENT.
  bool newest_first = true;
  uint32_t limit = 100;  // 1..kMaxQueryLimit.
  // Empty for the first page; else next_page_token of the previous page of the SAME query
  // (same filters and order; the limit may change). Anything else is INVALID_ARGUMENT.
  std::string page_token;
};

struct IndexQueryResult {
  std::vector<uint64_t> seqs;  // At most limit, in the query's order.
  // Empty if and only if there are no further results (at the time of the query).
  std::string next_page_token;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_QUERY_H_
