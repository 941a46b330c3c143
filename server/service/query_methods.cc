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
#include "server/service/raw_call.h"

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
  if (request.all_tenants()) {
    // Recorded against the platform: the request names no one tenant.
    RETURN_IF_ERROR(access_->AuthorizeRole(call, ""));
    if (!GrantsEveryTenant(*call.principal, Access::kReadTenant)) {
      return access_->Deny(
          call, "",
          absl::PermissionDeniedError(absl::StrCat(
              "\"", call.principal->subject,
              "\" may not query all tenants: that needs role platform-auditor, or auditor for "
              "tenant \"*\"")));
    }
    return absl::OkStatus();  // ToIndexQuery checks the rest of the request.
  }
  if (request.tenant_id().empty()) {
    return absl::InvalidArgumentError("tenant_id is required (or all_tenants)");
  }
  return access_->Authorize(call, request.tenant_id());
}

grpc::ServerUnaryReactor* AuditLogService::Query(grpc::CallbackServerContext* context,
                                                 const grpc::ByteBuffer* request_bytes,
                                                 grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::QueryRequest, v1::QueryResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::QueryRequest& request, v1::QueryResponse* response, RawDone done) {
        absl::Status status = AdmitQuery(*context, kQueryMethod, request);
        if (status.ok()) status = RunQuery(request, 0, response);
        done(ToGrpcStatus(status));
      });
}

// Serves one QueryStream: a page at a time, each run (inline, like Query) once the previous one
// is written, until the request's limit or the last match. Pages without results are not sent,
// except the last.
class QueryStreamReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  QueryStreamReactor(const AuditLogService* service, grpc::CallbackServerContext* context,
                     const grpc::ByteBuffer& request_bytes)
      : service_(service), context_(context) {
    absl::Status status = ParseRequest(request_bytes, request_);
    if (status.ok()) status = service_->AdmitQuery(*context_, kQueryStreamMethod, request_);
    if (status.ok() && request_.with_proofs() && request_.proof_tree_size() == 0) {
      // Pin the tree size once, to a checkpoint covering the whole log, so every page is proven
      // against the same checkpoint.
      absl::StatusOr<uint64_t> size = service_->proofs_->TreeSize(0, service_->log_->Size());
      if (size.ok()) request_.set_proof_tree_size(*size);
      status = size.status();
    }
    if (!status.ok()) {
      Finish(ToGrpcStatus(status));
      return;
    }
    // limit is the total here; 0 means every matching record.
    remaining_ = request_.limit() == 0 ? UINT64_MAX : request_.limit();
    WriteNextPage();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    if (last_written_) {
      Finish(grpc::Status::OK);
      return;
    }
    WriteNextPage();
  }

  void OnDone() override { delete this; }

 private:
  // Runs pages until one has something to send (or is the last), and starts writing it.
  void WriteNextPage() {
    while (true) {
      if (context_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
        return;
      }
      const uint32_t page_limit = static_cast<uint32_t>(
          std::min<uint64_t>(remaining_, service_->options_.stream_page_records));
      v1::QueryResponse page;
      absl::Status status = service_->RunQuery(request_, page_limit, &page);
      if (!status.ok()) {
        Finish(ToGrpcStatus(status));
        return;
      }
      remaining_ -= std::min<uint64_t>(remaining_, page.results_size());
      const bool last = page.next_page_token().empty() || remaining_ == 0;
      request_.set_page_token(page.next_page_token());
      if (remaining_ == 0) page.clear_next_page_token();
      if (page.results_size() > 0 || last) {
        last_written_ = last;
        page_ = SerializeReply(page);
        StartWrite(&page_);
        return;
      }
    }
  }

  const AuditLogService* const service_;
  grpc::CallbackServerContext* const context_;
  v1::QueryRequest request_;  // Its page token moves on with each page.
  uint64_t remaining_ = 0;
  grpc::ByteBuffer page_;  // The write buffer.
  bool last_written_ = false;
};

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditLogService::QueryStream(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes) {
  return new QueryStreamReactor(this, context, *request_bytes);
}

}  // namespace sealtrail
