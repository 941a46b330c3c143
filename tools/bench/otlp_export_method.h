// OtlpExportMethod: the otlp mode's call, OTLP/gRPC
// /opentelemetry.proto.collector.logs.v1.LogsService/Export of a pool request of `batch` log
// records (RequestPool built with ExportLogsRequestBytes). A reply that rejects any record
// (partial success) is a failure: every generated record must map.
#ifndef SEALTRAIL_TOOLS_BENCH_OTLP_EXPORT_METHOD_H_
#define SEALTRAIL_TOOLS_BENCH_OTLP_EXPORT_METHOD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "bench/request_pool.h"
#include "bench/unary_caller.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"

namespace sealtrail::bench {

class OtlpExportMethod final : public UnaryMethod {
 public:
  // `pool` is not owned and must outlive this.
  OtlpExportMethod(std::shared_ptr<grpc::Channel> channel, const RequestPool* pool, uint32_t batch);
  void Call(grpc::ClientContext* context, const Ticket& ticket, Done done) override;

 private:
  grpc::TemplatedGenericStub<grpc::ByteBuffer,
                             opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse>
      stub_;
  const RequestPool* const pool_;
  const uint32_t batch_;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_OTLP_EXPORT_METHOD_H_
