#include "bench/request_pool.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "grpcpp/support/slice.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::bench {

RequestPool RequestPool::Build(const RecordShape& shape, uint32_t batch, uint64_t seed) {
  const uint32_t requests = std::max<uint32_t>(4, (kMinPoolRecords + batch - 1) / batch);
  const uint64_t records = uint64_t{requests} * batch;
  // Every actor gets records while the pool has room (an actor missing from the pool would
  // make the query mode's answers for it empty); shuffled, so a batch mixes them.
  std::vector<uint32_t> actors(records);
  for (uint64_t i = 0; i < records; ++i) actors[i] = static_cast<uint32_t>(i % shape.actors);
  std::mt19937_64 shuffle_rng(seed ^ 0x5eed);
  std::shuffle(actors.begin(), actors.end(), shuffle_rng);

  RecordGenerator generator(shape, seed);
  RequestPool pool;
  pool.requests_.reserve(requests);
  uint64_t record_bytes = 0;
  for (uint32_t r = 0; r < requests; ++r) {
    v1::AppendRequest request;
    request.mutable_records()->Reserve(static_cast<int>(batch));
    for (uint32_t i = 0; i < batch; ++i) {
      *request.add_records() = generator.Next(actors[uint64_t{r} * batch + i]);
      record_bytes += request.records(static_cast<int>(i)).ByteSizeLong();
    }
    grpc::Slice slice(request.SerializeAsString());
    pool.requests_.emplace_back(&slice, 1);
  }
  pool.mean_record_bytes_ = static_cast<double>(record_bytes) / records;
  return pool;
}

}  // namespace sealtrail::bench
