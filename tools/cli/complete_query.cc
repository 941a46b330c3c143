#include "cli/complete_query.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/query_output.h"
#include "cli/server_evidence.h"
#include "grpcpp/client_context.h"
#include "sealtrail/note.h"
#include "sealtrail/status_macros.h"
#include "server/completeness/chain_key.h"
#include "server/completeness/completeness_verifier.h"
#include "server/record/record.h"
#include "server/record/record_keys.h"

namespace sealtrail::cli {

absl::StatusOr<ProvenAnswer> StreamProvenAnswer(
    ServerClient& client, v1::QueryRequest request, const NoteVerifierKey* key,
    std::string_view origin, const std::function<absl::Status(QueryRow row, bool matches)>& visit) {
  request.set_verify_complete(true);
  request.set_limit(0);  // The whole answer.
  ASSIGN_OR_RETURN(const ChainKey chain_key, ChainKeyOf(request));
  const CompletenessClaim claim = ClaimOf(request, chain_key);

  // A stream of many pages has no overall deadline: each page is bounded by the server.
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::QueryResponse>> reader =
      client.audit_log().QueryStream(&context, request);
  std::vector<AnsweredRecord> answer;
  std::vector<uint64_t> proven_sizes;  // Of the rows' inclusion proofs, checked at the end.
  std::optional<v1::CompletenessProof> proof;
  v1::QueryResponse page;
  absl::Status visited;
  while (visited.ok() && reader->Read(&page)) {
    if (proof.has_value()) {
      visited = absl::DataLossError("the server sent more of the answer after its proof");
      break;
    }
    for (const v1::QueryResult& result : page.results()) {
      visited = [&]() -> absl::Status {
        QueryRow row;
        row.seq = result.seq();
        row.data = result.data();
        ASSIGN_OR_RETURN(row.leaf_hash, HashFromServer(result.leaf_hash(),
                                                       absl::StrCat("leaf hash of seq ", row.seq)));
        RETURN_IF_ERROR(CheckLeafData(row.seq, row.data, row.leaf_hash));
        absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(row.data);
        if (!record.ok()) return WithContext(record.status(), absl::StrCat("seq ", row.seq));
        row.record = *std::move(record);
        if (request.with_proofs()) {
          ASSIGN_OR_RETURN(InclusionEvidence evidence,
                           CheckedInclusionEvidence(result.inclusion()));
          if (evidence.proof.leaf_index != row.seq || evidence.leaf_hash != row.leaf_hash) {
            return absl::DataLossError(
                absl::StrCat("the server's proof for seq ", row.seq, " is of another leaf"));
          }
          proven_sizes.push_back(evidence.proof.tree_size);
          row.inclusion = std::move(evidence);
        }
        answer.push_back(AnsweredRecord{row.seq, row.data});
        // The chain holds every record of the key; the query's other filters apply here.
        const bool matches = MatchesLeftFilters(request, row.record);
        return visit(std::move(row), matches);
      }();
      if (!visited.ok()) break;
    }
    if (page.has_completeness()) proof = page.completeness();
  }
  if (!visited.ok()) {
    context.TryCancel();
    reader->Finish().IgnoreError();
    return visited;
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status, client.connection());
  if (!proof.has_value()) {
    return absl::DataLossError(
        "the server sent no completeness proof with its answer: it cannot be shown complete");
  }
  ProvenAnswer proven;
  if (key != nullptr) {
    ASSIGN_OR_RETURN(proven.checkpoint, CheckedCheckpoint(proof->checkpoint(), *key, origin));
  } else {
    ASSIGN_OR_RETURN(ParsedNote note, ParseSignedNote(proof->checkpoint().signed_note()));
    ASSIGN_OR_RETURN(proven.checkpoint, ParseCheckpointBody(note.text));
  }
  for (uint64_t size : proven_sizes) {
    if (size != proven.checkpoint.size) {
      return absl::DataLossError(absl::StrCat("a record's inclusion proof is against tree size ",
                                              size, ", not the completeness proof's ",
                                              proven.checkpoint.size));
    }
  }
  ASSIGN_OR_RETURN(proven.result, VerifyCompleteness(claim, answer, *proof, proven.checkpoint));
  proven.proof = *std::move(proof);
  return proven;
}

absl::Status RunCompleteQuery(Env* env, ServerClient& client, const QueryArgs& args,
                              const CheckpointCheck& check, std::ostream& out, std::ostream& err) {
  if (check.vkey.empty()) {
    return absl::InvalidArgumentError(
        "--verify-complete needs --vkey: the proof is checked against a signed checkpoint");
  }
  if (args.all_tenants) {
    return absl::InvalidArgumentError(
        "--verify-complete proves one tenant's answer: use --tenant, not --all-tenants");
  }
  if (args.follow) {
    return absl::InvalidArgumentError("--verify-complete proves a finished answer: not with -f");
  }
  ASSIGN_OR_RETURN(const NoteVerifierKey key, LoadVerifierKey(env, check.vkey));
  ASSIGN_OR_RETURN(const v1::QueryRequest request, QueryRequestFromArgs(args));
  ASSIGN_OR_RETURN(QueryFormat format, ParseQueryFormat(args.format));
  QueryPrinter printer(format, out,
                       args.alert_columns ? QueryColumns::kAlerts : QueryColumns::kRecords);
  uint64_t printed = 0;
  // Printed a page's worth at a time, so that a table is aligned the way `query` aligns it.
  std::vector<QueryRow> pending;
  absl::StatusOr<ProvenAnswer> proven = StreamProvenAnswer(
      client, request, &key, check.origin, [&](QueryRow row, bool matches) -> absl::Status {
        if (!matches) return absl::OkStatus();
        ++printed;
        pending.push_back(std::move(row));
        if (pending.size() < kQueryPageRecords) return absl::OkStatus();
        absl::Status status = printer.Print(pending);
        pending.clear();
        return status;
      });
  RETURN_IF_ERROR(printer.Print(pending));
  if (!proven.ok()) return proven.status();
  const CompletenessClaim claim = ClaimOf(request, *ChainKeyOf(request));
  err << "sealtrail: complete: " << proven->result.records << " record(s) of "
      << DescribeKey(claim.kind, claim.tenant, claim.value) << " in the range, " << printed
      << " matching every filter, up to tree size " << proven->result.tree_size
      << " (signed checkpoint verified)";
  if (proven->result.unproven_before_seq != 0) {
    err << "; records before sequence number " << proven->result.unproven_before_seq
        << " were written before the log committed to completeness and are not covered";
  }
  err << "\n" << std::flush;
  return absl::OkStatus();
}

}  // namespace sealtrail::cli
