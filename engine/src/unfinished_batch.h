// Finding the Log::Append batch that the sealed segments end with, and telling whether it was
// ever acknowledged (format 2's batch-commit marker; docs/format/README.md, "Recovery on open").
// It was not if it goes on past the last sealed segment and no frame on disk closes it (its
// fdatasync comes after its last frame), or if there is no segment file after the last sealed
// one (an Append whose records reach a segment's end returns only once the next segment file is
// durably created). Recovery removes such a batch whole, its sealed part too; the writer, after
// a failure, leaves the files so that it does.
//
// Thread-safety: pure functions over immutable SealedSegments and files no one is writing.
#ifndef SEALTRAIL_ENGINE_UNFINISHED_BATCH_H_
#define SEALTRAIL_ENGINE_UNFINISHED_BATCH_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sealed_segment.h"
#include "sealtrail/env.h"
#include "segment_format.h"

namespace sealtrail {

// Where a batch begins.
struct BatchStart {
  uint64_t segment = 0;  // The segment that holds the batch's first frame.
  uint64_t frame = 0;    // That frame's index within the segment.
  uint64_t offset = 0;   // Where that frame starts in the segment file.

  uint64_t sequence(const SegmentGeometry& geometry) const {
    return segment * geometry.leaves() + frame;
  }
};

// Whether the last frame of the sealed `segment` says that its batch goes on in the next
// segment. Always false in format 1, which has no marker.
absl::StatusOr<bool> BatchContinuesPastSegment(const SealedSegment& segment);

// Where the batch that the last frame of the last of `sealed` (segments 0, 1, ... in order)
// belongs to began: the frame after the last earlier one that closes a batch, found by walking
// back, across whole segments of the batch if need be. Reads frame headers only.
// REQUIRES: !sealed.empty().
absl::StatusOr<BatchStart> FindStartOfLastBatch(
    absl::Span<const std::unique_ptr<SealedSegment>> sealed, const SegmentGeometry& geometry);

// Whether the unsealed segment file `path` (segment `index`) holds, among its first S frames, a
// whole frame that closes a batch. A damaged frame before one is found also counts as true:
// whether it closed the batch cannot be told, and recovery's scan of the open segment, which
// then runs as usual, reports the damage. DATA_LOSS for a bad segment header.
absl::StatusOr<bool> OpenSegmentClosesABatch(Env* env, const std::string& path,
                                             const SegmentGeometry& geometry, uint64_t index);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_UNFINISHED_BATCH_H_
