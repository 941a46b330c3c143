// The append-only checkpoint file. Format: docs/format/README.md, "Checkpoints".
#include "sealtrail/checkpoint_store.h"

#include <algorithm>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "coding.h"
#include "crc32c.h"
#include "frame.h"
#include "frame_scanner.h"
#include "sealed_segment.h"
#include "segment_format.h"
#include "status_util.h"

namespace sealtrail {
namespace {

constexpr char kCheckpointsFileName[] = "checkpoints";
constexpr std::string_view kMagic("SEALCKP\0", 8);
constexpr size_t kHeaderSize = 16;
// The checkpoint file's own version; its frames define no flags (docs/format/README.md).
constexpr uint32_t kCheckpointFileVersion = 1;

std::string EncodeHeader() {
  std::string header(kMagic);
  PutFixed32(&header, kCheckpointFileVersion);
  PutFixed32(&header, crc32c::Value(header));
  return header;
}

absl::Status CheckHeader(const RandomAccessFile& file, const std::string& path, uint64_t size) {
  if (size < kHeaderSize) {
    return absl::DataLossError(absl::StrCat(path, ": shorter than its 16-byte header"));
  }
  char bytes[kHeaderSize];
  RETURN_IF_ERROR(file.ReadAt(0, kHeaderSize, bytes));
  const std::string_view header(bytes, kHeaderSize);
  if (header.substr(0, 8) != kMagic ||
      crc32c::Value(header.substr(0, 12)) != DecodeFixed32(bytes + 12)) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a sealtrail checkpoint file (bad header)"));
  }
  if (DecodeFixed32(bytes + 8) != kCheckpointFileVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": checkpoint file format version ", DecodeFixed32(bytes + 8), " is not supported"));
  }
  return absl::OkStatus();
}

// The checkpoint a stored note carries (its signature is checked by verifiers, not here).
absl::StatusOr<Checkpoint> CheckpointOfNote(std::string_view note) {
  absl::StatusOr<ParsedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  return ParseCheckpointBody(parsed->text);
}

}  // namespace

class CheckpointStore::Impl {
 public:
  struct Entry {
    Checkpoint checkpoint;
    uint64_t begin;  // Frame offsets in the file.
    uint64_t end;
  };

  Impl(Env* env, std::string path, bool read_only)
      : env_(env), path_(std::move(path)), read_only_(read_only) {}

  // On DATA_LOSS, *damaged_at is where.
  absl::Status Load(uint64_t* damaged_at) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Append(const Checkpoint& checkpoint, std::string_view note) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<StoredCheckpoint> ReadEntry(size_t i) const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<size_t> FindSize(uint64_t size) const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<StoredCheckpoint> Latest() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (entries_.empty()) return std::nullopt;
    return StoredCheckpoint{entries_.back().checkpoint, latest_note_, entries_.back().begin};
  }
  size_t count() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  absl::Status Create();

  Env* const env_;
  const std::string path_;
  const bool read_only_;
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<RandomAccessFile> reader_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WritableFile> writer_ ABSL_GUARDED_BY(mu_);
  uint64_t file_size_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  std::string latest_note_ ABSL_GUARDED_BY(mu_);  // The newest note, so Latest needs no I/O.
};

absl::Status CheckpointStore::Impl::Create() {
  const std::string temp = absl::StrCat(path_, kTempSuffix);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env_->NewWritableFile(temp));
  RETURN_IF_ERROR(file->Append(EncodeHeader()));
  RETURN_IF_ERROR(file->Sync());
  RETURN_IF_ERROR(file->Close());
  RETURN_IF_ERROR(env_->RenameFile(temp, path_));
  return env_->SyncDir(path_.substr(0, path_.find_last_of('/')));
}

absl::Status CheckpointStore::Impl::Load(uint64_t* damaged_at) {
  absl::MutexLock lock(&mu_);
  if (!env_->FileExists(path_)) {
    if (read_only_) return absl::OkStatus();  // No checkpoint was ever signed.
    RETURN_IF_ERROR(Create());
  }
  ASSIGN_OR_RETURN(const uint64_t size, env_->GetFileSize(path_));
  ASSIGN_OR_RETURN(reader_, env_->NewRandomAccessFile(path_));
  *damaged_at = 0;
  RETURN_IF_ERROR(CheckHeader(*reader_, path_, size));
  FrameScanner scanner(reader_.get(), kHeaderSize, size, /*known_flags=*/0);
  bool torn = false;
  while (!scanner.AtEnd()) {
    FrameScanner::Frame frame;
    RETURN_IF_ERROR(scanner.Next(&frame));
    *damaged_at = frame.offset;
    if (frame.parse != FrameParse::kOk) {
      ASSIGN_OR_RETURN(torn, scanner.IsTornTail(frame));
      if (torn) break;
      return absl::DataLossError(absl::StrCat(path_, ": checkpoint ", entries_.size(),
                                              " at offset ", frame.offset,
                                              " is damaged and more data follows"));
    }
    absl::StatusOr<Checkpoint> checkpoint = CheckpointOfNote(frame.payload);
    if (!checkpoint.ok()) {
      return absl::DataLossError(absl::StrCat(path_, ": checkpoint ", entries_.size(),
                                              " at offset ", frame.offset, ": ",
                                              checkpoint.status().message()));
    }
    if (!entries_.empty() && checkpoint->size < entries_.back().checkpoint.size) {
      return absl::DataLossError(
          absl::StrCat(path_, ": checkpoint ", entries_.size(), " at offset ", frame.offset,
                       " has size ", checkpoint->size, ", smaller than the one before it (",
                       entries_.back().checkpoint.size, ")"));
    }
    entries_.push_back({*std::move(checkpoint), frame.offset, scanner.position()});
    latest_note_ = std::string(frame.payload);
  }
  file_size_ = scanner.position();
  if (read_only_) return absl::OkStatus();
  if (torn) RETURN_IF_ERROR(env_->TruncateFile(path_, file_size_));
  ASSIGN_OR_RETURN(writer_, env_->NewAppendableFile(path_));
  return absl::OkStatus();
}

