// CheckpointStore: the append-only file of every checkpoint the log has signed,
// DATA_DIR/checkpoints (format: docs/format/README.md, "Checkpoints"). Checkpoints are kept in
// signing order with non-decreasing sizes; the note of any stored size can be fetched later.
//
// Durability: Append returns after the note is on disk (fdatasync).
// Thread-safety: all methods may be called concurrently; appends are serialized. One process
// appends at a time (the one holding the data directory's lock, i.e. the Log writer).
#ifndef SEALTRAIL_CHECKPOINT_STORE_H_
#define SEALTRAIL_CHECKPOINT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/env.h"

namespace sealtrail {

struct StoredCheckpoint {
  Checkpoint checkpoint;     // Parsed from the note's text; the signature is not checked here.
  std::string note;          // The signed note exactly as signed.
  uint64_t file_offset = 0;  // Where its frame starts in DATA_DIR/checkpoints.
};

class CheckpointStore {
 public:
  // Opens the store of the data directory `data_dir`. Unless `read_only`, creates it if missing
  // and truncates a torn tail (an interrupted append); read-only opens create nothing (a missing
  // store is an empty one), leave a torn tail alone and serve what precedes it. DATA_LOSS naming
  // the offset for damage elsewhere, or for stored sizes that go backwards; the offset (0 for
  // the header) also goes to *damaged_at when that is set.
  static absl::StatusOr<std::unique_ptr<CheckpointStore>> Open(Env* env,
                                                               const std::string& data_dir,
                                                               bool read_only,
                                                               uint64_t* damaged_at = nullptr);
  // DATA_DIR/checkpoints.
  static std::string PathIn(const std::string& data_dir);
  ~CheckpointStore();

  // Appends the signed `note` whose body is `checkpoint`, durably. FAILED_PRECONDITION if the
  // store is read-only or `checkpoint.size` is smaller than the latest stored size; any I/O error
  // stops further appends (reopen to recover).
  absl::Status Append(const Checkpoint& checkpoint, std::string_view note);

  // The newest checkpoint, if any.
  std::optional<StoredCheckpoint> Latest() const;
  // The newest stored checkpoint of exactly `size` leaves. NOT_FOUND if none was signed.
  absl::StatusOr<StoredCheckpoint> Get(uint64_t size) const;
  // Every stored checkpoint, oldest first.
  absl::StatusOr<std::vector<StoredCheckpoint>> List() const;
  size_t count() const;

  class Impl;

 private:
  explicit CheckpointStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_CHECKPOINT_STORE_H_
