// SealedSegment: read access to a sealed, read-only segment file. Its footer is held in memory;
// nodes, offsets and records are read from the file on demand.
//
// Thread-safety: immutable after Open; all methods may be called concurrently.
#ifndef SEALTRAIL_ENGINE_SEALED_SEGMENT_H_
#define SEALTRAIL_ENGINE_SEALED_SEGMENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "segment_format.h"

namespace sealtrail {

class SealedSegment {
 public:
  // Opens `path` as segment `segment_index`. Returns nullptr (and OK) if the file has no valid
  // footer at its end, i.e. it is not sealed. DATA_LOSS if it has a footer that disagrees with
  // the file (size, index, geometry, format version) or a damaged header.
  static absl::StatusOr<std::unique_ptr<SealedSegment>> Open(Env* env, const std::string& path,
                                                             SegmentGeometry geometry,
                                                             uint64_t segment_index);

  const SegmentFooter& footer() const { return footer_; }
  const std::string& path() const { return path_; }

  // Node (level, index within the segment) from the node table.
  absl::StatusOr<Hash> Node(uint32_t level, uint64_t index) const;
  // Record `local_index` of this segment; DATA_LOSS naming file, offset and sequence number if
  // its frame is damaged.
  absl::StatusOr<std::string> ReadRecord(uint64_t local_index) const;
  // Where frame `local_index` starts in the file, from the offset table.
  absl::StatusOr<uint64_t> FrameOffset(uint64_t local_index) const;
  // The flag bits of frame `local_index` (kFrameBatchContinues), from its length word alone;
  // DATA_LOSS naming file, offset and sequence number if that word's checksum fails or it
  // carries a flag the segment's format does not define.
  absl::StatusOr<uint32_t> FrameFlags(uint64_t local_index) const;

 private:
  SealedSegment(std::string path, std::unique_ptr<RandomAccessFile> file, SegmentGeometry geometry,
                SegmentFooter footer);
  uint64_t OffsetTableStart() const;

  const std::string path_;
  const std::unique_ptr<RandomAccessFile> file_;
  const SegmentGeometry geometry_;
  const SegmentFooter footer_;
};

// Reads and checks the frame at [begin, end) of `file`, holding record `sequence`, in a format
// whose frames may carry the flag bits `known_flags`.
absl::StatusOr<std::string> ReadFrameAt(const RandomAccessFile& file, const std::string& path,
                                        uint64_t begin, uint64_t end, uint64_t sequence,
                                        uint32_t known_flags);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_SEALED_SEGMENT_H_
