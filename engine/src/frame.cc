#include "frame.h"

#include "coding.h"
#include "crc32c.h"

namespace sealtrail {

void AppendFrame(std::string_view payload, std::string* dst) {
  char header[kFrameHeaderSize];
  EncodeFixed32(header, static_cast<uint32_t>(payload.size()));
  uint32_t crc = crc32c::Extend(crc32c::Value(std::string_view(header, 4)), payload);
  EncodeFixed32(header + 4, crc);
  dst->append(header, kFrameHeaderSize);
  dst->append(payload);
}

FrameParse ParseFrame(std::string_view bytes, uint32_t max_payload, std::string_view* payload,
                      uint64_t* frame_size) {
  if (bytes.size() < kFrameHeaderSize) return FrameParse::kTruncated;
  uint32_t length = DecodeFixed32(bytes.data());
  if (length == 0 || length > max_payload) return FrameParse::kBadLength;
  if (bytes.size() - kFrameHeaderSize < length) return FrameParse::kTruncated;
  *frame_size = kFrameHeaderSize + length;
  std::string_view body = bytes.substr(kFrameHeaderSize, length);
  uint32_t crc = crc32c::Extend(crc32c::Value(bytes.substr(0, 4)), body);
  if (crc != DecodeFixed32(bytes.data() + 4)) return FrameParse::kBadChecksum;
  *payload = body;
  return FrameParse::kOk;
}

}  // namespace sealtrail
