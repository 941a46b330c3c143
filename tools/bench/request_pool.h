// RequestPool: AppendRequests built once from generated records and kept serialized, so the
// load generator spends no time building or serializing records while it runs. The same few
// thousand records are sent again and again: the server hashes, stores and indexes each copy as
// a new record, which is all a throughput test needs.
//
// Thread-safety: immutable after Build; Request() may be called from any thread, and its
// ByteBuffer sent by many calls at once (gRPC copies a ByteBuffer by reference count).
#ifndef SEALTRAIL_TOOLS_BENCH_REQUEST_POOL_H_
#define SEALTRAIL_TOOLS_BENCH_REQUEST_POOL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/record_batches.h"
#include "bench/record_generator.h"
#include "grpcpp/support/byte_buffer.h"

namespace sealtrail::bench {

class RequestPool {
 public:
  // Serialized AppendRequests, one per batch of GenerateRecordBatches(shape, batch, seed).
  // REQUIRES: batch >= 1.
  static RequestPool Build(const RecordShape& shape, uint32_t batch, uint64_t seed);
  // The same batches serialized by `encode` as another method's request (the otlp mode's
  // ExportLogsServiceRequest).
  using Encoder = std::function<std::string(const std::vector<v1::AuditRecord>&)>;
  static RequestPool Build(const RecordShape& shape, uint32_t batch, uint64_t seed,
                           const Encoder& encode);

  // The n-th request, cycling through the pool.
  const grpc::ByteBuffer& Request(uint64_t n) const { return requests_[n % requests_.size()]; }
  size_t size() const { return requests_.size(); }
  // Mean ByteSizeLong() of the pool's records: the bytes per record for MB/s figures.
  double mean_record_bytes() const { return mean_record_bytes_; }

 private:
  std::vector<grpc::ByteBuffer> requests_;
  double mean_record_bytes_ = 0;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_REQUEST_POOL_H_
