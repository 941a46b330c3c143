// Record framing inside segments and the checkpoint file:
//   u32 length | u32 CRC32C(length bytes) | u32 CRC32C(payload) | payload
// See docs/format/README.md ("Frame"). The length has a checksum of its own so that a damaged
// length is told apart from a frame cut short by a crash: only a frame whose intact header says
// it runs past the end of the file can be a torn write.
#ifndef SEALTRAIL_ENGINE_FRAME_H_
#define SEALTRAIL_ENGINE_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sealtrail {

inline constexpr size_t kFrameHeaderSize = 12;

// Appends the frame of `payload` to `dst`.
void AppendFrame(std::string_view payload, std::string* dst);

enum class FrameParse {
  kOk,          // A whole frame with matching checksums.
  kTruncated,   // The header, or the payload its intact header announces, runs past the end.
  kBadHeader,   // The length's checksum fails, or the length is 0 or above the format's maximum.
  kBadChecksum  // Whole, but the payload's checksum does not match.
};

// Parses the frame at the start of `bytes`. On kOk sets *payload and *frame_size.
// On kBadChecksum sets *frame_size to the size the (intact) header announces.
FrameParse ParseFrame(std::string_view bytes, uint32_t max_payload, std::string_view* payload,
                      uint64_t* frame_size);

// The payload length an intact header announces, or 0 if `header` (at least kFrameHeaderSize
// bytes) is not intact.
uint32_t IntactFrameLength(std::string_view header);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_FRAME_H_
