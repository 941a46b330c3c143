// `sealtrail witness`: an auditor's record of the newest checkpoint it has accepted, and the
// check that every later checkpoint extends it. This is what catches an insider who rewrites
// history and re-signs it with the real key: `sealtrail verify` passes on such a log, but the
// rewritten tree is not consistent with the checkpoint the witness recorded before.
//
// The state file holds the newest accepted signed note, byte for byte. A missing file means no
// checkpoint has been accepted yet: the first one needs no proof. The decision is WitnessCheck
// (audit.h). On acceptance the state file is replaced atomically (ReplaceFileAtomically); on any
// refusal or error it is left exactly as it was. A witness run holds an exclusive lock on
// "<state file>.lock" from reading the state to writing it, so that two runs cannot both accept
// checkpoints that extend the same state but not each other.
#ifndef SEALTRAIL_TOOLS_CLI_WITNESS_H_
#define SEALTRAIL_TOOLS_CLI_WITNESS_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/server_channel.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/env.h"
#include "sealtrail/merkle_proof.h"

namespace sealtrail::cli {

struct WitnessArgs {
  std::string state_file;
  std::string vkey;             // Verifier key text or a file holding it.
  std::string expected_origin;  // Empty: the key's name.
};

// What the witness is asked to accept: a signed note and, when it is larger than the trusted
// checkpoint, a consistency proof from the trusted size to its size.
struct WitnessCandidate {
  std::string note;
  std::optional<ConsistencyProof> proof;
};

// Produces the candidate; given the trusted note (none before the first acceptance) so that a
// source that builds the proof knows from which size.
using CandidateSource =
    std::function<absl::StatusOr<WitnessCandidate>(const std::optional<std::string>& trusted_note)>;

// `witness --checkpoint FILE [--proof FILE]`: the note in `checkpoint_file` ("-": `in`), and the
// proof from `proof_file`, the JSON `local prove-consistency` prints (only old_size, new_size
// and path are read; the roots come from the checkpoints). `in` must outlive the source.
CandidateSource CandidateFromFiles(Env* env, std::string checkpoint_file,
                                   std::optional<std::string> proof_file, std::istream& in);

// The newest signed note a source offers.
using LatestNoteFn = std::function<absl::StatusOr<std::string>()>;
// A consistency proof between two tree sizes, 0 < old_size < new_size.
using ConsistencyProverFn =
    std::function<absl::StatusOr<ConsistencyProof>(uint64_t old_size, uint64_t new_size)>;

// What every source that offers its newest checkpoint does: takes the note from `latest_note`
// and, when the trusted checkpoint is smaller, a consistency proof from the trusted size to the
// note's size from `prove` (from the empty tree no proof is asked for). Sizes are read from the
// notes without verifying them; WitnessCheck verifies both. A note that does not parse gets no
// proof, and WitnessCheck refuses it.
CandidateSource CandidateFromLatest(LatestNoteFn latest_note, ConsistencyProverFn prove);

// `witness --data DIR`: the newest checkpoint stored in `dir` (NOT_FOUND if none), and a
// consistency proof to it from the trusted size built by the directory's log, opened read-only.
// DATA_LOSS if the newest checkpoint is larger than the log.
CandidateSource CandidateFromDataDir(Env* env, std::string dir);

// `witness --server HOST:PORT`: the server's latest checkpoint (Prover.GetCheckpoint) and the
// consistency proof to it from the trusted size (Prover.ProveConsistency), which WitnessCheck
// verifies against both signed roots; the roots the server sends with the proof are not used.
// Errors of the calls as FromGrpcStatus gives them; DATA_LOSS for a malformed proof hash.
CandidateSource CandidateFromServer(ServerConnection server);

// The checkpoint in a signed note, parsed without verifying anything: for reporting what a note
// claims. None if the note or its body does not parse.
std::optional<Checkpoint> PeekCheckpoint(std::string_view note);

// Runs the witness: loads the key, locks and reads the state, gets the candidate, decides with
// WitnessCheck and records an accepted note. Prints WitnessAcceptedJson and returns OK, or
// prints WitnessRefusedJson (both sizes and roots, as far as known) and returns the reason: every
// refusal by the check itself exits 3 except for malformed input (INVALID_ARGUMENT, exit 2).
absl::Status RunWitness(Env* env, const WitnessArgs& args, const CandidateSource& source,
                        std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_WITNESS_H_
