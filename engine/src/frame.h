// Record framing inside a segment: u32 length, u32 CRC32C(length bytes || payload), payload.
// See docs/format/README.md ("Frame").
#ifndef SEALTRAIL_ENGINE_FRAME_H_
#define SEALTRAIL_ENGINE_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sealtrail {

inline constexpr size_t kFrameHeaderSize = 8;

// Appends the frame of `payload` to `dst`.
void AppendFrame(std::string_view payload, std::string* dst);

enum class FrameParse {
  kOk,          // A whole frame with a matching checksum.
  kTruncated,   // The header or the payload runs past the end of `bytes`.
  kBadLength,   // Length 0 or above the format's maximum.
  kBadChecksum  // Whole, but the checksum does not match.
};

// Parses the frame at the start of `bytes`. On kOk sets *payload and *frame_size.
// On kBadChecksum sets *frame_size to the length the header claims.
FrameParse ParseFrame(std::string_view bytes, uint32_t max_payload, std::string_view* payload,
                      uint64_t* frame_size);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_FRAME_H_
