#include "cli/query_fetcher.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/record_flags.h"
#include "cli/server_evidence.h"
#include "cli/time_flags.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"

namespace sealtrail::cli {
namespace {

// Most empty pages in a row a query accepts before it gives up on the server.
constexpr int kMaxEmptyPagesInARow = 1000;

}  // namespace

absl::StatusOr<v1::QueryRequest> QueryRequestFromArgs(const QueryArgs& args) {
  v1::QueryRequest request;
  if (args.all_tenants && !args.tenant.empty()) {
    return absl::InvalidArgumentError("--all-tenants and --tenant exclude each other");
  }
  request.set_tenant_id(args.tenant);
  request.set_all_tenants(args.all_tenants);
  request.set_actor(args.actor);
  request.set_action(args.action);
  if (!args.outcome.empty()) {
    ASSIGN_OR_RETURN(v1::Outcome::Result outcome, ParseOutcome(args.outcome));
    request.set_outcome(outcome);
  }
  if (!args.trace_id.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_trace_id(),
                     ParseHexId(args.trace_id, kTraceIdBytes, "--trace-id"));
  }
  const absl::Time now = args.now.value_or(absl::Now());
  if (!args.from.empty()) {
    ASSIGN_OR_RETURN(int64_t from_ns, ParseTimeFlag(args.from, "--from", now));
    request.set_from_ns(from_ns);
  }
  if (!args.to.empty()) {
    ASSIGN_OR_RETURN(int64_t to_ns, ParseTimeFlag(args.to, "--to", now));
    request.set_to_ns(to_ns);
    if (!args.from.empty()) {
      RETURN_IF_ERROR(CheckTimeRange(args.from, request.from_ns(), args.to, to_ns));
    }
  }
  if (args.limit == 0 || args.limit > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--limit must be from 1 to ", std::numeric_limits<uint32_t>::max()));
  }
  if (args.to_seq != 0 && args.from_seq >= args.to_seq) {
    return absl::InvalidArgumentError(absl::StrCat("--from-seq (", args.from_seq,
                                                   ") must be below --to-seq (", args.to_seq, ")"));
  }
  request.set_from_seq(args.from_seq);
  request.set_to_seq(args.to_seq);
  request.set_order(args.oldest_first ? v1::QueryRequest::OLDEST_FIRST
                                      : v1::QueryRequest::NEWEST_FIRST);
  request.set_with_proofs(args.with_proofs);
  return request;
}

absl::Status QueryFetcher::ForEach(v1::QueryRequest request, uint64_t limit,
                                   std::optional<uint64_t> after_seq,
                                   const std::function<absl::Status(QueryRow)>& visit) {
  uint64_t fetched = 0;
  int empty_pages = 0;
  while (fetched < limit) {
    request.set_limit(
        static_cast<uint32_t>(std::min<uint64_t>(limit - fetched, kQueryPageRecords)));
    ASSIGN_OR_RETURN(v1::QueryResponse page, client_.Query(request));
    for (const v1::QueryResult& result : page.results()) {
      if (after_seq.has_value() && result.seq() <= *after_seq) continue;
      if (fetched == limit) break;
      ASSIGN_OR_RETURN(QueryRow row, Checked(result));
      RETURN_IF_ERROR(visit(std::move(row)));
      ++fetched;
    }
    if (page.next_page_token().empty()) break;
    empty_pages = page.results().empty() ? empty_pages + 1 : 0;
    if (empty_pages == kMaxEmptyPagesInARow) {
      return absl::InternalError(
          absl::StrCat("the server sent ", empty_pages, " empty pages in a row; giving up"));
    }
    request.set_page_token(page.next_page_token());
  }
  return absl::OkStatus();
}

absl::Status QueryFetcher::Fetch(v1::QueryRequest request, uint64_t limit,
                                 std::optional<uint64_t> after_seq, std::vector<QueryRow>& rows) {
  return ForEach(std::move(request), limit, after_seq, [&rows](QueryRow row) {
    rows.push_back(std::move(row));
    return absl::OkStatus();
  });
}

absl::StatusOr<QueryRow> QueryFetcher::Checked(const v1::QueryResult& result) {
  QueryRow row;
  row.seq = result.seq();
  row.data = result.data();
  ASSIGN_OR_RETURN(row.leaf_hash,
                   HashFromServer(result.leaf_hash(), absl::StrCat("leaf hash of seq ", row.seq)));
  RETURN_IF_ERROR(CheckLeafData(row.seq, row.data, row.leaf_hash));
  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(row.data);
  if (!record.ok()) return WithContext(record.status(), absl::StrCat("seq ", row.seq));
  row.record = *std::move(record);
  if (!with_proofs_) return row;
  ASSIGN_OR_RETURN(InclusionEvidence evidence, CheckedInclusionEvidence(result.inclusion()));
  if (evidence.proof.leaf_index != row.seq || evidence.leaf_hash != row.leaf_hash) {
    return absl::DataLossError(absl::StrCat("the server's proof for seq ", row.seq,
                                            " is of another leaf (index ",
                                            evidence.proof.leaf_index, ")"));
  }
  const auto [known, inserted] = roots_.emplace(evidence.proof.tree_size, evidence.root);
  if (!inserted && known->second != evidence.root) {
    return absl::DataLossError(
        absl::StrCat("the server's proofs give two roots for tree size ", evidence.proof.tree_size,
                     ": ", HashToBase64(known->second), " and ", HashToBase64(evidence.root)));
  }
  row.inclusion = std::move(evidence);
  return row;
}

}  // namespace sealtrail::cli
