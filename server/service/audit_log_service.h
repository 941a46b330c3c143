// AuditLogService: the sealtrail.v1.AuditLog gRPC service: Append, AppendStream, Query and
// QueryStream, all on gRPC's callback API. A call waiting for its fsync holds no thread: the
// append methods hand validated records to the AppendPipeline and reply from its callback. The
// query methods read the index and the log inline.
//
// Every call is authenticated and authorized (AccessControl) and every request checked before
// anything is touched: an invalid one gets INVALID_ARGUMENT naming the field, a refused one
// UNAUTHENTICATED or PERMISSION_DENIED (and is recorded as a denial), and nothing of it is
// written.
//
// Thread-safety: gRPC calls the methods concurrently; the service keeps no per-call state of
// its own outside the reactors.
#ifndef SEALTRAIL_SERVER_SERVICE_AUDIT_LOG_SERVICE_H_
#define SEALTRAIL_SERVER_SERVICE_AUDIT_LOG_SERVICE_H_

#include <cstdint>
#include <set>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/index/audit_index.h"
#include "server/service/access_control.h"
#include "server/service/append_admission.h"
#include "server/service/append_pipeline.h"
#include "server/service/completeness_prover.h"
#include "server/service/defaults.h"
#include "server/service/proof_source.h"

namespace sealtrail {

struct AuditLogServiceOptions {
  // Most records one AppendRequest may carry.
  uint32_t max_batch_records = 10000;
  // Requests of one AppendStream read ahead while earlier ones are being committed.
  uint32_t stream_window = 64;
  // Page size when a Query names no limit.
  uint32_t default_query_limit = kDefaultQueryLimit;
  // Records per message of QueryStream.
  uint32_t stream_page_records = 1000;
  // Tenants that refuse records without a verified actor (AppendAdmission).
  std::set<std::string> require_verified_actor;
};

class AppendStreamReactor;  // append_methods.cc
class QueryStreamReactor;   // query_methods.cc

// Every method is registered raw and parses its own requests (raw_call.h), so a request that
// does not parse is INVALID_ARGUMENT saying why, not gRPC's empty UNIMPLEMENTED.
class AuditLogService final
    : public v1::AuditLog::WithRawCallbackMethod_Append<
          v1::AuditLog::WithRawCallbackMethod_AppendStream<
              v1::AuditLog::WithRawCallbackMethod_Query<
                  v1::AuditLog::WithRawCallbackMethod_QueryStream<v1::AuditLog::Service>>>> {
 public:
  // None owned; all must outlive the service (and the gRPC server it is registered with).
  AuditLogService(AppendPipeline* pipeline, const Log* log, const AuditIndex* index,
                  ProofSource* proofs, CompletenessProver* completeness,
                  const AccessControl* access, AuditLogServiceOptions options)
      : pipeline_(pipeline),
        log_(log),
        index_(index),
        proofs_(proofs),
        completeness_(completeness),
        access_(access),
        options_(options),
        admission_(access, options.max_batch_records, options.require_verified_actor) {}

  // Ends every open AppendStream as soon as its in-flight requests are answered (UNAVAILABLE,
  // "shutting down": every reply sent is durable, the client resends the rest) and refuses new
  // ones. Call before grpc::Server::Shutdown, which otherwise waits for clients to close their
  // streams.
  void BeginShutdown();

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request_bytes,
                                   grpc::ByteBuffer* response_bytes) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AppendStream(
      grpc::CallbackServerContext* context) override;
  // Runs the query inline on the gRPC thread that received it, like the Prover's methods (one
  // page: an index scan and reads of the records, mostly from the page cache). Through the
  // synchronous server's worker threads, about 1 call in 1000 waited ~100 ms for a thread.
  // While appends are being indexed it first waits for the indexer to cover the log
  // (AppendPipeline::WaitUntilIndexed), so every acknowledged append is found.
  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request_bytes,
                                  grpc::ByteBuffer* response_bytes) override;
  // Pages until the limit, each computed inline like Query when the previous one is written.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* QueryStream(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes) override;

 private:
  // Authenticates the caller of a query and checks it may read the request's tenant, or, for an
  // all-tenants query, every tenant (authorizer.h, GrantsEveryTenant); refusals are recorded.
  absl::Status AdmitQuery(const grpc::ServerContextBase& context, absl::string_view method,
                          const v1::QueryRequest& request) const;
  // One page: up to `limit` results (0: the request's own limit) after request.page_token.
  // With `below` != 0, results at or beyond that tree size are left out (a completeness proof
  // is pinned to it); `seqs`, when set, collects the page's sequence numbers.
  absl::Status RunQuery(const v1::QueryRequest& request, uint32_t limit,
                        v1::QueryResponse* response, uint64_t below = 0,
                        std::vector<uint64_t>* seqs = nullptr) const;
  // Query with verify_complete: the whole answer in one page, with its proof.
  absl::Status RunProvenQuery(const v1::QueryRequest& request, v1::QueryResponse* response) const;

  friend class AppendStreamReactor;
  friend class QueryStreamReactor;
  // Returns false (and registers nothing) once shutting down.
  bool RegisterStream(AppendStreamReactor* stream);
  void UnregisterStream(AppendStreamReactor* stream);

  AppendPipeline* const pipeline_;
  const Log* const log_;
  const AuditIndex* const index_;
  ProofSource* const proofs_;
  CompletenessProver* const completeness_;
  const AccessControl* const access_;
  const AuditLogServiceOptions options_;
  const AppendAdmission admission_;

  absl::Mutex streams_mu_;  // Taken before any stream's own mutex, never after.
  std::set<AppendStreamReactor*> streams_ ABSL_GUARDED_BY(streams_mu_);
  bool shutting_down_ ABSL_GUARDED_BY(streams_mu_) = false;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_AUDIT_LOG_SERVICE_H_
