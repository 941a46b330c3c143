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
  VerifyProblem problem;  // Where `status` is, when it is not OK.
  bool sealed = false;
  bool has_footer = false;  // A valid footer was read, so footer_chain is known (even if the
                            // records then disagree with it).
  uint64_t footer_offset = 0;
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

// Records where `status` is in *where and returns it, so that a check can say
// `return Locate(where, offset, seq, SomeError(...))`.
absl::Status Locate(VerifyProblem* where, uint64_t offset, std::optional<uint64_t> seq,
                    absl::Status status) {
  where->offset = offset;
  where->seq = seq;
  return status;
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
                        std::vector<uint64_t>* offsets, uint64_t* closed, VerifyProblem* where) {
  FrameScanner scanner(&file, begin, end, geometry.frame_flags());
  while (!scanner.AtEnd()) {
    const uint64_t sequence = first_sequence + leaves->size();
    if (leaves->size() == max_frames) {
      return Locate(where, scanner.position(), std::nullopt,
                    absl::DataLossError(absl::StrCat(
                        path, ": ", end - scanner.position(), " unexpected bytes at offset ",
                        scanner.position(), " after the segment's ", max_frames,
                        " records (a seal that was interrupted; opening the log finishes it)")));
    }
    FrameScanner::Frame frame;
    RETURN_IF_ERROR(scanner.Next(&frame));
    if (frame.parse != FrameParse::kOk) {
      return Locate(where, frame.offset, sequence,
                    Damage(path, frame.offset, sequence, FrameProblem(frame.parse)));
    }
    offsets->push_back(frame.offset);
    leaves->push_back(HashLeaf(frame.payload));
    if ((frame.flags & kFrameBatchContinues) == 0) *closed = leaves->size();
  }
  return absl::OkStatus();
}

