#include "server/otlp/otlp_logs_service.h"

#include <string>
#include <utility>

#include "server/otlp/otlp_status.h"
#include "server/service/authorizer.h"

namespace sealtrail {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

grpc::ServerUnaryReactor* OtlpLogsService::Export(grpc::CallbackServerContext* context,
                                                  const ExportLogsServiceRequest* request,
                                                  ExportLogsServiceResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Call call = access_->Begin(*context, kOtlpLogsExportMethod);
  MappedExport mapped = ingest_->Map(*request);
  absl::Status authenticated = access_->Authenticate(*context, call, FirstTenant(mapped));
  if (!authenticated.ok()) {
    reactor->Finish(OtlpGrpcStatus(authenticated));
    return reactor;
  }
  std::string actor_token;
  auto token = context->client_metadata().find(kOtlpActorTokenHeader);
  if (token != context->client_metadata().end()) {
    actor_token.assign(token->second.data(), token->second.size());
  }
  ingest_->Submit(call, std::move(mapped), actor_token,
                  [reactor, response](absl::StatusOr<OtlpExportResult> result) {
                    if (!result.ok()) {
                      reactor->Finish(OtlpGrpcStatus(result.status()));
                      return;
                    }
                    if (result->rejected > 0 || !result->error_message.empty()) {
                      auto* partial = response->mutable_partial_success();
                      partial->set_rejected_log_records(result->rejected);
                      partial->set_error_message(std::move(result->error_message));
                    }
                    reactor->Finish(grpc::Status::OK);
                  });
  return reactor;
}

}  // namespace sealtrail
