// The write side of Log: append, group commit, sealing and segment creation.
//
// Commit order (docs/format/README.md, "Write order"), the one commit point of the log:
//   1. an Append's frames are written to the open segment (one write per segment chunk) and its
//      leaves added to the open tree; then `written_` advances;
//   2. one fdatasync that started after they were written succeeds (group commit);
//   3. only then does committed_ (the acknowledged size readers and the checkpointer see)
//      advance, and the Append returns OK.
// Sealing syncs the full segment before its successor is created, so a segment file exists only
// if every segment before it is sealed on disk.
// Failure: a failed write (step 1) or fdatasync (step 2) stops the writer for good, and first
// removes what it wrote beyond the acknowledged records (RollBackUnacknowledged: truncate the
// open segment back to the batch's start, or to the durable size, and fdatasync), so that
// recovery cannot bring back a refused batch, or part of one. When part of the refused records
// is sealed already (the batch filled a segment), the segment file after the sealed ones goes
// instead, and recovery on reopen removes the sealed part (see RollBackUnacknowledged).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "coding.h"
#include "frame.h"
#include "leaf_hasher.h"
#include "log_impl.h"
#include "status_util.h"
#include "unfinished_batch.h"

namespace sealtrail {

namespace {

// Below this many records, handing the hashing to the LeafHasher thread costs more than it saves.
constexpr size_t kOverlapMinRecords = 32;
// The reusable frame buffer is released after a batch larger than this.
constexpr size_t kFrameBufferKeepBytes = 16u << 20;

}  // namespace

absl::StatusOr<uint64_t> Log::Impl::Append(absl::Span<const std::string_view> records) {
  if (options_.read_only) {
    return absl::FailedPreconditionError(absl::StrCat("the log in ", dir_, " is open read-only"));
  }
  if (records.empty()) return absl::InvalidArgumentError("append of an empty batch");
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, " of the batch is empty; empty records are not allowed"));
    }
    if (records[i].size() > options_.max_record_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("record ", i, " of the batch is ",
                                                     records[i].size(), " bytes; the limit is ",
                                                     options_.max_record_bytes));
    }
  }
  uint64_t first = 0;
  uint64_t end = 0;
  {
    absl::MutexLock lock(&write_mu_);
    if (WriterStopped()) return StoppedError();
    first = next_index_;
    absl::Status status = WriteBatch(records);
    if (!status.ok()) return StopWriter(RollBackUnacknowledged(first, status));
    end = next_index_;
    NoteWritten(end, /*durable=*/!durable_mode());
  }
  // The sync runs outside write_mu_, so the next appender hashes and writes meanwhile.
  if (durable_mode()) RETURN_IF_ERROR(WaitDurable(end));
  return first;
}

absl::Status Log::Impl::WriteBatch(absl::Span<const std::string_view> records) {
  while (!records.empty()) {
    OpenSegment& segment = *writing_;
    const uint64_t first_local = segment.tree.leaf_count();
    const size_t take =
        static_cast<size_t>(std::min<uint64_t>(geometry_.leaves() - first_local, records.size()));
    const absl::Span<const std::string_view> chunk = records.subspan(0, take);
    // The LeafHasher hashes the chunk into the tree while this thread frames and writes it.
    const bool overlap = take >= kOverlapMinRecords;
    if (overlap) leaf_hasher_.Start(chunk, &segment.tree);
    frame_buffer_.clear();
    for (size_t j = 0; j < take; ++j) {
      // Format 2's batch-commit marker: every frame but the batch's last says that more of the
      // batch follows (in this segment or the next), so recovery can tell a batch that a crash
      // cut short (never acknowledged: the sync comes after its last frame) and drop it whole.
      const bool continues = j + 1 < take || take < records.size();
      AppendFrame(chunk[j], &frame_buffer_,
                  continues ? geometry_.frame_flags() & kFrameBatchContinues : 0);
      // Entry first_local already holds this chunk's start; readers may be reading it.
      segment.frame_offsets[first_local + j + 1] = segment.bytes + frame_buffer_.size();
    }
    const absl::Status written = segment.writer->Append(frame_buffer_);
    if (overlap) {
      leaf_hasher_.Wait();
    } else if (written.ok()) {
      AddRecordsToTree(chunk, &segment.tree);
    }
    RETURN_IF_ERROR(written);
    segment.bytes += frame_buffer_.size();
    if (frame_buffer_.capacity() > kFrameBufferKeepBytes) std::string().swap(frame_buffer_);
    next_index_ += take;
    records.remove_prefix(take);
    if (segment.tree.full()) RETURN_IF_ERROR(SealOpenSegment());
  }
  return absl::OkStatus();
}

