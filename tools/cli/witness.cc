#include "cli/witness.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/server_evidence.h"
#include "sealtrail/audit.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/env.h"
#include "sealtrail/log.h"
#include "sealtrail/note.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {

std::optional<Checkpoint> PeekCheckpoint(std::string_view note) {
  absl::StatusOr<ParsedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return std::nullopt;
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpointBody(parsed->text);
  if (!checkpoint.ok()) return std::nullopt;
  return *std::move(checkpoint);
}

CandidateSource CandidateFromFiles(Env* env, std::string checkpoint_file,
                                   std::optional<std::string> proof_file, std::istream& in) {
  return [env, checkpoint_file = std::move(checkpoint_file), proof_file = std::move(proof_file),
          &in](const std::optional<std::string>&) -> absl::StatusOr<WitnessCandidate> {
    WitnessCandidate candidate;
    absl::StatusOr<std::string> note =
        ReadFileOrStdin(env, checkpoint_file, in, kMaxSmallFileBytes);
    if (!note.ok()) return note.status();
    candidate.note = *std::move(note);
    if (!proof_file.has_value()) return candidate;
    absl::StatusOr<std::string> text = ReadWholeFile(env, *proof_file, kMaxSmallFileBytes);
    if (!text.ok()) return text.status();
    absl::StatusOr<Json> json = ParseJson(*text);
    if (!json.ok()) return WithContext(json.status(), *proof_file);
    absl::StatusOr<ConsistencyProof> proof = ConsistencyProofFromJson(*json);
    if (!proof.ok()) return WithContext(proof.status(), *proof_file);
    candidate.proof = *std::move(proof);
    return candidate;
  };
}

CandidateSource CandidateFromLatest(LatestNoteFn latest_note, ConsistencyProverFn prove) {
  return [latest_note = std::move(latest_note), prove = std::move(prove)](
             const std::optional<std::string>& trusted_note) -> absl::StatusOr<WitnessCandidate> {
    ASSIGN_OR_RETURN(std::string note, latest_note());
    WitnessCandidate candidate{std::move(note), std::nullopt};
    // Only to choose the proof's sizes: WitnessCheck verifies both notes.
    const std::optional<Checkpoint> trusted =
        trusted_note.has_value() ? PeekCheckpoint(*trusted_note) : std::nullopt;
    const std::optional<Checkpoint> latest = PeekCheckpoint(candidate.note);
    if (!trusted.has_value() || !latest.has_value() || trusted->size >= latest->size) {
      return candidate;
    }
    if (trusted->size == 0) {
      // Every tree extends the empty one; there is nothing to ask for.
      candidate.proof = ConsistencyProof{0, latest->size, {}};
      return candidate;
    }
    ASSIGN_OR_RETURN(candidate.proof, prove(trusted->size, latest->size));
    return candidate;
  };
}

CandidateSource CandidateFromDataDir(Env* env, std::string dir) {
  auto latest_note = [env, dir]() -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::unique_ptr<CheckpointStore> store,
                     CheckpointStore::Open(env, dir, /*read_only=*/true));
    std::optional<StoredCheckpoint> latest = store->Latest();
    if (!latest.has_value()) {
      return absl::NotFoundError(absl::StrCat("no checkpoint is stored in ", dir));
    }
    return std::move(latest->note);
  };
  auto prove = [env, dir](uint64_t old_size,
                          uint64_t new_size) -> absl::StatusOr<ConsistencyProof> {
    LogOptions options;
    options.env = env;
    options.read_only = true;
    ASSIGN_OR_RETURN(std::unique_ptr<Log> log, Log::Open(options, dir));
    if (new_size > log->Size()) {
      return absl::DataLossError(absl::StrCat("the newest stored checkpoint has size ", new_size,
                                              " but the log holds only ", log->Size(), " records"));
    }
    return log->ProveConsistency(old_size, new_size);
  };
  return CandidateFromLatest(std::move(latest_note), std::move(prove));
}

CandidateSource CandidateFromServer(ServerConnection server) {
  auto client = std::make_shared<ServerClient>(std::move(server));
  auto latest_note = [client]() -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(v1::Checkpoint checkpoint, client->GetCheckpoint(/*tree_size=*/0));
    return std::move(*checkpoint.mutable_signed_note());
  };
  auto prove = [client](uint64_t old_size, uint64_t new_size) -> absl::StatusOr<ConsistencyProof> {
    v1::ProveConsistencyRequest request;
    request.set_old_size(old_size);
    request.set_new_size(new_size);
    ASSIGN_OR_RETURN(v1::ProveConsistencyResponse response, client->ProveConsistency(request));
    return ConsistencyProofFromServer(response.proof());
  };
  return CandidateFromLatest(std::move(latest_note), std::move(prove));
}

namespace {

// The newest accepted note, or none if the state file does not exist yet.
absl::StatusOr<std::optional<std::string>> ReadState(Env* env, const std::string& state_file) {
  if (!env->FileExists(state_file)) return std::optional<std::string>();
  absl::StatusOr<std::string> note = ReadWholeFile(env, state_file, kMaxSmallFileBytes);
  if (!note.ok()) return WithContext(note.status(), "reading the witness state");
  return std::optional<std::string>(*std::move(note));
}

absl::Status Refuse(const WitnessOutcome& outcome, const absl::Status& error, std::ostream& out) {
  // The refusal is what the caller must see; a failed write of the JSON line would hide it.
  WriteJsonLine(out, WitnessRefusedJson(outcome, error)).IgnoreError();
  return error;
}

}  // namespace

absl::Status RunWitness(Env* env, const WitnessArgs& args, const CandidateSource& source,
                        std::ostream& out) {
  WitnessOutcome outcome;
  absl::StatusOr<NoteVerifierKey> key = LoadVerifierKey(env, args.vkey);
  if (!key.ok()) return Refuse(outcome, key.status(), out);
  const std::string lock_file = args.state_file + ".lock";
  absl::StatusOr<std::unique_ptr<FileLock>> lock = env->LockFile(lock_file);
  if (IsLockHeldError(lock.status())) {
    // Env's message speaks of any lock; say what it means here.
    return Refuse(outcome,
                  absl::FailedPreconditionError(
                      absl::StrCat("another witness run holds the lock on ", lock_file)),
                  out);
  }
  if (!lock.ok()) return Refuse(outcome, lock.status(), out);
  absl::StatusOr<std::optional<std::string>> trusted = ReadState(env, args.state_file);
  if (!trusted.ok()) return Refuse(outcome, trusted.status(), out);
  if (trusted->has_value()) outcome.old_checkpoint = PeekCheckpoint(**trusted);

  absl::StatusOr<WitnessCandidate> candidate = source(*trusted);
  if (!candidate.ok()) return Refuse(outcome, candidate.status(), out);
  outcome.new_checkpoint = PeekCheckpoint(candidate->note);

  std::optional<std::string_view> trusted_note;
  if (trusted->has_value()) trusted_note = **trusted;
  absl::StatusOr<Checkpoint> accepted =
      WitnessCheck(trusted_note, candidate->note, candidate->proof, *key, args.expected_origin);
  if (!accepted.ok()) return Refuse(outcome, accepted.status(), out);
  outcome.new_checkpoint = *accepted;
  if (absl::Status recorded = ReplaceFileAtomically(env, args.state_file, candidate->note);
      !recorded.ok()) {
    return Refuse(outcome, recorded, out);
  }
  return WriteJsonLine(out, WitnessAcceptedJson(outcome));
}

}  // namespace sealtrail::cli
