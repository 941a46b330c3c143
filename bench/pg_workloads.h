// The requests the PostgreSQL loader (bench/pg_load.cc) sends, each the counterpart of a
// sealtrail-bench mode (tools/bench/unary_methods.h) so the two sides do the same work:
//   - PgAppendWorkload: one batch of generated records (tools/bench/record_batches.h) as one
//     multi-row INSERT, i.e. one transaction, acknowledged at its COMMIT (append-batch).
//   - PgQueryWorkload: an actor's newest 100 events in the actor's tenant, rows fetched in full
//     (query). The actor of request n is the one sealtrail-bench's query mode picks for n.
// The table, its hash-chain trigger and its indexes are bench/pg_schema.sql.
//
// Thread-safety: after construction Send may be called from many threads at once, each with
// its own connection.
#ifndef SEALTRAIL_BENCH_PG_WORKLOADS_H_
#define SEALTRAIL_BENCH_PG_WORKLOADS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/pg_connection.h"
#include "bench/record_generator.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::bench {

class PgWorkload {
 public:
  virtual ~PgWorkload() = default;
  // Prepares the statements Send runs on a new connection.
  virtual absl::Status Prepare(PgConnection& conn) const = 0;
  // Sends request `number` and waits for its answer. Returns the records it stored (append) or
  // 1 (a query). INTERNAL if the server failed it or answered something else.
  virtual absl::StatusOr<uint64_t> Send(PgConnection& conn, uint64_t number) = 0;
};

class PgAppendWorkload final : public PgWorkload {
 public:
  // Request n inserts batches[n % batches.size()]. REQUIRES: the batches are non-empty and all
  // of one size, at most 9,000 records (PostgreSQL takes 65,535 parameters per statement).
  explicit PgAppendWorkload(const std::vector<std::vector<v1::AuditRecord>>& batches);

  absl::Status Prepare(PgConnection& conn) const override;
  absl::StatusOr<uint64_t> Send(PgConnection& conn, uint64_t number) override;

  // The mean size of a record's `record` column: its serialization, as sealtrail stores it.
  double mean_record_bytes() const { return mean_record_bytes_; }

 private:
  // One batch's parameters, built once: `columns` holds the bytes `params` points into.
  struct Batch {
    std::vector<std::string> columns;
    PgParams params;
  };

  uint32_t batch_size_ = 0;
  std::vector<Batch> batches_;
  double mean_record_bytes_ = 0;
};

class PgQueryWorkload final : public PgWorkload {
 public:
  PgQueryWorkload(const RecordShape& shape, uint64_t seed) : shape_(shape), seed_(seed) {}

  absl::Status Prepare(PgConnection& conn) const override;
  absl::StatusOr<uint64_t> Send(PgConnection& conn, uint64_t number) override;

  // Successful queries and the rows they returned.
  uint64_t queries() const { return queries_.load(std::memory_order_relaxed); }
  uint64_t results() const { return results_.load(std::memory_order_relaxed); }

 private:
  const RecordShape shape_;
  const uint64_t seed_;
  std::atomic<uint64_t> queries_{0};
  std::atomic<uint64_t> results_{0};
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_BENCH_PG_WORKLOADS_H_
