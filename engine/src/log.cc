// Log: opening, the read side (records, roots, proofs) and the public wrappers.
#include "sealtrail/log.h"

#include "absl/strings/str_cat.h"
#include "log_impl.h"
#include "proof_builder.h"
#include "status_util.h"

namespace sealtrail {

Log::Impl::Impl(const LogOptions& options, std::string dir, SegmentGeometry geometry,
                std::unique_ptr<FileLock> lock)
    : env_(options.env != nullptr ? options.env : Env::Default()),
      options_(options),
      dir_(std::move(dir)),
      segments_dir_(SegmentsDir(dir_)),
      geometry_(geometry),
      lock_(std::move(lock)) {}

absl::Status Log::Impl::CheckSize(uint64_t size) const {
  const uint64_t committed = Size();
  if (size > committed) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", size, " is beyond the log's size ", committed));
  }
  return absl::OkStatus();
}

absl::StatusOr<Hash> Log::Impl::FetchNode(uint32_t level, uint64_t index) const {
  const uint32_t segment_level = geometry_.leaves_log2;
  if (level >= segment_level) {
    const uint32_t k = level - segment_level;
    if (k < above_segments_.size() && index < above_segments_[k].size()) {
      return above_segments_[k][index];
    }
  } else {
    const uint64_t segment = (index << level) >> segment_level;
    const uint64_t local = index - (segment << (segment_level - level));
    if (segment < sealed_.size()) return sealed_[segment]->Node(level, local);
    if (open_ != nullptr && open_->index == segment) return open_->tree.Node(level, local);
  }
  return absl::InternalError(
      absl::StrCat("tree node (level ", level, ", index ", index, ") is not available"));
}

NodeFetcher Log::Impl::Fetcher() const {
  // Called with state_mu_ held shared; the analysis cannot follow the lock into the lambda.
  return [this](uint32_t level, uint64_t index)
             ABSL_NO_THREAD_SAFETY_ANALYSIS { return FetchNode(level, index); };
}

absl::StatusOr<Hash> Log::Impl::RootLocked(uint64_t size) const {
  if (size == 0) return EmptyTreeRoot();
  return HashRange({0, size}, Fetcher());
}

absl::StatusOr<TreeHead> Log::Impl::Head() const {
  absl::ReaderMutexLock lock(&state_mu_);
  TreeHead head;
  head.size = Size();
  ASSIGN_OR_RETURN(head.root, RootLocked(head.size));
  return head;
}

absl::StatusOr<Hash> Log::Impl::Root(uint64_t size) const {
  RETURN_IF_ERROR(CheckSize(size));
  absl::ReaderMutexLock lock(&state_mu_);
  return RootLocked(size);
}

absl::StatusOr<std::string> Log::Impl::Read(uint64_t index) const {
  if (index >= Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("record ", index, " does not exist; the log has ", Size(), " records"));
  }
  absl::ReaderMutexLock lock(&state_mu_);
  const uint64_t segment = index >> geometry_.leaves_log2;
  const uint64_t local = index & (geometry_.leaves() - 1);
  if (segment < sealed_.size()) return sealed_[segment]->ReadRecord(local);
  return ReadFrameAt(*open_->reader, open_->path, open_->frame_offsets[local],
                     open_->frame_offsets[local + 1], index, geometry_.frame_flags());
}

absl::StatusOr<Hash> Log::Impl::LeafHash(uint64_t index) const {
  if (index >= Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("record ", index, " does not exist; the log has ", Size(), " records"));
  }
  absl::ReaderMutexLock lock(&state_mu_);
  return FetchNode(0, index);
}

absl::StatusOr<InclusionProof> Log::Impl::ProveInclusion(uint64_t leaf_index,
                                                         uint64_t tree_size) const {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not below tree size ", tree_size));
  }
  RETURN_IF_ERROR(CheckSize(tree_size));
  InclusionProof proof{leaf_index, tree_size, {}};
  absl::ReaderMutexLock lock(&state_mu_);
  ASSIGN_OR_RETURN(proof.path, AssemblePath(PlanInclusion(leaf_index, tree_size), Fetcher()));
  return proof;
}

absl::StatusOr<std::vector<Hash>> Log::Impl::ProveMultiInclusion(
    absl::Span<const uint64_t> leaf_indices, uint64_t tree_size) const {
  RETURN_IF_ERROR(CheckMultiInclusionIndices(leaf_indices, tree_size));
  RETURN_IF_ERROR(CheckSize(tree_size));
  absl::ReaderMutexLock lock(&state_mu_);
  return AssemblePath(PlanMultiInclusion(leaf_indices, tree_size), Fetcher());
}

absl::StatusOr<ConsistencyProof> Log::Impl::ProveConsistency(uint64_t old_size,
                                                             uint64_t new_size) const {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", old_size, " is larger than new size ", new_size));
  }
  RETURN_IF_ERROR(CheckSize(new_size));
  ConsistencyProof proof{old_size, new_size, {}};
  if (old_size == 0 || old_size == new_size) return proof;
  absl::ReaderMutexLock lock(&state_mu_);
  ASSIGN_OR_RETURN(proof.path, AssemblePath(PlanConsistency(old_size, new_size), Fetcher()));
  return proof;
}

// --- public wrappers ---

