#include "unfinished_batch.h"

#include "frame.h"
#include "frame_scanner.h"
#include "status_util.h"

namespace sealtrail {

absl::StatusOr<bool> BatchContinuesPastSegment(const SealedSegment& segment) {
  ASSIGN_OR_RETURN(const uint32_t flags, segment.FrameFlags(segment.footer().leaf_count - 1));
  return (flags & kFrameBatchContinues) != 0;
}

absl::StatusOr<BatchStart> FindStartOfLastBatch(
    absl::Span<const std::unique_ptr<SealedSegment>> sealed, const SegmentGeometry& geometry) {
  const uint64_t leaves = geometry.leaves();
  for (uint64_t segment = sealed.size(); segment-- > 0;) {
    // The very last frame belongs to the batch whether or not it closes it.
    for (uint64_t frame = segment + 1 == sealed.size() ? leaves - 1 : leaves; frame-- > 0;) {
      ASSIGN_OR_RETURN(const uint32_t flags, sealed[segment]->FrameFlags(frame));
      if ((flags & kFrameBatchContinues) != 0) continue;
      // `frame` closes the batch before; the last one begins right after it.
      if (frame + 1 == leaves) return BatchStart{segment + 1, 0, kSegmentHeaderSize};
      ASSIGN_OR_RETURN(const uint64_t offset, sealed[segment]->FrameOffset(frame + 1));
      return BatchStart{segment, frame + 1, offset};
    }
  }
  return BatchStart{0, 0, kSegmentHeaderSize};  // The batch began with the log.
}

absl::StatusOr<bool> OpenSegmentClosesABatch(Env* env, const std::string& path,
                                             const SegmentGeometry& geometry, uint64_t index) {
  ASSIGN_OR_RETURN(const uint64_t size, env->GetFileSize(path));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  RETURN_IF_ERROR(CheckSegmentHeader(*file, path, size, geometry, index));
  // A small buffer: the closing frame is nearly always among the first few.
  FrameScanner scanner(file.get(), kSegmentHeaderSize, size, geometry.frame_flags(),
                       /*buffer_bytes=*/64u << 10);
  for (uint64_t frames = 0; frames < geometry.leaves() && !scanner.AtEnd(); ++frames) {
    FrameScanner::Frame frame;
    RETURN_IF_ERROR(scanner.Next(&frame));
    if (frame.parse != FrameParse::kOk) {
      ASSIGN_OR_RETURN(const bool torn, scanner.IsTornTail(frame));
      return !torn;
    }
    if ((frame.flags & kFrameBatchContinues) == 0) return true;
  }
  return false;  // Empty, or only frames that say the batch goes on (then a torn one, or seal
                 // bytes of an interrupted seal).
}

}  // namespace sealtrail
