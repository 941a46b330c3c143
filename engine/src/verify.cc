// VerifyDataDir: an independent fsck. It recomputes every segment's tree from the records with
// its own level-by-level code (it does not reuse the writer's OpenTree or proof code) and
// compares every stored node, offset, footer field and chain hash.
#include "sealtrail/verify.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coding.h"
#include "frame_scanner.h"
#include "sealed_segment.h"
#include "segment_format.h"
#include "status_util.h"

namespace sealtrail {
namespace {

struct SegmentResult {
  absl::Status status;
  bool sealed = false;
  Hash root{};
  Hash footer_chain{};
  std::vector<Hash> open_leaves;  // Leaf hashes of an unsealed last segment.
  uint64_t unfinished = 0;        // Of which (not in open_leaves) an unfinished batch at its end.
  uint64_t records = 0;
  uint64_t bytes = 0;
};

absl::Status Damage(const std::string& path, uint64_t offset, uint64_t sequence,
                    absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat(path, ": record ", sequence, " at offset ", offset, ": ", what));
}

const char* FrameProblem(FrameParse parse) {
  switch (parse) {
    case FrameParse::kTruncated:
      return "frame runs past the end of the frame region (torn or truncated)";
    case FrameParse::kBadHeader:
      return "damaged frame header (length checksum mismatch or impossible length)";
    case FrameParse::kBadChecksum:
      return "checksum mismatch";
    case FrameParse::kUnknownFlags:
      return "frame header carries flag bits the segment's format version does not define";
    case FrameParse::kOk:
      break;
  }
  return "ok";
}

// Scans frames [begin, end) of `file`, appending leaf hashes and frame offsets. Stops after
// `max_frames` frames; any damaged frame is an error naming file, offset and sequence number.
// Sets *closed to the number of leaves up to the last frame that closes a batch.
absl::Status ScanFrames(const RandomAccessFile& file, const std::string& path,
                        const SegmentGeometry& geometry, uint64_t begin, uint64_t end,
                        uint64_t first_sequence, uint64_t max_frames, std::vector<Hash>* leaves,
                        std::vector<uint64_t>* offsets, uint64_t* closed) {
  FrameScanner scanner(&file, begin, end, geometry.frame_flags());
  while (!scanner.AtEnd()) {
    const uint64_t sequence = first_sequence + leaves->size();
    if (leaves->size() == max_frames) {
      return absl::DataLossError(
          absl::StrCat(path, ": ", end - scanner.position(), " unexpected bytes at offset ",
                       scanner.position(), " after the segment's ", max_frames,
                       " records (a seal that was interrupted; opening the log finishes it)"));
    }
    FrameScanner::Frame frame;
    RETURN_IF_ERROR(scanner.Next(&frame));
    if (frame.parse != FrameParse::kOk) {
      return Damage(path, frame.offset, sequence, FrameProblem(frame.parse));
    }
    offsets->push_back(frame.offset);
    leaves->push_back(HashLeaf(frame.payload));
    if ((frame.flags & kFrameBatchContinues) == 0) *closed = leaves->size();
  }
  return absl::OkStatus();
}

// Recomputes the segment's tree level by level and compares it with the stored node table.
absl::Status CheckNodeTable(const RandomAccessFile& file, const std::string& path,
                            const SegmentGeometry& geometry, const SegmentFooter& footer,
                            std::vector<Hash> level_hashes, Hash* root) {
  std::vector<Hash> stored(geometry.node_count());
  RETURN_IF_ERROR(file.ReadAt(footer.frames_end, stored.size() * kHashSize,
                              reinterpret_cast<char*>(stored.data())));
  for (uint32_t level = 0;; ++level) {
    for (uint64_t i = 0; i < level_hashes.size(); ++i) {
      const uint64_t slot = geometry.NodeSlot(level, i);
      if (stored[slot] != level_hashes[i]) {
        const uint64_t first = footer.segment_index * geometry.leaves() + (i << level);
        return absl::DataLossError(
            absl::StrCat(path, ": stored tree node (level ", level, ", index ", i, ") at offset ",
                         footer.frames_end + slot * kHashSize, " does not match records ", first,
                         "..", first + (uint64_t{1} << level) - 1));
      }
    }
    if (level_hashes.size() == 1) break;
    for (uint64_t i = 0; i < level_hashes.size() / 2; ++i) {
      level_hashes[i] = HashChildren(level_hashes[2 * i], level_hashes[2 * i + 1]);
    }
    level_hashes.resize(level_hashes.size() / 2);
  }
  *root = level_hashes[0];
  return absl::OkStatus();
}

absl::Status CheckOffsetTable(const RandomAccessFile& file, const std::string& path,
                              const SegmentGeometry& geometry, const SegmentFooter& footer,
                              const std::vector<uint64_t>& offsets) {
  const uint64_t table = footer.frames_end + geometry.node_count() * kHashSize;
  std::string stored(geometry.leaves() * 8, '\0');
  RETURN_IF_ERROR(file.ReadAt(table, stored.size(), stored.data()));
  for (uint64_t j = 0; j < offsets.size(); ++j) {
    if (DecodeFixed64(stored.data() + 8 * j) != offsets[j]) {
      return absl::DataLossError(
          absl::StrCat(path, ": offset table entry ", j, " at offset ", table + 8 * j, " says ",
                       DecodeFixed64(stored.data() + 8 * j), " but record ",
                       footer.segment_index * geometry.leaves() + j, " starts at ", offsets[j]));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSegment(Env* env, const std::string& path, SegmentGeometry geometry,
                          uint64_t index, bool is_last, SegmentResult* result) {
  ASSIGN_OR_RETURN(const uint64_t size, env->GetFileSize(path));
  result->bytes = size;
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  ASSIGN_OR_RETURN(std::unique_ptr<SealedSegment> sealed,
                   SealedSegment::Open(env, path, geometry, index));
  const uint64_t first_sequence = index * geometry.leaves();
  std::vector<Hash> leaves;
  std::vector<uint64_t> offsets;
  leaves.reserve(geometry.leaves());
  offsets.reserve(geometry.leaves());
  if (sealed == nullptr) {
    if (!is_last) {
      return absl::DataLossError(
          absl::StrCat(path, ": no valid footer (expected at offset ",
                       size >= kSegmentFooterSize ? size - kSegmentFooterSize : 0,
                       ") although later segments exist: truncated, or footer damaged"));
    }
    uint64_t closed = 0;
    RETURN_IF_ERROR(ScanFrames(*file, path, geometry, kSegmentHeaderSize, size, first_sequence,
                               geometry.leaves(), &leaves, &offsets, &closed));
    // What the log serves: an unfinished batch at the end was never acknowledged.
    result->unfinished = leaves.size() - closed;
    leaves.resize(closed);
    result->records = leaves.size();
    result->open_leaves = std::move(leaves);
    return absl::OkStatus();
  }
  const SegmentFooter& footer = sealed->footer();
  uint64_t closed = 0;  // A sealed segment's part of a batch crossing into the next stays.
  RETURN_IF_ERROR(ScanFrames(*file, path, geometry, kSegmentHeaderSize, footer.frames_end,
                             first_sequence, geometry.leaves(), &leaves, &offsets, &closed));
  if (leaves.size() != geometry.leaves()) {
    return absl::DataLossError(absl::StrCat(path, ": holds ", leaves.size(),
                                            " records but its footer says ", footer.leaf_count));
  }
  RETURN_IF_ERROR(CheckOffsetTable(*file, path, geometry, footer, offsets));
  RETURN_IF_ERROR(CheckNodeTable(*file, path, geometry, footer, std::move(leaves), &result->root));
  if (result->root != footer.root) {
    return absl::DataLossError(absl::StrCat(path, ": footer root ", HashToBase64(footer.root),
                                            " at offset ", size - kSegmentFooterSize + 40,
                                            " does not match the records' root ",
                                            HashToBase64(result->root)));
  }
  result->sealed = true;
  result->records = geometry.leaves();
  result->footer_chain = footer.chain;
  return absl::OkStatus();
}

// The RFC 9162 root from perfect subtrees given left to right: merge equal levels as they come,
// then fold the remaining descending sizes from the right.
class RootFolder {
 public:
  void Push(uint32_t level, const Hash& hash) {
    stack_.push_back({level, hash});
    while (stack_.size() >= 2 && stack_[stack_.size() - 2].level == stack_.back().level) {
      Entry right = stack_.back();
      stack_.pop_back();
      stack_.back() = {right.level + 1, HashChildren(stack_.back().hash, right.hash)};
    }
  }
  Hash Root() const {
    if (stack_.empty()) return Sha256("");
    Hash acc = stack_.back().hash;
    for (size_t i = stack_.size() - 1; i-- > 0;) acc = HashChildren(stack_[i].hash, acc);
    return acc;
  }

 private:
  struct Entry {
    uint32_t level;
    Hash hash;
  };
  std::vector<Entry> stack_;
};

}  // namespace

absl::StatusOr<VerifyReport> VerifyDataDir(const std::string& dir, const VerifyOptions& options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  ASSIGN_OR_RETURN(const SegmentGeometry geometry, ReadFormatFile(env, dir));
  const uint32_t leaves_log2 = geometry.leaves_log2;
  const std::string segments_dir = SegmentsDir(dir);
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->GetChildren(segments_dir));
  std::vector<uint64_t> indexes;
  for (const std::string& name : names) {
    if (std::optional<uint64_t> index = ParseSegmentFileName(name)) indexes.push_back(*index);
  }
  std::sort(indexes.begin(), indexes.end());
  for (uint64_t i = 0; i < indexes.size(); ++i) {
    if (indexes[i] != i) {
      return absl::DataLossError(absl::StrCat(segments_dir, ": segment file ", SegmentFileName(i),
                                              " is missing (next present is ",
                                              SegmentFileName(indexes[i]), ")"));
    }
  }

  std::vector<SegmentResult> results(indexes.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < results.size(); i = next++) {
      results[i].status =
          CheckSegment(env, SegmentPath(dir, i), geometry, i, i + 1 == results.size(), &results[i]);
    }
  };
  size_t threads = options.threads > 0 ? static_cast<size_t>(options.threads)
                                       : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<size_t>(results.size(), 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();

  VerifyReport report;
  RootFolder folder;
  for (uint64_t i = 0; i < results.size(); ++i) {
    const SegmentResult& result = results[i];
    RETURN_IF_ERROR(result.status);
    report.segments++;
    report.records += result.records;
    report.bytes += result.bytes;
    if (result.sealed) {
      report.sealed_segments++;
      const Hash expected = ChainHash(report.chain, result.root, i);
      if (expected != result.footer_chain) {
        return absl::DataLossError(absl::StrCat(
            SegmentPath(dir, i), ": chain hash in the footer (", HashToBase64(result.footer_chain),
            ") does not match SHA-256(previous chain || root || index) = ",
            HashToBase64(expected)));
      }
      report.chain = expected;
      folder.Push(leaves_log2, result.root);
    } else {
      for (const Hash& leaf : result.open_leaves) folder.Push(0, leaf);
      report.unfinished_batch_records += result.unfinished;
    }
  }
  report.root = folder.Root();
  return report;
}

}  // namespace sealtrail
