// Encoding of the segment file header and footer, segment names and the FORMAT file.
// The normative description is docs/format/README.md; keep the two in step.
#ifndef SEALTRAIL_ENGINE_SEGMENT_FORMAT_H_
#define SEALTRAIL_ENGINE_SEGMENT_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"

namespace sealtrail {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kMinLeavesLog2 = 1;
inline constexpr uint32_t kMaxLeavesLog2 = 24;
inline constexpr uint32_t kDefaultLeavesLog2 = 16;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kSegmentFooterSize = 112;
inline constexpr char kSegmentsDirName[] = "segments";
inline constexpr char kFormatFileName[] = "FORMAT";
inline constexpr char kLockFileName[] = "LOCK";
inline constexpr char kTempSuffix[] = ".tmp";

// Geometry of a segment of 2^leaves_log2 leaves.
struct SegmentGeometry {
  uint32_t leaves_log2 = kDefaultLeavesLog2;

  uint64_t leaves() const { return uint64_t{1} << leaves_log2; }
  uint64_t node_count() const { return 2 * leaves() - 1; }
  // Position of node (level, index-within-segment) in the node table, in hashes.
  uint64_t NodeSlot(uint32_t level, uint64_t index) const {
    return 2 * leaves() - ((2 * leaves()) >> level) + index;
  }
  uint64_t SealRegionSize() const {
    return node_count() * kHashSize + leaves() * 8 + kSegmentFooterSize;
  }
};

struct SegmentHeader {
  uint32_t leaves_log2 = 0;
  uint64_t segment_index = 0;
};

struct SegmentFooter {
  uint32_t leaves_log2 = 0;
  uint64_t segment_index = 0;
  uint64_t leaf_count = 0;
  uint64_t frames_end = 0;
  Hash root{};
  Hash chain{};
};

std::string EncodeSegmentHeader(const SegmentHeader& header);
// DATA_LOSS describing what is wrong (magic, version, checksum) with `where` in the message.
absl::StatusOr<SegmentHeader> DecodeSegmentHeader(std::string_view bytes, absl::string_view where);

// Reads the header of segment file `path` (of `file_size` bytes) and checks that it is segment
// `segment_index` of `leaves_log2`. DATA_LOSS naming the file otherwise.
absl::Status CheckSegmentHeader(const RandomAccessFile& file, const std::string& path,
                                uint64_t file_size, uint32_t leaves_log2, uint64_t segment_index);

std::string EncodeSegmentFooter(const SegmentFooter& footer);
// std::nullopt unless `bytes` is a well-formed footer (magic, version, checksum).
std::optional<SegmentFooter> DecodeSegmentFooter(std::string_view bytes);

// chain(n) = SHA-256(chain(n-1) || root(n) || n as 8-byte big-endian); chain(-1) = zeros.
Hash ChainHash(const Hash& previous_chain, const Hash& segment_root, uint64_t segment_index);

// "000000000042.seg"; ParseSegmentFileName is its inverse (nullopt for any other name).
std::string SegmentFileName(uint64_t segment_index);
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

std::string SegmentsDir(const std::string& data_dir);
std::string SegmentPath(const std::string& data_dir, uint64_t segment_index);

// Writes the FORMAT file (temp file, sync, rename, sync dir).
absl::Status WriteFormatFile(Env* env, const std::string& data_dir, uint32_t leaves_log2);
// The data dir's leaves_per_segment_log2. FAILED_PRECONDITION for an unknown format version or
// a file that is not a sealtrail FORMAT file; NOT_FOUND if it is missing.
absl::StatusOr<uint32_t> ReadFormatFile(Env* env, const std::string& data_dir);

// The most bytes a FORMAT or key file of the data directory may hold.
inline constexpr uint64_t kMaxSmallFileBytes = 1 << 20;

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_SEGMENT_FORMAT_H_
