// OtlpHttpServer: OTLP/HTTP, POST /v1/logs (docs/otlp.md), served by sealtraild's HttpServer
// (server/http/http_server.h: deadlines, connection limit, strict framing) on its own port
// (sealtraild --otlp-http-listen, 127.0.0.1:4318 by default). A thin edge around OtlpIngest,
// like OtlpLogsService:
//   - Content-Type application/x-protobuf (or application/protobuf) or application/json
//     (OTLP/JSON, otlp_json.h); anything else is 415. The reply uses the request's encoding.
//   - Content-Encoding gzip or deflate is decoded whole or refused (400: truncated or not the
//     format; content_coding.h). The body is bounded twice by max_body_bytes, as sent and as
//     decompressed (a zip bomb is refused after max_body_bytes); both are 413. A refused body is
//     read on and dropped, up to 64 MiB more, so that the client, still sending, receives the 413
//     rather than a connection reset; a Content-Length beyond that is refused unread and the
//     connection closed. Refusals of the HTTP layer have a google.rpc.Status body too.
//   - The caller is authenticated from "Authorization: Bearer <JWT>" or, with mutual TLS, the
//     client certificate; the source IP is the peer (x-forwarded-for from trusted proxies only);
//     the "sealtrail-actor-token" header is the call's actor token. Refusals are recorded as
//     denials, with method "POST /v1/logs".
//   - The reply is sent once the accepted records are durable: 200 with ExportLogsServiceResponse
//     (partial success), or the status of otlp_status.h with a google.rpc.Status body.
// Transport: TLS with the server's certificate and key when given (mutual TLS with a client CA),
// else plaintext, which only a loopback address may use.
//
// Thread-safety: Start and Stop from one thread. Requests run on the HTTP server's event loop and
// are answered from the append pipeline's thread once durable; none blocks a thread meanwhile.
#ifndef SEALTRAIL_SERVER_OTLP_OTLP_HTTP_SERVER_H_
#define SEALTRAIL_SERVER_OTLP_OTLP_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/otlp/otlp_ingest.h"
#include "server/service/access_control.h"

namespace sealtrail {

struct OtlpHttpOptions {
  // HOST:PORT; port 0 picks a free port (see OtlpHttpServer::port()).
  std::string listen;
  // PEM files: TLS certificate chain and key (both or neither), and for mutual TLS the CA that
  // signs client certificates.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // Largest body, as sent and decompressed.
  uint64_t max_body_bytes = 16u << 20;
  // Connections open at once; more are refused (503) and closed.
  int max_connections = 1024;
  // Told of failures outside any request (accept errors, the connection limit reached): the
  // server log.
  std::function<void(const absl::Status&)> on_error;
};

class OtlpHttpServer {
 public:
  // Binds and starts serving. `ingest` and `access` are not owned and must outlive the server.
  // INVALID_ARGUMENT for a listen address that is not HOST:PORT, plaintext on a non-loopback
  // host, or TLS files that cannot be loaded; UNAVAILABLE naming the address if it cannot be
  // bound (another process listens there: the port is never shared).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<OtlpHttpServer>> Start(
      const OtlpHttpOptions& options, const OtlpIngest* ingest, const AccessControl* access);

  // Stops (see Stop).
  ~OtlpHttpServer();
  OtlpHttpServer(const OtlpHttpServer&) = delete;
  OtlpHttpServer& operator=(const OtlpHttpServer&) = delete;

  // The bound port.
  int port() const;

  // Stops accepting, lets the requests being served finish (their replies are sent), and joins
  // the server's threads. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit OtlpHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_OTLP_HTTP_SERVER_H_
