// AuditLogService's query methods: Query (one page) and QueryStream (pages until the limit).
#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/service/audit_log_service.h"
#include "server/service/authorizer.h"
#include "server/service/grpc_status.h"
#include "server/service/query_request.h"

namespace sealtrail {

absl::Status AuditLogService::RunQuery(const v1::QueryRequest& request, uint32_t limit,
                                       v1::QueryResponse* response) const {
  ASSIGN_OR_RETURN(IndexQuery query, ToIndexQuery(request, options_.default_query_limit));
  if (limit != 0) query.limit = limit;
  // Appends are acknowledged before they are indexed: every one acknowledged before this query
  // is in the log, so once the index covers the log's size it holds them all.
  RETURN_IF_ERROR(pipeline_->WaitUntilIndexed(log_->Size(), kIndexWaitTimeout));
  ASSIGN_OR_RETURN(IndexQueryResult found, index_->Query(query));
  uint64_t proof_size = 0;
  if (request.with_proofs()) {
    // Against the latest checkpoint, made to cover this page: a new one is signed only when a
    // result is newer than the latest.
    uint64_t must_cover = 0;
    for (uint64_t seq : found.seqs) must_cover = std::max(must_cover, seq + 1);
    ASSIGN_OR_RETURN(proof_size, proofs_->TreeSize(request.proof_tree_size(), must_cover));
  }
  for (uint64_t seq : found.seqs) {
    // Records beyond a tree size the caller named cannot be proven against it; the caller asked
    // for proofs, so they are left out.
    if (request.with_proofs() && seq >= proof_size) continue;
    v1::QueryResult* result = response->add_results();
    result->set_seq(seq);
    ASSIGN_OR_RETURN(*result->mutable_data(), log_->Read(seq));
    if (request.with_proofs()) {
      ASSIGN_OR_RETURN(*result->mutable_inclusion(), proofs_->Inclusion(seq, proof_size));
      result->set_leaf_hash(result->inclusion().leaf_hash());  // Read once, for both.
    } else {
      ASSIGN_OR_RETURN(Hash leaf_hash, log_->LeafHash(seq));
      result->set_leaf_hash(std::string(AsStringView(leaf_hash)));
    }
  }
  response->set_next_page_token(found.next_page_token);
  return absl::OkStatus();
}

absl::Status AuditLogService::AdmitQuery(const grpc::ServerContextBase& context,
                                         absl::string_view method,
                                         const v1::QueryRequest& request) const {
  Call call = access_->Begin(context, method);
  RETURN_IF_ERROR(access_->Authenticate(context, call, request.tenant_id()));
  // Kept required even for a platform auditor: every index is per tenant.
  if (request.tenant_id().empty()) return absl::InvalidArgumentError("tenant_id is required");
  return access_->Authorize(call, request.tenant_id());
}

grpc::ServerUnaryReactor* AuditLogService::Query(grpc::CallbackServerContext* context,
                                                 const v1::QueryRequest* request,
                                                 v1::QueryResponse* response) {
  absl::Status status = AdmitQuery(*context, kQueryMethod, *request);
  if (status.ok()) status = RunQuery(*request, 0, response);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::Status AuditLogService::QueryStream(grpc::ServerContext* context,
                                          const v1::QueryRequest* request,
                                          grpc::ServerWriter<v1::QueryResponse>* writer) {
  absl::Status admitted = AdmitQuery(*context, kQueryStreamMethod, *request);
  if (!admitted.ok()) return ToGrpcStatus(admitted);
  // limit is the total here; 0 means every matching record.
  uint64_t remaining = request->limit() == 0 ? UINT64_MAX : request->limit();
  v1::QueryRequest page_request = *request;
  if (page_request.with_proofs() && page_request.proof_tree_size() == 0) {
    // Pin the tree size once, to a checkpoint covering the whole log, so every page is proven
    // against the same checkpoint.
    absl::StatusOr<uint64_t> size = proofs_->TreeSize(0, log_->Size());
    if (!size.ok()) return ToGrpcStatus(size.status());
    page_request.set_proof_tree_size(*size);
  }
  while (remaining > 0) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    uint32_t page_limit =
        static_cast<uint32_t>(std::min<uint64_t>(remaining, options_.stream_page_records));
    v1::QueryResponse page;
    absl::Status status = RunQuery(page_request, page_limit, &page);
    if (!status.ok()) return ToGrpcStatus(status);
    remaining -= std::min<uint64_t>(remaining, page.results_size());
    bool last = page.next_page_token().empty() || remaining == 0;
    page_request.set_page_token(page.next_page_token());
    if (remaining == 0) page.clear_next_page_token();
    if (page.results_size() > 0 || last) {
      if (!writer->Write(page)) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
      }
    }
    if (last) break;
  }
  return grpc::Status::OK;
}

}  // namespace sealtrail
