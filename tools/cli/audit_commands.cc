#include "cli/audit_commands.h"

#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/keys.h"
#include "sealtrail/audit.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/verify.h"

namespace sealtrail::cli {

absl::Status CheckStoredCheckpoints(const Log& log, const std::vector<StoredCheckpoint>& stored,
                                    const NoteVerifierKey& key,
                                    const std::string& expected_origin) {
  const uint64_t log_size = log.Size();
  for (size_t i = 0; i < stored.size(); ++i) {
    const std::string which = absl::StrCat("stored checkpoint ", i + 1, " of ", stored.size(),
                                           " (size ", stored[i].checkpoint.size, ")");
    absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(stored[i].note, key, expected_origin);
    if (!checkpoint.ok()) return WithContext(checkpoint.status(), which);
    if (checkpoint->size > log_size) {
      return absl::DataLossError(absl::StrCat(which, ": checkpoint of size ", checkpoint->size,
                                              " but the log holds only ", log_size, " records"));
    }
    absl::StatusOr<Hash> root = log.Root(checkpoint->size);
    if (!root.ok()) return WithContext(root.status(), which);
    if (*root != checkpoint->root) {
      return absl::DataLossError(absl::StrCat(
          which, ": the checkpoint's root ", HashToBase64(checkpoint->root),
          " differs from the data's root ", HashToBase64(*root), " at size ", checkpoint->size));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DataDirAudit> AuditDataDir(Env* env, const std::string& dir,
                                          const NoteVerifierKey& key,
                                          const std::string& expected_origin) {
  // Opened in this order so that each sees at least what the one before it saw while a writer
  // appends: a checkpoint is signed only for durable records, so the store's sizes are within
  // the log's, and VerifyDataDir then checks at least the log's prefix.
  absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
      CheckpointStore::Open(env, dir, /*read_only=*/true);
  LogOptions log_options;
  log_options.env = env;
  log_options.read_only = true;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(log_options, dir);
  VerifyOptions verify_options;
  verify_options.env = env;
  absl::StatusOr<VerifyReport> report = VerifyDataDir(dir, verify_options);
  if (!report.ok()) return report.status();
  if (!log.ok()) return log.status();
  if (!store.ok()) return store.status();
  if ((*log)->Size() > report->records) {
    return absl::DataLossError(absl::StrCat("the log in ", dir, " held ", (*log)->Size(),
                                            " records when opened but verification found only ",
                                            report->records));
  }
  absl::StatusOr<std::vector<StoredCheckpoint>> stored = (*store)->List();
  if (!stored.ok()) return stored.status();
  if (absl::Status checked = CheckStoredCheckpoints(**log, *stored, key, expected_origin);
      !checked.ok()) {
    return checked;
  }
  DataDirAudit audit;
  audit.data = *report;
  audit.checkpoints = stored->size();
  if (!stored->empty()) audit.latest_checkpoint_size = stored->back().checkpoint.size;
  return audit;
}

absl::Status RunAuditDataDir(Env* env, const std::string& dir, const std::string& vkey,
                             const std::string& expected_origin, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<DataDirAudit> audit = [&]() -> absl::StatusOr<DataDirAudit> {
    absl::StatusOr<NoteVerifierKey> key = LoadVerifierKey(env, vkey);
    if (!key.ok()) return key.status();
    return AuditDataDir(env, dir, *key, expected_origin);
  }();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!audit.ok()) {
    // The failure is what the caller must see; a failed write of the JSON line would hide it.
    WriteJsonLine(out, VerifyFailedJson(audit.status())).IgnoreError();
    return audit.status();
  }
  return WriteJsonLine(out, VerifyOkJson(*audit, elapsed.count()));
}

namespace {

struct VerifiedLeaf {
  uint64_t leaf_index = 0;
  Checkpoint checkpoint;  // The signed checkpoint the leaf is proven in.
};

absl::StatusOr<VerifiedLeaf> VerifyProofFromFiles(Env* env, const VerifyProofArgs& args,
                                                  std::istream& in) {
  absl::StatusOr<NoteVerifierKey> key = LoadVerifierKey(env, args.vkey);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> note =
      ReadFileOrStdin(env, args.checkpoint_file, in, kMaxSmallFileBytes);
  if (!note.ok()) return note.status();
  absl::StatusOr<std::string> proof_text =
      ReadWholeFile(env, args.inclusion_file, kMaxSmallFileBytes);
  if (!proof_text.ok()) return proof_text.status();
  absl::StatusOr<LeafInclusionProof> proof = [&]() -> absl::StatusOr<LeafInclusionProof> {
    absl::StatusOr<Json> json = ParseJson(*proof_text);
    if (!json.ok()) return json.status();
    return LeafInclusionProofFromJson(*json);
  }();
  if (!proof.ok()) return WithContext(proof.status(), args.inclusion_file);
  absl::StatusOr<Checkpoint> checkpoint = VerifyInclusionInCheckpoint(
      *note, *key, proof->leaf_hash, proof->proof, args.expected_origin);
  if (!checkpoint.ok()) return checkpoint.status();
  if (args.record_file.has_value()) {
    absl::StatusOr<std::string> record = ReadWholeFile(env, *args.record_file, kMaxRecordLimit);
    if (!record.ok()) return record.status();
    const Hash record_hash = HashLeaf(*record);
    if (record_hash != proof->leaf_hash) {
      return absl::DataLossError(absl::StrCat(
          "the record in ", *args.record_file, " hashes to ", HashToBase64(record_hash),
          ", not to the proof's leaf hash ", HashToBase64(proof->leaf_hash)));
    }
  }
  return VerifiedLeaf{proof->proof.leaf_index, *std::move(checkpoint)};
}

}  // namespace

absl::Status RunVerifyProof(Env* env, const VerifyProofArgs& args, std::istream& in,
                            std::ostream& out) {
  absl::StatusOr<VerifiedLeaf> verified = VerifyProofFromFiles(env, args, in);
  if (!verified.ok()) {
    WriteJsonLine(out, VerifyFailedJson(verified.status())).IgnoreError();
    return verified.status();
  }
  return WriteJsonLine(out, ProofOkJson(verified->leaf_index, verified->checkpoint));
}

}  // namespace sealtrail::cli
