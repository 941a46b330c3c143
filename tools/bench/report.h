// BenchReport: the figures of one run, printed as lines for people or as one JSON object.
#ifndef SEALTRAIL_TOOLS_BENCH_REPORT_H_
#define SEALTRAIL_TOOLS_BENCH_REPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "bench/bench_config.h"
#include "bench/latency_histogram.h"

namespace sealtrail::bench {

struct BenchReport {
  BenchConfig config;
  uint64_t records = 0;     // Records appended, or requests completed for query and prove.
  uint64_t requests = 0;    // Completed requests.
  double seconds = 0;       // From the end of the warm-up to the last measured reply.
  double record_bytes = 0;  // Mean serialized record size sent (append modes), else 0.
  uint64_t errors = 0;      // Failed requests.
  std::string first_error;  // "CODE: message" of the first failure.
  uint64_t unsent = 0;      // Open loop: due requests never sent (the client fell behind).
  LatencyHistogram latency_ns;
  std::map<std::string, double> extra;  // Mode-specific figures, e.g. "results_per_query".

  double records_per_s() const { return seconds > 0 ? records / seconds : 0; }
  double requests_per_s() const { return seconds > 0 ? requests / seconds : 0; }
  double mb_per_s() const { return records_per_s() * record_bytes / 1e6; }
};

// One JSON object on one line: mode, records, seconds, records_per_s, mb_per_s, errors,
// latency_ms {p50, p90, p99, p999, max}, and the run's settings and extra figures.
std::string FormatJson(const BenchReport& report);
// A few lines for people.
std::string FormatText(const BenchReport& report);

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_REPORT_H_
