// AuditServer: sealtraild as a library. Opens the data directory (log, checkpoints, index),
// serves the sealtrail.v1 AuditLog and Prover services, gRPC health checking and server
// reflection, and shuts down cleanly. tools' sealtraild main() is flags and signals around it;
// tests start it in-process on port 0.
//
// Start-up order: log (recovery report logged), checkpoint store, signing key (a dev key is
// generated when none is configured), index (opened, caught up or rebuilt from the log; logged),
// append pipeline, access control (token keys, or the dev JWT key and DATA/dev-token; client
// identities; denial recorder), background checkpointer, then the gRPC listener (TLS, or
// plaintext on loopback only; it also serves OTLP/gRPC logs) and the OTLP/HTTP listener when
// configured (docs/otlp.md). Only then is the server reachable. Every AuditLog and Prover call
// is authenticated and authorized (docs/server.md, "Authentication and authorization").
//
// Shutdown order: stop accepting calls (gRPC, then OTLP/HTTP), let in-flight calls finish (appends
// become durable and are answered), record the pending denial counts, drain the append pipeline,
// sign a final checkpoint of everything acknowledged, close the index (flushed) and the log.
//
// Thread-safety: Shutdown and Wait may be called from any thread; Shutdown is idempotent.
#ifndef SEALTRAIL_SERVER_SERVICE_SERVER_H_
#define SEALTRAIL_SERVER_SERVICE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/service/event_log.h"
#include "server/service/server_options.h"

namespace sealtrail {

class AuditServer {
 public:
  // Starts the server. `events` is not owned and must outlive the server. Errors: those of
  // opening the log, the checkpoint store, the key (PERMISSION_DENIED for a key file others can
  // read) and the index; UNAVAILABLE if the listen address cannot be bound; INVALID_ARGUMENT for
  // bad options.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AuditServer>> Start(
      const ServerOptions& options, EventLog* events);

  // Shuts down (if not yet) and releases everything.
  ~AuditServer();
  AuditServer(const AuditServer&) = delete;
  AuditServer& operator=(const AuditServer&) = delete;

  // The bound port (the real one when options.listen asked for port 0).
  int port() const;
  // "127.0.0.1:PORT" (the listen host with the bound port), for clients.
  std::string address() const;
  // The bound OTLP/HTTP port; 0 when options.otlp_http_listen is empty.
  int otlp_http_port() const;
  // The verifier key of the checkpoint signing key, "name+keyid+base64".
  const std::string& verifier_key() const;

  // The orderly shutdown described above. Returns the first error met (e.g. the final
  // checkpoint could not be signed); the server is stopped either way.
  absl::Status Shutdown();
  // Blocks until Shutdown has finished.
  void Wait();

  // Loads the detection rules again (SIGHUP). OK when the new rules are in force; otherwise the
  // error (INVALID_ARGUMENT "FILE:LINE:COL: ...") and the old rules stay. FAILED_PRECONDITION
  // when the server runs without --rules.
  absl::Status ReloadRules();

  class Impl;

 private:
  explicit AuditServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_SERVER_H_
