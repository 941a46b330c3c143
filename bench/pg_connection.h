// PgConnection: one libpq connection of the PostgreSQL loader (bench/pg_load.cc), with the
// prepared statements it runs. Owns its PGconn and closes it when destroyed; each result is
// checked and cleared before the call returns, so no libpq type leaves this file's .cc.
//
// Every statement runs in autocommit mode: one statement is one transaction, and a call that
// returns OK has seen its COMMIT acknowledged (durable on disk when the server runs with
// synchronous_commit = on).
//
// Thread-safety: none. One connection per thread, as libpq requires.
#ifndef SEALTRAIL_BENCH_PG_CONNECTION_H_
#define SEALTRAIL_BENCH_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct pg_conn;

namespace sealtrail::bench {

// The parameters of one execution of a prepared statement. `values[i]` points to `lengths[i]`
// bytes, binary when `binary[i]` is 1, text otherwise. Not owned: whoever builds them keeps the
// bytes alive.
struct PgParams {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> binary;
};

class PgConnection {
 public:
  // Connects with a libpq connection string ("" takes everything from the PG* environment
  // variables). UNAVAILABLE with libpq's message if the server cannot be reached or refuses.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Prepares `sql` with `params` parameters as statement `name`. INTERNAL with the server's
  // message on failure.
  absl::Status Prepare(const std::string& name, const std::string& sql, int params);

  // Runs prepared statement `name` and waits for its result (for a data-modifying statement:
  // until its transaction has committed). Returns the number of rows it returned or changed;
  // the rows themselves are fetched in binary and dropped. INTERNAL with the server's message.
  absl::StatusOr<uint64_t> Execute(const std::string& name, const PgParams& params);

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}

  pg_conn* const conn_;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_BENCH_PG_CONNECTION_H_
