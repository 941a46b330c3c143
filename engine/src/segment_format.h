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
#include "frame.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"

namespace sealtrail {

// New data directories are created in kFormatVersion; every version from kOldestFormatVersion
// on is read and written. A directory keeps the version its FORMAT file names for its whole life
// (every segment header and footer carries it), so a version-1 directory stays version 1.
//   1: frames carry no flags.
//   2: a frame's length word may carry kFrameBatchContinues (batch-commit marker).
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestFormatVersion = 1;
inline constexpr uint32_t kMinLeavesLog2 = 1;
inline constexpr uint32_t kMaxLeavesLog2 = 24;
inline constexpr uint32_t kDefaultLeavesLog2 = 16;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kSegmentFooterSize = 112;
// Where the footer's root and chain hash fields start, from the footer's first byte.
inline constexpr size_t kFooterRootOffset = 40;
inline constexpr size_t kFooterChainOffset = 72;
inline constexpr char kSegmentsDirName[] = "segments";
inline constexpr char kFormatFileName[] = "FORMAT";
inline constexpr char kLockFileName[] = "LOCK";
inline constexpr char kTempSuffix[] = ".tmp";

// How to read the segments of a data directory: 2^leaves_log2 leaves each, in the format
// version the directory's FORMAT file names.
struct SegmentGeometry {
  uint32_t leaves_log2 = kDefaultLeavesLog2;
  uint32_t format_version = kFormatVersion;

  // The flag bits this version's record frames may carry.
  uint32_t frame_flags() const { return format_version >= 2 ? kFrameBatchContinues : 0; }

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
  uint32_t version = 0;
  uint32_t leaves_log2 = 0;
  uint64_t segment_index = 0;
};

struct SegmentFooter {
  uint32_t version = 0;
  uint32_t leaves_log2 = 0;
  uint64_t segment_index = 0;
  uint64_t leaf_count = 0;
  uint64_t frames_end = 0;
  Hash root{};
  Hash chain{};
};

std::string EncodeSegmentHeader(const SegmentHeader& header);
// DATA_LOSS describing what is wrong (magic, checksum) with `where` in the message;
// FAILED_PRECONDITION for a version this build does not know.
absl::StatusOr<SegmentHeader> DecodeSegmentHeader(std::string_view bytes, absl::string_view where);

// Reads the header of segment file `path` (of `file_size` bytes) and checks that it is segment
// `segment_index` of `geometry` (its leaves and its format version). DATA_LOSS naming the file
// otherwise.
absl::Status CheckSegmentHeader(const RandomAccessFile& file, const std::string& path,
                                uint64_t file_size, const SegmentGeometry& geometry,
                                uint64_t segment_index);

std::string EncodeSegmentFooter(const SegmentFooter& footer);
// std::nullopt unless `bytes` is a well-formed footer (magic, a known version, checksum).
std::optional<SegmentFooter> DecodeSegmentFooter(std::string_view bytes);

// chain(n) = SHA-256(chain(n-1) || root(n) || n as 8-byte big-endian); chain(-1) = zeros.
Hash ChainHash(const Hash& previous_chain, const Hash& segment_root, uint64_t segment_index);

// "000000000042.seg"; ParseSegmentFileName is its inverse (nullopt for any other name).
std::string SegmentFileName(uint64_t segment_index);
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

std::string SegmentsDir(const std::string& data_dir);
std::string SegmentPath(const std::string& data_dir, uint64_t segment_index);

// Writes the FORMAT file of a new data dir in `geometry` (temp file, sync, rename, sync dir).
absl::Status WriteFormatFile(Env* env, const std::string& data_dir,
                             const SegmentGeometry& geometry);
// The data dir's geometry and format version. FAILED_PRECONDITION for an unknown format version
// or a file that is not a sealtrail FORMAT file; NOT_FOUND if it is missing.
absl::StatusOr<SegmentGeometry> ReadFormatFile(Env* env, const std::string& data_dir);

// The most bytes a FORMAT or key file of the data directory may hold.
inline constexpr uint64_t kMaxSmallFileBytes = 1 << 20;

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_SEGMENT_FORMAT_H_
