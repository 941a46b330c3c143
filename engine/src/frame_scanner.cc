#include "frame_scanner.h"

#include <algorithm>

#include "coding.h"
#include "sealtrail/log.h"
#include "status_util.h"

namespace sealtrail {

FrameScanner::FrameScanner(const RandomAccessFile* file, uint64_t begin, uint64_t end,
                           uint32_t known_flags, size_t buffer_bytes)
    : file_(file),
      end_(end),
      known_flags_(known_flags),
      buffer_bytes_(buffer_bytes),
      position_(begin) {}

std::string_view FrameScanner::Buffered() const {
  const size_t skip = position_ - buffer_offset_;
  return std::string_view(buffer_).substr(skip);
}

absl::Status FrameScanner::Fill(uint64_t n) {
  n = std::min(n, end_ - position_);
  if (position_ >= buffer_offset_ && position_ + n <= buffer_offset_ + buffer_.size()) {
    return absl::OkStatus();
  }
  const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, buffer_bytes_), end_ - position_);
  buffer_.resize(want);
  buffer_offset_ = position_;
  return file_->ReadAt(position_, want, buffer_.data());
}

absl::Status FrameScanner::Next(Frame* frame) {
  *frame = Frame{};
  frame->offset = position_;
  RETURN_IF_ERROR(Fill(kFrameHeaderSize));
  std::string_view bytes = Buffered();
  if (bytes.size() >= kFrameHeaderSize) {
    const uint64_t length = IntactFrameLength(bytes);
    if (length != 0 && length <= kMaxRecordLimit) {
      RETURN_IF_ERROR(Fill(kFrameHeaderSize + length));
      bytes = Buffered();
    }
  }
  ParsedFrame parsed;
  frame->parse = ParseFrame(bytes, kMaxRecordLimit, known_flags_, &parsed);
  frame->payload = parsed.payload;
  frame->size = parsed.size;
  frame->flags = parsed.flags;
  if (frame->parse == FrameParse::kOk) position_ += frame->size;
  return absl::OkStatus();
}

absl::StatusOr<bool> FrameScanner::IsTornTail(const Frame& frame) {
  switch (frame.parse) {
    case FrameParse::kTruncated:
      return true;
    case FrameParse::kBadChecksum:
      return frame.offset + frame.size == end_;
    case FrameParse::kBadHeader:
      return RestIsZero();
    case FrameParse::kUnknownFlags:  // An intact header no write of this format produces.
    case FrameParse::kOk:
      break;
  }
  return false;
}

absl::StatusOr<bool> FrameScanner::RestIsZero() {
  while (position_ < end_) {
    RETURN_IF_ERROR(Fill(buffer_bytes_));
    std::string_view bytes = Buffered();
    if (bytes.find_first_not_of('\0') != std::string_view::npos) return false;
    position_ += bytes.size();
  }
  return true;
}

}  // namespace sealtrail
