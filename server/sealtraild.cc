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
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/service/event_log.h"
#include "server/service/server.h"
#include "server/service/server_options.h"
#include "version/version.h"

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
  options.otlp_http_listen = sealtrail::kDefaultOtlpHttpAddress;
  int64_t jwt_leeway_s = absl::ToInt64Seconds(options.jwt.leeway);
  int64_t jwt_max_lifetime_s = absl::ToInt64Seconds(options.jwt.max_lifetime);

  CLI::App app(
      "sealtraild: the sealtrail audit-log server (gRPC: AuditLog, Prover, OTLP logs, health, "
      "reflection; OTLP/HTTP logs).",
      "sealtraild");
  app.set_version_flag("--version", sealtrail::VersionLine("sealtraild"));
  CLI::Option* config = app.set_config(
      "--config", "",
      "Read these flags from a TOML file (key = value, flag names); an unknown key is an error");
  // A misspelled key ("lisen") would otherwise be ignored and its default used in silence.
  app.allow_config_extras(CLI::config_extras_mode::error);
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
  app.add_option("--tls-cert", options.tls_cert_file,
                 "TLS certificate chain, PEM (with --tls-key; without both: plaintext, loopback "
                 "only)");
  app.add_option("--tls-key", options.tls_key_file, "TLS private key, PEM");
  app.add_option("--tls-client-ca", options.tls_client_ca_file,
                 "Mutual TLS: require client certificates signed by this CA, PEM");
  app.add_option("--client-identities", options.client_identities_file,
                 "JSON map from client certificate CN to {subject, roles, tenants}");
  app.add_option("--jwt-keys", options.jwt_key_files,
                 "JWKS or PEM file of keys verifying bearer and actor tokens (repeatable; "
                 "default: the data directory's dev key and DATA/dev-token)");
  app.add_option("--jwt-issuer", options.jwt.issuer, "Required token issuer (iss)");
  app.add_option("--jwt-audience", options.jwt.audience, "Required token audience (aud)");
  app.add_option("--jwt-leeway-s", jwt_leeway_s, "Clock leeway for exp, nbf and iat, seconds")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3600}));
  app.add_option("--jwt-max-lifetime-s", jwt_max_lifetime_s,
                 "Refuse tokens valid for longer than this (exp - iat, or exp - now without "
                 "iat), seconds; the default, 366 days, fits the dev token and sealtrail "
                 "dev-token --ttl")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{60}, int64_t{10} * 366 * 86400));
  app.add_option("--jwt-roles-claim", options.jwt.roles_claim, "Claim holding a caller's roles")
      ->capture_default_str();
  app.add_option("--jwt-tenants-claim", options.jwt.tenants_claim,
                 "Claim holding a caller's tenants (\"*\": all)")
      ->capture_default_str();
  app.add_option("--jwt-role-claim", options.jwt.role_claim, "Claim holding an end user's role")
      ->capture_default_str();
  app.add_option("--jwt-tenant-claim", options.jwt.tenant_claim,
                 "Claim holding an end user's tenant")
      ->capture_default_str();
  app.add_option("--trusted-proxy", options.trusted_proxies,
                 "CIDR of a proxy whose x-forwarded-for is believed (repeatable)");
  app.add_option("--require-verified-actor", options.require_verified_actor,
                 "Refuse this tenant's records without a valid actor token (repeatable)");
  app.add_option("--denial-window-ms", options.denial_window_ms,
                 "Identical refused requests within this window are recorded as one counted event")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  app.add_option("--otlp-http-listen", options.otlp_http_listen,
                 "HOST:PORT of OTLP/HTTP logs ingestion, POST /v1/logs (empty: off; OTLP/gRPC is "
                 "always on --listen)")
      ->capture_default_str();
  app.add_option("--otlp-http-max-body-bytes", options.otlp_http_max_body_bytes,
                 "Largest OTLP/HTTP body, as sent and decompressed")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 30));
  app.add_option("--otlp-tenant-attribute", options.otlp_mapping.attributes.tenant,
                 "OTLP log attribute (on the record or its resource) naming the tenant")
      ->capture_default_str();
  app.add_option("--otlp-action-attribute", options.otlp_mapping.attributes.action,
                 "OTLP log attribute naming the action")
      ->capture_default_str();
  app.add_option("--otlp-outcome-attribute", options.otlp_mapping.attributes.outcome,
                 "OTLP log attribute holding SUCCESS, FAILURE or DENIED")
      ->capture_default_str();
  app.add_option("--otlp-token-attribute", options.otlp_mapping.attributes.actor_token,
                 "OTLP log attribute holding the end user's JWT (verified, never stored)")
      ->capture_default_str();
  app.add_option("--rules", options.rules_path,
                 "Detection rules: a YAML file, or a directory of *.yaml/*.yml files "
                 "(docs/detection.md); reloaded on SIGHUP. Empty: no detection");
  app.add_option("--webhooks", options.webhooks_file,
                 "Webhook endpoints that alerts are delivered to, a YAML file (docs/detection.md)");
  app.add_option("--integrity-scan-period-ms", options.integrity_scan_period_ms,
                 "How often the integrity auditor re-verifies every sealed segment (and at start)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{7} * 24 * 3'600'000));
  app.footer(
      "Example: sealtraild --data ./data --listen 127.0.0.1:7700\n"
      "Stop with SIGTERM or Ctrl-C: in-flight appends finish and a final checkpoint is signed.\n"
      "SIGHUP reloads the --rules (a broken file is refused and the rules in force stay).");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ConfigError& e) {
    // CLI11 says "INI was not able to parse KEY"; name the key and the file in the operator's
    // words.
    std::string_view what = e.what();
    constexpr std::string_view kUnknownKey = "INI was not able to parse ";
    if (what.substr(0, kUnknownKey.size()) == kUnknownKey) {
      std::cerr << "sealtraild: unknown key \"" << what.substr(kUnknownKey.size())
                << "\" in the config file "
                << (config->results().empty() ? std::string() : config->results().back())
                << " (keys are the flag names without \"--\"; see sealtraild --help)\n";
      return e.get_exit_code();
    }
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.sync = sync == "durable" ? sealtrail::SyncPolicy::kDurable : sealtrail::SyncPolicy::kNone;
  options.index.block_cache_bytes = static_cast<size_t>(index_cache_mb) << 20;
  options.index.write_buffer_bytes = static_cast<size_t>(index_write_buffer_mb) << 20;
  options.jwt.leeway = absl::Seconds(jwt_leeway_s);
  options.jwt.max_lifetime = absl::Seconds(jwt_max_lifetime_s);

  // Block the shutdown signals in every thread (gRPC's and ours inherit this mask), and take
  // them synchronously below with sigwait: no async-signal-safety puzzles.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGHUP);
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
  while (true) {
    sigwait(&shutdown_signals, &signal_number);
    if (signal_number != SIGHUP) break;
    // The stage logs what it loaded or refused; the old rules stay on a refusal.
    events.Info("signal", {{"signal", "SIGHUP"}});
    (void)(*server)->ReloadRules();
  }
  events.Info("signal", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  absl::Status stopped = (*server)->Shutdown();
  if (!stopped.ok()) {
    events.Error("shutdown_failed", {{"error", stopped.ToString()}});
    return 1;
  }
  return 0;
}
