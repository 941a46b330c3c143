// Inside HttpServer (http_server.h): what the listener shares with its connections, and the two
// kinds of connection. Not for use outside server/http.
//
// Lifetimes: ServerCore outlives the io_context, which outlives every connection. The registry
// holds each live connection; a responder holds it weakly, and posts to it only while the gate is
// open (Stop closes the gate before it stops the io_context). The gate is shared with every
// responder, so one called late, even after the server is gone, reaches no destroyed connection,
// event loop or server.
#ifndef SEALTRAIL_SERVER_HTTP_HTTP_CONNECTION_H_
#define SEALTRAIL_SERVER_HTTP_HTTP_CONNECTION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "server/http/http_server.h"

namespace sealtrail {

class HttpConnection {
 public:
  virtual ~HttpConnection() = default;
  // Closes the connection unless a request is being answered, which then closes after its reply.
  // From any thread.
  virtual void Shutdown() = 0;
};

// Open while the event loop runs.
struct ResponderGate {
  absl::Mutex mu;
  bool open ABSL_GUARDED_BY(mu) = true;
};

struct ServerCore {
  ServerCore(HttpServerOptions server_options, HttpRoutes server_routes)
      : options(std::move(server_options)), routes(std::move(server_routes)) {}

  // Drops `id` from the registry (the last reference may be the caller's).
  void Remove(uint64_t id) {
    std::shared_ptr<HttpConnection> removed;
    absl::MutexLock lock(&mu);
    auto it = live.find(id);
    if (it == live.end()) return;
    removed = std::move(it->second);
    live.erase(it);
  }

  const HttpServerOptions options;
  const HttpRoutes routes;

  const std::shared_ptr<ResponderGate> gate = std::make_shared<ResponderGate>();

  absl::Mutex mu;
  std::map<uint64_t, std::shared_ptr<HttpConnection>> live ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
  uint64_t next_id ABSL_GUARDED_BY(mu) = 0;
};

// Registers and starts a connection on `socket` (whose executor is a strand of its own). With
// `tls` non-null, a TLS handshake comes first. The peer is "127.0.0.1"/"::1" and a port. False
// if the server is stopping (the socket is then closed).
bool StartHttpConnection(ServerCore* core, boost::asio::ip::tcp::socket socket,
                         boost::asio::ssl::context* tls);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_HTTP_HTTP_CONNECTION_H_
