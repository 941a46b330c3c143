#include "bench/pg_run.h"

#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/pg_connection.h"
#include "bench/run_state.h"
#include "bench/ticket_source.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::bench {
namespace {

std::chrono::nanoseconds Seconds(double seconds) {
  return std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9));
}

// What one connection's thread measured, and how it ended.
struct ConnectionResult {
  CallerStats stats;
  absl::Status status;
};

// Sends requests on `conn` while `source` hands out tickets.
void Drive(PgConnection& conn, PgWorkload& workload, TicketSource& source,
           ConnectionResult& result) {
  Ticket ticket;
  while (source.Next(/*owner=*/nullptr, &ticket) == TakeResult::kTicket) {
    absl::StatusOr<uint64_t> units = workload.Send(conn, ticket.number);
    const Clock::time_point now = Clock::now();
    if (!units.ok()) {
      result.status = units.status();
      source.Abort();
      return;
    }
    result.stats.Add(ticket, *units, now);
  }
}

}  // namespace

absl::StatusOr<BenchReport> RunPgBench(const BenchConfig& config, const std::string& conninfo,
                                       PgWorkload& workload) {
  std::vector<std::unique_ptr<PgConnection>> connections;
  for (uint32_t i = 0; i < config.concurrency; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Open(conninfo));
    RETURN_IF_ERROR(workload.Prepare(*conn));
    connections.push_back(std::move(conn));
  }

  RunWindow window;
  window.start = Clock::now();
  window.measure_start = window.start + Seconds(config.warmup_s);
  window.end = window.measure_start + Seconds(config.duration_s);
  window.measured_limit = config.RequestLimit();
  ClosedLoopSource source(window);
  std::vector<ConnectionResult> results(connections.size());
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < connections.size(); ++i) {
      threads.emplace_back([&, i] { Drive(*connections[i], workload, source, results[i]); });
    }
  }

  BenchReport report;
  report.config = config;
  CallerStats total;
  for (const ConnectionResult& result : results) {
    total.Merge(result.stats);
    if (result.status.ok()) continue;
    ++report.errors;
    if (report.first_error.empty()) {
      report.first_error = absl::StrCat(absl::StatusCodeToString(result.status.code()), ": ",
                                        result.status.message());
    }
  }
  report.records = total.units;
  report.requests = total.requests;
  report.seconds =
      total.last_reply > window.measure_start
          ? std::chrono::duration<double>(total.last_reply - window.measure_start).count()
          : 0;
  report.latency_ns = std::move(total.latency_ns);
  return report;
}

}  // namespace sealtrail::bench
