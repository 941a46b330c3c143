// OtlpLogsService: OTLP/gRPC, the opentelemetry.proto.collector.logs.v1.LogsService on the main
// gRPC port (/opentelemetry.proto.collector.logs.v1.LogsService/Export). A thin edge around
// OtlpIngest: begin the call (AccessControl), map, authenticate (naming the first record's
// tenant), submit, and answer once the accepted records are durable, with OTLP's partial
// success, or with a status from otlp_status.h.
//
// Uses gRPC's callback API, so a call waiting for its fsync holds no thread.
// Thread-safety: gRPC calls Export concurrently; the service keeps no per-call state.
#ifndef SEALTRAIL_SERVER_OTLP_OTLP_LOGS_SERVICE_H_
#define SEALTRAIL_SERVER_OTLP_OTLP_LOGS_SERVICE_H_

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "server/otlp/otlp_ingest.h"
#include "server/service/access_control.h"

namespace sealtrail {

// Export is registered raw and parses its own requests (server/service/raw_call.h), so an
// unparseable export is INVALID_ARGUMENT saying why, not gRPC's empty UNIMPLEMENTED.
class OtlpLogsService final
    : public opentelemetry::proto::collector::logs::v1::LogsService::WithRawCallbackMethod_Export<
          opentelemetry::proto::collector::logs::v1::LogsService::Service> {
 public:
  // Neither owned; both must outlive the service (and the gRPC server it is registered with).
  OtlpLogsService(const OtlpIngest* ingest, const AccessControl* access)
      : ingest_(ingest), access_(access) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request_bytes,
                                   grpc::ByteBuffer* response_bytes) override;

 private:
  const OtlpIngest* const ingest_;
  const AccessControl* const access_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_OTLP_LOGS_SERVICE_H_
