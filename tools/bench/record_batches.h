// GenerateRecordBatches: the generated records a load generator sends again and again, in
// batches. sealtrail-bench serializes them into AppendRequests (request_pool.h); the PostgreSQL
// loader of bench/compare (bench/pg_load.cc) inserts the same batches, so both stores get the
// same records in the same order for the same shape, batch size and seed.
//
// Every actor gets records while there is room (an actor missing from the batches would make
// the query mode's answers for it empty), in a shuffled order, so a batch mixes actors.
#ifndef SEALTRAIL_TOOLS_BENCH_RECORD_BATCHES_H_
#define SEALTRAIL_TOOLS_BENCH_RECORD_BATCHES_H_

#include <cstdint>
#include <vector>

#include "bench/record_generator.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::bench {

// At least this many distinct records are generated, whatever the batch size.
inline constexpr uint32_t kMinPoolRecords = 4096;

// Batches of `batch` records each, at least kMinPoolRecords records and four batches in all.
// Deterministic for (shape, batch, seed). REQUIRES: batch >= 1.
std::vector<std::vector<v1::AuditRecord>> GenerateRecordBatches(const RecordShape& shape,
                                                                uint32_t batch, uint64_t seed);

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_RECORD_BATCHES_H_
