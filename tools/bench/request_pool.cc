#include "bench/request_pool.h"

#include <utility>
#include <vector>

#include "grpcpp/support/slice.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::bench {

RequestPool RequestPool::Build(const RecordShape& shape, uint32_t batch, uint64_t seed) {
  return Build(shape, batch, seed, [batch](const std::vector<v1::AuditRecord>& records) {
    v1::AppendRequest request;
    request.mutable_records()->Reserve(static_cast<int>(batch));
    for (const v1::AuditRecord& record : records) *request.add_records() = record;
    return request.SerializeAsString();
  });
}

RequestPool RequestPool::Build(const RecordShape& shape, uint32_t batch, uint64_t seed,
                               const Encoder& encode) {
  RequestPool pool;
  uint64_t records = 0;
  uint64_t record_bytes = 0;
  for (const std::vector<v1::AuditRecord>& records_of_batch :
       GenerateRecordBatches(shape, batch, seed)) {
    for (const v1::AuditRecord& record : records_of_batch) record_bytes += record.ByteSizeLong();
    records += records_of_batch.size();
    grpc::Slice slice(encode(records_of_batch));
    pool.requests_.emplace_back(&slice, 1);
  }
  pool.mean_record_bytes_ = static_cast<double>(record_bytes) / records;
  return pool;
}

}  // namespace sealtrail::bench
