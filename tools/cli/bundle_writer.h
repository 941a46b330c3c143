// Writes an export bundle (bundle_format.h) so that a failed export never leaves a directory that
// looks like a complete bundle: everything is written into DIR.partial, each file synced, and
// only Commit renames DIR.partial to DIR (after writing manifest.json last). An export that fails
// part way leaves DIR.partial behind, which the next export refuses until it is removed.
//
// Thread-safety: one thread at a time. Files are written through the Env.
#ifndef SEALTRAIL_TOOLS_CLI_BUNDLE_WRITER_H_
#define SEALTRAIL_TOOLS_CLI_BUNDLE_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/bundle_format.h"
#include "cli/output.h"
#include "sealtrail/env.h"

namespace sealtrail::cli {

class BundleWriter {
 public:
  // OK if a bundle can be written to `dir`: it does not exist or is an empty directory, and
  // DIR.partial does not exist. ALREADY_EXISTS saying which is in the way. Creates nothing.
  static absl::Status CheckTarget(Env* env, const std::string& dir);

  // Checks the target as above, then creates DIR.partial, DIR.partial/records and
  // DIR.partial/records.jsonl. `env` must outlive the writer.
  static absl::StatusOr<std::unique_ptr<BundleWriter>> Create(Env* env, const std::string& dir);

  // Writes the checkpoint file: `signed_note` verbatim.
  absl::Status WriteCheckpoint(std::string_view signed_note);

  // Writes completeness.pb: `bundle_completeness`, a serialized v1::BundleCompleteness.
  absl::Status WriteCompleteness(std::string_view bundle_completeness);

  // Writes records/<seq>.pb (`data`) and records/<seq>.tlog-proof (`tlog_proof`), each synced,
  // and appends `jsonl_line` to records.jsonl. REQUIRES: seqs strictly increase across calls.
  absl::Status AddRecord(uint64_t seq, std::string_view data, std::string_view tlog_proof,
                         const Json& jsonl_line);

  // Syncs records.jsonl, writes manifest.json, syncs the directories and renames DIR.partial to
  // DIR; returns after the rename is durable. Nothing may be called after it.
  absl::Status Commit(const BundleManifest& manifest);

  // Where the bundle is being written, for messages.
  const std::string& partial_dir() const { return partial_dir_; }

 private:
  BundleWriter(Env* env, std::string dir, std::string partial_dir,
               std::unique_ptr<WritableFile> jsonl)
      : env_(env),
        dir_(std::move(dir)),
        partial_dir_(std::move(partial_dir)),
        jsonl_(std::move(jsonl)) {}

  absl::Status WriteNewFile(const std::string& relative_path, std::string_view contents);

  Env* const env_;
  const std::string dir_;
  const std::string partial_dir_;
  std::unique_ptr<WritableFile> jsonl_;  // records.jsonl, appended to until Commit.
  std::optional<uint64_t> last_seq_;
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_BUNDLE_WRITER_H_
