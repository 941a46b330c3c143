// sealtraild: the sealtrail server. Flags (or a TOML config file of the same names) configure an
// AuditServer (server/service/server.h); SIGTERM or SIGINT shut it down in order: stop accepting,
// finish in-flight appends, sign a final checkpoint, close. Every event goes to stderr as one JSON
// line. docs/server.md documents the flags.
#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/service/event_log.h"
#include "server/service/server.h"
#include "server/service/server_options.h"

namespace {

// Writes the bound port to `path` atomically, for scripts and tests that start the server on
// port 0 and need to know where it listens.
bool WritePortFile(const std::string& path, int port) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  sealtrail::ServerOptions options;
  std::string sync = "durable";
  uint64_t index_cache_mb = options.index.block_cache_bytes >> 20;
  uint64_t index_write_buffer_mb = options.index.write_buffer_bytes >> 20;
  std::string port_file;

  CLI::App app(
      "sealtraild: the sealtrail audit-log server (gRPC: AuditLog, Prover, health, reflection).",
      "sealtraild");
  app.set_config("--config", "", "Read these flags from a TOML file (key = value, flag names)");
  app.add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--data", options.data_dir, "Data directory (created if missing)")
      ->capture_default_str();
  app.add_option("--key", options.key_file,
                 "Checkpoint signing key file (default: DATA/dev-signing.key, generated on first "
                 "start, with its verifier key in DATA/dev-signing.vkey)");
  app.add_option("--checkpoint-interval-ms", options.checkpoint_interval_ms,
                 "Sign a checkpoint of a grown log at most this often")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  app.add_option("--sync", sync, "durable: acknowledge only what is on disk; none: benchmarks only")
      ->capture_default_str()
      ->check(CLI::IsMember({"durable", "none"}));
  app.add_option("--max-record-bytes", options.max_record_bytes, "Largest stored record, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(256u, 64u << 20));
  app.add_option("--max-batch-records", options.max_batch_records,
                 "Most records in one AppendRequest")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 20));
  app.add_option("--segment-leaves-log2", options.leaves_per_segment_log2,
                 "Leaves per segment as a power of two, for a new data directory (0: 16)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 24u));
  app.add_option("--index-dir", options.index_dir, "Index directory (default: DATA/index)");
  app.add_option("--index-cache-mb", index_cache_mb, "RocksDB block cache, MiB")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
  app.add_option("--index-write-buffer-mb", index_write_buffer_mb, "RocksDB memtable size, MiB")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 16));
  app.add_option("--index-compress", options.index.compress, "LZ4-compress index blocks")
      ->capture_default_str();
  app.add_option("--index-verify-on-open", options.index.verify_checksums_on_open,
                 "Check every index block's checksum at start (a corrupt index is rebuilt)")
      ->capture_default_str();
  app.add_option("--port-file", port_file, "Write the bound port to this file once listening");
  app.footer(
      "Example: sealtraild --data ./data --listen 127.0.0.1:7700\n"
      "Stop with SIGTERM or Ctrl-C: in-flight appends finish and a final checkpoint is signed.");
  CLI11_PARSE(app, argc, argv);
  options.sync = sync == "durable" ? sealtrail::SyncPolicy::kDurable : sealtrail::SyncPolicy::kNone;
  options.index.block_cache_bytes = static_cast<size_t>(index_cache_mb) << 20;
  options.index.write_buffer_bytes = static_cast<size_t>(index_write_buffer_mb) << 20;

  // Block the shutdown signals in every thread (gRPC's and ours inherit this mask), and take
  // them synchronously below with sigwait: no async-signal-safety puzzles.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);

  // Debian's Abseil checks every lock acquisition for lock-order cycles, a few percent of the
  // server's CPU. The tests keep the check on; the daemon does without it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  sealtrail::EventLog events;
  auto server = sealtrail::AuditServer::Start(options, &events);
  if (!server.ok()) {
    events.Error("start_failed", {{"error", server.status().ToString()}});
    return 1;
  }
  if (!port_file.empty() && !WritePortFile(port_file, (*server)->port())) {
    events.Error("port_file_failed", {{"path", port_file}});
    (void)(*server)->Shutdown();
    return 1;
  }

  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  events.Info("signal", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  absl::Status stopped = (*server)->Shutdown();
  if (!stopped.ok()) {
    events.Error("shutdown_failed", {{"error", stopped.ToString()}});
    return 1;
  }
  return 0;
}
