#include "server/service/key_heads.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/record/record_keys.h"

namespace sealtrail {
namespace {

absl::StatusOr<v1::AuditRecord> ReadRecord(const Log& log, uint64_t seq) {
  ASSIGN_OR_RETURN(std::string bytes, log.Read(seq));
  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(bytes);
  if (!record.ok()) {
    return absl::DataLossError(absl::StrCat("record ", seq, ": ", record.status().message()));
  }
  return record;
}

// The first record with links: records below it have none, and from it on all have them
// (each is checked while replaying). log.Size() if none has.
absl::StatusOr<uint64_t> FindCommitmentStart(const Log& log) {
  uint64_t lo = 0;
  uint64_t hi = log.Size();
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(const v1::AuditRecord record, ReadRecord(log, mid));
    if (record.has_links()) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyHeads>> KeyHeads::Load(const Log& log) {
  const uint64_t size = log.Size();
  ASSIGN_OR_RETURN(const uint64_t from, FindCommitmentStart(log));
  std::unique_ptr<KeyHeads> heads(new KeyHeads(from));
  for (uint64_t seq = from; seq < size; ++seq) {
    ASSIGN_OR_RETURN(const v1::AuditRecord record, ReadRecord(log, seq));
    if (!record.has_links()) {
      return absl::DataLossError(absl::StrCat("record ", seq,
                                              " has no completeness links, but records from ", from,
                                              " on all must (the record before it has them)"));
    }
    for (const RecordKey& key : RecordKeysOf(record)) {
      const Hash path = KeyPathOf(key);
      const Link link = LinkOf(record.links(), key.kind);
      auto it = heads->heads_.find(path);
      const uint64_t count_before = it == heads->heads_.end() ? 0 : it->second.head.count;
      const bool chains = link.count == count_before + 1 &&
                          (count_before == 0 || link.prev_seq == it->second.head.head);
      if (!chains) {
        return absl::DataLossError(absl::StrCat(
            "record ", seq, "'s link for ", DescribeKey(key.kind, key.tenant, key.value),
            " says count ", link.count, " after record ", link.prev_seq, ", but the log holds ",
            count_before, " records of that key before it",
            count_before == 0 ? "" : absl::StrCat(", the newest at ", it->second.head.head)));
      }
      heads->heads_[path] = Entry{keymap::KeyHead{seq, link.count}, 0};
    }
  }
  heads->committed_size_ = size;
  heads->staged_end_ = size;
  absl::MutexLock lock(&heads->map_mu_);
  for (const auto& [path, entry] : heads->heads_) {
    RETURN_IF_ERROR(heads->map_.Set(path, entry.head));
  }
  heads->map_size_ = size;
  heads->map_.Root();  // Proofs need the hashes, and Prove never computes them.
  {
    absl::MutexLock pending_lock(&heads->pending_mu_);
    heads->pending_size_ = size;
  }
  return heads;
}

void KeyHeads::Stage(absl::Span<v1::AuditRecord> records, uint64_t first_seq) {
  // Straight into the heads, one hash-map operation per key, with what a Discard needs to put
  // back noted at each key's first change in the batch (the batch's epoch marks it).
  uint64_t seq = first_seq;
  for (v1::AuditRecord& record : records) {
    v1::KeyLinks* links = record.mutable_links();
    links->Clear();
    for (const RecordKey& key : RecordKeysOf(record)) {
      const Hash path = KeyPathOf(key);
      auto [it, inserted] = heads_.try_emplace(path, Entry{});
      Entry& entry = it->second;
      if (entry.epoch != epoch_) {
        touched_.push_back(Touched{path, entry.head, inserted});
        entry.epoch = epoch_;
      }
      const keymap::KeyHead before = entry.head;
      SetLink(links, key.kind, Link{before.count + 1, before.count > 0 ? before.head : 0});
      entry.head = keymap::KeyHead{seq, before.count + 1};
    }
    ++seq;
  }
  staged_end_ = seq;
}

void KeyHeads::Publish() {
  {
    absl::MutexLock lock(&pending_mu_);
    for (const Touched& touched : touched_) pending_[touched.path] = heads_[touched.path].head;
    pending_size_ = staged_end_;
  }
  committed_size_ = staged_end_;
  touched_.clear();
  ++epoch_;
}

void KeyHeads::Discard() {
  for (auto it = touched_.rbegin(); it != touched_.rend(); ++it) {
    if (it->was_new) {
      heads_.erase(it->path);
    } else {
      heads_[it->path] = Entry{it->before, 0};
    }
  }
  touched_.clear();
  ++epoch_;
  staged_end_ = committed_size_;
}

absl::StatusOr<KeyMapHead> KeyHeads::Advance() {
  absl::flat_hash_map<Hash, keymap::KeyHead> updates;
  uint64_t size = 0;
  // The map lock is taken first and held while the pending batch is taken, so the map's size
  // and contents change together; the committer only waits for the swap, never for hashing.
  absl::MutexLock map_lock(&map_mu_);
  {
    absl::MutexLock lock(&pending_mu_);
    updates.swap(pending_);
    size = pending_size_;
  }
  for (const auto& [path, head] : updates) {
    if (absl::Status set = map_.Set(path, head); !set.ok()) {
      return absl::InternalError(absl::StrCat("the key map refused an entry: ", set.message()));
    }
  }
  map_size_ = size;
  return KeyMapHead{size, from_, map_.Root()};
}

absl::StatusOr<keymap::MapProof> KeyHeads::Prove(const Hash& path, uint64_t size) {
  absl::MutexLock lock(&map_mu_);
  if (size != map_size_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the key map is at tree size ", map_size_, ", not ", size, "; ask again"));
  }
  return map_.Prove(path);
}

}  // namespace sealtrail
