#include "server/http/request_framing.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sealtrail {
namespace {

namespace http = boost::beast::http;

size_t Count(const http::fields& fields, http::field name) {
  auto range = fields.equal_range(name);
  return static_cast<size_t>(std::distance(range.first, range.second));
}

}  // namespace

absl::Status HeaderScanner::Scan(absl::string_view bytes) {
  for (char c : bytes) {
    if (done_) return absl::OkStatus();
    if (c == '\n') {
      if (!after_cr_) {
        return absl::InvalidArgumentError("a header line ends in a bare LF; HTTP requires CRLF");
      }
      after_cr_ = false;
      if (line_length_ == 0 && seen_request_line_) done_ = true;
      // RFC 9112 §2.2: empty lines before the request line are ignored (Beast does so too).
      if (line_length_ > 0) seen_request_line_ = true;
      line_length_ = 0;
      continue;
    }
    if (after_cr_) {
      return absl::InvalidArgumentError("a bare CR in the header section; HTTP requires CRLF");
    }
    if (c == '\r') {
      after_cr_ = true;
      continue;
    }
    if (line_length_ == 0 && seen_request_line_ && (c == ' ' || c == '\t')) {
      return absl::InvalidArgumentError(
          "a folded header line (obs-fold, RFC 9112 §5.2) is not accepted");
    }
    ++line_length_;
  }
  return absl::OkStatus();
}

absl::Status CheckFraming(const http::fields& fields, unsigned version) {
  size_t lengths = Count(fields, http::field::content_length);
  if (lengths > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request has ", lengths, " Content-Length fields; one is allowed"));
  }
  if (lengths == 1) {
    absl::string_view value = absl::StripAsciiWhitespace(absl::string_view(
        fields[http::field::content_length].data(), fields[http::field::content_length].size()));
    bool digits = !value.empty();
    for (char c : value) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    if (!digits) {
      return absl::InvalidArgumentError(
          absl::StrCat("Content-Length \"", value, "\" is not a decimal number"));
    }
  }
  size_t encodings = Count(fields, http::field::transfer_encoding);
  if (encodings > 0) {
    auto field = fields[http::field::transfer_encoding];
    absl::string_view value =
        absl::StripAsciiWhitespace(absl::string_view(field.data(), field.size()));
    if (encodings > 1 || !absl::EqualsIgnoreCase(value, "chunked")) {
      return absl::InvalidArgumentError(
          "Transfer-Encoding must be \"chunked\" alone (one field, no other coding)");
    }
    if (lengths > 0) {
      return absl::InvalidArgumentError(
          "Transfer-Encoding and Content-Length together (RFC 9112 §6.3) are not accepted");
    }
  }
  // Singletons whose second copy a proxy and we could read differently (which coding, which
  // type): refused rather than one of them picked.
  for (auto [field, name] : {std::pair{http::field::content_type, "Content-Type"},
                             std::pair{http::field::content_encoding, "Content-Encoding"}}) {
    if (size_t count = Count(fields, field); count > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("the request has ", count, " ", name, " fields; one is allowed"));
    }
  }
  size_t hosts = Count(fields, http::field::host);
  if (hosts > 1 || (hosts == 0 && version >= 11)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request has ", hosts, " Host fields; HTTP/1.1 requires exactly one"));
  }
  return absl::OkStatus();
}

}  // namespace sealtrail
