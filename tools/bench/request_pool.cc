#include "bench/request_pool.h"

#include <algorithm>
#include <string>

#include "grpcpp/support/slice.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::bench {

RequestPool RequestPool::Build(const RecordShape& shape, uint32_t batch, uint64_t seed) {
  const uint32_t requests = std::max<uint32_t>(4, (kMinPoolRecords + batch - 1) / batch);
  RecordGenerator generator(shape, seed);
  RequestPool pool;
  pool.requests_.reserve(requests);
  uint64_t record_bytes = 0;
  for (uint32_t r = 0; r < requests; ++r) {
    v1::AppendRequest request;
    request.mutable_records()->Reserve(static_cast<int>(batch));
    for (uint32_t i = 0; i < batch; ++i) {
      *request.add_records() = generator.Next();
      record_bytes += request.records(static_cast<int>(i)).ByteSizeLong();
    }
    grpc::Slice slice(request.SerializeAsString());
    pool.requests_.emplace_back(&slice, 1);
  }
  pool.mean_record_bytes_ = static_cast<double>(record_bytes) / (uint64_t{requests} * batch);
  return pool;
}

}  // namespace sealtrail::bench
