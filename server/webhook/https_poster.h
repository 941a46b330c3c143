// HttpsPoster: one webhook POST at a time over HTTPS with libcurl, interruptible from another
// thread. Certificate verification is always on (peer and host name); TLS 1.2 at least; only
// https, no redirects followed (a 3xx is an answer like any other), no proxy (environment proxy
// variables are ignored). Connections are kept and reused between posts.
//
// Thread-safety: Post is called by one thread at a time (the endpoint's worker); Interrupt may be
// called from any thread at any time.
#ifndef SEALTRAIL_SERVER_WEBHOOK_HTTPS_POSTER_H_
#define SEALTRAIL_SERVER_WEBHOOK_HTTPS_POSTER_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sealtrail {

struct HttpsPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The whole attempt: connect, TLS handshake, request and response.
  absl::Duration timeout = absl::Seconds(15);
  // PEM CAs to trust instead of the system store; empty: the system store.
  std::string ca_file;
};

struct HttpsAnswer {
  int status = 0;
  // The start of the response body (at most kAnswerPrefixBytes), for error messages.
  std::string body_prefix;
};

class HttpsPoster {
 public:
  static constexpr size_t kAnswerPrefixBytes = 200;

  // INTERNAL if libcurl cannot be set up.
  static absl::StatusOr<std::unique_ptr<HttpsPoster>> Create();
  ~HttpsPoster();
  HttpsPoster(const HttpsPoster&) = delete;
  HttpsPoster& operator=(const HttpsPoster&) = delete;

  // Sends the POST and returns the server's answer, whatever its status. UNAVAILABLE with
  // libcurl's reason when no answer came: refused or reset connection, a TLS failure (e.g. "SSL
  // certificate problem: unable to get local issuer certificate"), or the timeout. CANCELLED if
  // Interrupt was called (before or during the post). Errors may name the host and port, never
  // the URL's path or query (they may hold a token).
  [[nodiscard]] absl::StatusOr<HttpsAnswer> Post(const HttpsPost& post);

  // Makes the current Post (within milliseconds) and every later one return CANCELLED.
  void Interrupt();

 private:
  struct Handles;
  explicit HttpsPoster(std::unique_ptr<Handles> handles);
  std::unique_ptr<Handles> handles_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_HTTPS_POSTER_H_