absl::Status Log::Impl::SealOpenSegment() {
  std::shared_ptr<OpenSegment> segment = writing_;
  SegmentFooter footer;
  footer.version = geometry_.format_version;
  footer.leaves_log2 = geometry_.leaves_log2;
  footer.segment_index = segment->index;
  footer.leaf_count = geometry_.leaves();
  footer.frames_end = segment->bytes;
  footer.root = segment->tree.Root();
  footer.chain = ChainHash(last_chain_, footer.root, segment->index);

  std::string tail;
  tail.reserve(geometry_.leaves() * 8 + kSegmentFooterSize);
  for (uint64_t j = 0; j < geometry_.leaves(); ++j) PutFixed64(&tail, segment->frame_offsets[j]);
  tail.append(EncodeSegmentFooter(footer));
  RETURN_IF_ERROR(segment->writer->Append(segment->tree.NodeTableBytes()));
  RETURN_IF_ERROR(segment->writer->Append(tail));
  if (durable_mode()) RETURN_IF_ERROR(segment->writer->Sync());
  RETURN_IF_ERROR(env_->MakeReadOnly(segment->path));
  ASSIGN_OR_RETURN(std::unique_ptr<SealedSegment> sealed,
                   SealedSegment::Open(env_, segment->path, geometry_, segment->index));
  if (sealed == nullptr) {
    return absl::InternalError(absl::StrCat(segment->path, ": footer not found after sealing"));
  }
  {
    absl::MutexLock lock(&state_mu_);
    AddSealedSegment(std::move(sealed));
    open_ = nullptr;
  }
  last_chain_ = footer.chain;
  writing_ = nullptr;
  // The sealed records are on disk now, but they are acknowledged only when the whole Append
  // succeeds (Append's NoteWritten and WaitDurable): readers must never see part of a batch
  // whose Append then fails.
  return CreateOpenSegment(segment->index + 1);
}

void Log::Impl::AddSealedSegment(std::unique_ptr<SealedSegment> segment) {
  Hash node = segment->footer().root;
  sealed_.push_back(std::move(segment));
  for (size_t k = 0;; ++k) {
    if (above_segments_.size() == k) above_segments_.emplace_back();
    std::vector<Hash>& level = above_segments_[k];
    level.push_back(node);
    if (level.size() % 2 == 1) break;
    node = HashChildren(level[level.size() - 2], level.back());
  }
}

absl::Status Log::Impl::CreateOpenSegment(uint64_t index) {
  const std::string path = SegmentPath(dir_, index);
  const std::string temp = absl::StrCat(path, kTempSuffix);
  {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env_->NewWritableFile(temp));
    RETURN_IF_ERROR(file->Append(
        EncodeSegmentHeader({geometry_.format_version, geometry_.leaves_log2, index})));
    if (durable_mode()) RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(file->Close());
  }
  RETURN_IF_ERROR(env_->RenameFile(temp, path));
  if (durable_mode()) RETURN_IF_ERROR(env_->SyncDir(segments_dir_));
  auto segment = std::make_shared<OpenSegment>(index, path, geometry_);
  ASSIGN_OR_RETURN(segment->writer, env_->NewAppendableFile(path));
  ASSIGN_OR_RETURN(segment->reader, env_->NewRandomAccessFile(path));
  segment->frame_offsets[0] = kSegmentHeaderSize;
  writing_ = segment;
  {
    absl::MutexLock state_lock(&state_mu_);
    open_ = segment;
    absl::MutexLock sync_lock(&sync_mu_);
    sync_target_ = segment->writer;
  }
  return absl::OkStatus();
}

void Log::Impl::NoteWritten(uint64_t end, bool durable) {
  absl::MutexLock lock(&sync_mu_);
  written_ = std::max(written_, end);
  if (durable && end > durable_) {
    durable_ = end;
    committed_.store(durable_, std::memory_order_release);
    sync_done_.SignalAll();
  }
}

absl::Status Log::Impl::WaitDurable(uint64_t end) {
  absl::MutexLock lock(&sync_mu_);
  while (true) {
    if (durable_ >= end) return absl::OkStatus();
    if (!sync_error_.ok()) return StoppedErrorLocked();
    if (sync_running_) {
      sync_done_.Wait(&sync_mu_);
      continue;
    }
    // Become the syncer for everything written so far: one fdatasync acknowledges every
    // appender whose bytes it covers (group commit). Writers keep appending meanwhile.
    sync_running_ = true;
    const uint64_t target = written_;
    std::shared_ptr<WritableFile> file = sync_target_;
    sync_mu_.Unlock();
    absl::Status status = file->Sync();
    sync_mu_.Lock();
    sync_running_ = false;
    bool roll_back = false;
    if (status.ok()) {
      if (target > durable_) {
        durable_ = target;
        committed_.store(durable_, std::memory_order_release);
      }
    } else if (sync_error_.ok()) {
      // Never retried: after a failed fdatasync the kernel may have dropped the dirty pages.
      sync_error_ = status;
      roll_back = true;
    }
    sync_done_.SignalAll();
    if (roll_back) {
      // Every writer that takes write_mu_ from now on sees the writer stopped, so nothing is
      // written after the rollback; what is beyond the durable size was never acknowledged.
      const uint64_t durable = durable_;
      sync_mu_.Unlock();
      {
        absl::MutexLock write_lock(&write_mu_);
        status = RollBackUnacknowledged(durable, status);
      }
      sync_mu_.Lock();
    }
    if (!status.ok()) return status;
  }
}

