// Recovery: rebuilds the Log's in-memory state from its files. Sealed segments are opened by
// their footers alone (no rehash); only the open segment is scanned and rehashed. Interrupted
// work is finished by the write path's own SealOpenSegment and CreateOpenSegment. What was never
// acknowledged goes: a torn tail, an unfinished batch, and (format 2) the batch the sealed
// segments end with when it was never acknowledged, sealed part and all (RecoverUnfinishedBatch).
#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "frame_scanner.h"
#include "log_impl.h"
#include "sealtrail/checkpoint_store.h"
#include "status_util.h"
#include "unfinished_batch.h"

namespace sealtrail {

absl::Status Log::Impl::Recover() {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_->GetChildren(segments_dir_));
  std::vector<uint64_t> indexes;
  for (const std::string& name : names) {
    if (absl::EndsWith(name, kTempSuffix)) {
      // A segment file still being created: it holds no acknowledged record.
      if (!options_.read_only) {
        RETURN_IF_ERROR(env_->RemoveFile(absl::StrCat(segments_dir_, "/", name)));
        recovery_report_.actions.push_back(
            absl::StrCat("removed the unfinished temporary file ", segments_dir_, "/", name));
      }
    } else if (std::optional<uint64_t> index = ParseSegmentFileName(name)) {
      indexes.push_back(*index);
    }
  }
  std::sort(indexes.begin(), indexes.end());
  for (uint64_t i = 0; i < indexes.size(); ++i) {
    if (indexes[i] != i) {
      return absl::DataLossError(absl::StrCat(segments_dir_, ": segment file ", SegmentFileName(i),
                                              " is missing (next present is ",
                                              SegmentFileName(indexes[i]), ")"));
    }
  }
  // Sealed segments, by their footers, the chain checked as they come.
  std::vector<std::unique_ptr<SealedSegment>> sealed;
  for (uint64_t i = 0; i < indexes.size(); ++i) {
    const std::string path = SegmentPath(dir_, i);
    ASSIGN_OR_RETURN(std::unique_ptr<SealedSegment> segment,
                     SealedSegment::Open(env_, path, geometry_, i));
    if (segment == nullptr) {
      if (i + 1 < indexes.size()) {
        return absl::DataLossError(
            absl::StrCat(path, ": segment is not sealed (no valid footer at its end) but segment ",
                         i + 1, " exists; the file is truncated or its footer damaged"));
      }
      break;
    }
    const Hash previous = sealed.empty() ? Hash{} : sealed.back()->footer().chain;
    const Hash chain = ChainHash(previous, segment->footer().root, i);
    if (chain != segment->footer().chain) {
      return absl::DataLossError(absl::StrCat(
          path, ": chain hash in the footer (", HashToBase64(segment->footer().chain),
          ") does not match SHA-256(previous chain || root || index) = ", HashToBase64(chain),
          "; a segment before it was replaced, or this footer was edited"));
    }
    sealed.push_back(std::move(segment));
  }
  const uint64_t count = indexes.size();
  const uint64_t sealed_count = sealed.size();
  ASSIGN_OR_RETURN(const std::optional<BatchStart> unfinished, FindUnfinishedBatch(sealed, count));
  // The segments from the one where an unfinished batch began on are the batch's: they are not
  // served, and their mappings go before the files are changed.
  const uint64_t kept = unfinished.has_value() ? unfinished->segment : sealed_count;
  {
    absl::MutexLock state_lock(&state_mu_);
    for (uint64_t i = 0; i < kept; ++i) {
      last_chain_ = sealed[i]->footer().chain;
      AddSealedSegment(std::move(sealed[i]));
    }
  }
  sealed.clear();
  if (unfinished.has_value()) {
    return RecoverUnfinishedBatch(*unfinished, count, /*successor_exists=*/sealed_count < count);
  }
  if (sealed_count < count) return RecoverOpenSegment(sealed_count);
  // Every segment is sealed: a crash came between sealing the last one and creating its
  // successor (or the log is new).
  if (options_.read_only) {
    next_index_ = count * geometry_.leaves();
    NoteWritten(next_index_, /*durable=*/true);
    return absl::OkStatus();
  }
  if (count > 0 && durable_mode()) {
    // The seal may not have reached the disk if the crash came before its sync; sync it now
    // (a permission error means it was already made read-only, which happens after the sync).
    const std::string path = SegmentPath(dir_, count - 1);
    absl::StatusOr<std::unique_ptr<WritableFile>> file = env_->NewAppendableFile(path);
    if (file.ok()) {
      RETURN_IF_ERROR((*file)->Sync());
    } else if (!absl::IsPermissionDenied(file.status())) {
      return file.status();
    }
    RETURN_IF_ERROR(env_->MakeReadOnly(path));
  }
  next_index_ = count * geometry_.leaves();
  NoteWritten(next_index_, /*durable=*/true);
  if (count > 0) {
    recovery_report_.actions.push_back(absl::StrCat(
        "created segment ", SegmentFileName(count), ", missing after segment ", count - 1,
        " was sealed (a crash between sealing and creating its successor)"));
  }
  return CreateOpenSegment(count);
}

