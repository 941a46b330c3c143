// What `query` and `export` ask sealtraild's Query API for, and the one client loop that pages
// through the answers. The server is not trusted: every result is verified before it is handed
// on (its bytes against its leaf hash, the bytes parse as a record, and with proofs the inclusion
// proof against the root it carries, every proof of one tree size against the same root), and
// whatever does not verify is DATA_LOSS (exit 3).
#ifndef SEALTRAIL_TOOLS_CLI_QUERY_FETCHER_H_
#define SEALTRAIL_TOOLS_CLI_QUERY_FETCHER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/query_output.h"
#include "cli/server_channel.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::cli {

struct QueryArgs {
  std::string tenant{};    // Required unless all_tenants.
  std::string actor{};     // Empty: any. actor.user_id, or actor.service when there is no user.
  std::string action{};    // Empty: any.
  std::string outcome{};   // Empty: any; else SUCCESS, FAILURE or DENIED.
  std::string trace_id{};  // Empty: any; else 32 hex digits.
  std::string from{};      // Empty: no bound; else a time (time_flags.h), inclusive.
  std::string to{};        // Empty: no bound; else a time, exclusive; after from.
  // What `now` and relative times ("1h": an hour before now) are counted from; unset: the time
  // the request is built. One instant for both flags.
  std::optional<absl::Time> now{};
  uint64_t limit = 100;  // 1 to 2^32-1 records.
  // Every tenant at once (tenant empty): a platform auditor's query.
  bool all_tenants = false;
  bool oldest_first = false;
  bool with_proofs = false;
  std::string format = "table";  // table, json or csv (query_output.h).
  bool alert_columns = false;    // `sealtrail alerts`: the alert columns (query_output.h).
  bool follow = false;
  std::string follow_for{};  // With follow: stop after this long (absl duration, e.g. "1.5s").
                             // Empty: follow until the process is interrupted.
  absl::Duration poll_interval = absl::Milliseconds(500);
  // Sequence numbers in [from_seq, to_seq); 0: no bound.
  uint64_t from_seq = 0;
  uint64_t to_seq = 0;
};

// Records per Query page the CLI asks for (the server may send fewer).
inline constexpr uint32_t kQueryPageRecords = 1000;

// The request for `args`' tenant, filters, time range, order and proofs (no limit or page token
// yet). INVALID_ARGUMENT naming the flag for an outcome, trace id, time or limit that is wrong,
// and naming both for a --from that is not before --to (the range [from, to) would be empty).
absl::StatusOr<v1::QueryRequest> QueryRequestFromArgs(const QueryArgs& args);

// Fetches query pages and verifies every result before it is handed on.
//
// Thread-safety: one thread at a time.
class QueryFetcher {
 public:
  // `client` must outlive the fetcher. With `with_proofs`, every result must carry a proof.
  QueryFetcher(ServerClient& client, bool with_proofs)
      : client_(client), with_proofs_(with_proofs) {}

  // Calls `visit` with each of up to `limit` results of `request` with a seq above `after_seq`
  // (if given), in the request's order, following page tokens; one page is held at a time. Stops
  // at the first error, the server's, a verification failure, or one `visit` returns.
  absl::Status ForEach(v1::QueryRequest request, uint64_t limit, std::optional<uint64_t> after_seq,
                       const std::function<absl::Status(QueryRow)>& visit);

  // ForEach, appending each result to `rows`.
  absl::Status Fetch(v1::QueryRequest request, uint64_t limit, std::optional<uint64_t> after_seq,
                     std::vector<QueryRow>& rows);

 private:
  absl::StatusOr<QueryRow> Checked(const v1::QueryResult& result);

  ServerClient& client_;
  const bool with_proofs_;
  std::map<uint64_t, Hash> roots_;  // The root each proof so far claimed, by tree size.
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_QUERY_FETCHER_H_