absl::Status CheckpointStore::Impl::Append(const Checkpoint& checkpoint, std::string_view note) {
  absl::MutexLock lock(&mu_);
  if (read_only_) return absl::FailedPreconditionError(path_ + " is open read-only");
  if (!write_error_.ok()) {
    // The cause's own code (a full disk stays RESOURCE_EXHAUSTED), as the log's writer does.
    return Annotate(write_error_,
                    absl::StrCat(path_, ": appends stopped after an I/O error; reopen to recover"));
  }
  if (!entries_.empty() && checkpoint.size < entries_.back().checkpoint.size) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint sizes never go backwards: ", checkpoint.size,
                     " is smaller than the latest stored size ", entries_.back().checkpoint.size));
  }
  std::string frame;
  AppendFrame(note, &frame);
  absl::Status status = writer_->Append(frame);
  if (status.ok()) status = writer_->Sync();
  if (!status.ok()) {
    // A checkpoint reported as not stored must not appear on reopen (a failed write may have
    // landed whole, a failed fdatasync may have written it anyway): cut the file back to the
    // last stored checkpoint, durably (TruncateFile syncs), then stop for good.
    const absl::Status truncated = env_->TruncateFile(path_, file_size_);
    if (!truncated.ok()) {
      status = Annotate(status, absl::StrCat("(removing the unstored checkpoint failed too: ",
                                             truncated.ToString(), ")"));
    }
    write_error_ = status;
    return status;
  }
  entries_.push_back({checkpoint, file_size_, file_size_ + frame.size()});
  file_size_ += frame.size();
  latest_note_ = std::string(note);
  return absl::OkStatus();
}

absl::StatusOr<StoredCheckpoint> CheckpointStore::Impl::ReadEntry(size_t i) const {
  absl::MutexLock lock(&mu_);
  const Entry& entry = entries_[i];
  ASSIGN_OR_RETURN(std::string note,
                   ReadFrameAt(*reader_, path_, entry.begin, entry.end, i, /*known_flags=*/0));
  return StoredCheckpoint{entry.checkpoint, std::move(note), entry.begin};
}

std::optional<size_t> CheckpointStore::Impl::FindSize(uint64_t size) const {
  absl::MutexLock lock(&mu_);
  // Sizes are non-decreasing: the newest checkpoint of `size` is just before the first larger.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), size,
                             [](uint64_t s, const Entry& e) { return s < e.checkpoint.size; });
  if (it == entries_.begin() || std::prev(it)->checkpoint.size != size) return std::nullopt;
  return static_cast<size_t>(std::prev(it) - entries_.begin());
}

absl::StatusOr<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(Env* env,
                                                                       const std::string& data_dir,
                                                                       bool read_only,
                                                                       uint64_t* damaged_at) {
  if (env == nullptr) env = Env::Default();
  auto impl = std::make_unique<Impl>(env, PathIn(data_dir), read_only);
  uint64_t damage_offset = 0;
  const absl::Status loaded = impl->Load(&damage_offset);
  if (!loaded.ok()) {
    if (damaged_at != nullptr && loaded.code() == absl::StatusCode::kDataLoss) {
      *damaged_at = damage_offset;
    }
    return loaded;
  }
  return std::unique_ptr<CheckpointStore>(new CheckpointStore(std::move(impl)));
}

std::string CheckpointStore::PathIn(const std::string& data_dir) {
  return absl::StrCat(data_dir, "/", kCheckpointsFileName);
}

CheckpointStore::CheckpointStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CheckpointStore::~CheckpointStore() = default;

absl::Status CheckpointStore::Append(const Checkpoint& checkpoint, std::string_view note) {
  return impl_->Append(checkpoint, note);
}

std::optional<StoredCheckpoint> CheckpointStore::Latest() const { return impl_->Latest(); }

absl::StatusOr<StoredCheckpoint> CheckpointStore::Get(uint64_t size) const {
  std::optional<size_t> i = impl_->FindSize(size);
  if (!i.has_value()) {
    return absl::NotFoundError(absl::StrCat("no checkpoint of size ", size, " was signed"));
  }
  return impl_->ReadEntry(*i);
}

absl::StatusOr<std::vector<StoredCheckpoint>> CheckpointStore::List() const {
  std::vector<StoredCheckpoint> all;
  const size_t n = impl_->count();
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(StoredCheckpoint stored, impl_->ReadEntry(i));
    all.push_back(std::move(stored));
  }
  return all;
}

size_t CheckpointStore::count() const { return impl_->count(); }

}  // namespace sealtrail
