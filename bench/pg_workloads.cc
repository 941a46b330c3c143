#include "bench/pg_workloads.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/unary_methods.h"
#include "server/record/record.h"
#include "server/service/defaults.h"

namespace sealtrail::bench {
namespace {

constexpr char kInsert[] = "insert_batch";
constexpr char kNewestOfActor[] = "newest_of_actor";

// The columns the loader fills, in order; the trigger sets seq, recorded_at and chain_hash.
constexpr int kInsertColumns = 7;
constexpr int kMaxStatementParams = 65535;

// "INSERT ... VALUES ($1, ..., $7), ($8, ...), ..." for `rows` rows.
std::string InsertSql(uint32_t rows) {
  std::string sql =
      "INSERT INTO audit_event (tenant_id, actor, action, outcome, event_time, trace_id, record) "
      "VALUES ";
  int param = 1;
  for (uint32_t row = 0; row < rows; ++row) {
    absl::StrAppend(&sql, row == 0 ? "(" : ", (");
    for (int column = 0; column < kInsertColumns; ++column, ++param) {
      absl::StrAppend(&sql, column == 0 ? "$" : ", $", param);
    }
    absl::StrAppend(&sql, ")");
  }
  return sql;
}

// A record's column values, in InsertSql's order; `binary` says which are bytea.
void AppendColumns(const v1::AuditRecord& record, std::vector<std::string>& columns) {
  columns.push_back(record.context().tenant_id());
  columns.push_back(record.actor().user_id());
  columns.push_back(record.action().name());
  columns.push_back(v1::Outcome::Result_Name(record.outcome().result()));
  columns.push_back(absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ",
                                     absl::FromUnixNanos(record.context().event_time_ns()),
                                     absl::UTCTimeZone()));
  columns.push_back(record.correlation().trace_id());
  columns.push_back(SerializeForLog(record));
}
constexpr int kBinaryColumns[kInsertColumns] = {0, 0, 0, 0, 0, 1, 1};

}  // namespace

PgAppendWorkload::PgAppendWorkload(const std::vector<std::vector<v1::AuditRecord>>& batches)
    : batch_size_(static_cast<uint32_t>(batches.front().size())) {
  uint64_t records = 0;
  uint64_t record_bytes = 0;
  batches_.resize(batches.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    Batch& batch = batches_[b];
    batch.columns.reserve(batches[b].size() * kInsertColumns);
    for (const v1::AuditRecord& record : batches[b]) {
      AppendColumns(record, batch.columns);
      record_bytes += batch.columns.back().size();
      ++records;
    }
    // Pointers only once the strings no longer move.
    for (size_t i = 0; i < batch.columns.size(); ++i) {
      batch.params.values.push_back(batch.columns[i].data());
      batch.params.lengths.push_back(static_cast<int>(batch.columns[i].size()));
      batch.params.binary.push_back(kBinaryColumns[i % kInsertColumns]);
    }
  }
  mean_record_bytes_ = static_cast<double>(record_bytes) / records;
}

absl::Status PgAppendWorkload::Prepare(PgConnection& conn) const {
  const int params = static_cast<int>(batch_size_) * kInsertColumns;
  if (params > kMaxStatementParams) {
    return absl::InvalidArgumentError(
        absl::StrCat("a batch of ", batch_size_, " records needs ", params,
                     " INSERT parameters; PostgreSQL takes at most ", kMaxStatementParams));
  }
  return conn.Prepare(kInsert, InsertSql(batch_size_), params);
}

absl::StatusOr<uint64_t> PgAppendWorkload::Send(PgConnection& conn, uint64_t number) {
  const Batch& batch = batches_[number % batches_.size()];
  absl::StatusOr<uint64_t> inserted = conn.Execute(kInsert, batch.params);
  if (!inserted.ok()) return inserted.status();
  if (*inserted != batch_size_) {
    return absl::InternalError(
        absl::StrCat("an INSERT of ", batch_size_, " rows inserted ", *inserted));
  }
  return *inserted;
}

absl::Status PgQueryWorkload::Prepare(PgConnection& conn) const {
  return conn.Prepare(kNewestOfActor,
                      absl::StrCat("SELECT seq, recorded_at, record, chain_hash FROM audit_event "
                                   "WHERE tenant_id = $1 AND actor = $2 "
                                   "ORDER BY recorded_at DESC LIMIT ",
                                   kDefaultQueryLimit),
                      2);
}

absl::StatusOr<uint64_t> PgQueryWorkload::Send(PgConnection& conn, uint64_t number) {
  const uint32_t actor = static_cast<uint32_t>(MixTicket(seed_, number) % shape_.actors);
  const std::string tenant_id = TenantId(TenantOfActor(actor, shape_.tenants));
  const std::string actor_id = ActorId(actor);
  PgParams params;
  params.values = {tenant_id.data(), actor_id.data()};
  params.lengths = {static_cast<int>(tenant_id.size()), static_cast<int>(actor_id.size())};
  params.binary = {0, 0};
  absl::StatusOr<uint64_t> rows = conn.Execute(kNewestOfActor, params);
  if (!rows.ok()) return rows.status();
  if (*rows > kDefaultQueryLimit) {
    return absl::InternalError(
        absl::StrCat("a query for ", kDefaultQueryLimit, " rows returned ", *rows));
  }
  queries_.fetch_add(1, std::memory_order_relaxed);
  results_.fetch_add(*rows, std::memory_order_relaxed);
  return 1;
}

}  // namespace sealtrail::bench
