// Content-Encoding of a request body (RFC 9110 §8.4): identity, gzip (RFC 1952, x-gzip too) and
// deflate (the zlib format of RFC 1950, as RFC 9110 §8.4.1.2 defines it), decoded with zlib.
//
// A body is decoded whole or refused: a stream cut off before its last block, bytes that are not
// the named format, a bad checksum, or bytes after the end of the stream (other than further gzip
// members, which RFC 1952 allows) are INVALID_ARGUMENT, so that nothing of a broken body is used.
// The decoded size is bounded by `max_bytes` (a zip bomb stops there): RESOURCE_EXHAUSTED. A
// coding other than those is UNIMPLEMENTED.
//
// Thread-safety: a pure function.
#ifndef SEALTRAIL_SERVER_HTTP_CONTENT_CODING_H_
#define SEALTRAIL_SERVER_HTTP_CONTENT_CODING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sealtrail {

// `coding` is the Content-Encoding field value ("" for none); one coding only.
[[nodiscard]] absl::StatusOr<std::string> DecodeContent(absl::string_view coding, std::string body,
                                                        uint64_t max_bytes);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_HTTP_CONTENT_CODING_H_
