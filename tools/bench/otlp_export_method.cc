#include "bench/otlp_export_method.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sealtrail::bench {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

constexpr char kExportMethod[] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

OtlpExportMethod::OtlpExportMethod(std::shared_ptr<grpc::Channel> channel, const RequestPool* pool,
                                   uint32_t batch)
    : stub_(std::move(channel)), pool_(pool), batch_(batch) {}

void OtlpExportMethod::Call(grpc::ClientContext* context, const Ticket& ticket, Done done) {
  auto* response = new ExportLogsServiceResponse;
  stub_.UnaryCall(context, kExportMethod, grpc::StubOptions(), &pool_->Request(ticket.number),
                  response, [this, response, done = std::move(done)](grpc::Status status) {
                    const int64_t rejected = response->partial_success().rejected_log_records();
                    if (status.ok() && rejected != 0) {
                      status = grpc::Status(
                          grpc::StatusCode::INTERNAL,
                          absl::StrCat("Export rejected ", rejected, " of ", batch_,
                                       " records: ", response->partial_success().error_message()));
                    }
                    delete response;
                    done(status, batch_);
                  });
}

}  // namespace sealtrail::bench
