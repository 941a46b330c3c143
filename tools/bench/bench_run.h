// RunBench: one load run against a running sealtraild, as BenchConfig says: opens the channels,
// builds the request pool, starts the callers on a closed- or open-loop TicketSource, prints a
// progress line every second if asked, and merges what the callers measured.
#ifndef SEALTRAIL_TOOLS_BENCH_BENCH_RUN_H_
#define SEALTRAIL_TOOLS_BENCH_BENCH_RUN_H_

#include <ostream>

#include "absl/status/statusor.h"
#include "bench/bench_config.h"
#include "bench/report.h"

namespace sealtrail::bench {

// The run's report; failed requests are counted in it (report.errors, report.first_error).
// Errors: UNAVAILABLE if the server cannot be reached; FAILED_PRECONDITION for the prove mode on
// an empty log; DEADLINE_EXCEEDED if calls were still running long after every deadline (then
// the callers are leaked, not destroyed under gRPC's feet). `progress` (may be null) gets the
// progress lines when config.progress is set.
[[nodiscard]] absl::StatusOr<BenchReport> RunBench(const BenchConfig& config,
                                                   std::ostream* progress);

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_BENCH_RUN_H_
