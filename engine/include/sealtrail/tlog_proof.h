// C2SP tlog-proof (c2sp.org/tlog-proof@v1): a self-contained, offline-verifiable proof that an
// entry is in a transparency log. The text is:
//
//   c2sp.org/tlog-proof@v1
//   extra <base64>            (optional, unauthenticated application data)
//   index <decimal, no leading zeros>
//   <base64 hash>             (zero or more: the RFC 9162 inclusion path, leaf's sibling first)
//                             (an empty line)
//   <the signed checkpoint note, verbatim>
//
// sealtrail writes one per record (`sealtrail prove --format tlog-proof`), so transparency-log
// tooling that speaks the format can check sealtrail's proofs, and reads them back to verify.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_TLOG_PROOF_H_
#define SEALTRAIL_TLOG_PROOF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/note.h"

namespace sealtrail {

inline constexpr char kTlogProofHeader[] = "c2sp.org/tlog-proof@v1";

struct TlogProof {
  std::optional<std::string> extra;  // Raw bytes (base64 in the text); not authenticated.
  uint64_t index = 0;
  std::vector<Hash> path;
  std::string checkpoint_note;  // The signed note, verbatim (ends with a newline).
};

// The text form above.
std::string FormatTlogProof(const TlogProof& proof);

// Parses the text form. INVALID_ARGUMENT naming the 1-based line for a wrong header, a malformed
// extra or index line (leading zeros, not decimal, out of range), a path line that is not the
// base64 of 32 bytes, or a missing empty line or checkpoint. The checkpoint is not checked here.
absl::StatusOr<TlogProof> ParseTlogProof(std::string_view text);

// Verifies `proof` for the entry whose RFC 9162 leaf hash is `leaf_hash`: the checkpoint's
// signature by `key` and its origin (VerifyCheckpoint's rules), then the inclusion path from the
// leaf at proof.index to the checkpoint's root in a tree of the checkpoint's size. Returns the
// verified checkpoint. UNAUTHENTICATED for a bad signature or origin; DATA_LOSS when the path
// does not lead to the signed root; INVALID_ARGUMENT for an index outside the tree or a path of
// the wrong length.
absl::StatusOr<Checkpoint> VerifyTlogProof(const TlogProof& proof, const Hash& leaf_hash,
                                           const NoteVerifierKey& key,
                                           std::string_view expected_origin = {});

}  // namespace sealtrail

#endif  // SEALTRAIL_TLOG_PROOF_H_
