// Log::Impl: the state behind sealtrail::Log, split over three files by concern:
//   log.cc           opening, reads, roots and proofs (the read side);
//   log_writer.cc    append, group commit, seal and segment creation (the write side);
//   log_recovery.cc  rebuilding the in-memory state from the files on open.
//
// Locks, always taken in this order: write_mu_ → state_mu_ → sync_mu_.
//   write_mu_  serializes writers: framing into the file, the open tree, sealing.
//   state_mu_  guards what readers navigate: the sealed segments, the tree above them, and the
//              open segment pointer. Readers hold it shared for a whole operation.
//   sync_mu_   guards durability bookkeeping and group commit.
// The acknowledged size `committed_` is published with release order after everything below it
// is in place; readers load it with acquire order and only touch nodes and records below it.
#ifndef SEALTRAIL_ENGINE_LOG_IMPL_H_
#define SEALTRAIL_ENGINE_LOG_IMPL_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "leaf_hasher.h"
#include "open_tree.h"
#include "proof_builder.h"
#include "sealed_segment.h"
#include "sealtrail/log.h"
#include "segment_format.h"
#include "unfinished_batch.h"

namespace sealtrail {

// The segment being appended to. Its tree and offsets live in memory until it is sealed.
struct OpenSegment {
  OpenSegment(uint64_t segment_index, std::string segment_path, SegmentGeometry geometry)
      : index(segment_index),
        path(std::move(segment_path)),
        tree(geometry),
        frame_offsets(new uint64_t[geometry.leaves() + 1]) {}

  const uint64_t index;
  const std::string path;
  std::shared_ptr<WritableFile> writer;
  std::unique_ptr<RandomAccessFile> reader;
  OpenTree tree;
  // frame_offsets[j] is where frame j starts; frame_offsets[tree.leaf_count()] is the file size.
  std::unique_ptr<uint64_t[]> frame_offsets;
  uint64_t bytes = kSegmentHeaderSize;
};

class Log::Impl {
 public:
  Impl(const LogOptions& options, std::string dir, SegmentGeometry geometry,
       std::unique_ptr<FileLock> lock);

  // log_recovery.cc
  absl::Status Recover();

  // log_writer.cc
  absl::StatusOr<uint64_t> Append(absl::Span<const std::string_view> records);

  // log.cc
  absl::StatusOr<std::string> Read(uint64_t index) const;
  absl::StatusOr<Hash> LeafHash(uint64_t index) const;
  uint64_t Size() const { return committed_.load(std::memory_order_acquire); }
  absl::StatusOr<TreeHead> Head() const;
  absl::StatusOr<Hash> Root(uint64_t size) const;
  absl::StatusOr<InclusionProof> ProveInclusion(uint64_t leaf_index, uint64_t tree_size) const;
  absl::StatusOr<std::vector<Hash>> ProveMultiInclusion(absl::Span<const uint64_t> leaf_indices,
                                                        uint64_t tree_size) const;
  absl::StatusOr<ConsistencyProof> ProveConsistency(uint64_t old_size, uint64_t new_size) const;
  const std::string& dir() const { return dir_; }
  uint64_t records_per_segment() const { return geometry_.leaves(); }
  const RecoveryReport& recovery_report() const { return recovery_report_; }

 private:
  // --- read side (log.cc) ---
  absl::StatusOr<Hash> FetchNode(uint32_t level, uint64_t index) const
      ABSL_SHARED_LOCKS_REQUIRED(state_mu_);
  // FetchNode as a NodeFetcher for proof_builder. Use only while holding state_mu_.
  NodeFetcher Fetcher() const;
  absl::StatusOr<Hash> RootLocked(uint64_t size) const ABSL_SHARED_LOCKS_REQUIRED(state_mu_);
  absl::Status CheckSize(uint64_t size) const;

