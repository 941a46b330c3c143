// ServerOptions: everything sealtraild can be configured with, from flags or a TOML config file of
// the same names (sealtraild --config; docs/server.md lists them). The defaults run a local
// server on loopback.
#ifndef SEALTRAIL_SERVER_SERVICE_SERVER_OPTIONS_H_
#define SEALTRAIL_SERVER_SERVICE_SERVER_OPTIONS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sealtrail/env.h"
#include "sealtrail/log.h"
#include "server/auth/jwt_verifier.h"
#include "server/index/index_options.h"
#include "server/otlp/otlp_mapping.h"
#include "server/service/defaults.h"

namespace sealtrail {
struct ServerOptions {
  // HOST:PORT to listen on; port 0 picks a free port (see AuditServer::port()).
  std::string listen{kDefaultServerAddress};
  // The data directory; created if missing.
  std::string data_dir = "./data";
  // The checkpoint signing key file. Empty: DATA_DIR/dev-signing.key, generated on first start
  // with its verifier key beside it in DATA_DIR/dev-signing.vkey.
  std::string key_file;
  // How often the background signer checkpoints a grown log.
  int64_t checkpoint_interval_ms = 1000;
  // kDurable acknowledges only what is on disk; kNone is for benchmarks.
  SyncPolicy sync = SyncPolicy::kDurable;
  // Largest stored record (serialized AuditRecord), in bytes.
  uint32_t max_record_bytes = 64 * 1024;
  // Leaves per segment as a power of two; 0: the data directory's own (16 for a new one).
  uint32_t leaves_per_segment_log2 = 0;
  // The index directory. Empty: DATA_DIR/index.
  std::string index_dir;
  IndexOptions index;
  // Most records one append batch may carry, and the most bytes of records the server holds in
  // flight (queued, not yet durable) before it answers RESOURCE_EXHAUSTED.
  uint32_t max_batch_records = 10000;
  uint64_t max_inflight_bytes = uint64_t{256} << 20;
  // Largest gRPC message accepted, in bytes.
  uint32_t max_message_bytes = 64u << 20;

  // Transport (server/service/transport_security.h). TLS certificate chain and private key, PEM;
  // both or neither. Neither: plaintext, which only a loopback `listen` address may use.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Mutual TLS: every client must present a certificate signed by this CA (PEM). Needs TLS.
  std::string tls_client_ca_file;
  // JSON map from client certificate CN to identity (server/service/authenticator.h). Needs
  // mutual TLS.
  std::string client_identities_file;

  // Bearer and actor tokens (server/service/token_verifier.h). JWKS or PEM files whose keys
  // verify tokens. Empty: the data directory's dev credentials and DATA/dev-token.
  std::vector<std::string> jwt_key_files;
  // Issuer, audience (both required with jwt_key_files), leeway and claim names.
  JwtVerifierOptions jwt;
  // CIDRs of proxies whose x-forwarded-for is believed (server/service/client_address.h).
  std::vector<std::string> trusted_proxies;
  // Tenants whose records must carry a valid actor token: others are refused with
  // PERMISSION_DENIED instead of being stored unverified.
  std::set<std::string> require_verified_actor;
  // Identical denials within this window are recorded as one counted event
  // (server/service/denial_recorder.h), and at most this many distinct ones are tracked.
  int64_t denial_window_ms = 10'000;
  uint32_t max_denial_keys = 10'000;
  // OTLP logs ingestion (docs/otlp.md). OTLP/gRPC is always on the main port. OTLP/HTTP's
  // HOST:PORT (POST /v1/logs), with the same TLS as the gRPC port; empty: no HTTP listener
  // (sealtraild's own default is 127.0.0.1:4318).
  std::string otlp_http_listen;
  // Largest OTLP/HTTP body, as sent and decompressed.
  uint64_t otlp_http_max_body_bytes = uint64_t{16} << 20;
  // Which attributes of a log record fill which fields of the audit record.
  OtlpMappingOptions otlp_mapping;

  // Detection (docs/detection.md). The rules file or directory; empty: no detection rules.
  std::string rules_path;
  // The webhook endpoints file; empty: alerts are recorded but not delivered.
  std::string webhooks_file;
  // How often the integrity auditor re-verifies the sealed segments (it also does at start).
  int64_t integrity_scan_period_ms = 600'000;

  // Not owned; nullptr: Env::Default(). Its clock assigns commit times.
  Env* env = nullptr;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_SERVER_OPTIONS_H_
