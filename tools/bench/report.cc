#include "bench/report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/display_text.h"
#include "nlohmann/json.hpp"

namespace sealtrail::bench {
namespace {

// `value` to `decimals` places, as the nearest double to the decimal so JSON prints it short.
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// Nanoseconds as milliseconds to the microsecond.
double Millis(uint64_t nanos) { return Round(static_cast<double>(nanos) / 1e6, 3); }

}  // namespace

std::string FormatJson(const BenchReport& report) {
  const BenchConfig& config = report.config;
  const LatencyHistogram& latency = report.latency_ns;
  nlohmann::ordered_json json = {
      {"mode", ModeName(config.mode)},
      {"records", report.records},
      {"seconds", Round(report.seconds, 3)},
      {"records_per_s", Round(report.records_per_s(), 0)},
      {"mb_per_s", Round(report.mb_per_s(), 2)},
      {"errors", report.errors},
      {"latency_ms",
       {{"p50", Millis(latency.Percentile(0.50))},
        {"p90", Millis(latency.Percentile(0.90))},
        {"p99", Millis(latency.Percentile(0.99))},
        {"p999", Millis(latency.Percentile(0.999))},
        {"max", Millis(latency.max())}}},
      {"requests", report.requests},
      {"requests_per_s", Round(report.requests_per_s(), 0)},
      {"concurrency", config.concurrency},
      {"channels", config.channels},
      {"batch", config.UnitsPerRequest()},
      {"rate", config.rate},
      {"record_bytes", Round(report.record_bytes, 1)},
  };
  if (config.mode == Mode::kAppendStream) json["window"] = config.window;
  if (config.rate > 0) json["unsent"] = report.unsent;
  for (const auto& [name, value] : report.extra) json[name] = value;
  if (!report.first_error.empty()) json["first_error"] = report.first_error;
  return json.dump();
}

std::string FormatText(const BenchReport& report) {
  const BenchConfig& config = report.config;
  const LatencyHistogram& latency = report.latency_ns;
  std::string text =
      absl::StrFormat("mode %s: concurrency %u, channels %u, %u per request", ModeName(config.mode),
                      config.concurrency, config.channels, config.UnitsPerRequest());
  if (config.mode == Mode::kAppendStream) absl::StrAppend(&text, ", window ", config.window);
  if (config.rate > 0) {
    absl::StrAppend(&text, ", open loop at ", config.rate,
                    IsAppendMode(config.mode) ? " records/s" : " requests/s");
  } else {
    absl::StrAppend(&text, ", closed loop");
  }
  absl::StrAppend(&text, "\n");
  if (IsAppendMode(config.mode)) {
    absl::StrAppend(
        &text, absl::StrFormat("records   %d in %.3f s: %.0f records/s, %.2f MB/s "
                               "(%.0f-byte records), %.0f requests/s\n",
                               report.records, report.seconds, report.records_per_s(),
                               report.mb_per_s(), report.record_bytes, report.requests_per_s()));
  } else {
    absl::StrAppend(&text,
                    absl::StrFormat("requests  %d in %.3f s: %.0f requests/s\n", report.requests,
                                    report.seconds, report.requests_per_s()));
  }
  absl::StrAppend(
      &text, absl::StrFormat("latency   p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
                             "max %.3f ms\n",
                             Millis(latency.Percentile(0.50)), Millis(latency.Percentile(0.90)),
                             Millis(latency.Percentile(0.99)), Millis(latency.Percentile(0.999)),
                             Millis(latency.max())));
  for (const auto& [name, value] : report.extra) {
    absl::StrAppend(&text, absl::StrFormat("%-9s %.2f\n", name, value));
  }
  if (report.unsent > 0) {
    absl::StrAppend(&text, absl::StrFormat("unsent    %d requests were due but never sent: the "
                                           "target rate was not sustained\n",
                                           report.unsent));
  }
  absl::StrAppend(&text, absl::StrFormat("errors    %d\n", report.errors));
  if (!report.first_error.empty()) {
    // The server's message, escaped for the terminal.
    absl::StrAppend(&text, "first     ", cli::DisplayMessage(report.first_error), "\n");
  }
  return text;
}

}  // namespace sealtrail::bench
