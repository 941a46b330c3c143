#include "server/completeness/completeness_verifier.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/status_macros.h"
#include "server/completeness/key_map_line.h"
#include "server/keymap/map_proof.h"
#include "server/record/record.h"
#include "server/record/record_keys.h"

namespace sealtrail {
namespace {

using keymap::KeyKind;

// A record of the answer or the boundary, parsed, with its link for the claimed key.
struct ChainRecord {
  uint64_t seq = 0;
  int64_t commit_ns = 0;
  uint64_t count = 0;     // Its link's count.
  uint64_t prev_seq = 0;  // Meaningful when count > 1.
  bool in_answer = false;
};

// Before the range: committed before from_ns, or a sequence number below from_seq.
bool Below(const CompletenessClaim& claim, uint64_t seq, int64_t commit_ns) {
  return (claim.from_ns != 0 && commit_ns < claim.from_ns) ||
         (claim.from_seq != 0 && seq < claim.from_seq);
}

// After it: committed at or after to_ns, or a sequence number at or past to_seq.
bool Above(const CompletenessClaim& claim, uint64_t seq, int64_t commit_ns) {
  return (claim.to_ns != 0 && commit_ns >= claim.to_ns) ||
         (claim.to_seq != 0 && seq >= claim.to_seq);
}

bool InRange(const CompletenessClaim& claim, uint64_t seq, int64_t commit_ns) {
  return !Below(claim, seq, commit_ns) && !Above(claim, seq, commit_ns);
}

bool HasStart(const CompletenessClaim& claim) { return claim.from_ns != 0 || claim.from_seq != 0; }
bool HasEnd(const CompletenessClaim& claim) { return claim.to_ns != 0 || claim.to_seq != 0; }

std::string Describe(const CompletenessClaim& claim) {
  return absl::StrCat("commit times [", claim.from_ns, ", ",
                      claim.to_ns == 0 ? std::string("end") : absl::StrCat(claim.to_ns),
                      ") ns, sequence numbers [", claim.from_seq, ", ",
                      claim.to_seq == 0 ? std::string("end") : absl::StrCat(claim.to_seq), ")");
}

absl::Status Gap(const std::string& key, const std::string& where) {
  return absl::DataLossError(absl::StrCat("the answer is incomplete for ", key, ": ", where));
}

class Verifier {
 public:
  Verifier(const CompletenessClaim& claim, const Checkpoint& checkpoint)
      : claim_(claim),
        checkpoint_(checkpoint),
        key_(DescribeKey(claim.kind, claim.tenant, claim.value)) {}

  absl::StatusOr<CompletenessResult> Run(absl::Span<const AnsweredRecord> answer,
                                         const v1::CompletenessProof& proof) {
    RETURN_IF_ERROR(CheckProofIsForClaim(proof));
    ASSIGN_OR_RETURN(map_head_, KeyMapHeadOf(checkpoint_));
    RETURN_IF_ERROR(CheckOrder(answer));
    for (const AnsweredRecord& record : answer) {
      ASSIGN_OR_RETURN(ChainRecord chained, Parse(record, /*in_answer=*/true));
      if (!InRange(claim_, chained.seq, chained.commit_ns)) {
        return absl::DataLossError(
            absl::StrCat("record ", chained.seq, " is not in the answer's range: its commit time ",
                         chained.commit_ns, " ns is outside ", Describe(claim_)));
      }
      chain_.push_back(chained);
    }
    for (const v1::QueryResult& result : proof.boundary()) {
      ASSIGN_OR_RETURN(ChainRecord chained,
                       Parse(AnsweredRecord{result.seq(), result.data()}, /*in_answer=*/false));
      if (InRange(claim_, chained.seq, chained.commit_ns)) {
        return Gap(key_, absl::StrCat("record ", chained.seq, " is in the range (commit time ",
                                      chained.commit_ns, " ns) but missing from the answer"));
      }
      boundary_.emplace(chained.seq, chained);
    }
    std::sort(chain_.begin(), chain_.end(),
              [](const ChainRecord& a, const ChainRecord& b) { return a.seq < b.seq; });
    RETURN_IF_ERROR(CheckLinks());
    RETURN_IF_ERROR(CheckLowerBoundary());
    RETURN_IF_ERROR(CheckUpperBoundary(proof));
    if (used_boundary_ != boundary_.size()) {
      return absl::DataLossError(absl::StrCat(
          "the proof carries ", boundary_.size() - used_boundary_,
          " boundary record(s) that are not neighbours of the answer on the chain of ", key_));
    }
    // Last, so that an answer with a record left out is named by its gap (the chain checks
    // above) rather than by an inclusion path that no longer fits; every check must pass.
    RETURN_IF_ERROR(CheckInclusion(answer, proof));
    CompletenessResult result;
    result.tree_size = checkpoint_.size;
    result.records = chain_.size();
    result.unproven_before_seq = unproven_before_;
    return result;
  }

