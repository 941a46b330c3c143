#include "server/service/checkpoint_audit.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sealtrail/audit.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {
namespace {

bool IsDamage(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDataLoss ||
         status.code() == absl::StatusCode::kFailedPrecondition;
}

absl::Status WithWhat(const absl::Status& status, absl::string_view what) {
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

// digest(n + 1) = SHA-256(digest(n) || note n): changes if any checked note changes, moves or
// goes, at the cost of one 32-byte value however many were checked.
Hash ChainNote(const Hash& digest, const std::string& note) {
  std::string input(AsStringView(digest));
  input += note;
  return Sha256(input);
}

}  // namespace

CheckpointAudit::CheckpointAudit(std::string data_dir, NoteVerifierKey key, std::string origin,
                                 Env* env)
    : data_dir_(std::move(data_dir)),
      path_(CheckpointStore::PathIn(data_dir_)),
      key_(std::move(key)),
      origin_(origin.empty() ? key_.name : std::move(origin)),
      env_(env != nullptr ? env : Env::Default()) {}

IntegrityViolation CheckpointAudit::ViolationAt(size_t index, const StoredCheckpoint& stored,
                                                std::optional<uint64_t> seq,
                                                absl::string_view what) const {
  IntegrityViolation violation;
  violation.kind = kCheckpointViolation;
  violation.file = path_;
  violation.offset = stored.file_offset;
  violation.seq = seq;
  violation.message = absl::StrCat(path_, ": checkpoint ", index, " (size ", stored.checkpoint.size,
                                   ") at offset ", stored.file_offset, ": ", what);
  return violation;
}

CheckpointCheck CheckpointAudit::Check() {
  CheckpointCheck result;
  // The store before the log: a checkpoint is signed only for durable records, so the log
  // opened after it holds at least every record the store's checkpoints cover.
  uint64_t damaged_at = 0;
  absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
      CheckpointStore::Open(env_, data_dir_, /*read_only=*/true, &damaged_at);
  if (!store.ok()) {
    if (IsDamage(store.status())) {
      result.violations.push_back({kCheckpointViolation, path_, damaged_at, std::nullopt,
                                   std::string(store.status().message())});
    } else {
      result.errors.push_back(WithWhat(store.status(), "reading the checkpoints"));
    }
    return result;
  }
  absl::StatusOr<std::vector<StoredCheckpoint>> stored = (*store)->List();
  if (!stored.ok()) {
    result.errors.push_back(WithWhat(stored.status(), "reading the checkpoints"));
    return result;
  }
  LogOptions log_options;
  log_options.env = env_;
  log_options.read_only = true;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(log_options, data_dir_);
  if (!log.ok()) {
    const absl::Status status = WithWhat(log.status(), "the log does not open read-only");
    if (IsDamage(log.status())) {
      result.skipped = status;  // Damage the segment verification reports by place.
    } else {
      result.errors.push_back(status);
    }
    return result;
  }
  const uint64_t log_size = (*log)->Size();

  // The checkpoints checked before must still be there, unchanged.
  std::optional<std::string> changed;
  if (stored->size() < checked_) {
    changed = absl::StrCat("the file holds ", stored->size(), " checkpoints, fewer than the ",
                           checked_, " checked before");
  } else {
    Hash digest{};
    for (size_t i = 0; i < checked_; ++i) digest = ChainNote(digest, (*stored)[i].note);
    if (digest != checked_digest_) {
      changed = absl::StrCat("some of the first ", checked_,
                             " checkpoints, checked before, changed since");
    }
  }
  if (changed.has_value()) {
    checked_ = 0;
    checked_digest_ = Hash{};
    trusted_.reset();
  } else if (trusted_.has_value()) {
    if (absl::Status held = CheckTrustedStillHolds(**log, log_size, &result); !held.ok()) {
      result.errors.push_back(held);
      return result;
    }
  }

  const size_t violations_before = result.violations.size();
  for (size_t i = checked_; i < stored->size(); ++i) {
    if (absl::Status checked = CheckOne(i, (*stored)[i], **log, log_size, &result); !checked.ok()) {
      result.errors.push_back(checked);  // Checked again, from here, next time.
      break;
    }
    checked_digest_ = ChainNote(checked_digest_, (*stored)[i].note);
    checked_ = i + 1;
    result.checked++;
  }
  // Checked again from the first, every entry passed: what changed cannot be named by entry
  // (checkpoints removed or reordered, each still genuine), so it is named by the file.
  if (changed.has_value() && result.violations.size() == violations_before) {
    result.violations.push_back(
        {kCheckpointViolation, path_, 0, std::nullopt, absl::StrCat(path_, ": ", *changed)});
  }
  return result;
}

absl::Status CheckpointAudit::CheckTrustedStillHolds(const Log& log, uint64_t log_size,
                                                     CheckpointCheck* result) {
  const Trusted& trusted = *trusted_;
  const StoredCheckpoint as_stored{trusted.checkpoint, trusted.note, trusted.file_offset};
  const uint64_t size = trusted.checkpoint.size;
  if (size > log_size) {
    result->violations.push_back(
        ViolationAt(trusted.index, as_stored, log_size,
                    absl::StrCat("checked before, but the log now holds only ", log_size,
                                 " records: records ", log_size, "..", size - 1, " are gone")));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const Hash root, log.Root(size));
  if (root != trusted.checkpoint.root) {
    result->violations.push_back(ViolationAt(
        trusted.index, as_stored, std::nullopt,
        absl::StrCat("checked before, but the log's root at size ", size, " is now ",
                     HashToBase64(root), ", not the checkpoint's ",
                     HashToBase64(trusted.checkpoint.root), ": its records were rewritten")));
  }
  return absl::OkStatus();
}

absl::Status CheckpointAudit::CheckOne(size_t index, const StoredCheckpoint& stored, const Log& log,
                                       uint64_t log_size, CheckpointCheck* result) {
  auto violation = [&](std::optional<uint64_t> seq, absl::string_view what) {
    result->violations.push_back(ViolationAt(index, stored, seq, what));
    return absl::OkStatus();
  };
  absl::StatusOr<Checkpoint> signed_checkpoint = VerifyCheckpoint(stored.note, key_, origin_);
  if (!signed_checkpoint.ok()) {
    return violation(
        std::nullopt,
        absl::StrCat("not signed by the log's key ", FormatNoteVerifierKey(key_), " with origin \"",
                     origin_, "\": ", signed_checkpoint.status().message()));
  }
  const Checkpoint& checkpoint = *signed_checkpoint;
  if (checkpoint.size > log_size) {
    return violation(
        log_size,
        absl::StrCat("it covers ", checkpoint.size, " records but the log holds only ", log_size,
                     ": records ", log_size, "..", checkpoint.size - 1, " are missing"));
  }
  if (trusted_.has_value()) {
    const Trusted& trusted = *trusted_;
    std::optional<ConsistencyProof> proof;
    if (checkpoint.size > trusted.checkpoint.size) {
      ASSIGN_OR_RETURN(proof, log.ProveConsistency(trusted.checkpoint.size, checkpoint.size));
    }
    absl::StatusOr<Checkpoint> extends =
        WitnessCheck(trusted.note, stored.note, proof, key_, origin_);
    if (!extends.ok()) {
      return violation(std::nullopt,
                       absl::StrCat("it does not extend checkpoint ", trusted.index, " at offset ",
                                    trusted.file_offset, ": ", extends.status().message()));
    }
  }
  ASSIGN_OR_RETURN(const Hash root, log.Root(checkpoint.size));
  if (root != checkpoint.root) {
    return violation(std::nullopt, absl::StrCat("its root ", HashToBase64(checkpoint.root),
                                                " is not the root of the log's first ",
                                                checkpoint.size, " records, ", HashToBase64(root)));
  }
  result->verified++;
  trusted_ = Trusted{checkpoint, stored.note, index, stored.file_offset};
  return absl::OkStatus();
}

}  // namespace sealtrail
