// Recovery: rebuilds the Log's in-memory state from its files. Sealed segments are opened by
// their footers alone (no rehash); only the open segment is scanned and rehashed. Interrupted
// work is finished by the write path's own SealOpenSegment and CreateOpenSegment.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "frame_scanner.h"
#include "log_impl.h"
#include "status_util.h"

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
  for (uint64_t i = 0; i < indexes.size(); ++i) {
    const std::string path = SegmentPath(dir_, i);
    ASSIGN_OR_RETURN(std::unique_ptr<SealedSegment> sealed,
                     SealedSegment::Open(env_, path, geometry_, i));
    if (sealed == nullptr) {
      if (i + 1 < indexes.size()) {
        return absl::DataLossError(
            absl::StrCat(path, ": segment is not sealed (no valid footer at its end) but segment ",
                         i + 1, " exists; the file is truncated or its footer damaged"));
      }
      return RecoverOpenSegment(i);
    }
    const Hash chain = ChainHash(last_chain_, sealed->footer().root, i);
    if (chain != sealed->footer().chain) {
      return absl::DataLossError(absl::StrCat(
          path, ": chain hash in the footer (", HashToBase64(sealed->footer().chain),
          ") does not match SHA-256(previous chain || root || index) = ", HashToBase64(chain),
          "; a segment before it was replaced, or this footer was edited"));
    }
    last_chain_ = chain;
    absl::MutexLock state_lock(&state_mu_);
    AddSealedSegment(std::move(sealed));
  }
  // Every segment is sealed: a crash came between sealing the last one and creating its
  // successor (or the log is new).
  const uint64_t count = indexes.size();
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

absl::Status Log::Impl::RecoverOpenSegment(uint64_t index) {
  const std::string path = SegmentPath(dir_, index);
  ASSIGN_OR_RETURN(const uint64_t size, env_->GetFileSize(path));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, env_->NewRandomAccessFile(path));
  RETURN_IF_ERROR(CheckSegmentHeader(*reader, path, size, geometry_, index));
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
