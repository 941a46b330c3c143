// RunPgBench: a closed-loop run of the PostgreSQL loader, measured exactly as sealtrail-bench
// measures a run (tools/bench/bench_run.h): the same ticket source (warm-up, then a bound in
// requests and one in time, whichever comes first), the same per-caller statistics, the same
// report. Each of `config.concurrency` threads owns one connection and sends one request at a
// time; latency runs from taking the ticket to the server's answer (for an append, its COMMIT).
#ifndef SEALTRAIL_BENCH_PG_RUN_H_
#define SEALTRAIL_BENCH_PG_RUN_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/bench_config.h"
#include "bench/pg_workloads.h"
#include "bench/report.h"

namespace sealtrail::bench {

// Connects `config.concurrency` times with `conninfo` and prepares `workload` on each before
// the clock starts, then runs. UNAVAILABLE or INTERNAL if a connection cannot be made or
// prepared; a request that fails stops the run and is counted in the report's errors.
absl::StatusOr<BenchReport> RunPgBench(const BenchConfig& config, const std::string& conninfo,
                                       PgWorkload& workload);

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_BENCH_PG_RUN_H_
