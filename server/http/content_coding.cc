#include "server/http/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sealtrail {
namespace {

// zlib's windowBits: 15 for the zlib format, +16 for gzip only (no automatic detection, so that a
// body labelled gzip must be gzip).
constexpr int kZlibWindow = 15;
constexpr int kGzipWindow = 15 + 16;

absl::StatusOr<std::string> Inflate(const std::string& body, int window_bits, const char* name,
                                    uint64_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) {
    return absl::InternalError(absl::StrCat("zlib: ", name, " decoder did not start"));
  }
  auto malformed = [name](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("the ", name, " body is malformed: ", why));
  };
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  std::string out;
  char chunk[64 * 1024];
  absl::Status status;
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    int result = inflate(&stream, Z_NO_FLUSH);
    size_t produced = sizeof(chunk) - stream.avail_out;
    if (out.size() + produced > max_bytes) {
      status = absl::ResourceExhaustedError(
          absl::StrCat("the body decompresses to more than ", max_bytes, " bytes"));
      break;
    }
    out.append(chunk, produced);
    if (result == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      // RFC 1952 §2.2: a gzip file is a series of members; anything else after the end is not.
      if (window_bits == kGzipWindow && stream.avail_in >= 2 && stream.next_in[0] == 0x1f &&
          stream.next_in[1] == 0x8b) {
        inflateReset(&stream);
        continue;
      }
      status = malformed(absl::StrCat(stream.avail_in, " bytes after the end of the stream"));
      break;
    }
    if (result == Z_OK) continue;
    if (result == Z_BUF_ERROR && stream.avail_in == 0) {
      status = malformed("it ends before its last block (truncated)");
      break;
    }
    status = malformed(stream.msg != nullptr ? stream.msg : absl::StrCat("zlib error ", result));
    break;
  }
  inflateEnd(&stream);
  if (!status.ok()) return status;
  return out;
}

}  // namespace

absl::StatusOr<std::string> DecodeContent(absl::string_view coding, std::string body,
                                          uint64_t max_bytes) {
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(coding));
  if (name.empty() || name == "identity") return body;
  if (name == "gzip" || name == "x-gzip") return Inflate(body, kGzipWindow, "gzip", max_bytes);
  if (name == "deflate") return Inflate(body, kZlibWindow, "deflate", max_bytes);
  return absl::UnimplementedError(absl::StrCat("Content-Encoding \"", coding,
                                               "\" is not supported (gzip, deflate or identity)"));
}

}  // namespace sealtrail
