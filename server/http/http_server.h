// HttpServer: sealtraild's one HTTP/1.1 server (docs/http.md), for OTLP/HTTP, metrics and the
// console. Event-driven (Boost.Asio, Boost.Beast's parser) on a few threads, so that slow or
// idle clients cost a socket each and block nobody:
//   - Deadlines per connection, each a total (a byte now and then does not extend it):
//     header_timeout for a whole request header (and the TLS handshake; also how long a
//     keep-alive connection may stay idle), body_timeout for the body, write_timeout for the
//     response. A connection past its deadline is closed.
//   - At most max_connections at once (and at most half the process's RLIMIT_NOFILE at Start);
//     one beyond is answered 503 (plaintext) and closed.
//   - Strict framing (request_framing.h): anything request smuggling could use is a 400 and the
//     connection is closed.
//   - Bodies bounded by max_body_bytes, as sent and as decoded from their Content-Encoding
//     (content_coding.h): 413. A body over the limit is read on and dropped, up to
//     max_drain_bytes more, so that a client still sending gets the 413 rather than a connection
//     reset; a declared Content-Length beyond that is refused unread and the connection closed.
//     A body that does not decode is 400; an unknown coding 415.
//   - Handlers by method and exact path; an unknown path is 404, a known path with another
//     method 405 with Allow.
//   - TLS (OpenSSL, TLS 1.2 or later) with a certificate and key, and mutual TLS with a client
//     CA (a certificate is then required); plaintext only on a loopback address.
//   - The listening socket is exclusive: SO_REUSEADDR only (never SO_REUSEPORT), so an address
//     another process listens on is refused at Start.
//
// Thread-safety: Start and Stop from one thread; handlers run on the event-loop threads.
#ifndef SEALTRAIL_SERVER_HTTP_HTTP_SERVER_H_
#define SEALTRAIL_SERVER_HTTP_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/http/http_message.h"

namespace sealtrail {

struct HttpServerOptions {
  // What the server is, in messages: "OTLP/HTTP".
  std::string name = "HTTP";
  // HOST:PORT; port 0 picks a free port (see HttpServer::port()).
  std::string listen;
  // PEM files: TLS certificate chain and key (both or neither), and for mutual TLS the CA that
  // signs client certificates.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  uint64_t max_body_bytes = 16u << 20;
  uint64_t max_drain_bytes = 64u << 20;
  uint32_t max_header_bytes = 64 * 1024;
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(60);
  absl::Duration write_timeout = absl::Seconds(30);
  // How long Stop waits for requests being handled to be answered.
  absl::Duration stop_grace = absl::Seconds(30);
  int max_connections = 1024;
  int threads = 2;
  // Told of what goes wrong outside any request: a failing accept (the loop retries), the
  // connection limit reached (at most every 10 s). Called on the server's threads.
  std::function<void(const absl::Status&)> on_error;
  // How a refusal the server decides itself (400, 404, 405, 413, 415, 431, ...) is rendered, from
  // the request's header (no body) once it was read; plain text when unset.
  std::function<HttpResponse(const HttpRequest& header, int status, const absl::Status& why)>
      error_response;
};

// Handlers by method and exact path ("POST", "/v1/logs").
class HttpRoutes {
 public:
  void Handle(const std::string& method, const std::string& path, HttpHandler handler) {
    handlers_[path][method] = std::move(handler);
  }
  const std::map<std::string, std::map<std::string, HttpHandler>>& handlers() const {
    return handlers_;
  }

 private:
  std::map<std::string, std::map<std::string, HttpHandler>> handlers_;
};

class HttpServer {
 public:
  // Binds, listens and starts serving. INVALID_ARGUMENT for a listen address that is not
  // HOST:PORT, plaintext on a non-loopback host, or TLS files that cannot be loaded; UNAVAILABLE
  // naming the address if it cannot be bound (in use, or not local).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                                         HttpRoutes routes);
  // Stops (see Stop).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port.
  int port() const;

  // Stops accepting, closes idle and unfinished connections, waits up to stop_grace for the
  // requests being handled to be answered (their replies are sent), then stops the threads.
  // Idempotent; never waits longer than stop_grace plus write_timeout.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_HTTP_HTTP_SERVER_H_