  // --- write side (log_writer.cc) ---
  absl::Status WriteBatch(absl::Span<const std::string_view> records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Seals the full open segment and creates its successor. The same steps run on open to finish
  // an interrupted seal.
  absl::Status SealOpenSegment() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status CreateOpenSegment(uint64_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Adds a sealed segment to the reader-visible state and extends the tree above segments.
  void AddSealedSegment(std::unique_ptr<SealedSegment> segment)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_);
  // Records that leaves below `end` are written (and, when `durable`, on disk).
  void NoteWritten(uint64_t end, bool durable) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Blocks until leaves below `end` are durable, running the group commit sync if no one is.
  absl::Status WaitDurable(uint64_t end) ABSL_LOCKS_EXCLUDED(sync_mu_);
  // After a failed write or sync: removes every record from `keep` (the first one not
  // acknowledged) on from the open segment's file, durably, so that recovery cannot bring back
  // a refused batch. Records from `keep` on that are already sealed stay in place (readers map
  // sealed segments); with the open segment cut back to its header, no frame on disk closes the
  // batch that crossed out of them, so recovery on reopen removes it. Returns `cause`, annotated
  // with what is left for recovery, or with what could not be done.
  absl::Status RollBackUnacknowledged(uint64_t keep, const absl::Status& cause)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Stops the writer for good after an I/O error; returns `error`.
  absl::Status StopWriter(const absl::Status& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status StoppedError() const ABSL_LOCKS_EXCLUDED(sync_mu_);
  absl::Status StoppedErrorLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  bool WriterStopped() const;
  bool durable_mode() const { return options_.sync == SyncPolicy::kDurable; }

  // --- recovery (log_recovery.cc) ---
  // Scans the unsealed segment `index` (up to `frames_end`, when given: a read-only open serving
  // a sealed segment's prefix) and makes it the open segment, truncating a torn tail and
  // finishing an interrupted seal.
  absl::Status RecoverOpenSegment(uint64_t index, std::optional<uint64_t> frames_end = std::nullopt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Format 2: where the batch that the last of `sealed` ends with began, if that batch was
  // never acknowledged (unfinished_batch.h says when). `segment_files` counts the sealed ones
  // and the open one, if any.
  absl::StatusOr<std::optional<BatchStart>> FindUnfinishedBatch(
      absl::Span<const std::unique_ptr<SealedSegment>> sealed, uint64_t segment_files)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Removes that batch: DATA_LOSS if a stored checkpoint covers it; else the segment files
  // after start.segment go and start.segment is unsealed and cut back to the batch's first
  // frame, then recovered as the open segment. Read-only: serves what precedes the batch and
  // changes nothing.
  absl::Status RecoverUnfinishedBatch(const BatchStart& start, uint64_t segment_files,
                                      bool successor_exists)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  Env* const env_;
  const LogOptions options_;
  const std::string dir_;
  const std::string segments_dir_;
  const SegmentGeometry geometry_;
  const std::unique_ptr<FileLock> lock_;

  absl::Mutex write_mu_;
  uint64_t next_index_ ABSL_GUARDED_BY(write_mu_) = 0;
  Hash last_chain_ ABSL_GUARDED_BY(write_mu_){};
  // The same object as open_: the writer appends beyond the committed size without state_mu_.
  std::shared_ptr<OpenSegment> writing_ ABSL_GUARDED_BY(write_mu_);
  std::string frame_buffer_ ABSL_GUARDED_BY(write_mu_);
  LeafHasher leaf_hasher_;  // Used only under write_mu_.

  mutable absl::Mutex state_mu_ ABSL_ACQUIRED_AFTER(write_mu_);
  std::vector<std::unique_ptr<SealedSegment>> sealed_ ABSL_GUARDED_BY(state_mu_);
  // above_segments_[k][i]: the node at level leaves_log2 + k, index i (k = 0: segment roots).
  std::vector<std::vector<Hash>> above_segments_ ABSL_GUARDED_BY(state_mu_);
  std::shared_ptr<OpenSegment> open_ ABSL_GUARDED_BY(state_mu_);

  mutable absl::Mutex sync_mu_ ABSL_ACQUIRED_AFTER(state_mu_);
  absl::CondVar sync_done_;
  bool sync_running_ ABSL_GUARDED_BY(sync_mu_) = false;
  uint64_t written_ ABSL_GUARDED_BY(sync_mu_) = 0;
  uint64_t durable_ ABSL_GUARDED_BY(sync_mu_) = 0;
  std::shared_ptr<WritableFile> sync_target_ ABSL_GUARDED_BY(sync_mu_);
  // The first write-path error; once set the writer is stopped for good.
  absl::Status sync_error_ ABSL_GUARDED_BY(sync_mu_);

  std::atomic<uint64_t> committed_{0};
  RecoveryReport recovery_report_;  // Written by Recover only, before the Log is shared.
};

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_LOG_IMPL_H_
