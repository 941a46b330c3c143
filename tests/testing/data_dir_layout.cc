#include "testing/data_dir_layout.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sealtrail::testing {

std::string SegmentFileName(uint64_t segment) { return absl::StrFormat("%012d.seg", segment); }

std::string SegmentPath(const std::string& dir, uint64_t segment) {
  return absl::StrCat(dir, "/segments/", SegmentFileName(segment));
}

std::string FormatFilePath(const std::string& dir) { return dir + "/FORMAT"; }

uint32_t LoadLe32(std::string_view bytes, uint64_t offset) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(bytes[offset + i]);
  return v;
}

uint64_t LoadLe64(std::string_view bytes, uint64_t offset) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(bytes[offset + i]);
  return v;
}

std::string EncodeLe32(uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (8 * i));
  return out;
}

absl::StatusOr<SegmentLayout> ParseSegmentLayout(std::string_view file, uint32_t log2) {
  const uint64_t leaves = uint64_t{1} << log2;
  if (file.size() < kSegmentHeaderBytes || file.substr(0, 8) != std::string_view("SEALSEG\0", 8)) {
    return absl::InvalidArgumentError("no segment header");
  }
  SegmentLayout layout;
  uint64_t limit = file.size();
  if (file.size() >= kSegmentHeaderBytes + kFooterBytes &&
      file.substr(file.size() - kFooterBytes, 8) == std::string_view("SEALFTR\0", 8)) {
    layout.sealed = true;
    layout.footer_offset = file.size() - kFooterBytes;
    layout.frames_end = LoadLe64(file, layout.footer_offset + kFooterFramesEndOffset);
    layout.node_table_offset = layout.frames_end;
    layout.offset_table_offset = layout.node_table_offset + kNodeBytes * (2 * leaves - 1);
    if (layout.offset_table_offset + 8 * leaves != layout.footer_offset) {
      return absl::InvalidArgumentError(absl::StrCat("sealed segment of ", file.size(),
                                                     " bytes with frames_end ", layout.frames_end,
                                                     " does not match S = ", leaves));
    }
    limit = layout.frames_end;
  }
  uint64_t offset = kSegmentHeaderBytes;
  while (offset + kFrameHeaderBytes <= limit) {
    const uint32_t word = LoadLe32(file, offset);
    FrameLocation frame{offset, word & kFrameLengthMask, word & ~kFrameLengthMask};
    if (frame.length == 0 || frame.end() > limit) break;
    layout.frames.push_back(frame);
    offset = frame.end();
  }
  if (!layout.sealed) layout.frames_end = offset;
  return layout;
}

uint64_t NodeOffset(const SegmentLayout& layout, uint32_t log2, uint32_t level, uint64_t index) {
  const uint64_t leaves = uint64_t{1} << log2;
  return layout.node_table_offset +
         kNodeBytes * (2 * leaves - 2 * leaves / (uint64_t{1} << level) + index);
}

}  // namespace sealtrail::testing
