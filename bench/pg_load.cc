// sealtrail-pgload: the PostgreSQL side of bench/compare. Loads the records sealtrail-bench
// sends (the same generator, batches and seed) into the hash-chained audit table of
// bench/pg_schema.sql, or runs the same "an actor's newest 100 events" query, and reports in
// sealtrail-bench's format (text, or --json with the same keys). Exits 0 when every request
// succeeded, 1 when one failed (the first error is printed), 2 when the run could not start.
#include <iostream>
#include <optional>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "bench/bench_config.h"
#include "bench/pg_run.h"
#include "bench/pg_workloads.h"
#include "bench/record_batches.h"
#include "bench/report.h"

namespace sealtrail::bench {
namespace {

// The loader's command line: a subset of sealtrail-bench's flags, with the same defaults except
// --concurrency and the connection.
struct PgLoadFlags {
  BenchConfig config;
  std::string conninfo;
  std::string mode = "append";
  CLI::Option* duration = nullptr;
  CLI::Option* count = nullptr;

  explicit PgLoadFlags(CLI::App& app) {
    config.concurrency = 8;
    app.add_option("--conninfo", conninfo,
                   "libpq connection string (default: the PG* environment variables)");
    app.add_option("--mode", mode,
                   "append: one multi-row INSERT transaction per batch; query: an actor's "
                   "newest 100 events")
        ->capture_default_str()
        ->check(CLI::IsMember({"append", "query"}));
    duration = app.add_option("--duration", config.duration_s,
                              "Seconds to measure (default 10, or up to 3600 with --count only)")
                   ->check(CLI::PositiveNumber);
    count = app.add_option("--count", config.count, "Records (append) or queries to measure")
                ->check(CLI::PositiveNumber);
    app.add_option("--concurrency", config.concurrency, "Connections, one request each at a time")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1024u));
    app.add_option("--batch", config.batch, "Records per INSERT transaction")
        ->capture_default_str()
        ->check(CLI::Range(1u, 9000u));
    AddRecordAndReportFlags(app, config);
  }

  // The config of the parsed flags.
  BenchConfig ToConfig() const {
    BenchConfig result = config;
    result.server = "postgresql";
    result.mode = mode == "append" ? Mode::kAppendBatch : Mode::kQuery;
    result.channels = result.concurrency;
    ApplyRunBounds(duration->count() > 0, count->count() > 0, result);
    return result;
  }
};

int Main(int argc, char** argv) {
  CLI::App app(
      "sealtrail-pgload: loads sealtrail-bench's generated records into PostgreSQL's "
      "hash-chained audit table (bench/pg_schema.sql), or queries it, and reports like "
      "sealtrail-bench.",
      "sealtrail-pgload");
  PgLoadFlags flags(app);
  app.footer(
      "Examples (bench/compare runs both):\n"
      "  sealtrail-pgload --conninfo 'host=127.0.0.1 port=5433 dbname=audit user=audit_app' "
      "--count 200000 --warmup 0 --json\n"
      "  sealtrail-pgload --mode query --count 2000 --json");
  CLI11_PARSE(app, argc, argv);
  const BenchConfig config = flags.ToConfig();

  std::optional<PgAppendWorkload> append;
  std::optional<PgQueryWorkload> query;
  PgWorkload* workload = nullptr;
  if (config.mode == Mode::kAppendBatch) {
    const RecordShape shape{config.tenants, config.actors, config.record_size};
    workload = &append.emplace(GenerateRecordBatches(shape, config.batch, config.seed));
  } else {
    workload =
        &query.emplace(RecordShape{config.tenants, config.actors, config.record_size}, config.seed);
  }
  absl::StatusOr<BenchReport> report = RunPgBench(config, flags.conninfo, *workload);
  if (!report.ok()) {
    std::cerr << "sealtrail-pgload: " << report.status().ToString() << "\n";
    return 2;
  }
  if (append.has_value()) report->record_bytes = append->mean_record_bytes();
  if (query.has_value() && query->queries() > 0) {
    report->extra["results_per_query"] = static_cast<double>(query->results()) / query->queries();
  }
  if (config.json) {
    std::cout << FormatJson(*report) << std::endl;
  } else {
    std::cout << FormatText(*report) << std::flush;
  }
  if (report->errors > 0) {
    std::cerr << "sealtrail-pgload: a request failed: " << report->first_error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sealtrail::bench

int main(int argc, char** argv) { return sealtrail::bench::Main(argc, argv); }
