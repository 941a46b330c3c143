#include "segment_format.h"

#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "coding.h"
#include "crc32c.h"
#include "sealtrail/read_file.h"
#include "status_util.h"

namespace sealtrail {
namespace {

constexpr std::string_view kHeaderMagic("SEALSEG\0", 8);
constexpr std::string_view kFooterMagic("SEALFTR\0", 8);
constexpr char kFormatFirstLine[] = "sealtrail-data-dir";
constexpr size_t kFooterCrcOffset = 104;
constexpr size_t kHeaderCrcOffset = 28;

bool KnownVersion(uint32_t version) {
  return version >= kOldestFormatVersion && version <= kFormatVersion;
}

}  // namespace

std::string EncodeSegmentHeader(const SegmentHeader& header) {
  std::string out(kHeaderMagic);
  PutFixed32(&out, header.version);
  PutFixed32(&out, header.leaves_log2);
  PutFixed64(&out, header.segment_index);
  PutFixed32(&out, 0);
  PutFixed32(&out, crc32c::Value(out));
  return out;
}

absl::StatusOr<SegmentHeader> DecodeSegmentHeader(std::string_view bytes, absl::string_view where) {
  if (bytes.size() < kSegmentHeaderSize) {
    return absl::DataLossError(absl::StrCat(where, ": segment header is short (", bytes.size(),
                                            " of ", kSegmentHeaderSize, " bytes)"));
  }
  if (bytes.substr(0, 8) != kHeaderMagic) {
    return absl::DataLossError(absl::StrCat(where, ": not a sealtrail segment (bad magic)"));
  }
  if (crc32c::Value(bytes.substr(0, kHeaderCrcOffset)) !=
      DecodeFixed32(bytes.data() + kHeaderCrcOffset)) {
    return absl::DataLossError(absl::StrCat(where, ": segment header checksum mismatch"));
  }
  uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (!KnownVersion(version)) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": segment format version ", version,
                     " is not supported (this build reads versions ", kOldestFormatVersion, "..",
                     kFormatVersion, ")"));
  }
  SegmentHeader header;
  header.version = version;
  header.leaves_log2 = DecodeFixed32(bytes.data() + 12);
  header.segment_index = DecodeFixed64(bytes.data() + 16);
  return header;
}

absl::Status CheckSegmentHeader(const RandomAccessFile& file, const std::string& path,
                                uint64_t file_size, const SegmentGeometry& geometry,
                                uint64_t segment_index) {
  if (file_size < kSegmentHeaderSize) {
    return absl::DataLossError(
        absl::StrCat(path, ": file is shorter than a segment header (", file_size, " bytes)"));
  }
  char bytes[kSegmentHeaderSize];
  RETURN_IF_ERROR(file.ReadAt(0, kSegmentHeaderSize, bytes));
  ASSIGN_OR_RETURN(SegmentHeader header,
                   DecodeSegmentHeader(std::string_view(bytes, kSegmentHeaderSize), path));
  if (header.segment_index != segment_index || header.leaves_log2 != geometry.leaves_log2 ||
      header.version != geometry.format_version) {
    return absl::DataLossError(absl::StrCat(
        path, ": header says format ", header.version, ", segment ", header.segment_index, " of 2^",
        header.leaves_log2, " leaves; expected format ", geometry.format_version,
        " (the data directory's), segment ", segment_index, " of 2^", geometry.leaves_log2));
  }
  return absl::OkStatus();
}

std::string EncodeSegmentFooter(const SegmentFooter& footer) {
  std::string out(kFooterMagic);
  PutFixed32(&out, footer.version);
  PutFixed32(&out, footer.leaves_log2);
  PutFixed64(&out, footer.segment_index);
  PutFixed64(&out, footer.leaf_count);
  PutFixed64(&out, footer.frames_end);
  out.append(AsStringView(footer.root));
  out.append(AsStringView(footer.chain));
  PutFixed32(&out, crc32c::Value(out));
  PutFixed32(&out, 0);
  return out;
}

