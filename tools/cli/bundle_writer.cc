#include "cli/bundle_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {
namespace {

constexpr char kPartialSuffix[] = ".partial";
constexpr uint32_t kBundleFileMode = 0644;

std::string WithoutTrailingSlashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

absl::Status SyncAndClose(WritableFile& file) {
  RETURN_IF_ERROR(file.Sync());
  return file.Close();
}

}  // namespace

absl::Status BundleWriter::CheckTarget(Env* env, const std::string& dir) {
  const std::string target = WithoutTrailingSlashes(dir);
  if (env->FileExists(target)) {
    absl::StatusOr<std::vector<std::string>> children = env->GetChildren(target);
    if (!children.ok()) {
      return absl::AlreadyExistsError(
          absl::StrCat(target, " exists and is not a directory: give a new directory"));
    }
    if (!children->empty()) {
      return absl::AlreadyExistsError(absl::StrCat(
          target,
          " is not empty: give a new or empty directory; a bundle is never merged into "
          "existing files"));
    }
  }
  const std::string partial = target + kPartialSuffix;
  if (env->FileExists(partial)) {
    return absl::AlreadyExistsError(absl::StrCat(
        partial, " exists, probably left by an export that failed: remove it and try again"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BundleWriter>> BundleWriter::Create(Env* env,
                                                                   const std::string& dir) {
  RETURN_IF_ERROR(CheckTarget(env, dir));
  std::string target = WithoutTrailingSlashes(dir);
  std::string partial = target + kPartialSuffix;
  RETURN_IF_ERROR(env->CreateDir(partial));
  RETURN_IF_ERROR(env->CreateDir(absl::StrCat(partial, "/", kBundleRecordsDir)));
  ASSIGN_OR_RETURN(
      std::unique_ptr<WritableFile> jsonl,
      env->NewExclusiveFile(absl::StrCat(partial, "/", kBundleRecordsJsonlFile), kBundleFileMode));
  return std::unique_ptr<BundleWriter>(
      new BundleWriter(env, std::move(target), std::move(partial), std::move(jsonl)));
}

absl::Status BundleWriter::WriteNewFile(const std::string& relative_path,
                                        std::string_view contents) {
  const std::string path = absl::StrCat(partial_dir_, "/", relative_path);
  absl::Status written = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                     env_->NewExclusiveFile(path, kBundleFileMode));
    RETURN_IF_ERROR(file->Append(contents));
    return SyncAndClose(*file);
  }();
  if (!written.ok()) return WithContext(written, absl::StrCat("writing ", path));
  return absl::OkStatus();
}

absl::Status BundleWriter::WriteCheckpoint(std::string_view signed_note) {
  return WriteNewFile(kBundleCheckpointFile, signed_note);
}

absl::Status BundleWriter::WriteCompleteness(std::string_view bundle_completeness) {
  return WriteNewFile(kBundleCompletenessFile, bundle_completeness);
}

absl::Status BundleWriter::AddRecord(uint64_t seq, std::string_view data,
                                     std::string_view tlog_proof, const Json& jsonl_line) {
  if (last_seq_.has_value() && seq <= *last_seq_) {
    return absl::InternalError(absl::StrCat("records must be added in increasing seq order: ", seq,
                                            " after ", *last_seq_));
  }
  last_seq_ = seq;
  RETURN_IF_ERROR(WriteNewFile(InBundleRecordsDir(RecordFileName(seq)), data));
  RETURN_IF_ERROR(WriteNewFile(InBundleRecordsDir(ProofFileName(seq)), tlog_proof));
  absl::Status appended = jsonl_->Append(JsonLineText(jsonl_line));
  if (!appended.ok()) {
    return WithContext(appended,
                       absl::StrCat("writing ", partial_dir_, "/", kBundleRecordsJsonlFile));
  }
  return absl::OkStatus();
}

absl::Status BundleWriter::Commit(const BundleManifest& manifest) {
  if (absl::Status closed = SyncAndClose(*jsonl_); !closed.ok()) {
    return WithContext(closed,
                       absl::StrCat("writing ", partial_dir_, "/", kBundleRecordsJsonlFile));
  }
  // The manifest last: a directory with one claims to be complete.
  RETURN_IF_ERROR(WriteNewFile(kBundleManifestFile, absl::StrCat(ToJson(manifest).dump(2), "\n")));
  RETURN_IF_ERROR(env_->SyncDir(absl::StrCat(partial_dir_, "/", kBundleRecordsDir)));
  RETURN_IF_ERROR(env_->SyncDir(partial_dir_));
  // rename(2) replaces an empty directory; CheckTarget refused a non-empty one.
  if (absl::Status renamed = env_->RenameFile(partial_dir_, dir_); !renamed.ok()) {
    return WithContext(renamed, absl::StrCat("renaming ", partial_dir_, " to ", dir_));
  }
  return env_->SyncDir(ParentDir(dir_));
}

}  // namespace sealtrail::cli
