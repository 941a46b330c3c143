#include "frame.h"

#include "coding.h"
#include "crc32c.h"

namespace sealtrail {

void AppendFrame(std::string_view payload, std::string* dst) {
  char header[kFrameHeaderSize];
  EncodeFixed32(header, static_cast<uint32_t>(payload.size()));
  EncodeFixed32(header + 4, crc32c::Value(std::string_view(header, 4)));
  EncodeFixed32(header + 8, crc32c::Value(payload));
  dst->append(header, kFrameHeaderSize);
  dst->append(payload);
}

uint32_t IntactFrameLength(std::string_view header) {
  if (crc32c::Value(header.substr(0, 4)) != DecodeFixed32(header.data() + 4)) return 0;
  return DecodeFixed32(header.data());
}

FrameParse ParseFrame(std::string_view bytes, uint32_t max_payload, std::string_view* payload,
                      uint64_t* frame_size) {
  if (bytes.size() < kFrameHeaderSize) return FrameParse::kTruncated;
  const uint32_t length = IntactFrameLength(bytes);
  if (length == 0 || length > max_payload) return FrameParse::kBadHeader;
  if (bytes.size() - kFrameHeaderSize < length) return FrameParse::kTruncated;
  *frame_size = kFrameHeaderSize + length;
  const std::string_view body = bytes.substr(kFrameHeaderSize, length);
  if (crc32c::Value(body) != DecodeFixed32(bytes.data() + 8)) return FrameParse::kBadChecksum;
  *payload = body;
  return FrameParse::kOk;
}

}  // namespace sealtrail
