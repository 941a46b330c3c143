#include "sealed_segment.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "coding.h"
#include "frame.h"
#include "sealtrail/log.h"
#include "status_util.h"

namespace sealtrail {

absl::StatusOr<std::unique_ptr<SealedSegment>> SealedSegment::Open(Env* env,
                                                                   const std::string& path,
                                                                   SegmentGeometry geometry,
                                                                   uint64_t segment_index) {
  ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewImmutableFile(path));
  RETURN_IF_ERROR(CheckSegmentHeader(*file, path, size, geometry, segment_index));
  if (size < kSegmentHeaderSize + geometry.SealRegionSize()) return nullptr;
  char footer_bytes[kSegmentFooterSize];
  RETURN_IF_ERROR(file->ReadAt(size - kSegmentFooterSize, kSegmentFooterSize, footer_bytes));
  std::optional<SegmentFooter> footer =
      DecodeSegmentFooter(std::string_view(footer_bytes, kSegmentFooterSize));
  if (!footer.has_value()) return nullptr;
  if (footer->segment_index != segment_index || footer->leaves_log2 != geometry.leaves_log2 ||
      footer->leaf_count != geometry.leaves() || footer->version != geometry.format_version ||
      footer->frames_end + geometry.SealRegionSize() != size) {
    return absl::DataLossError(absl::StrCat(
        path, ": footer (at offset ", size - kSegmentFooterSize, ") says format ", footer->version,
        ", segment ", footer->segment_index, ", ", footer->leaf_count, " leaves, frames end at ",
        footer->frames_end, "; that does not match the file (", size, " bytes, format ",
        geometry.format_version, ", segment ", segment_index, " of ", geometry.leaves(),
        " leaves)"));
  }
  return std::unique_ptr<SealedSegment>(
      new SealedSegment(path, std::move(file), geometry, *footer));
}

SealedSegment::SealedSegment(std::string path, std::unique_ptr<RandomAccessFile> file,
                             SegmentGeometry geometry, SegmentFooter footer)
    : path_(std::move(path)), file_(std::move(file)), geometry_(geometry), footer_(footer) {}

absl::StatusOr<Hash> SealedSegment::Node(uint32_t level, uint64_t index) const {
  Hash node;
  RETURN_IF_ERROR(file_->ReadAt(footer_.frames_end + geometry_.NodeSlot(level, index) * kHashSize,
                                kHashSize, reinterpret_cast<char*>(node.data())));
  return node;
}

uint64_t SealedSegment::OffsetTableStart() const {
  return footer_.frames_end + geometry_.node_count() * kHashSize;
}

absl::StatusOr<std::string> SealedSegment::ReadRecord(uint64_t local_index) const {
  const bool last = local_index + 1 == geometry_.leaves();
  char raw[16];
  RETURN_IF_ERROR(file_->ReadAt(OffsetTableStart() + local_index * 8, last ? 8 : 16, raw));
  const uint64_t begin = DecodeFixed64(raw);
  const uint64_t end = last ? footer_.frames_end : DecodeFixed64(raw + 8);
  return ReadFrameAt(*file_, path_, begin, end,
                     footer_.segment_index * geometry_.leaves() + local_index,
                     geometry_.frame_flags());
}

absl::StatusOr<uint64_t> SealedSegment::FrameOffset(uint64_t local_index) const {
  char raw[8];
  RETURN_IF_ERROR(file_->ReadAt(OffsetTableStart() + local_index * 8, 8, raw));
  return DecodeFixed64(raw);
}

absl::StatusOr<uint32_t> SealedSegment::FrameFlags(uint64_t local_index) const {
  ASSIGN_OR_RETURN(const uint64_t offset, FrameOffset(local_index));
  auto damaged = [&](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat(path_, ": record ", footer_.segment_index * geometry_.leaves() + local_index,
                     " at offset ", offset, ": ", what));
  };
  if (offset < kSegmentHeaderSize || offset + kFrameHeaderSize > footer_.frames_end) {
    return damaged("the offset table points outside the frame region");
  }
  char header[kFrameHeaderSize];
  RETURN_IF_ERROR(file_->ReadAt(offset, kFrameHeaderSize, header));
  if (IntactFrameLength(std::string_view(header, kFrameHeaderSize)) == 0) {
    return damaged("damaged frame header");
  }
  const uint32_t flags = DecodeFixed32(header) & ~kFrameLengthMask;
  if ((flags & ~geometry_.frame_flags()) != 0) return damaged("unknown frame flag bits");
  return flags;
}

absl::StatusOr<std::string> ReadFrameAt(const RandomAccessFile& file, const std::string& path,
                                        uint64_t begin, uint64_t end, uint64_t sequence,
                                        uint32_t known_flags) {
  auto damaged = [&](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat(path, ": record ", sequence, " at offset ", begin, ": ", what));
  };
  if (end <= begin + kFrameHeaderSize || end - begin > kFrameHeaderSize + kMaxRecordLimit) {
    return damaged(absl::StrCat("offset table gives an impossible frame end ", end));
  }
  std::string frame(end - begin, '\0');
  RETURN_IF_ERROR(file.ReadAt(begin, frame.size(), frame.data()));
  ParsedFrame parsed;
  const FrameParse parse = ParseFrame(frame, kMaxRecordLimit, known_flags, &parsed);
  if (parse != FrameParse::kOk || parsed.size != frame.size()) {
    return damaged(parse == FrameParse::kBadChecksum    ? "checksum mismatch"
                   : parse == FrameParse::kUnknownFlags ? "unknown frame flag bits"
                                                        : "frame length does not match");
  }
  frame.erase(0, kFrameHeaderSize);
  return frame;
}

}  // namespace sealtrail