 private:
  absl::Status CheckProofIsForClaim(const v1::CompletenessProof& proof) const {
    if (static_cast<int>(proof.key_kind()) != static_cast<int>(claim_.kind) ||
        proof.tenant_id() != claim_.tenant || proof.key_value() != claim_.value) {
      return absl::InvalidArgumentError(absl::StrCat("the completeness proof is for another key (",
                                                     "kind ", static_cast<int>(proof.key_kind()),
                                                     ") than the one asked for: ", key_));
    }
    if (proof.from_ns() != claim_.from_ns || proof.to_ns() != claim_.to_ns ||
        proof.from_seq() != claim_.from_seq || proof.to_seq() != claim_.to_seq) {
      CompletenessClaim proven = claim_;
      proven.from_ns = proof.from_ns();
      proven.to_ns = proof.to_ns();
      proven.from_seq = proof.from_seq();
      proven.to_seq = proof.to_seq();
      return absl::InvalidArgumentError(absl::StrCat("the completeness proof is for the range ",
                                                     Describe(proven), ", not the one asked for, ",
                                                     Describe(claim_)));
    }
    if (proof.checkpoint().tree_size() != checkpoint_.size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the completeness proof is against tree size ", proof.checkpoint().tree_size(),
          " but the verified checkpoint is of size ", checkpoint_.size));
    }
    return absl::OkStatus();
  }

