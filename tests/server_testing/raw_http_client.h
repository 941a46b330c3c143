// RawHttpConnection: a plain TCP connection to 127.0.0.1 for HTTP tests that must send exact
// bytes (malformed framing, slow or idle clients), which an HTTP client library would normalise.
// Every wait is bounded. Not thread-safe; one per thread.
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_RAW_HTTP_CLIENT_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_RAW_HTTP_CLIENT_H_

#include <string>

#include "absl/time/time.h"

namespace sealtrail::testing {

class RawHttpConnection {
 public:
  // Connects to 127.0.0.1:`port`; connected() says whether it worked.
  explicit RawHttpConnection(int port);
  ~RawHttpConnection();
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `bytes`; false if the connection broke.
  bool Send(const std::string& bytes);
  // Half-closes: the server reads EOF after what was sent.
  void FinishSending();
  // One whole response (status line, header, Content-Length body) within `timeout`; "" if the
  // connection closed or the time ran out first. Interim 1xx responses are returned too.
  std::string ReadResponse(absl::Duration timeout = absl::Seconds(10));
  // Whether the server closed the connection (EOF or reset) within `timeout`; bytes still
  // arriving are read and dropped.
  bool ClosedWithin(absl::Duration timeout);
  void Close();

 private:
  int fd_ = -1;
  std::string pending_;  // Read past the last response.
};

// The status code of a response ("HTTP/1.1 400 Bad Request..." -> 400); 0 if none.
int StatusOf(const std::string& response);
// The body of a response with a Content-Length.
std::string BodyOf(const std::string& response);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_RAW_HTTP_CLIENT_H_