absl::StatusOr<std::optional<BatchStart>> Log::Impl::FindUnfinishedBatch(
    absl::Span<const std::unique_ptr<SealedSegment>> sealed, uint64_t segment_files) {
  if ((geometry_.frame_flags() & kFrameBatchContinues) == 0 || sealed.empty()) return std::nullopt;
  if (segment_files > sealed.size()) {
    // A successor exists, so a batch that ended with the sealed segments may have been
    // acknowledged. One that goes on into the successor was not unless a frame there closes it.
    ASSIGN_OR_RETURN(const bool continues, BatchContinuesPastSegment(*sealed.back()));
    if (!continues) return std::nullopt;
    ASSIGN_OR_RETURN(
        const bool closed,
        OpenSegmentClosesABatch(env_, SegmentPath(dir_, sealed.size()), geometry_, sealed.size()));
    if (closed) return std::nullopt;  // The batch is whole: its last frame is in the open segment.
  }
  // Otherwise no successor exists: the Append of the last batch never returned, since it would
  // have created the successor (and synced the directory) first.
  ASSIGN_OR_RETURN(const BatchStart start, FindStartOfLastBatch(sealed, geometry_));
  return start;
}

absl::Status Log::Impl::RecoverUnfinishedBatch(const BatchStart& start, uint64_t segment_files,
                                               bool successor_exists) {
  const uint64_t first = start.sequence(geometry_);
  const uint64_t last_file = segment_files - 1;
  const std::string path = SegmentPath(dir_, start.segment);
  const std::string why =
      successor_exists ? absl::StrCat("it crossed into segment ", segment_files - 1,
                                      " and no frame on disk closes it")
                       : absl::StrCat("segment ", segment_files,
                                      ", which is created before a batch that fills a segment is "
                                      "acknowledged, does not exist");
  if (options_.read_only) {
    // Serve what precedes the batch, from the sealed file as if it were open; change nothing.
    recovery_report_.actions.push_back(
        absl::StrCat("left the unfinished batch from record ", first, " at offset ", start.offset,
                     " of ", path, ", and the ", last_file - start.segment,
                     " segment file(s) after it, in place and not served (read-only): ", why));
    return RecoverOpenSegment(start.segment, start.offset);
  }
  // Only a batch that was never acknowledged may go. A checkpoint is signed over acknowledged
  // records only, so one beyond `first` means that a segment file after the batch was lost.
  absl::StatusOr<std::unique_ptr<CheckpointStore>> checkpoints =
      CheckpointStore::Open(env_, dir_, /*read_only=*/true);
  if (!checkpoints.ok()) {
    return Annotate(checkpoints.status(),
                    absl::StrCat("checking that no checkpoint covers the unfinished batch from "
                                 "record ",
                                 first, " of ", path));
  }
  if (const std::optional<StoredCheckpoint> latest = (*checkpoints)->Latest();
      latest.has_value() && latest->checkpoint.size > first) {
    return absl::DataLossError(absl::StrCat(
        path, ": record ", first, " at offset ", start.offset,
        " begins a batch that looks never acknowledged (", why,
        "), so it would be removed; but the newest stored checkpoint has size ",
        latest->checkpoint.size, ", so records up to ", latest->checkpoint.size - 1,
        " were acknowledged: a segment file after this one was truncated, replaced or removed"));
  }
  // The later segment files hold nothing but the batch. Highest first, and the directory synced
  // before the unseal: whatever a crash leaves of this is again sealed segments ending in the
  // batch with no successor, so the next open finds the same start and finishes the job.
  uint64_t removed_bytes = 0;
  for (uint64_t k = last_file; k > start.segment; --k) {
    const std::string later = SegmentPath(dir_, k);
    ASSIGN_OR_RETURN(const uint64_t bytes, env_->GetFileSize(later));
    RETURN_IF_ERROR(env_->RemoveFile(later));
    removed_bytes += bytes;
    recovery_report_.actions.push_back(
        absl::StrCat("removed ", later, " (", bytes, " bytes): it held no record but those of ",
                     "the unfinished batch from record ", first, ", never acknowledged"));
  }
  if (last_file > start.segment) RETURN_IF_ERROR(env_->SyncDir(segments_dir_));
  ASSIGN_OR_RETURN(const uint64_t size, env_->GetFileSize(path));
  RETURN_IF_ERROR(env_->MakeWritable(path));
  RETURN_IF_ERROR(env_->TruncateFile(path, start.offset));  // Syncs the new size.
  recovery_report_.truncated_bytes += removed_bytes + (size - start.offset);
  recovery_report_.actions.push_back(
      absl::StrCat("unsealed ", path, " and truncated it at offset ", start.offset, ", removing ",
                   size - start.offset, " bytes: its seal and records ", first, "..",
                   (start.segment + 1) * geometry_.leaves() - 1,
                   ", the start of a batch that was never ", "acknowledged (", why, ")"));
  return RecoverOpenSegment(start.segment);
}

