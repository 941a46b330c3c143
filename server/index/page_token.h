// Page tokens: opaque to clients, they carry where the next page starts and a fingerprint of the
// query that issued them, so a token is only accepted by the query it came from.
//
// Encoding (web-safe base64, no padding, of): 0x01 (version) | fingerprint[8] |
// ord(time of the last result) | be64(seq of the last result). Tokens are not authenticated:
// a forged one can only move the start position inside the query's own tenant and filters,
// which the query is allowed to read anyway.
#ifndef SEALTRAIL_SERVER_INDEX_PAGE_TOKEN_H_
#define SEALTRAIL_SERVER_INDEX_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "server/index/index_query.h"

namespace sealtrail::index_internal {

// The last entry a page returned; the next page resumes strictly after it.
struct PagePosition {
  int64_t time_ns = 0;
  uint64_t seq = 0;
};

// 8 bytes identifying the query's filters and order (not its limit or token).
std::string QueryFingerprint(const IndexQuery& query);

std::string EncodePageToken(const std::string& fingerprint, const PagePosition& position);
// INVALID_ARGUMENT if `token` is malformed or was issued for a query with another fingerprint.
absl::StatusOr<PagePosition> DecodePageToken(const std::string& token,
                                             const std::string& fingerprint);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_PAGE_TOKEN_H_
