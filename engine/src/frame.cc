#include "frame.h"

#include "coding.h"
#include "crc32c.h"
#include "sealtrail/log.h"

namespace sealtrail {

static_assert(kMaxRecordLimit <= kFrameLengthMask, "lengths must leave the flag bits free");

void AppendFrame(std::string_view payload, std::string* dst, uint32_t flags) {
  char header[kFrameHeaderSize];
  EncodeFixed32(header, (flags & ~kFrameLengthMask) | static_cast<uint32_t>(payload.size()));
  EncodeFixed32(header + 4, crc32c::Value(std::string_view(header, 4)));
  EncodeFixed32(header + 8, crc32c::Value(payload));
  dst->append(header, kFrameHeaderSize);
  dst->append(payload);
}

namespace {

// The whole length word if its checksum holds, else 0 (a length word is never 0).
uint32_t IntactLengthWord(std::string_view header) {
  if (crc32c::Value(header.substr(0, 4)) != DecodeFixed32(header.data() + 4)) return 0;
  return DecodeFixed32(header.data());
}

}  // namespace

uint32_t IntactFrameLength(std::string_view header) {
  return IntactLengthWord(header) & kFrameLengthMask;
}

FrameParse ParseFrame(std::string_view bytes, uint32_t max_payload, uint32_t known_flags,
                      ParsedFrame* frame) {
  *frame = ParsedFrame{};
  if (bytes.size() < kFrameHeaderSize) return FrameParse::kTruncated;
  const uint32_t word = IntactLengthWord(bytes);
  const uint32_t length = word & kFrameLengthMask;
  if (length == 0 || length > max_payload) return FrameParse::kBadHeader;
  frame->flags = word & ~kFrameLengthMask;
  if ((frame->flags & ~known_flags) != 0) return FrameParse::kUnknownFlags;
  if (bytes.size() - kFrameHeaderSize < length) return FrameParse::kTruncated;
  frame->size = kFrameHeaderSize + length;
  const std::string_view body = bytes.substr(kFrameHeaderSize, length);
  if (crc32c::Value(body) != DecodeFixed32(bytes.data() + 8)) return FrameParse::kBadChecksum;
  frame->payload = body;
  return FrameParse::kOk;
}

}  // namespace sealtrail
