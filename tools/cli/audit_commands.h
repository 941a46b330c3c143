// The auditor's offline commands, which trust nothing but the log's verifier key:
//   `sealtrail verify`        a whole data directory: every segment rehashed, the segment chain,
//                             and every stored checkpoint's signature and root against the data;
//   `sealtrail verify-proof`  an inclusion proof against a signed checkpoint, and optionally the
//                             record's bytes against the proof's leaf.
// (`sealtrail witness` is in witness.h.) Nothing here exits or touches the process's standard
// streams; main() maps the returned status to an exit code.
//
// What `verify` can and cannot show: anyone holding the signing key can rewrite the data and
// sign checkpoints for the rewritten tree, and `verify` will pass. Only a witness that recorded
// an earlier checkpoint (witness.h) catches that rewrite. See docs/threat-model.md.
#ifndef SEALTRAIL_TOOLS_CLI_AUDIT_COMMANDS_H_
#define SEALTRAIL_TOOLS_CLI_AUDIT_COMMANDS_H_

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/output.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/env.h"
#include "sealtrail/log.h"
#include "sealtrail/note.h"

namespace sealtrail::cli {

// Checks each of `stored` in order: its signature and origin (VerifyCheckpoint with `key` and
// `expected_origin`, empty: the key's name), and its root against `log`'s root at its size.
// Returns the first failure, naming the checkpoint: UNAUTHENTICATED or INVALID_ARGUMENT from
// VerifyCheckpoint; DATA_LOSS for a root that differs from the data's, or a checkpoint larger
// than the log ("checkpoint of size N but the log holds only M records").
absl::Status CheckStoredCheckpoints(const Log& log, const std::vector<StoredCheckpoint>& stored,
                                    const NoteVerifierKey& key, const std::string& expected_origin);

// Everything `verify` checks, for the data directory `dir`: VerifyDataDir, then
// CheckStoredCheckpoints on every stored checkpoint against the directory's log (opened
// read-only). Reads only; takes no lock. The first problem found, data before checkpoints.
absl::StatusOr<DataDirAudit> AuditDataDir(Env* env, const std::string& dir,
                                          const NoteVerifierKey& key,
                                          const std::string& expected_origin);

// `verify`: prints VerifyOkJson(DataDirAudit) and returns OK, or prints VerifyFailedJson and
// returns the first problem (a VKEY that does not load included).
absl::Status RunAuditDataDir(Env* env, const std::string& dir, const std::string& vkey,
                             const std::string& expected_origin, std::ostream& out);

struct VerifyProofArgs {
  std::string vkey;                        // Verifier key text or a file holding it.
  std::string checkpoint_file;             // The signed note; "-": standard input.
  std::string inclusion_file;              // The JSON `local prove-inclusion` printed.
  std::optional<std::string> record_file;  // The record's bytes, exactly.
  std::string expected_origin;             // Empty: the key's name.
};

// `verify-proof`: VerifyInclusionInCheckpoint with the leaf hash and proof from the inclusion
// JSON (its "root" is ignored: the root is the signed checkpoint's) and, with a record file,
// checks that the file's bytes hash (HashLeaf) to the proof's leaf hash (DATA_LOSS if not).
// Prints ProofOkJson and returns OK, or prints VerifyFailedJson and returns the first problem.
absl::Status RunVerifyProof(Env* env, const VerifyProofArgs& args, std::istream& in,
                            std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_AUDIT_COMMANDS_H_