// Recomputes the segment's tree level by level and compares it with the stored node table. A
// leaf that differs is located at its record's frame (`offsets`): a record changed with its
// checksum made good, or two records swapped, shows first there.
absl::Status CheckNodeTable(const RandomAccessFile& file, const std::string& path,
                            const SegmentGeometry& geometry, const SegmentFooter& footer,
                            const std::vector<uint64_t>& offsets, std::vector<Hash> level_hashes,
                            Hash* root, VerifyProblem* where) {
  std::vector<Hash> stored(geometry.node_count());
  RETURN_IF_ERROR(file.ReadAt(footer.frames_end, stored.size() * kHashSize,
                              reinterpret_cast<char*>(stored.data())));
  for (uint32_t level = 0;; ++level) {
    for (uint64_t i = 0; i < level_hashes.size(); ++i) {
      const uint64_t slot = geometry.NodeSlot(level, i);
      if (stored[slot] != level_hashes[i]) {
        const uint64_t first = footer.segment_index * geometry.leaves() + (i << level);
        const uint64_t node_offset = footer.frames_end + slot * kHashSize;
        const std::string message = absl::StrCat(
            path, ": stored tree node (level ", level, ", index ", i, ") at offset ", node_offset,
            " does not match records ", first, "..", first + (uint64_t{1} << level) - 1);
        if (level == 0) {
          return Locate(where, offsets[i], first,
                        absl::DataLossError(absl::StrCat(message, " (record ", first, " at offset ",
                                                         offsets[i], ")")));
        }
        return Locate(where, node_offset, std::nullopt, absl::DataLossError(message));
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
                              const std::vector<uint64_t>& offsets, VerifyProblem* where) {
  const uint64_t table = footer.frames_end + geometry.node_count() * kHashSize;
  std::string stored(geometry.leaves() * 8, '\0');
  RETURN_IF_ERROR(file.ReadAt(table, stored.size(), stored.data()));
  for (uint64_t j = 0; j < offsets.size(); ++j) {
    if (DecodeFixed64(stored.data() + 8 * j) != offsets[j]) {
      const uint64_t sequence = footer.segment_index * geometry.leaves() + j;
      return Locate(where, table + 8 * j, sequence,
                    absl::DataLossError(
                        absl::StrCat(path, ": offset table entry ", j, " at offset ", table + 8 * j,
                                     " says ", DecodeFixed64(stored.data() + 8 * j), " but record ",
                                     sequence, " starts at ", offsets[j])));
    }
  }
  return absl::OkStatus();
}

// Checks segment `index` at `path`; on failure result->problem says where.
absl::Status CheckSegment(Env* env, const std::string& path, SegmentGeometry geometry,
                          uint64_t index, bool is_last, SegmentResult* result) {
  VerifyProblem* where = &result->problem;
  ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
  result->bytes = size;
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  // The header on its own first, so that damage there is told from a footer that disagrees.
  RETURN_IF_ERROR(CheckSegmentHeader(*file, path, size, geometry, index));
  absl::StatusOr<std::unique_ptr<SealedSegment>> opened =
      SealedSegment::Open(env, path, geometry, index);
  if (!opened.ok()) {
    // The header was fine a moment ago, so a DATA_LOSS here is the footer's (sealed_segment.h).
    const uint64_t footer_offset = size >= kSegmentFooterSize ? size - kSegmentFooterSize : 0;
    return Locate(where, opened.status().code() == absl::StatusCode::kDataLoss ? footer_offset : 0,
                  std::nullopt, opened.status());
  }
  std::unique_ptr<SealedSegment> sealed = *std::move(opened);
  const uint64_t first_sequence = index * geometry.leaves();
  std::vector<Hash> leaves;
  std::vector<uint64_t> offsets;
  leaves.reserve(geometry.leaves());
  offsets.reserve(geometry.leaves());
  if (sealed == nullptr) {
    where->in_open_segment = is_last;
    if (!is_last) {
      const uint64_t footer_offset = size >= kSegmentFooterSize ? size - kSegmentFooterSize : 0;
      return Locate(where, footer_offset, std::nullopt,
                    absl::DataLossError(absl::StrCat(
                        path, ": no valid footer (expected at offset ", footer_offset,
                        ") although later segments exist: truncated, or footer damaged")));
    }
    uint64_t closed = 0;
    RETURN_IF_ERROR(ScanFrames(*file, path, geometry, kSegmentHeaderSize, size, first_sequence,
                               geometry.leaves(), &leaves, &offsets, &closed, where));
    // What the log serves: an unfinished batch at the end was never acknowledged.
    result->unfinished = leaves.size() - closed;
    leaves.resize(closed);
    result->records = leaves.size();
    result->open_leaves = std::move(leaves);
    return absl::OkStatus();
  }
  const SegmentFooter& footer = sealed->footer();
  // A writer may have sealed the segment since `size` was read; the footer says where it ends.
  size = footer.frames_end + geometry.SealRegionSize();
  result->bytes = size;
  result->has_footer = true;
  result->footer_offset = size - kSegmentFooterSize;
  result->footer_chain = footer.chain;
  uint64_t closed = 0;  // A sealed segment's part of a batch crossing into the next stays.
  RETURN_IF_ERROR(ScanFrames(*file, path, geometry, kSegmentHeaderSize, footer.frames_end,
                             first_sequence, geometry.leaves(), &leaves, &offsets, &closed, where));
  if (leaves.size() != geometry.leaves()) {
    return Locate(
        where, footer.frames_end, first_sequence + leaves.size(),
        absl::DataLossError(absl::StrCat(path, ": holds ", leaves.size(),
                                         " records but its footer says ", footer.leaf_count)));
  }
  RETURN_IF_ERROR(CheckOffsetTable(*file, path, geometry, footer, offsets, where));
  RETURN_IF_ERROR(CheckNodeTable(*file, path, geometry, footer, offsets, std::move(leaves),
                                 &result->root, where));
  if (result->root != footer.root) {
    return Locate(where, result->footer_offset + kFooterRootOffset, std::nullopt,
                  absl::DataLossError(absl::StrCat(
                      path, ": footer root ", HashToBase64(footer.root), " at offset ",
                      result->footer_offset + kFooterRootOffset,
                      " does not match the records' root ", HashToBase64(result->root))));
  }
  result->sealed = true;
  result->records = geometry.leaves();
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

  std::vector<VerifyProblem> problems;
  // One problem per run of missing files, worded (for the first) as it always was.
  for (uint64_t k = 0, expected = 0; k < indexes.size(); expected = indexes[k++] + 1) {
    if (indexes[k] == expected) continue;
    VerifyProblem& missing = problems.emplace_back();
    missing.file = SegmentPath(dir, expected);
    missing.seq = expected * geometry.leaves();
    missing.status = absl::DataLossError(
        absl::StrCat(segments_dir, ": segment file ", SegmentFileName(expected),
                     " is missing (next present is ", SegmentFileName(indexes[k]), ")"));
  }

  std::vector<SegmentResult> results(indexes.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k = next++; k < results.size(); k = next++) {
      if (options.cancel != nullptr && options.cancel->load()) return;
      results[k].problem.file = SegmentPath(dir, indexes[k]);
      results[k].status = CheckSegment(env, results[k].problem.file, geometry, indexes[k],
                                       k + 1 == results.size(), &results[k]);
    }
  };
  size_t threads = options.threads > 0 ? static_cast<size_t>(options.threads)
                                       : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<size_t>(results.size(), 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();

  if (options.cancel != nullptr && options.cancel->load()) {
    return absl::CancelledError(absl::StrCat("verification of ", dir, " was cancelled"));
  }

  VerifyReport report;
  RootFolder folder;
  // The chain value the next sealed segment must follow from; unknown after a missing segment
  // or one without a readable footer, and then that segment's chain is not judged.
  bool chain_known = true;
  for (uint64_t k = 0; k < results.size(); ++k) {
    SegmentResult& result = results[k];
    const uint64_t i = indexes[k];
    if (i != (k == 0 ? 0 : indexes[k - 1] + 1)) chain_known = false;
    if (!result.status.ok()) {
      result.problem.status = result.status;
      problems.push_back(std::move(result.problem));
      // Later segments are judged against this one's stored chain, so that each damage is
      // reported where it is.
      chain_known = result.has_footer;
      report.chain = result.footer_chain;
      continue;
    }
    report.segments++;
    report.records += result.records;
    report.bytes += result.bytes;
    if (result.sealed) {
      report.sealed_segments++;
      const Hash expected = ChainHash(report.chain, result.root, i);
      if (chain_known && expected != result.footer_chain) {
        VerifyProblem& problem = problems.emplace_back();
        problem.file = SegmentPath(dir, i);
        problem.offset = result.footer_offset + kFooterChainOffset;
        problem.status = absl::DataLossError(absl::StrCat(
            problem.file, ": chain hash in the footer (", HashToBase64(result.footer_chain),
            ") does not match SHA-256(previous chain || root || index) = ",
            HashToBase64(expected)));
      }
      // After a mismatch, the next segment is judged against the chain its records call for,
      // so that one edited chain hash is one problem.
      report.chain = chain_known ? expected : result.footer_chain;
      chain_known = true;
      folder.Push(leaves_log2, result.root);
    } else {
      for (const Hash& leaf : result.open_leaves) folder.Push(0, leaf);
      report.unfinished_batch_records += result.unfinished;
    }
  }
  if (!problems.empty()) {
    absl::Status first = problems.front().status;
    if (options.problems != nullptr) {
      for (VerifyProblem& problem : problems) options.problems->push_back(std::move(problem));
    }
    return first;
  }
  report.root = folder.Root();
  return report;
}

}  // namespace sealtrail
