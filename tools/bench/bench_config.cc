#include "bench/bench_config.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "cli/flags.h"
#include "server/service/defaults.h"

namespace sealtrail::bench {
namespace {

const std::map<std::string, Mode>& ModesByName() {
  static const auto* modes = new std::map<std::string, Mode>{
      {"append-stream", Mode::kAppendStream},
      {"append-batch", Mode::kAppendBatch},
      {"append-unary", Mode::kAppendUnary},
      {"otlp", Mode::kOtlp},
      {"query", Mode::kQuery},
      {"prove", Mode::kProve},
  };
  return *modes;
}

absl::Status Invalid(absl::string_view flag, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " ", problem));
}

}  // namespace

std::string ModeName(Mode mode) {
  for (const auto& [name, value] : ModesByName()) {
    if (value == mode) return name;
  }
  return "unknown";
}

bool IsAppendMode(Mode mode) {
  return mode == Mode::kAppendStream || mode == Mode::kAppendBatch || mode == Mode::kAppendUnary ||
         mode == Mode::kOtlp;
}

uint32_t BenchConfig::UnitsPerRequest() const {
  return mode == Mode::kAppendStream || mode == Mode::kAppendBatch || mode == Mode::kOtlp ? batch
                                                                                          : 1;
}

uint64_t BenchConfig::RequestLimit() const {
  if (count == kNoCountLimit) return kNoCountLimit;
  const uint64_t units = UnitsPerRequest();
  return count / units + (count % units != 0 ? 1 : 0);
}

void AddRecordAndReportFlags(CLI::App& app, BenchConfig& values) {
  app.add_option("--record-size", values.record_size, "Approximate serialized record size")
      ->capture_default_str()
      ->check(cli::DecimalUint64())
      ->check(CLI::Range(64u, 60000u));
  app.add_option("--tenants", values.tenants, "Distinct tenants")
      ->capture_default_str()
      ->check(cli::DecimalUint64())
      ->check(CLI::Range(1u, 1u << 24));
  app.add_option("--actors", values.actors, "Distinct actors (each belongs to one tenant)")
      ->capture_default_str()
      ->check(cli::DecimalUint64())
      ->check(CLI::Range(1u, 1u << 24));
  app.add_option("--seed", values.seed, "Seed of the generated records and request choices")
      ->capture_default_str()
      ->check(cli::DecimalUint64());
  app.add_flag("--json", values.json, "Print the report as one JSON object");
  app.add_option("--warmup", values.warmup_s, "Seconds to run before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

void ApplyRunBounds(bool has_duration, bool has_count, BenchConfig& config) {
  if (!has_count) config.count = kNoCountLimit;
  if (!has_duration) config.duration_s = has_count ? kCountOnlyDurationLimitS : 10;
}

BenchFlags::BenchFlags(CLI::App& app) {
  server_option_ =
      app.add_option("--server", server_,
                     absl::StrCat("HOST:PORT of sealtraild (default: $", kServerAddressEnv,
                                  ", then ", kDefaultServerAddress, ")"));
  std::vector<std::string> names;
  for (const auto& entry : ModesByName()) names.push_back(entry.first);
  app.add_option("--mode", mode_, "What to drive")
      ->capture_default_str()
      ->check(CLI::IsMember(names));
  duration_option_ =
      app.add_option("--duration", values_.duration_s,
                     "Seconds to measure (default 10, or up to 3600 when only --count is given)")
          ->check(CLI::PositiveNumber);
  count_option_ = app.add_option("--count", values_.count,
                                 "Records (append modes) or requests (query, prove) to measure")
                      ->check(cli::DecimalUint64())
                      ->check(CLI::PositiveNumber);
  app.add_option("--concurrency", values_.concurrency, "Concurrent callers or streams")
      ->capture_default_str()
      ->check(cli::DecimalUint64())
      ->check(CLI::Range(1u, 4096u));
  channels_option_ =
      app.add_option("--channels", values_.channels,
                     "gRPC channels, each its own TCP connection (default min(concurrency, 4))")
          ->check(cli::DecimalUint64())
          ->check(CLI::Range(1u, 256u));
  batch_option_ =
      app.add_option("--batch", values_.batch,
                     "Records per AppendRequest or OTLP Export (append-unary: always 1)")
          ->capture_default_str()
          ->check(cli::DecimalUint64())
          ->check(CLI::Range(1u, 100000u));
  app.add_option("--window", values_.window, "Requests in flight per stream (append-stream)")
      ->capture_default_str()
      ->check(cli::DecimalUint64())
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--rate", values_.rate,
                 "Open loop: total target records/s (append modes) or requests/s (query, prove), "
                 "latency measured from each request's scheduled time; 0: closed loop")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  AddRecordAndReportFlags(app, values_);
  progress_option_ = app.add_flag("--progress", values_.progress,
                                  "A progress line on stderr every second (default: when stderr "
                                  "is a terminal)");
  app.add_option("--call-timeout", values_.call_timeout_s,
                 "Seconds a unary call may take; a stream may take the run's time plus this")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  credentials_.AddTo(&app, /*with_data_dir=*/true);
}

absl::StatusOr<BenchConfig> BenchFlags::ToConfig(const char* env_server, bool stderr_is_tty) const {
  BenchConfig config = values_;
  if (server_option_->count() > 0) {
    config.server = server_;
  } else if (env_server != nullptr && env_server[0] != '\0') {
    config.server = env_server;
  } else {
    config.server = kDefaultServerAddress;
  }
  config.mode = ModesByName().at(mode_);

  const bool has_duration = duration_option_->count() > 0;
  const bool has_count = count_option_->count() > 0;
  ApplyRunBounds(has_duration, has_count, config);

  if (channels_option_->count() == 0) config.channels = std::min<uint32_t>(config.concurrency, 4);
  if (config.channels > config.concurrency) {
    return Invalid("--channels",
                   absl::StrCat("(", config.channels, ") cannot exceed --concurrency (",
                                config.concurrency, ")"));
  }
  if (config.mode == Mode::kAppendUnary) {
    if (batch_option_->count() > 0 && config.batch != 1) {
      return Invalid("--batch", "must be 1 (or left out) for append-unary");
    }
    config.batch = 1;
  }
  if (!std::isfinite(config.rate)) return Invalid("--rate", "must be a finite number");
  if (config.rate > 0) {
    const double requests_per_s = config.rate / config.UnitsPerRequest();
    if (requests_per_s > 10e6) return Invalid("--rate", "asks for over 10M requests/s");
    if (requests_per_s * config.duration_s < 1) {
      return Invalid("--rate", "is too low to send even one request in --duration");
    }
  }
  if (progress_option_->count() == 0) config.progress = stderr_is_tty;
  return config;
}

}  // namespace sealtrail::bench