absl::Status Log::Impl::RecoverOpenSegment(uint64_t index, std::optional<uint64_t> frames_end) {
  const std::string path = SegmentPath(dir_, index);
  ASSIGN_OR_RETURN(const uint64_t file_size, env_->GetFileSize(path));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, env_->NewRandomAccessFile(path));
  RETURN_IF_ERROR(CheckSegmentHeader(*reader, path, file_size, geometry_, index));
  const uint64_t size = std::min(file_size, frames_end.value_or(file_size));
  auto segment = std::make_shared<OpenSegment>(index, path, geometry_);
  segment->frame_offsets[0] = kSegmentHeaderSize;

  const uint64_t first_sequence = index * geometry_.leaves();
  FrameScanner scanner(reader.get(), kSegmentHeaderSize, size, geometry_.frame_flags());
  // Format 2: whole frames of a batch not yet closed (by a frame without kFrameBatchContinues)
  // wait here and join the tree only once it is. A crash that cut a batch short leaves them
  // unclosed; they go with the torn tail, since the batch was never acknowledged (its sync
  // comes after its last frame). In format 1 every frame closes its "batch".
  std::vector<Hash> unclosed;
  bool torn = false;
  while (!scanner.AtEnd()) {
    const uint64_t local = segment->tree.leaf_count() + unclosed.size();
    if (local == geometry_.leaves()) {
      torn = true;  // Bytes after the last frame: a seal that was interrupted part-way.
      break;
    }
    FrameScanner::Frame frame;
    RETURN_IF_ERROR(scanner.Next(&frame));
    if (frame.parse == FrameParse::kOk) {
      unclosed.push_back(HashLeaf(frame.payload));
      segment->frame_offsets[local + 1] = scanner.position();
      if ((frame.flags & kFrameBatchContinues) == 0) {
        for (const Hash& leaf : unclosed) segment->tree.AddLeaf(leaf);
        unclosed.clear();
        segment->bytes = scanner.position();
      }
      continue;
    }
    ASSIGN_OR_RETURN(torn, scanner.IsTornTail(frame));
    if (torn) break;
    return absl::DataLossError(absl::StrCat(
        path, ": record ", first_sequence + local, " at offset ", frame.offset, ": ",
        frame.parse == FrameParse::kBadChecksum ? "checksum mismatch"
        : frame.parse == FrameParse::kUnknownFlags
            ? absl::StrCat("frame header carries flag bits 0x", absl::Hex(frame.flags),
                           " that format ", geometry_.format_version, " does not define")
            : "damaged frame header",
        ", and more data follows, so this is damage, not a torn write"));
  }
  const size_t unclosed_frames = unclosed.size();
  if (unclosed_frames > 0) torn = true;
  segment->reader = std::move(reader);
  if (options_.read_only) {
    // Serve the intact prefix; a torn tail or an unfinished seal is left for the writer.
    if (torn) {
      recovery_report_.actions.push_back(absl::StrCat("left a torn tail of ", size - segment->bytes,
                                                      " bytes at offset ", segment->bytes, " of ",
                                                      path, " in place (read-only)"));
    }
    next_index_ = first_sequence + segment->tree.leaf_count();
    absl::MutexLock state_lock(&state_mu_);
    open_ = segment;
    NoteWritten(next_index_, /*durable=*/true);
    return absl::OkStatus();
  }
  if (torn) {
    RETURN_IF_ERROR(env_->TruncateFile(path, segment->bytes));
    recovery_report_.truncated_bytes += size - segment->bytes;
    recovery_report_.actions.push_back(
        absl::StrCat("truncated a torn tail of ", size - segment->bytes, " bytes at offset ",
                     segment->bytes, " of ", path, " (records from ",
                     first_sequence + segment->tree.leaf_count(), " on were never acknowledged",
                     unclosed_frames > 0 ? absl::StrCat("; ", unclosed_frames,
                                                        " whole frames of a batch whose last "
                                                        "frame never reached the disk")
                                         : "",
                     ")"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> writer, env_->NewAppendableFile(path));
  segment->writer = std::move(writer);
  // What survived a process crash may still be only in the page cache: make it durable before
  // acknowledging it to readers.
  if (durable_mode()) RETURN_IF_ERROR(segment->writer->Sync());
  next_index_ = first_sequence + segment->tree.leaf_count();
  writing_ = segment;
  {
    absl::MutexLock state_lock(&state_mu_);
    open_ = segment;
    absl::MutexLock sync_lock(&sync_mu_);
    sync_target_ = segment->writer;
  }
  NoteWritten(next_index_, /*durable=*/true);
  if (segment->tree.full()) {
    recovery_report_.actions.push_back(
        absl::StrCat("finished sealing ", path, ", which was full but not sealed"));
    return SealOpenSegment();
  }
  return absl::OkStatus();
}

}  // namespace sealtrail
