// FrameScanner: reads the frames of a segment file in order through a large buffer. Used by
// recovery (the open segment) and by verification (every segment).
//
// Thread-safety: one scanner per thread.
#ifndef SEALTRAIL_ENGINE_FRAME_SCANNER_H_
#define SEALTRAIL_ENGINE_FRAME_SCANNER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "frame.h"
#include "sealtrail/env.h"

namespace sealtrail {

class FrameScanner {
 public:
  // Scans frames starting at `begin` up to `end` (exclusive) of `file` (not owned), whose
  // format defines the flag bits `known_flags` (segment_format.h FrameFlagsOf).
  FrameScanner(const RandomAccessFile* file, uint64_t begin, uint64_t end, uint32_t known_flags,
               size_t buffer_bytes = 8u << 20);

  struct Frame {
    FrameParse parse = FrameParse::kOk;
    uint64_t offset = 0;       // Where the frame starts in the file.
    std::string_view payload;  // Valid until the next call; set when parse == kOk.
    uint64_t size = 0;         // Frame bytes (header included) when kOk or kBadChecksum.
    uint32_t flags = 0;        // The length word's flag bits when kOk or kUnknownFlags.
  };

  bool AtEnd() const { return position_ == end_; }
  uint64_t position() const { return position_; }
  // Parses the frame at position(); advances past it only when it is kOk. I/O errors only.
  // REQUIRES: !AtEnd().
  absl::Status Next(Frame* frame);
  // True when `frame`, a bad frame just returned by Next, is a torn tail that an interrupted
  // append explains: a partial header, an intact header whose payload runs past the end, a last
  // frame whose payload checksum alone fails, or zero bytes to the end of the file (a tail the
  // file system extended but never wrote). Anything else, a damaged length above all, is damage.
  // May read the rest of the file.
  absl::StatusOr<bool> IsTornTail(const Frame& frame);

 private:
  // Makes bytes [position_, position_ + n) available in the buffer; n is capped at end_.
  absl::Status Fill(uint64_t n);
  absl::StatusOr<bool> RestIsZero();
  std::string_view Buffered() const;

  const RandomAccessFile* const file_;
  const uint64_t end_;
  const uint32_t known_flags_;
  const size_t buffer_bytes_;
  uint64_t position_;
  std::string buffer_;
  uint64_t buffer_offset_ = 0;  // File offset of buffer_[0].
};

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_FRAME_SCANNER_H_
