// The request-smuggling checks of the HTTP server (RFC 9112), on top of Boost.Beast's parser,
// which already refuses a Content-Length that is not a number, two that differ, and
// Transfer-Encoding together with Content-Length. A request that fails any of them is answered
// 400 and the connection closed, since where it ends cannot be trusted.
//   - HeaderScanner, on the raw bytes of the header section: every line ends in CRLF (a bare LF
//     or CR is refused, where lenient parsers accept it), and no field line is folded (obs-fold,
//     §5.2: a line that starts with a space or tab).
//   - CheckFraming, on the parsed fields: at most one Content-Length, a single decimal number
//     (no list, even of equal values: §6.3 item 5); Transfer-Encoding only as "chunked" alone
//     (any other coding, or chunked not last, leaves the length unknown: §6.3 item 4), once;
//     exactly one Host in HTTP/1.1 (§3.2); at most one Content-Type and one Content-Encoding
//     (which body, in which coding, must not depend on which copy a reader takes).
//
// Thread-safety: HeaderScanner is a value, one per request; CheckFraming is a pure function.
#ifndef SEALTRAIL_SERVER_HTTP_REQUEST_FRAMING_H_
#define SEALTRAIL_SERVER_HTTP_REQUEST_FRAMING_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "boost/beast/http/fields.hpp"

namespace sealtrail {

class HeaderScanner {
 public:
  // Scans the next bytes of the connection, which may hold the start of the body after the
  // header section. INVALID_ARGUMENT at the first malformed line ending or folded line.
  absl::Status Scan(absl::string_view bytes);
  // Whether the empty line that ends the header section has been seen.
  bool done() const { return done_; }

 private:
  bool done_ = false;
  bool after_cr_ = false;
  bool seen_request_line_ = false;
  size_t line_length_ = 0;
};

// INVALID_ARGUMENT naming the field that makes the request's framing ambiguous. `version` is
// Beast's (11 for HTTP/1.1).
[[nodiscard]] absl::Status CheckFraming(const boost::beast::http::fields& fields, unsigned version);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_HTTP_REQUEST_FRAMING_H_
