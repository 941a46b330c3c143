// Turns a sealtrail.v1 QueryRequest into the index's IndexQuery, checking everything a client
// can get wrong before any storage is touched.
#ifndef SEALTRAIL_SERVER_SERVICE_QUERY_REQUEST_H_
#define SEALTRAIL_SERVER_SERVICE_QUERY_REQUEST_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server/index/index_query.h"

namespace sealtrail {

// INVALID_ARGUMENT, naming the field, for: an empty tenant_id; a negative from_ns or to_ns;
// from_ns > to_ns when to_ns is set; an outcome that is not a known enum value; a trace_id that
// is neither empty nor 16 bytes; a page token of another query (found later, by the index).
// A limit of 0 becomes `default_limit`; one above kMaxQueryLimit is capped to it.
[[nodiscard]] absl::StatusOr<IndexQuery> ToIndexQuery(const v1::QueryRequest& request,
                                                      uint32_t default_limit);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_QUERY_REQUEST_H_
