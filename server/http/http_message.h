// The request a handler of HttpServer (http_server.h) receives and the response it gives back.
// Plain values: no library type, so that handlers (OTLP/HTTP, metrics, the console) do not
// depend on the HTTP library.
#ifndef SEALTRAIL_SERVER_HTTP_HTTP_MESSAGE_H_
#define SEALTRAIL_SERVER_HTTP_HTTP_MESSAGE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace sealtrail {

struct HttpRequest {
  std::string method;  // "POST"
  std::string path;    // The target without its query: "/v1/logs".
  std::string query;   // After '?', "" if none.
  // In the order received; names as sent (compare with HeaderValues, which ignores case).
  std::vector<std::pair<std::string, std::string>> headers;
  // Whole, and decoded from its Content-Encoding; at most the server's max_body_bytes.
  std::string body;
  // The peer: "127.0.0.1" or "::1", and its port.
  std::string peer_address;
  int peer_port = 0;
  // With mutual TLS, the subject CN of the client certificate TLS verified; "" otherwise.
  std::string client_certificate_cn;

  // The values of every field named `name` (any case), in order.
  std::vector<std::string> HeaderValues(absl::string_view name) const;
  // The first value of `name`, "" if none.
  std::string Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // Omitted when empty.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Close the connection after this response.
  bool close = false;
};

// Answers one request. Call it exactly once, from any thread; it does not block. Calls after the
// first, and calls after the server stopped, are ignored.
using HttpResponder = std::function<void(HttpResponse)>;

// Runs on one of the server's event-loop threads: it must not block (answer later through the
// responder, e.g. once records are durable).
using HttpHandler = std::function<void(HttpRequest, HttpResponder)>;

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_HTTP_HTTP_MESSAGE_H_
