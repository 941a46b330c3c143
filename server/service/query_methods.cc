// AuditLogService's query methods: Query (one page) and QueryStream (pages until the limit).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/service/audit_log_service.h"
#include "server/service/authorizer.h"
#include "server/service/grpc_status.h"
#include "server/service/query_request.h"
#include "server/service/raw_call.h"

namespace sealtrail {
namespace {

absl::StatusOr<int64_t> CommitTimeAt(const Log& log, uint64_t seq) {
  ASSIGN_OR_RETURN(const std::string bytes, log.Read(seq));
  ASSIGN_OR_RETURN(const v1::AuditRecord record, ParseStoredRecord(bytes));
  return record.context().commit_time_ns();
}

// A sequence range as the index's time range: commit times never decrease along the log, so the
// records of [from_seq, to_seq) lie in [time(from_seq), time(to_seq - 1)]; the few others with
// those same times are left out by sequence number afterwards. False if no record can match.
absl::StatusOr<bool> NarrowToSequenceRange(const Log& log, const v1::QueryRequest& request,
                                           IndexQuery* query) {
  const uint64_t size = log.Size();
  if (request.from_seq() != 0) {
    if (request.from_seq() >= size) return false;
    ASSIGN_OR_RETURN(const int64_t from_ns, CommitTimeAt(log, request.from_seq()));
    query->from_ns = std::max(query->from_ns.value_or(0), from_ns);
  }
  if (request.to_seq() != 0 && request.to_seq() <= size) {
    ASSIGN_OR_RETURN(const int64_t last_ns, CommitTimeAt(log, request.to_seq() - 1));
    query->to_ns =
        std::min(query->to_ns.value_or(std::numeric_limits<int64_t>::max()), last_ns + 1);
  }
  return !(query->from_ns.has_value() && query->to_ns.has_value() &&
           *query->from_ns >= *query->to_ns);
}

bool InSequenceRange(const v1::QueryRequest& request, uint64_t seq) {
  return seq >= request.from_seq() && (request.to_seq() == 0 || seq < request.to_seq());
}

}  // namespace

absl::Status AuditLogService::RunQuery(const v1::QueryRequest& request, uint32_t limit,
                                       v1::QueryResponse* response, uint64_t below,
                                       std::vector<uint64_t>* seqs) const {
  ASSIGN_OR_RETURN(IndexQuery query, ToIndexQuery(request, options_.default_query_limit));
  if (limit != 0) query.limit = limit;
  // Appends are acknowledged before they are indexed: every one acknowledged before this query
  // is in the log, so once the index covers the log's size it holds them all.
  RETURN_IF_ERROR(pipeline_->WaitUntilIndexed(log_->Size(), kIndexWaitTimeout));
  ASSIGN_OR_RETURN(const bool may_match, NarrowToSequenceRange(*log_, request, &query));
  if (!may_match) return absl::OkStatus();  // No record, no next page.
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
    if (below != 0 && seq >= below) continue;
    if (!InSequenceRange(request, seq)) continue;
    if (seqs != nullptr) seqs->push_back(seq);
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

absl::Status AuditLogService::RunProvenQuery(const v1::QueryRequest& request,
                                             v1::QueryResponse* response) const {
  ASSIGN_OR_RETURN(const ChainKey key, ChainKeyOf(request));
  ASSIGN_OR_RETURN(const PinnedProof pinned, completeness_->Pin(key));
  v1::QueryRequest chain = ChainQueryOf(request, key);
  if (chain.with_proofs()) chain.set_proof_tree_size(pinned.checkpoint.tree_size());
  std::vector<uint64_t> seqs;
  RETURN_IF_ERROR(RunQuery(chain, 0, response, pinned.checkpoint.tree_size(), &seqs));
  if (!response->next_page_token().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verify_complete needs the whole answer in one page, and more than ", seqs.size(),
        " records match: raise limit (at most ", kMaxQueryLimit, ") or use QueryStream"));
  }
  ASSIGN_OR_RETURN(*response->mutable_completeness(),
                   completeness_->Finish(request, key, pinned, std::move(seqs)));
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
        if (status.ok()) {
          status = request.verify_complete() ? RunProvenQuery(request, response)
                                             : RunQuery(request, 0, response);
        }
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
    if (status.ok() && request_.verify_complete()) status = PinCompleteness();
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
      absl::Status status = service_->RunQuery(
          request_, page_limit, &page, pinned_.has_value() ? pinned_->checkpoint.tree_size() : 0,
          pinned_.has_value() ? &answer_ : nullptr);
      if (!status.ok()) {
        Finish(ToGrpcStatus(status));
        return;
      }
      remaining_ -= std::min<uint64_t>(remaining_, page.results_size());
      const bool last = page.next_page_token().empty() || remaining_ == 0;
      if (last && pinned_.has_value()) {
        if (!page.next_page_token().empty()) {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "verify_complete proves a whole answer: more records match than "
                              "the limit; ask without a limit"));
          return;
        }
        absl::StatusOr<v1::CompletenessProof> proof =
            service_->completeness_->Finish(original_, key_, *pinned_, std::move(answer_));
        if (!proof.ok()) {
          Finish(ToGrpcStatus(proof.status()));
          return;
        }
        *page.mutable_completeness() = *std::move(proof);
      }
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

  // verify_complete: pins the proof's checkpoint and asks the index for the key's chain.
  absl::Status PinCompleteness() {
    ASSIGN_OR_RETURN(key_, ChainKeyOf(request_));
    ASSIGN_OR_RETURN(PinnedProof pinned, service_->completeness_->Pin(key_));
    pinned_ = std::move(pinned);
    original_ = request_;
    request_ = ChainQueryOf(request_, key_);
    if (request_.with_proofs()) request_.set_proof_tree_size(pinned_->checkpoint.tree_size());
    return absl::OkStatus();
  }

  const AuditLogService* const service_;
  grpc::CallbackServerContext* const context_;
  v1::QueryRequest request_;  // Its page token moves on with each page.
  // verify_complete only.
  v1::QueryRequest original_;
  ChainKey key_;
  std::optional<PinnedProof> pinned_;
  std::vector<uint64_t> answer_;
  uint64_t remaining_ = 0;
  grpc::ByteBuffer page_;  // The write buffer.
  bool last_written_ = false;
};

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditLogService::QueryStream(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes) {
  return new QueryStreamReactor(this, context, *request_bytes);
}

}  // namespace sealtrail
