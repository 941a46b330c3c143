// IntegrityViolation: one piece of damage the integrity alarm found in the data directory, by
// place. What the server turns into an `integrity.violation` alert (docs/server.md).
#ifndef SEALTRAIL_SERVER_SERVICE_INTEGRITY_VIOLATION_H_
#define SEALTRAIL_SERVER_SERVICE_INTEGRITY_VIOLATION_H_

#include <cstdint>
#include <optional>
#include <string>

namespace sealtrail {

// IntegrityViolation::kind values.
inline constexpr char kSegmentViolation[] = "segment";        // A segment file (or FORMAT).
inline constexpr char kCheckpointViolation[] = "checkpoint";  // DATA_DIR/checkpoints.

struct IntegrityViolation {
  std::string kind;  // kSegmentViolation or kCheckpointViolation.
  std::string file;  // The damaged, missing or forged-into file's path.
  // Byte offset in `file`: for a segment, as VerifyProblem::offset (sealtrail/verify.h); for a
  // checkpoint, where its frame starts in the checkpoints file.
  uint64_t offset = 0;
  // The record concerned (segments: see VerifyProblem::seq); for a checkpoint that covers more
  // records than the log holds, the first record missing.
  std::optional<uint64_t> seq;
  // What is wrong, naming the file, the offset and (when set) the sequence number.
  std::string message;

  // Two violations with the same key are the same damage, seen twice.
  std::string Key() const;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_INTEGRITY_VIOLATION_H_
