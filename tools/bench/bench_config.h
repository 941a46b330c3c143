// BenchConfig: what one sealtrail-bench run does, and BenchFlags, the command line that fills it
// in. docs/benchmarks.md shows the runs we record.
#ifndef SEALTRAIL_TOOLS_BENCH_BENCH_CONFIG_H_
#define SEALTRAIL_TOOLS_BENCH_BENCH_CONFIG_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/client_credentials.h"
#include "cli/credential_flags.h"

namespace sealtrail::bench {

enum class Mode {
  kAppendStream,  // AuditLog.AppendStream, up to `window` requests in flight per stream.
  kAppendBatch,   // AuditLog.Append with `batch` records per call.
  kAppendUnary,   // AuditLog.Append with one record per call.
  kOtlp,          // OTLP logs LogsService/Export with `batch` log records per call.
  kQuery,         // AuditLog.Query: an actor's newest 100 events in a tenant.
  kProve,         // Prover.ProveInclusion by a random seq below the latest checkpoint.
};

std::string ModeName(Mode mode);
bool IsAppendMode(Mode mode);

// No bound on the measured duration or count.
inline constexpr double kNoDurationLimit = std::numeric_limits<double>::infinity();
inline constexpr uint64_t kNoCountLimit = std::numeric_limits<uint64_t>::max();
// The time bound of a run given only --count: it still ends.
inline constexpr double kCountOnlyDurationLimitS = 3600;

struct BenchConfig {
  std::string server;  // HOST:PORT.
  Mode mode = Mode::kAppendStream;
  // Bounds of the measured part of the run: seconds, and records (append modes) or requests
  // (query, prove). Whichever is reached first ends it.
  double duration_s = 10;
  uint64_t count = kNoCountLimit;
  uint32_t concurrency = 1;    // Concurrent callers (unary calls) or streams.
  uint32_t channels = 1;       // gRPC channels, each its own TCP connection.
  uint32_t batch = 256;        // Records per AppendRequest (1 for append-unary).
  uint32_t window = 8;         // Requests in flight per stream (append-stream).
  double rate = 0;             // Target records/s (append modes) or requests/s; 0: closed loop.
  uint32_t record_size = 300;  // Approximate serialized AuditRecord size, bytes.
  uint32_t tenants = 10;
  uint32_t actors = 1000;
  uint64_t seed = 1;
  bool json = false;
  double warmup_s = 1;  // Run before measuring; its requests are not counted.
  bool progress = false;
  double call_timeout_s = 30;            // Per unary call; a stream gets the run's time plus this.
  cli::ClientCredentials credentials{};  // Token and TLS, on every channel.

  // Records per request: `batch` for append-stream and append-batch, else 1 (query and prove
  // count requests).
  uint32_t UnitsPerRequest() const;
  // Requests that make up `count` (rounded up to whole requests), or kNoCountLimit.
  uint64_t RequestLimit() const;
};

// Adds the flags every loader of generated records takes (sealtrail-bench, and bench/compare's
// sealtrail-pgload): --record-size, --tenants, --actors, --seed, --json and --warmup, filling
// in `values`, which must outlive parsing.
void AddRecordAndReportFlags(CLI::App& app, BenchConfig& values);
// The bounds of a run given --duration and --count as parsed: no count limit without --count;
// without --duration, 10 s, or kCountOnlyDurationLimitS when only --count was given.
void ApplyRunBounds(bool has_duration, bool has_count, BenchConfig& config);

// The command line. Construct it on the app before parsing, then call ToConfig.
class BenchFlags {
 public:
  explicit BenchFlags(CLI::App& app);

  // The config of the parsed flags, with the defaults that depend on other flags and on the
  // environment (`env_server`: $SEALTRAIL_SERVER or null; `stderr_is_tty` for --progress).
  // INVALID_ARGUMENT naming the flag for a bad combination. Credentials are left empty: they
  // come from credential_flags(), resolved with cli::ResolveClientCredentials.
  absl::StatusOr<BenchConfig> ToConfig(const char* env_server, bool stderr_is_tty) const;

  // The credential flags (--token, --token-file, --tls-*, --data) as given.
  cli::CredentialFlags credential_flags() const { return credentials_.Given(); }

 private:
  BenchConfig values_;
  std::string server_;
  std::string mode_ = "append-stream";
  CLI::Option* server_option_ = nullptr;
  CLI::Option* duration_option_ = nullptr;
  CLI::Option* count_option_ = nullptr;
  CLI::Option* channels_option_ = nullptr;
  CLI::Option* batch_option_ = nullptr;
  CLI::Option* progress_option_ = nullptr;
  cli::CredentialFlagSet credentials_;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_BENCH_CONFIG_H_