absl::Status Log::Impl::RollBackUnacknowledged(uint64_t keep, const absl::Status& cause) {
  const std::shared_ptr<OpenSegment> segment = writing_;
  uint64_t sealed_count = 0;
  {
    absl::ReaderMutexLock lock(&state_mu_);
    sealed_count = sealed_.size();
  }
  const uint64_t sealed_end = sealed_count * geometry_.leaves();
  if (keep >= sealed_end) {
    // Everything unacknowledged is in the open segment, or in the full one whose seal failed
    // (its seal bytes go too). No open segment: nothing was written after the last seal.
    if (segment == nullptr) return cause;
    const uint64_t bytes = segment->frame_offsets[keep - segment->index * geometry_.leaves()];
    // TruncateFile syncs the new size: what recovery finds ends at the last acknowledged record.
    const absl::Status truncated = env_->TruncateFile(segment->path, bytes);
    if (!truncated.ok()) {
      return Annotate(
          cause, absl::StrCat("removing the unacknowledged records from ", keep, " on failed too (",
                              truncated.ToString(), "); they may be recovered on reopen"));
    }
    return cause;
  }
  // The unacknowledged records began in a segment that has been sealed since (a batch that
  // filled it and went on, or ended with it). A sealed segment is not cut back while the log is
  // open: readers of its acknowledged records map its node table. Instead the file after the
  // last sealed segment, every record of which is unacknowledged, goes: with no successor on
  // disk, recovery on reopen knows the batch the sealed segments end with was never
  // acknowledged and removes it whole, unsealing the segment where it began
  // (docs/format/README.md, "Recovery on open").
  const std::string successor =
      segment != nullptr ? segment->path : SegmentPath(dir_, sealed_count);
  absl::Status removed;
  if (env_->FileExists(successor)) {
    removed = env_->RemoveFile(successor);
    if (removed.ok()) removed = env_->SyncDir(segments_dir_);
  }
  if (!removed.ok()) {
    return Annotate(cause, absl::StrCat("records from ", keep,
                                        " on were not acknowledged, and removing the segment file "
                                        "after the sealed ones failed too (",
                                        removed.ToString(), "); they may be recovered on reopen"));
  }
  // What recovery will remove: the last batch of the sealed segments (format 2 only). Batches
  // before it that closed inside a sealed segment, refused only because a later write or the
  // shared sync failed, stay.
  absl::StatusOr<uint64_t> removed_from = sealed_end;
  if ((geometry_.frame_flags() & kFrameBatchContinues) != 0) {
    absl::ReaderMutexLock lock(&state_mu_);
    absl::StatusOr<BatchStart> start = FindStartOfLastBatch(sealed_, geometry_);
    if (start.ok()) {
      removed_from = start->sequence(geometry_);
    } else {
      removed_from = start.status();
    }
  }
  if (!removed_from.ok()) {
    return Annotate(cause, absl::StrCat("records from ", keep,
                                        " on were not acknowledged; some are in sealed segments, "
                                        "and where recovery on reopen starts removing them could "
                                        "not be told (",
                                        removed_from.status().ToString(), ")"));
  }
  const uint64_t first_segment = *removed_from / geometry_.leaves();
  if (keep >= *removed_from) {
    return Annotate(
        cause, absl::StrCat("records from ", keep,
                            " on were not acknowledged: the segment file after the sealed ones "
                            "is gone, and the part of their batch sealed into segment ",
                            first_segment, first_segment + 1 < sealed_count ? " and after" : "",
                            " stays on disk until the log is reopened, whose recovery removes it"));
  }
  return Annotate(
      cause,
      absl::StrCat("records from ", keep,
                   " on were not acknowledged; those after the sealed segments are gone, but "
                   "records ",
                   keep, "..", *removed_from - 1,
                   " are in sealed segments and will be recovered on reopen (",
                   *removed_from < sealed_end
                       ? absl::StrCat("recovery removes only the batch the sealed segments end "
                                      "with, from record ",
                                      *removed_from)
                       : std::string("format 1 marks no batch"),
                   ")"));
}

bool Log::Impl::WriterStopped() const {
  absl::MutexLock lock(&sync_mu_);
  return !sync_error_.ok();
}

absl::Status Log::Impl::StopWriter(const absl::Status& error) {
  absl::MutexLock lock(&sync_mu_);
  if (sync_error_.ok()) sync_error_ = error;
  sync_done_.SignalAll();
  return error;
}

absl::Status Log::Impl::StoppedError() const {
  absl::MutexLock lock(&sync_mu_);
  return StoppedErrorLocked();
}

absl::Status Log::Impl::StoppedErrorLocked() const {
  const absl::Status& cause = sync_error_;
  // The cause's own code (a full disk stays RESOURCE_EXHAUSTED, EIO INTERNAL): a caller that
  // retries learns what is wrong, not merely that the writer stopped.
  return Annotate(cause,
                  "the log stopped accepting appends after an I/O error; reopen it to recover "
                  "from what is on disk");
}

}  // namespace sealtrail
