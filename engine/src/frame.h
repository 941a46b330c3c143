// Record framing inside segments and the checkpoint file:
//   u32 flags|length | u32 CRC32C(those 4 bytes) | u32 CRC32C(payload) | payload
// See docs/format/README.md ("Frame"). The length has a checksum of its own so that a damaged
// length is told apart from a frame cut short by a crash: only a frame whose intact header says
// it runs past the end of the file can be a torn write. Lengths are at most 2^26, so the high
// bits of the length word are free; format 2 segments keep flags there (under the same CRC),
// version 1 segments and the checkpoint file define none.
#ifndef SEALTRAIL_ENGINE_FRAME_H_
#define SEALTRAIL_ENGINE_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sealtrail {

inline constexpr size_t kFrameHeaderSize = 12;
// Bits 0..26 of the length word hold the length; bits 27..31 are flags.
inline constexpr uint32_t kFrameLengthMask = (1u << 27) - 1;
// Format 2: more frames of the same Log::Append batch follow this one. A batch's last frame
// does not carry it, and so closes the batch.
inline constexpr uint32_t kFrameBatchContinues = 1u << 31;

// Appends the frame of `payload`, with `flags` (bits outside kFrameLengthMask), to `dst`.
void AppendFrame(std::string_view payload, std::string* dst, uint32_t flags = 0);

enum class FrameParse {
  kOk,            // A whole frame with matching checksums.
  kTruncated,     // The header, or the payload its intact header announces, runs past the end.
  kBadHeader,     // The length's checksum fails, or the length is 0 or above the format's maximum.
  kBadChecksum,   // Whole, but the payload's checksum does not match.
  kUnknownFlags,  // An intact header carrying a flag bit the segment's format does not define.
};

struct ParsedFrame {
  std::string_view payload;  // Set on kOk.
  uint64_t size = 0;         // Frame bytes, header included; set on kOk and kBadChecksum.
  uint32_t flags = 0;        // The length word's flag bits; set unless kTruncated/kBadHeader.
};

// Parses the frame at the start of `bytes`; `known_flags` are the flag bits the format defines.
FrameParse ParseFrame(std::string_view bytes, uint32_t max_payload, uint32_t known_flags,
                      ParsedFrame* frame);

// The payload length an intact header announces (its flag bits removed), or 0 if `header` (at
// least kFrameHeaderSize bytes) is not intact.
uint32_t IntactFrameLength(std::string_view header);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_FRAME_H_
