// Checkpointer: signs checkpoints of a Log's durable tree head and stores them. It signs when the
// tree has grown, at most once per interval, from a background thread (Start), and on demand
// (SignNow).
//
// Invariants it keeps: sizes never go backwards; a checkpoint is signed only for acknowledged
// (durable) records; before signing it checks that the new tree is consistent with the latest
// stored checkpoint (same root at that size), and refuses to sign otherwise. Timestamps never go
// backwards even if the clock does.
//
// Thread-safety: all methods may be called from any thread; signing is serialized.
#ifndef SEALTRAIL_CHECKPOINTER_H_
#define SEALTRAIL_CHECKPOINTER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/log.h"
#include "sealtrail/note_signer.h"

namespace sealtrail {

// What a checkpoint signs, when the caller decides (CheckpointerOptions::content).
struct CheckpointContent {
  uint64_t size = 0;                    // Durable, and not below the latest stored checkpoint.
  std::vector<std::string> extensions;  // Extension lines after "timestamp-ms", in order.
};

struct CheckpointerOptions {
  Env* env = nullptr;  // Clock for timestamps; nullptr: Env::Default(). Not owned.
  // The checkpoint's origin line; empty: the signing key's name.
  std::string origin;
  // Minimum time between two background checkpoints.
  int64_t interval_ms = 1000;
  // Called once, from the background thread, with the error that stopped it (see Start), so
  // that the failure is heard (the server turns its health NOT_SERVING). May be empty.
  std::function<void(const absl::Status& error)> on_background_error;
  // Asked, under the signing lock, for the size to sign and the extension lines that go with it
  // (the server's key map root for that size, docs/completeness.md). An error fails the
  // signing. Empty: the log's durable head and no further lines.
  std::function<absl::StatusOr<CheckpointContent>()> content;
};

class Checkpointer {
 public:
  // `log` and `store` are not owned and must outlive the Checkpointer.
  Checkpointer(const Log* log, CheckpointStore* store, NoteSigner signer,
               CheckpointerOptions options);
  ~Checkpointer();  // Stops the background thread.

  // Signs and stores a checkpoint of the log's current head if it is larger than the latest
  // stored one (or none is stored), and returns the latest stored checkpoint, new or not.
  // DATA_LOSS if the log does not extend the latest stored checkpoint; errors of the store.
  absl::StatusOr<StoredCheckpoint> SignNow();

  // Starts the background thread. The first error it meets stops it: it is kept in
  // background_error() and passed to options.on_background_error.
  void Start();
  void Stop();
  absl::Status background_error() const;

  const std::string& origin() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_CHECKPOINTER_H_
