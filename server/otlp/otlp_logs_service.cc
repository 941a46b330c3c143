#include "server/otlp/otlp_logs_service.h"

#include <string>
#include <utility>

#include "server/otlp/otlp_status.h"
#include "server/service/authorizer.h"
#include "server/service/raw_call.h"

namespace sealtrail {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

grpc::ServerUnaryReactor* OtlpLogsService::Export(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request_bytes,
                                                  grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<ExportLogsServiceRequest, ExportLogsServiceResponse>(
      context, request_bytes, response_bytes,
      [this, context](ExportLogsServiceRequest& request, ExportLogsServiceResponse* response,
                      RawDone done) {
        Call call = access_->Begin(*context, kOtlpLogsExportMethod);
        MappedExport mapped = ingest_->Map(request);
        absl::Status authenticated = access_->Authenticate(*context, call, FirstTenant(mapped));
        if (!authenticated.ok()) return done(OtlpGrpcStatus(authenticated));
        std::string actor_token;
        auto token = context->client_metadata().find(kOtlpActorTokenHeader);
        if (token != context->client_metadata().end()) {
          actor_token.assign(token->second.data(), token->second.size());
        }
        ingest_->Submit(
            call, std::move(mapped), actor_token,
            [response, done = std::move(done)](absl::StatusOr<OtlpExportResult> result) {
              if (!result.ok()) return done(OtlpGrpcStatus(result.status()));
              if (result->rejected > 0 || !result->error_message.empty()) {
                auto* partial = response->mutable_partial_success();
                partial->set_rejected_log_records(result->rejected);
                partial->set_error_message(std::move(result->error_message));
              }
              done(grpc::Status::OK);
            });
      });
}

}  // namespace sealtrail
