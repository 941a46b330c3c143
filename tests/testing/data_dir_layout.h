// The on-disk layout of a data directory, read straight from docs/format/README.md (formats 1
// and 2),
// for tests that inspect or tamper with segment files. Independent of engine/src: if the
// engine and this file disagree about an offset, one of them disagrees with the document.
#ifndef SEALTRAIL_TESTS_TESTING_DATA_DIR_LAYOUT_H_
#define SEALTRAIL_TESTS_TESTING_DATA_DIR_LAYOUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sealtrail::testing {

inline constexpr uint64_t kSegmentHeaderBytes = 32;
inline constexpr uint64_t kFrameHeaderBytes = 12;  // u32 length, u32 CRC(length), u32 CRC(payload)
// The length word: bits 0..26 the length, bits 27..31 flags (format 2; none in format 1).
inline constexpr uint32_t kFrameLengthMask = (1u << 27) - 1;
inline constexpr uint32_t kFrameBatchContinuesBit = 1u << 31;
inline constexpr uint64_t kFooterBytes = 112;
inline constexpr uint64_t kNodeBytes = 32;
// Field offsets within the footer.
inline constexpr uint64_t kFooterFramesEndOffset = 32;
inline constexpr uint64_t kFooterRootOffset = 40;
inline constexpr uint64_t kFooterChainOffset = 72;
inline constexpr uint64_t kFooterCrcOffset = 104;

// "000000000007.seg" for segment 7.
std::string SegmentFileName(uint64_t segment);
// DIR/segments/<SegmentFileName(segment)>.
std::string SegmentPath(const std::string& dir, uint64_t segment);
// DIR/FORMAT.
std::string FormatFilePath(const std::string& dir);

struct FrameLocation {
  uint64_t offset = 0;  // of the frame header, from the start of the file
  uint32_t length = 0;  // payload bytes
  uint32_t flags = 0;   // the length word's flag bits
  uint64_t payload_offset() const { return offset + kFrameHeaderBytes; }
  uint64_t end() const { return payload_offset() + length; }
};

struct SegmentLayout {
  bool sealed = false;
  // Whole frames in file order. For an open segment the scan stops at the first frame that
  // runs past the end of the file.
  std::vector<FrameLocation> frames;
  uint64_t frames_end = 0;  // sealed: from the footer; open: end of the last whole frame
  // Sealed segments only.
  uint64_t node_table_offset = 0;
  uint64_t offset_table_offset = 0;
  uint64_t footer_offset = 0;
};

// Parses the bytes of a segment file with S = 2^log2 leaves per segment. A file is taken as
// sealed when it ends in a footer with the `SEALFTR\0` magic.
absl::StatusOr<SegmentLayout> ParseSegmentLayout(std::string_view file, uint32_t log2);

// File offset of the node at (level, index within the segment) of a sealed segment.
uint64_t NodeOffset(const SegmentLayout& layout, uint32_t log2, uint32_t level, uint64_t index);

uint32_t LoadLe32(std::string_view bytes, uint64_t offset);
uint64_t LoadLe64(std::string_view bytes, uint64_t offset);
std::string EncodeLe32(uint32_t value);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_DATA_DIR_LAYOUT_H_
