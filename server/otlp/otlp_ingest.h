// OtlpIngest: what the OTLP edges (gRPC LogsService/Export and OTLP/HTTP POST /v1/logs) share
// between decoding a request and answering it:
//   1. Map: every log record to an audit record (otlp_mapping.h); the ones that cannot be mapped
//      or fail ValidateRecord are rejected and counted, the rest go on.
//   2. The edge authenticates the caller (AccessControl), naming the first record's tenant for
//      the evidence of a refusal.
//   3. Submit: the records pass AppendAdmission exactly as an AppendRequest does (the caller
//      must be an appender for every record's tenant, else PERMISSION_DENIED for the whole
//      request, recorded as a denial; the server sets actor.service and context.source_ip; the
//      end user's token of each record, or else the call's actor token, is verified and never
//      stored). Records too large to store once stamped are rejected and counted too. What is
//      left goes to the AppendPipeline, and `done` runs once it is durable.
// OTLP's partial success: `done` gets the number rejected and the first problem found (mapping
// and validation come before size), naming its record
// ("resource_logs[0].scope_logs[0].log_records[3]: trace_id is 3 bytes; ..."), with an
// OK status even when every record was rejected. A non-OK status means nothing of the request
// was written: UNAUTHENTICATED/PERMISSION_DENIED, INVALID_ARGUMENT (more records than
// max_batch_records), RESOURCE_EXHAUSTED (back-pressure), UNAVAILABLE (shutting down, or the log
// failed).
//
// Thread-safety: immutable; Map and Submit may be called concurrently. None of the pointers is
// owned; all must outlive this.
#ifndef SEALTRAIL_SERVER_OTLP_OTLP_INGEST_H_
#define SEALTRAIL_SERVER_OTLP_OTLP_INGEST_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "server/otlp/otlp_mapping.h"
#include "server/service/access_control.h"
#include "server/service/append_admission.h"
#include "server/service/append_pipeline.h"

namespace sealtrail {

// The call metadata (gRPC) or header (HTTP) that may carry the end user's JWT for every record
// of a request that has no token attribute of its own.
inline constexpr char kOtlpActorTokenHeader[] = "sealtrail-actor-token";

struct OtlpIngestOptions {
  OtlpMappingOptions mapping;
  // Most records one request may carry (the server's --max-batch-records).
  uint32_t max_batch_records = 10000;
  // Largest stored record (the server's --max-record-bytes).
  uint32_t max_record_bytes = 64 * 1024;
  // Tenants that accept only verified actors (AppendAdmission).
  std::set<std::string> require_verified_actor;
};

// What became of a request that was not refused as a whole.
struct OtlpExportResult {
  int64_t rejected = 0;
  std::string error_message;  // The first rejected record's problem; empty if none.
};

class OtlpIngest {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<OtlpExportResult>)>;

  OtlpIngest(AppendPipeline* pipeline, const AccessControl* access, OtlpIngestOptions options);

  // Step 1.
  MappedExport Map(
      const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& request) const {
    return MapExportRequest(request, options_.mapping);
  }

  // Step 3. `call_actor_token` is the call's kOtlpActorTokenHeader value ("" if none). `done`
  // runs exactly once, possibly before Submit returns, possibly on the pipeline's thread (so it
  // must not block). REQUIRES: `call` is authenticated.
  void Submit(const Call& call, MappedExport mapped, const std::string& call_actor_token,
              Done done) const;

 private:
  AppendPipeline* const pipeline_;
  const OtlpIngestOptions options_;
  const AppendAdmission admission_;
};

// The tenant of the first mapped record ("" if none): whom a refusal of the call concerns.
std::string FirstTenant(const MappedExport& mapped);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_OTLP_INGEST_H_