absl::StatusOr<std::unique_ptr<Log>> Log::Open(const LogOptions& options, const std::string& dir) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  if (options.max_record_bytes == 0 || options.max_record_bytes > kMaxRecordLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_record_bytes must be in 1..", kMaxRecordLimit, ", got ", options.max_record_bytes));
  }
  if (options.leaves_per_segment_log2 != 0 && (options.leaves_per_segment_log2 < kMinLeavesLog2 ||
                                               options.leaves_per_segment_log2 > kMaxLeavesLog2)) {
    return absl::InvalidArgumentError(absl::StrCat("leaves_per_segment_log2 must be in ",
                                                   kMinLeavesLog2, "..", kMaxLeavesLog2, ", got ",
                                                   options.leaves_per_segment_log2));
  }
  if (options.read_only) {
    if (!env->FileExists(absl::StrCat(dir, "/", kFormatFileName))) {
      return absl::NotFoundError(
          absl::StrCat(dir, " is not a sealtrail data directory (no ", kFormatFileName, " file)"));
    }
    ASSIGN_OR_RETURN(const SegmentGeometry geometry, ReadFormatFile(env, dir));
    auto impl = std::make_unique<Impl>(options, dir, geometry, nullptr);
    RETURN_IF_ERROR(impl->Recover());
    return std::unique_ptr<Log>(new Log(std::move(impl)));
  }
  if (!env->FileExists(dir)) {
    if (!options.create_if_missing) {
      return absl::NotFoundError(absl::StrCat("data directory ", dir, " does not exist"));
    }
    RETURN_IF_ERROR(env->CreateDir(dir));
    // Make the new directory's own entry durable, or a machine crash could lose the whole log.
    const size_t slash = dir.find_last_of('/');
    RETURN_IF_ERROR(env->SyncDir(slash == std::string::npos ? "."
                                 : slash == 0               ? "/"
                                                            : dir.substr(0, slash)));
  }
  // The lock comes first so that two processes cannot both initialise the directory.
  absl::StatusOr<std::unique_ptr<FileLock>> lock =
      env->LockFile(absl::StrCat(dir, "/", kLockFileName));
  if (!lock.ok()) {
    return Annotate(lock.status(),
                    absl::StrCat("data directory ", dir, " is already open for writing"));
  }
  // Creation order: FORMAT (written atomically), then segments/. A crash in between leaves a
  // directory that the next open finishes creating.
  if (!env->FileExists(absl::StrCat(dir, "/", kFormatFileName))) {
    if (env->FileExists(SegmentsDir(dir))) {
      ASSIGN_OR_RETURN(std::vector<std::string> children, env->GetChildren(SegmentsDir(dir)));
      if (!children.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(dir, " has segment files but no ",
                                                          kFormatFileName,
                                                          " file; refusing to guess its format"));
      }
    }
    if (!options.create_if_missing) {
      return absl::NotFoundError(
          absl::StrCat(dir, " is not a sealtrail data directory (no ", kFormatFileName, " file)"));
    }
    // A new directory is created in the current format version (kFormatVersion).
    RETURN_IF_ERROR(WriteFormatFile(
        env, dir,
        SegmentGeometry{options.leaves_per_segment_log2 != 0 ? options.leaves_per_segment_log2
                                                             : kDefaultLeavesLog2,
                        kFormatVersion}));
  }
  if (!env->FileExists(SegmentsDir(dir))) {
    RETURN_IF_ERROR(env->CreateDir(SegmentsDir(dir)));
    RETURN_IF_ERROR(env->SyncDir(dir));
  }
  // An existing directory keeps its own format version, which its new segments carry too.
  ASSIGN_OR_RETURN(const SegmentGeometry geometry, ReadFormatFile(env, dir));
  if (options.leaves_per_segment_log2 != 0 &&
      options.leaves_per_segment_log2 != geometry.leaves_log2) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " holds segments of 2^", geometry.leaves_log2, " leaves; the options ask for 2^",
        options.leaves_per_segment_log2, " (use 0 to take the directory's own value)"));
  }
  auto impl = std::make_unique<Impl>(options, dir, geometry, *std::move(lock));
  RETURN_IF_ERROR(impl->Recover());
  return std::unique_ptr<Log>(new Log(std::move(impl)));
}

Log::Log(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Log::~Log() = default;

absl::StatusOr<uint64_t> Log::Append(absl::Span<const std::string_view> records) {
  return impl_->Append(records);
}
absl::StatusOr<std::string> Log::Read(uint64_t index) const { return impl_->Read(index); }
absl::StatusOr<Hash> Log::LeafHash(uint64_t index) const { return impl_->LeafHash(index); }
uint64_t Log::Size() const { return impl_->Size(); }
absl::StatusOr<TreeHead> Log::Head() const { return impl_->Head(); }
absl::StatusOr<Hash> Log::Root(uint64_t size) const { return impl_->Root(size); }
absl::StatusOr<InclusionProof> Log::ProveInclusion(uint64_t leaf_index, uint64_t tree_size) const {
  return impl_->ProveInclusion(leaf_index, tree_size);
}
absl::StatusOr<std::vector<Hash>> Log::ProveMultiInclusion(absl::Span<const uint64_t> leaf_indices,
                                                           uint64_t tree_size) const {
  return impl_->ProveMultiInclusion(leaf_indices, tree_size);
}
absl::StatusOr<ConsistencyProof> Log::ProveConsistency(uint64_t old_size, uint64_t new_size) const {
  return impl_->ProveConsistency(old_size, new_size);
}
const std::string& Log::dir() const { return impl_->dir(); }
uint64_t Log::RecordsPerSegment() const { return impl_->records_per_segment(); }
const RecoveryReport& Log::recovery_report() const { return impl_->recovery_report(); }

}  // namespace sealtrail
