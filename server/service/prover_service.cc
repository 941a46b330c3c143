#include "server/service/prover_service.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/service/authorizer.h"
#include "server/service/grpc_status.h"
#include "server/service/raw_call.h"

namespace sealtrail {
namespace {

// How many records sharing the index's 8-byte hash prefix are checked. Two different records
// sharing a prefix is a 2^-64 event per pair; the same bytes appended many times is not, and
// those all have the full hash, so the first candidate that matches is the answer.
constexpr size_t kMaxLeafHashCandidates = 16;

}  // namespace

absl::StatusOr<uint64_t> ProverService::FindRecord(const v1::ProveInclusionRequest& request) const {
  switch (request.leaf_case()) {
    case v1::ProveInclusionRequest::kSeq: {
      uint64_t size = log_->Size();
      if (request.seq() >= size) {
        return absl::NotFoundError(
            absl::StrCat("no record has seq ", request.seq(), "; the log has ", size, " records"));
      }
      return request.seq();
    }
    case v1::ProveInclusionRequest::kLeafHash: {
      const std::string& wanted = request.leaf_hash();
      if (wanted.size() != kHashSize) {
        return absl::InvalidArgumentError(
            absl::StrCat("leaf_hash must be 32 bytes, got ", wanted.size()));
      }
      // As for Query: the record may be acknowledged and not yet indexed.
      RETURN_IF_ERROR(pipeline_->WaitUntilIndexed(log_->Size(), kIndexWaitTimeout));
      ASSIGN_OR_RETURN(std::vector<uint64_t> candidates,
                       index_->LeafHashCandidates(wanted, kMaxLeafHashCandidates));
      for (uint64_t seq : candidates) {
        ASSIGN_OR_RETURN(Hash stored, log_->LeafHash(seq));
        if (AsStringView(stored) == wanted) return seq;
      }
      return absl::NotFoundError(
          absl::StrCat("no record has leaf hash ", absl::BytesToHexString(wanted)));
    }
    case v1::ProveInclusionRequest::LEAF_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("set seq or leaf_hash to name the record to prove");
}

absl::StatusOr<uint64_t> ProverService::FindReadableRecord(
    const Call& call, const v1::ProveInclusionRequest& request) const {
  absl::StatusOr<uint64_t> found = FindRecord(request);
  if (GrantsEveryTenant(*call.principal, Access::kReadTenant)) return found;
  if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) return found;
  std::string tenant;
  if (found.ok()) {
    ASSIGN_OR_RETURN(std::string bytes, log_->Read(*found));
    ASSIGN_OR_RETURN(v1::AuditRecord record, ParseStoredRecord(bytes));
    tenant = record.context().tenant_id();
    if (Authorize(*call.principal, Access::kReadTenant, tenant).ok()) return found;
  }
  // One message, whatever the reason, and not even the number asked for, so that no two
  // answers differ. The evidence names the tenant whose record was asked for (its auditors see
  // the probe); the caller's answer does not.
  return access_->Deny(
      call, tenant,
      absl::PermissionDeniedError(
          absl::StrCat("no record you may read has this ",
                       request.leaf_case() == v1::ProveInclusionRequest::kSeq ? "seq" : "leaf hash",
                       " (there is none, or it belongs to a tenant you may not read)")));
}

absl::Status ProverService::AdmitWholeLog(const grpc::ServerContextBase& context,
                                          absl::string_view method) const {
  Call call = access_->Begin(context, method);
  RETURN_IF_ERROR(access_->Authenticate(context, call, ""));
  return access_->Authorize(call, "");
}

grpc::ServerUnaryReactor* ProverService::ProveInclusion(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request_bytes,
                                                        grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::ProveInclusionRequest, v1::ProveInclusionResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::ProveInclusionRequest& request, v1::ProveInclusionResponse* response,
                      RawDone done) {
        done(ToGrpcStatus(ProveInclusionNow(*context, request, response)));
      });
}

grpc::ServerUnaryReactor* ProverService::ProveConsistency(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request_bytes,
                                                          grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::ProveConsistencyRequest, v1::ProveConsistencyResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::ProveConsistencyRequest& request, v1::ProveConsistencyResponse* response,
                      RawDone done) {
        done(ToGrpcStatus(ProveConsistencyNow(*context, request, response)));
      });
}

grpc::ServerUnaryReactor* ProverService::GetCheckpoint(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request_bytes,
                                                       grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::GetCheckpointRequest, v1::GetCheckpointResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::GetCheckpointRequest& request, v1::GetCheckpointResponse* response,
                      RawDone done) {
        done(ToGrpcStatus(GetCheckpointNow(*context, request, response)));
      });
}

absl::Status ProverService::ProveInclusionNow(const grpc::ServerContextBase& context,
                                              const v1::ProveInclusionRequest& request,
                                              v1::ProveInclusionResponse* response) {
  Call call = access_->Begin(context, kProveInclusionMethod);
  RETURN_IF_ERROR(access_->Authenticate(context, call, ""));
  RETURN_IF_ERROR(access_->AuthorizeRole(call, ""));
  ASSIGN_OR_RETURN(uint64_t seq, FindReadableRecord(call, request));
  if (request.tree_size() != 0 && request.tree_size() <= seq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tree_size ", request.tree_size(), " does not include seq ", seq, "; it must exceed it"));
  }
  ASSIGN_OR_RETURN(uint64_t tree_size, proofs_->TreeSize(request.tree_size(), seq + 1));
  ASSIGN_OR_RETURN(*response->mutable_proof(), proofs_->Inclusion(seq, tree_size));
  ASSIGN_OR_RETURN(*response->mutable_data(), log_->Read(seq));
  return absl::OkStatus();
}

absl::Status ProverService::ProveConsistencyNow(const grpc::ServerContextBase& context,
                                                const v1::ProveConsistencyRequest& request,
                                                v1::ProveConsistencyResponse* response) {
  RETURN_IF_ERROR(AdmitWholeLog(context, kProveConsistencyMethod));
  if (request.old_size() == 0) {
    return absl::InvalidArgumentError("old_size must be at least 1");
  }
  ASSIGN_OR_RETURN(uint64_t new_size, proofs_->TreeSize(request.new_size(), 0));
  if (request.old_size() > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old_size ", request.old_size(), " is larger than new_size ", new_size,
                     request.new_size() == 0 ? " (the latest checkpoint's size)" : ""));
  }
  ASSIGN_OR_RETURN(*response->mutable_proof(), proofs_->Consistency(request.old_size(), new_size));
  return absl::OkStatus();
}

absl::Status ProverService::GetCheckpointNow(const grpc::ServerContextBase& context,
                                             const v1::GetCheckpointRequest& request,
                                             v1::GetCheckpointResponse* response) {
  RETURN_IF_ERROR(AdmitWholeLog(context, kGetCheckpointMethod));
  absl::StatusOr<StoredCheckpoint> stored =
      request.tree_size() == 0 ? proofs_->Latest() : store_->Get(request.tree_size());
  if (!stored.ok()) return stored.status();
  *response->mutable_checkpoint() = ProofSource::ToProto(*stored);
  return absl::OkStatus();
}

}  // namespace sealtrail
