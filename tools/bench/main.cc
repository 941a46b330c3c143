// sealtrail-bench: a gRPC load generator for a running sealtraild. Flags in bench_config.cc;
// docs/benchmarks.md shows the runs we record. Exits 0 when every request succeeded, 1 when
// any failed (the first error is printed), 2 when the run could not start (bad flags included).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "bench/bench_config.h"
#include "bench/bench_run.h"
#include "bench/report.h"
#include "cli/client_credentials.h"
#include "cli/display_text.h"
#include "cli/usage_error.h"
#include "sealtrail/env.h"
#include "server/service/defaults.h"
#include "version/version.h"

int main(int argc, char** argv) {
  CLI::App app(
      "sealtrail-bench: drives a running sealtraild over gRPC and reports throughput "
      "and latency percentiles.",
      "sealtrail-bench");
  app.set_version_flag("--version", sealtrail::VersionLine("sealtrail-bench"));
  sealtrail::bench::BenchFlags flags(app);
  app.footer(
      "Examples:\n"
      "  sealtrail-bench --server 127.0.0.1:7700 --mode append-stream --concurrency 2\n"
      "  sealtrail-bench --mode append-unary --concurrency 64 --duration 20 --json\n"
      "  sealtrail-bench --mode append-stream --rate 75000   # open loop at 75k records/s\n"
      "  sealtrail-bench --data ./data --mode query          # a local server's dev token\n"
      "  sealtrail-bench --server audit.internal:7700 --tls-ca ca.pem --token-file bench.jwt\n"
      "\n"
      "Exit codes:\n"
      "  0  every request succeeded\n"
      "  1  some requests failed (the first error is printed)\n"
      "  2  the run could not start: bad flags, credentials, or no server");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);                     // --help, --version
    std::cerr << sealtrail::cli::UsageErrorText(e, "sealtrail-bench");  // Never a stray token.
    return 2;
  }
  // Debian's Abseil is built with Mutex deadlock detection on, so every mutex gRPC creates for a
  // call is entered into a global cycle graph (2-3% of the client's CPU in a prove run). The
  // bench's own locking is simple; the detector only costs time.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::StatusOr<sealtrail::bench::BenchConfig> config =
      flags.ToConfig(std::getenv(sealtrail::kServerAddressEnv), isatty(STDERR_FILENO) == 1);
  if (!config.ok()) {
    std::cerr << "sealtrail-bench: " << config.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<sealtrail::cli::ClientCredentials> credentials =
      sealtrail::cli::ResolveClientCredentials(sealtrail::Env::Default(), flags.credential_flags(),
                                               sealtrail::cli::CredentialEnvironment::FromProcess(),
                                               config->server, std::cerr);
  if (!credentials.ok()) {
    std::cerr << "sealtrail-bench: " << credentials.status().message() << "\n";
    return 2;
  }
  config->credentials = *std::move(credentials);
  absl::StatusOr<sealtrail::bench::BenchReport> report =
      sealtrail::bench::RunBench(*config, &std::cerr);
  if (!report.ok()) {
    // Server messages are shown escaped (display_text.h).
    std::cerr << "sealtrail-bench: " << sealtrail::cli::DisplayMessage(report.status().ToString())
              << "\n";
    return 2;
  }
  if (config->json) {
    std::cout << sealtrail::bench::FormatJson(*report) << std::endl;
  } else {
    std::cout << sealtrail::bench::FormatText(*report) << std::flush;
  }
  if (report->errors > 0) {
    std::cerr << "sealtrail-bench: " << report->errors << " requests failed; the first: "
              << sealtrail::cli::DisplayMessage(report->first_error) << "\n";
    return 1;
  }
  return 0;
}
