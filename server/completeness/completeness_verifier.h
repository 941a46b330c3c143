// Verifies that a query's answer is complete (docs/completeness.md): every record of one key
// (tenant; tenant + actor, action or trace id) whose commit time is in [from_ns, to_ns) and whose
// sequence number is in [from_seq, to_seq), up to the proof's tree size, is in the answer, in
// order, and nothing else is.
//
// What it trusts: the checkpoint, whose signature the caller has verified (its root and its
// "sealtrail-keymap" line), and the hasher. Everything else, the records, the boundary records,
// the inclusion path and the key map proof, comes from whoever answered and is checked here:
//   1. every record has the claimed key, and a link for it;
//   2. every record is in the tree of the checkpoint (one multi-leaf inclusion path; checked
//      after the chain steps below, so that a record left out is named by its gap);
//   3. the answer's records follow each other on the key's chain: each one's link points back
//      to the previous answer record, with a count one higher (a gap is named by its sequence
//      numbers and how many records are missing);
//   4. the chain's neighbours just outside the answer are outside the range: the record the
//      first answer record links back to is below it (an earlier commit time than from_ns, or a
//      sequence number below from_seq; or there is none since commitments began), and the key's
//      next record after the last answer record is above it (at or past to_ns or to_seq), or
//      the key map says the last answer record is the key's newest at the tree size.
// Commit times never decrease along the log (the server assigns them), so a chain neighbour
// outside the range means every record further along is outside it too.
//
// Pure and thread-safe.
#ifndef SEALTRAIL_SERVER_COMPLETENESS_COMPLETENESS_VERIFIER_H_
#define SEALTRAIL_SERVER_COMPLETENESS_COMPLETENESS_VERIFIER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server/keymap/key_map_format.h"

namespace sealtrail {

// What the client asked for.
struct CompletenessClaim {
  keymap::KeyKind kind = keymap::KeyKind::kTenant;
  std::string tenant;
  std::string value;         // Actor, action, or 16 trace-id bytes; empty for a tenant.
  int64_t from_ns = 0;       // Inclusive; 0: unbounded.
  int64_t to_ns = 0;         // Exclusive; 0: unbounded.
  uint64_t from_seq = 0;     // Inclusive; 0: unbounded.
  uint64_t to_seq = 0;       // Exclusive; 0: unbounded.
  bool newest_first = true;  // The order the answer must be in.
};

// One record of the answer, as received.
struct AnsweredRecord {
  uint64_t seq = 0;
  std::string data;  // The stored record bytes (leaf data).
};

struct CompletenessResult {
  uint64_t tree_size = 0;
  uint64_t records = 0;
  // Non-zero when the answer reaches back to where the log's completeness commitments begin
  // (a log written before them): records before this sequence number cannot be proven either
  // way, and the answer is complete from it on.
  uint64_t unproven_before_seq = 0;
};

// OK with what was proven, or: DATA_LOSS naming what is wrong (a gap with the missing sequence
// number range, a record added, duplicated, out of order, of another key, not in the log, or a
// boundary that does not hold); INVALID_ARGUMENT for a malformed proof or a proof of another
// key or range than `claim`; FAILED_PRECONDITION for a checkpoint without a key map (signed
// before the log had completeness commitments).
[[nodiscard]] absl::StatusOr<CompletenessResult> VerifyCompleteness(
    const CompletenessClaim& claim, absl::Span<const AnsweredRecord> answer,
    const v1::CompletenessProof& proof, const Checkpoint& checkpoint);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_COMPLETENESS_COMPLETENESS_VERIFIER_H_