std::optional<SegmentFooter> DecodeSegmentFooter(std::string_view bytes) {
  if (bytes.size() != kSegmentFooterSize || bytes.substr(0, 8) != kFooterMagic ||
      !KnownVersion(DecodeFixed32(bytes.data() + 8)) ||
      crc32c::Value(bytes.substr(0, kFooterCrcOffset)) !=
          DecodeFixed32(bytes.data() + kFooterCrcOffset)) {
    return std::nullopt;
  }
  SegmentFooter footer;
  footer.version = DecodeFixed32(bytes.data() + 8);
  footer.leaves_log2 = DecodeFixed32(bytes.data() + 12);
  footer.segment_index = DecodeFixed64(bytes.data() + 16);
  footer.leaf_count = DecodeFixed64(bytes.data() + 24);
  footer.frames_end = DecodeFixed64(bytes.data() + 32);
  std::memcpy(footer.root.data(), bytes.data() + kFooterRootOffset, kHashSize);
  std::memcpy(footer.chain.data(), bytes.data() + kFooterChainOffset, kHashSize);
  return footer;
}

Hash ChainHash(const Hash& previous_chain, const Hash& segment_root, uint64_t segment_index) {
  std::string input;
  input.reserve(2 * kHashSize + 8);
  input.append(AsStringView(previous_chain));
  input.append(AsStringView(segment_root));
  PutBigEndian64(&input, segment_index);
  return Sha256(input);
}

std::string SegmentFileName(uint64_t segment_index) {
  return absl::StrFormat("%012d.seg", segment_index);
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  constexpr std::string_view kSuffix = ".seg";
  if (name.size() != 12 + kSuffix.size() || name.substr(12) != kSuffix) return std::nullopt;
  uint64_t index = 0;
  for (char c : name.substr(0, 12)) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<uint64_t>(c - '0');
  }
  return index;
}

std::string SegmentsDir(const std::string& data_dir) {
  return absl::StrCat(data_dir, "/", kSegmentsDirName);
}

std::string SegmentPath(const std::string& data_dir, uint64_t segment_index) {
  return absl::StrCat(SegmentsDir(data_dir), "/", SegmentFileName(segment_index));
}

absl::Status WriteFormatFile(Env* env, const std::string& data_dir,
                             const SegmentGeometry& geometry) {
  const std::string path = absl::StrCat(data_dir, "/", kFormatFileName);
  const std::string temp = absl::StrCat(path, kTempSuffix);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewWritableFile(temp));
  RETURN_IF_ERROR(
      file->Append(absl::StrCat(kFormatFirstLine, "\nformat ", geometry.format_version,
                                "\nleaves_per_segment_log2 ", geometry.leaves_log2, "\n")));
  RETURN_IF_ERROR(file->Sync());
  RETURN_IF_ERROR(file->Close());
  RETURN_IF_ERROR(env->RenameFile(temp, path));
  return env->SyncDir(data_dir);
}

absl::StatusOr<SegmentGeometry> ReadFormatFile(Env* env, const std::string& data_dir) {
  const std::string path = absl::StrCat(data_dir, "/", kFormatFileName);
  ASSIGN_OR_RETURN(std::string contents, ReadFileToString(env, path, kMaxSmallFileBytes));
  std::vector<absl::string_view> lines = absl::StrSplit(contents, '\n', absl::SkipEmpty());
  auto refuse = [&](absl::string_view why) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", why,
                                                      "; this build reads sealtrail data formats ",
                                                      kOldestFormatVersion, "..", kFormatVersion));
  };
  if (lines.size() != 3 || lines[0] != kFormatFirstLine) {
    return refuse("not a sealtrail FORMAT file");
  }
  uint32_t version = 0;
  uint32_t leaves_log2 = 0;
  if (!absl::StartsWith(lines[1], "format ") || !absl::SimpleAtoi(lines[1].substr(7), &version)) {
    return refuse("malformed format line");
  }
  if (!KnownVersion(version)) {
    return refuse(absl::StrCat("unknown data format version ", version));
  }
  if (!absl::StartsWith(lines[2], "leaves_per_segment_log2 ") ||
      !absl::SimpleAtoi(lines[2].substr(24), &leaves_log2) || leaves_log2 < kMinLeavesLog2 ||
      leaves_log2 > kMaxLeavesLog2) {
    return refuse("malformed leaves_per_segment_log2 line");
  }
  return SegmentGeometry{leaves_log2, version};
}

}  // namespace sealtrail
