// ProverService: the sealtrail.v1.Prover gRPC service: inclusion proofs (by sequence number or
// leaf hash), consistency proofs and signed checkpoints. Proofs come from the log's stored
// nodes; tree sizes default to the latest signed checkpoint (see ProofSource).
//
// Access (authorizer.h): an inclusion proof needs read access to the record's tenant; consistency
// proofs and checkpoints cover the whole log and need any auditor role (docs/server.md, "What
// proofs reveal").
//
// Threading: gRPC's callback API. Each method does its work inline, on the gRPC thread that
// received the call, and finishes the call before returning: a proof is a few reads of stored
// nodes (mostly from the page cache) and costs microseconds, less than handing the call to a
// synchronous server's worker thread and back, which was most of a proof's server CPU. The
// exceptions: a proof of a record no checkpoint covers yet, which signs and stores one first,
// and a proof by leaf hash while appends are being indexed, which waits for the indexer
// (AppendPipeline::WaitUntilIndexed; at most a batch's indexing, milliseconds).
// Thread-safety: gRPC calls the methods concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_PROVER_SERVICE_H_
#define SEALTRAIL_SERVER_SERVICE_PROVER_SERVICE_H_

#include "sealtrail/checkpoint_store.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/index/audit_index.h"
#include "server/service/access_control.h"
#include "server/service/append_pipeline.h"
#include "server/service/proof_source.h"

namespace sealtrail {

// Every method is registered raw and parses its own requests (raw_call.h).
class ProverService final
    : public v1::Prover::WithRawCallbackMethod_ProveInclusion<
          v1::Prover::WithRawCallbackMethod_ProveConsistency<
              v1::Prover::WithRawCallbackMethod_GetCheckpoint<v1::Prover::Service>>> {
 public:
  // None owned; all must outlive the service.
  ProverService(const Log* log, const AuditIndex* index, const AppendPipeline* pipeline,
                const CheckpointStore* store, ProofSource* proofs, const AccessControl* access)
      : log_(log),
        index_(index),
        pipeline_(pipeline),
        store_(store),
        proofs_(proofs),
        access_(access) {}

  grpc::ServerUnaryReactor* ProveInclusion(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request_bytes,
                                           grpc::ByteBuffer* response_bytes) override;
  grpc::ServerUnaryReactor* ProveConsistency(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request_bytes,
                                             grpc::ByteBuffer* response_bytes) override;
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request_bytes,
                                          grpc::ByteBuffer* response_bytes) override;

 private:
  // The methods' work; the reply is written to `response` when OK.
  absl::Status ProveInclusionNow(const grpc::ServerContextBase& context,
                                 const v1::ProveInclusionRequest& request,
                                 v1::ProveInclusionResponse* response);
  absl::Status ProveConsistencyNow(const grpc::ServerContextBase& context,
                                   const v1::ProveConsistencyRequest& request,
                                   v1::ProveConsistencyResponse* response);
  absl::Status GetCheckpointNow(const grpc::ServerContextBase& context,
                                const v1::GetCheckpointRequest& request,
                                v1::GetCheckpointResponse* response);

  // The sequence number the request names. NOT_FOUND when no such record exists.
  absl::StatusOr<uint64_t> FindRecord(const v1::ProveInclusionRequest& request) const;
  // FindRecord, for a caller that may read the record's tenant. A caller that may not read
  // every tenant gets the same PERMISSION_DENIED, with the same message, for a record of another
  // tenant and for no record at all: the answer must not tell whether it exists.
  absl::StatusOr<uint64_t> FindReadableRecord(const Call& call,
                                              const v1::ProveInclusionRequest& request) const;
  // Authenticates the caller of `method` and checks its role (kReadLog methods).
  absl::Status AdmitWholeLog(const grpc::ServerContextBase& context,
                             absl::string_view method) const;

  const Log* const log_;
  const AuditIndex* const index_;
  const AppendPipeline* const pipeline_;
  const CheckpointStore* const store_;
  ProofSource* const proofs_;
  const AccessControl* const access_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_PROVER_SERVICE_H_
