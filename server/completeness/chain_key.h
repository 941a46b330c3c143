// Which key's chain proves a query's answer complete (docs/completeness.md), decided the same
// way by the server that proves and the client that verifies: the most specific key the query
// names, trace id, else actor, else action, else the tenant.
#ifndef SEALTRAIL_SERVER_COMPLETENESS_CHAIN_KEY_H_
#define SEALTRAIL_SERVER_COMPLETENESS_CHAIN_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server/completeness/completeness_verifier.h"
#include "server/keymap/key_map_format.h"

namespace sealtrail {

// The key a query's answer is proven complete for: the most specific one the query names.
struct ChainKey {
  keymap::KeyKind kind = keymap::KeyKind::kTenant;
  std::string tenant;
  std::string value;
};

// The query's chain key. INVALID_ARGUMENT for all_tenants or a page token (a proven answer is
// one whole answer) and for a trace id that is not 16 bytes.
[[nodiscard]] absl::StatusOr<ChainKey> ChainKeyOf(const v1::QueryRequest& request);

// The request the index is asked with verify_complete: the chain key and the time range only,
// so that the answer holds every record of the chain (the client applies the other filters).
[[nodiscard]] v1::QueryRequest ChainQueryOf(const v1::QueryRequest& request, const ChainKey& key);

// The claim a client checks the proven answer of `request` against.
[[nodiscard]] CompletenessClaim ClaimOf(const v1::QueryRequest& request, const ChainKey& key);

// Whether `record`, a record of the chain, matches the filters of `request` that the chain key
// left to the client (outcome, and actor or action when a more specific key was chosen).
[[nodiscard]] bool MatchesLeftFilters(const v1::QueryRequest& request,
                                      const v1::AuditRecord& record);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_COMPLETENESS_CHAIN_KEY_H_