  // In the order asked for, each sequence number once.
  absl::Status CheckOrder(absl::Span<const AnsweredRecord> answer) const {
    for (size_t i = 1; i < answer.size(); ++i) {
      const uint64_t a = answer[i - 1].seq;
      const uint64_t b = answer[i].seq;
      if (a == b) {
        return absl::DataLossError(absl::StrCat(
            "record ", b, " appears twice in the answer (positions ", i - 1, " and ", i, ")"));
      }
      if ((a < b) == claim_.newest_first) {
        return absl::DataLossError(absl::StrCat(
            "the answer is out of order at position ", i, ": record ", a, " then ", b, ", but ",
            claim_.newest_first ? "newest" : "oldest", " first was asked for"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckInclusion(absl::Span<const AnsweredRecord> answer,
                              const v1::CompletenessProof& proof) const {
    std::vector<std::pair<uint64_t, Hash>> leaves;
    leaves.reserve(answer.size() + proof.boundary_size());
    for (const AnsweredRecord& record : answer) {
      leaves.emplace_back(record.seq, HashLeaf(record.data));
    }
    for (const v1::QueryResult& result : proof.boundary()) {
      leaves.emplace_back(result.seq(), HashLeaf(result.data()));
    }
    std::sort(leaves.begin(), leaves.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<uint64_t> indices;
    std::vector<Hash> hashes;
    indices.reserve(leaves.size());
    hashes.reserve(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (i > 0 && leaves[i].first == leaves[i - 1].first) {
        return absl::DataLossError(absl::StrCat("record ", leaves[i].first,
                                                " is both in the answer and a boundary record"));
      }
      if (leaves[i].first >= checkpoint_.size) {
        return absl::DataLossError(absl::StrCat("record ", leaves[i].first,
                                                " is beyond the checkpoint's tree size ",
                                                checkpoint_.size));
      }
      indices.push_back(leaves[i].first);
      hashes.push_back(leaves[i].second);
    }
    if (indices.empty()) {
      if (proof.inclusion_path_size() != 0) {
        return absl::InvalidArgumentError(
            "the completeness proof has an inclusion path but no records to prove");
      }
      return absl::OkStatus();
    }
    std::vector<Hash> path;
    path.reserve(proof.inclusion_path_size());
    for (const std::string& bytes : proof.inclusion_path()) {
      if (bytes.size() != kHashSize) {
        return absl::InvalidArgumentError(
            absl::StrCat("an inclusion path hash is ", bytes.size(), " bytes, not ", kHashSize));
      }
      Hash hash;
      std::copy(bytes.begin(), bytes.end(), hash.begin());
      path.push_back(hash);
    }
    absl::Status included =
        VerifyMultiInclusion(indices, hashes, checkpoint_.size, path, checkpoint_.root);
    if (!included.ok()) {
      // Whatever is wrong with the path, the server sent it: the answer does not verify.
      return absl::DataLossError(
          absl::StrCat("the answer's records are not all in the log at tree size ",
                       checkpoint_.size, ": ", included.message()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<ChainRecord> Parse(const AnsweredRecord& record, bool in_answer) const {
    absl::StatusOr<v1::AuditRecord> parsed = ParseStoredRecord(record.data);
    if (!parsed.ok()) {
      return absl::DataLossError(
          absl::StrCat("record ", record.seq, ": ", parsed.status().message()));
    }
    std::optional<RecordKey> key = RecordKeyOf(*parsed, claim_.kind);
    if (!key.has_value() || key->tenant != claim_.tenant || key->value != claim_.value) {
      return absl::DataLossError(
          absl::StrCat("record ", record.seq, " is not a record of ", key_,
                       in_answer ? ": it does not belong in the answer" : " (a boundary record)"));
    }
    const Link link = LinkOf(parsed->links(), claim_.kind);
    if (link.count == 0) {
      if (record.seq < map_head_.from) {
        return absl::FailedPreconditionError(absl::StrCat(
            "record ", record.seq, " was written before the log's completeness commitments ",
            "began at sequence number ", map_head_.from, ": its answer cannot be proven complete"));
      }
      return absl::DataLossError(absl::StrCat("record ", record.seq, " has no link for ", key_,
                                              " although it was written after commitments began"));
    }
    if (link.count > 1 && link.prev_seq >= record.seq) {
      return absl::DataLossError(
          absl::StrCat("record ", record.seq, "'s link points forward, to ", link.prev_seq));
    }
    ChainRecord chained;
    chained.seq = record.seq;
    chained.commit_ns = parsed->context().commit_time_ns();
    chained.count = link.count;
    chained.prev_seq = link.prev_seq;
    chained.in_answer = in_answer;
    return chained;
  }

  // Consecutive answer records are consecutive on the chain.
  absl::Status CheckLinks() const {
    for (size_t i = 1; i < chain_.size(); ++i) {
      const ChainRecord& before = chain_[i - 1];
      const ChainRecord& after = chain_[i];
      if (after.count == before.count + 1 && after.prev_seq == before.seq) continue;
      if (after.count > before.count + 1 || (after.count > 1 && after.prev_seq > before.seq)) {
        const uint64_t missing = after.count > before.count ? after.count - before.count - 1 : 0;
        return Gap(key_, absl::StrCat(missing, " record(s) missing between sequence numbers ",
                                      before.seq, " and ", after.seq, " (record ", after.seq,
                                      " links back to ", after.prev_seq, ", count ", after.count,
                                      "; record ", before.seq, " has count ", before.count, ")"));
      }
      return absl::DataLossError(absl::StrCat(
          "records ", before.seq, " and ", after.seq, " are not consecutive on the chain of ", key_,
          ": record ", after.seq, " links back to ", after.prev_seq, " with count ", after.count,
          ", record ", before.seq, " has count ", before.count));
    }
    return absl::OkStatus();
  }

  // The boundary record `seq` with the chain position `count`, if the proof carries it.
  const ChainRecord* Boundary(uint64_t seq, uint64_t count) {
    auto it = boundary_.find(seq);
    if (it == boundary_.end() || it->second.count != count) return nullptr;
    ++used_boundary_;
    return &it->second;
  }

  // The chain record just before the answer's first (or, for an empty answer, before `next`)
  // is before the range.
  absl::Status CheckLowerBoundary() {
    if (chain_.empty()) return absl::OkStatus();  // CheckUpperBoundary handles it.
    return CheckBefore(chain_.front());
  }

  // `first` is the first chain record in or after the range: the one before it must be before.
  absl::Status CheckBefore(const ChainRecord& first) {
    if (first.count == 1) {
      // The key's first record since commitments began: nothing before it to miss, unless the
      // log has records from before commitments.
      if (map_head_.from > 0) unproven_before_ = map_head_.from;
      return absl::OkStatus();
    }
    if (!HasStart(claim_)) {
      return Gap(key_, absl::StrCat("record(s) missing before sequence number ", first.seq,
                                    ": it links back to ", first.prev_seq, " (count ", first.count,
                                    ") and the range has no start"));
    }
    const ChainRecord* before = Boundary(first.prev_seq, first.count - 1);
    if (before == nullptr || !Below(claim_, before->seq, before->commit_ns)) {
      return Gap(key_, absl::StrCat("the proof does not show that record ", first.prev_seq,
                                    " (which record ", first.seq,
                                    " links back to) is before "
                                    "the range; records may be missing before ",
                                    first.seq));
    }
    return absl::OkStatus();
  }

  absl::Status CheckUpperBoundary(const v1::CompletenessProof& proof) {
    const ChainRecord* last = chain_.empty() ? nullptr : &chain_.back();
    // The key's next record after the answer (or, empty answer, the first above the range).
    const ChainRecord* next = nullptr;
    for (const auto& [seq, record] : boundary_) {
      const bool follows = last == nullptr
                               ? Above(claim_, record.seq, record.commit_ns)
                               : (record.count == last->count + 1 && record.prev_seq == last->seq);
      if (follows && (last == nullptr || record.seq > last->seq)) {
        if (next == nullptr || record.seq < next->seq) next = &record;
      }
    }
    if (next != nullptr) {
      if (!HasEnd(claim_)) {
        return Gap(key_, absl::StrCat("record ", next->seq, " follows the answer's last record",
                                      " and the range has no end"));
      }
      ++used_boundary_;
      if (last == nullptr) return CheckBefore(*next);
      return absl::OkStatus();
    }
    // No next record below the tree size: the key map must say the answer's last is the newest.
    if (proof.map_proof().empty()) {
      return Gap(key_, absl::StrCat("the proof shows neither the record after ",
                                    last == nullptr ? std::string("the range")
                                                    : absl::StrCat("record ", last->seq),
                                    " nor that there is none (no key map proof)"));
    }
    ASSIGN_OR_RETURN(const keymap::MapProof map_proof, keymap::ParseMapProof(proof.map_proof()));
    const Hash path = keymap::KeyPath(claim_.kind, claim_.tenant, claim_.value);
    absl::StatusOr<std::optional<keymap::KeyHead>> head =
        keymap::VerifyMapProof(map_proof, path, map_head_.root);
    if (!head.ok()) {
      return absl::Status(
          head.status().code(),
          absl::StrCat("the key map proof for ", key_, " does not hold at tree size ",
                       checkpoint_.size, ": ", head.status().message()));
    }
    if (last != nullptr) {
      if (!head->has_value() || (*head)->head != last->seq || (*head)->count != last->count) {
        return Gap(key_, absl::StrCat("record(s) missing after sequence number ", last->seq,
                                      ": the key map at tree size ", checkpoint_.size, " says ",
                                      head->has_value()
                                          ? absl::StrCat("the newest is record ", (*head)->head,
                                                         " (count ", (*head)->count, ")")
                                          : std::string("the key has no records")));
      }
      return absl::OkStatus();
    }
    // Empty answer, no record of the key above the range: the newest must be below it.
    if (!head->has_value()) {
      if (map_head_.from > 0) unproven_before_ = map_head_.from;
      return absl::OkStatus();  // The key has no record since commitments began.
    }
    const ChainRecord* newest = Boundary((*head)->head, (*head)->count);
    if (newest == nullptr || !Below(claim_, newest->seq, newest->commit_ns)) {
      return Gap(key_, absl::StrCat("the key map says the key's newest record is ", (*head)->head,
                                    " but the proof does not show it is before the range"));
    }
    return absl::OkStatus();  // Run checked the boundary record is outside the range.
  }

  const CompletenessClaim& claim_;
  const Checkpoint& checkpoint_;
  const std::string key_;
  KeyMapHead map_head_;
  std::vector<ChainRecord> chain_;  // The answer, in sequence order.
  absl::flat_hash_map<uint64_t, ChainRecord> boundary_;
  size_t used_boundary_ = 0;
  uint64_t unproven_before_ = 0;
};

}  // namespace

absl::StatusOr<CompletenessResult> VerifyCompleteness(const CompletenessClaim& claim,
                                                      absl::Span<const AnsweredRecord> answer,
                                                      const v1::CompletenessProof& proof,
                                                      const Checkpoint& checkpoint) {
  return Verifier(claim, checkpoint).Run(answer, proof);
}

}  // namespace sealtrail
