#include "cli/checkpoint_commands.h"

#include <memory>
#include <utility>
#include <vector>

#include "cli/output.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/checkpointer.h"
#include "sealtrail/log.h"
#include "sealtrail/note_signer.h"

namespace sealtrail::cli {

absl::Status RunSignCheckpoint(Env* env, const std::string& dir, const std::string& key_file,
                               const std::string& origin, std::ostream& out) {
  // The key first: a bad key file should not cost taking the directory's lock and recovery.
  absl::StatusOr<NoteSigner> signer = NoteSigner::LoadFile(env, key_file);
  if (!signer.ok()) return signer.status();
  LogOptions log_options;
  log_options.env = env;
  log_options.leaves_per_segment_log2 = 0;  // The directory's own value.
  log_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(log_options, dir);
  if (!log.ok()) return log.status();
  absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
      CheckpointStore::Open(env, dir, /*read_only=*/false);
  if (!store.ok()) return store.status();
  CheckpointerOptions options;
  options.env = env;
  options.origin = origin;
  // Declared after the log and the store, so destroyed before them.
  Checkpointer checkpointer(log->get(), store->get(), *std::move(signer), options);
  absl::StatusOr<StoredCheckpoint> signed_checkpoint = checkpointer.SignNow();
  if (!signed_checkpoint.ok()) return signed_checkpoint.status();
  return WriteText(out, signed_checkpoint->note);
}

absl::Status RunPrintCheckpoint(Env* env, const std::string& dir, uint64_t size,
                                std::ostream& out) {
  absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
      CheckpointStore::Open(env, dir, /*read_only=*/true);
  if (!store.ok()) return store.status();
  absl::StatusOr<StoredCheckpoint> stored = (*store)->Get(size);
  if (!stored.ok()) return stored.status();
  return WriteText(out, stored->note);
}

absl::Status RunListCheckpoints(Env* env, const std::string& dir, std::ostream& out) {
  absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
      CheckpointStore::Open(env, dir, /*read_only=*/true);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::vector<StoredCheckpoint>> stored = (*store)->List();
  if (!stored.ok()) return stored.status();
  for (const StoredCheckpoint& checkpoint : *stored) {
    if (absl::Status written = WriteJsonLine(out, ToJson(checkpoint.checkpoint)); !written.ok()) {
      return written;
    }
  }
  return absl::OkStatus();
}

}  // namespace sealtrail::cli
