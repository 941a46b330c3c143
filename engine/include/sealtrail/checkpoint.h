// C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint) and their verification as signed notes.
// Part of the client verifier library (OpenSSL and Abseil only).
//
// sealtrail's checkpoints carry one extension line, "timestamp-ms <N>": N is the signer's
// wall-clock time in milliseconds since the Unix epoch (UTC) when the checkpoint was signed,
// never less than the previous checkpoint's. It is signed; it says the log held at least `size`
// durable records at that time, to the accuracy of the signing server's clock. See
// docs/checkpoints.md.
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_CHECKPOINT_H_
#define SEALTRAIL_CHECKPOINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/hash.h"
#include "sealtrail/note.h"

namespace sealtrail {

inline constexpr char kTimestampExtension[] = "timestamp-ms";

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::optional<int64_t> timestamp_ms;  // From the "timestamp-ms" extension line.
  std::vector<std::string> extensions;  // Any other extension lines, in order.
};

// "origin\nsize\nbase64(root)\n" followed by "timestamp-ms N\n" when set and then `extensions`.
std::string FormatCheckpointBody(const Checkpoint& checkpoint);

// Parses a checkpoint body strictly: at least three lines, every line non-empty and ended by a
// newline, an origin with no space or '+', a decimal size without leading zeros, the canonical
// standard base64 of 32 bytes, and at most one well-formed timestamp-ms line.
// INVALID_ARGUMENT naming the line that is wrong.
absl::StatusOr<Checkpoint> ParseCheckpointBody(std::string_view text);

// Opens `signed_note` with `key` (see OpenSignedNote) and parses its body. The origin must equal
// `expected_origin`, or the key's name when `expected_origin` is empty: otherwise
// UNAUTHENTICATED naming both.
absl::StatusOr<Checkpoint> VerifyCheckpoint(std::string_view signed_note,
                                            const NoteVerifierKey& key,
                                            std::string_view expected_origin = {});

}  // namespace sealtrail

#endif  // SEALTRAIL_CHECKPOINT_H_
