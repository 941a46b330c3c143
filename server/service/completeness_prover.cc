#include "server/service/completeness_prover.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sealtrail/status_macros.h"
#include "server/keymap/map_proof.h"
#include "server/record/record.h"
#include "server/record/record_keys.h"
#include "server/service/query_request.h"

namespace sealtrail {
namespace {

using keymap::KeyKind;

// How often Pin asks again when a background checkpoint moved the key map on between signing
// and proving (it signs at most once per interval, so the second try nearly always holds).
constexpr int kPinAttempts = 8;
// Pages of records with the range end's commit time the search for the next record reads.
constexpr int kMaxBoundaryPages = 16;

struct Linked {
  uint64_t seq = 0;
  std::string data;
  int64_t commit_ns = 0;
  Link link;
};

absl::StatusOr<Linked> ReadLinked(const Log& log, uint64_t seq, KeyKind kind) {
  Linked linked;
  linked.seq = seq;
  ASSIGN_OR_RETURN(linked.data, log.Read(seq));
  ASSIGN_OR_RETURN(const v1::AuditRecord record, ParseStoredRecord(linked.data));
  linked.commit_ns = record.context().commit_time_ns();
  linked.link = LinkOf(record.links(), kind);
  return linked;
}

}  // namespace

absl::StatusOr<PinnedProof> CompletenessProver::Pin(const ChainKey& key) {
  const Hash path = keymap::KeyPath(key.kind, key.tenant, key.value);
  absl::Status last_error;
  for (int attempt = 0; attempt < kPinAttempts; ++attempt) {
    // Signs a checkpoint of everything acknowledged (and advances the key map to it) when the
    // log grew since the latest.
    ASSIGN_OR_RETURN(const uint64_t size, proofs_->TreeSize(0, log_->Size()));
    absl::StatusOr<keymap::MapProof> map_proof = key_heads_->Prove(path, size);
    if (absl::IsFailedPrecondition(map_proof.status())) {
      last_error = map_proof.status();
      absl::SleepFor(absl::Milliseconds(1 << attempt));
      continue;
    }
    RETURN_IF_ERROR(map_proof.status());
    ASSIGN_OR_RETURN(const StoredCheckpoint latest, proofs_->Latest());
    if (latest.checkpoint.size != size) {
      last_error = absl::UnavailableError(absl::StrCat("the newest checkpoint moved from size ",
                                                       size, " to ", latest.checkpoint.size));
      continue;
    }
    PinnedProof pinned;
    pinned.checkpoint = ProofSource::ToProto(latest);
    pinned.map_proof = keymap::SerializeMapProof(*map_proof);
    if (map_proof->terminal.has_value() && map_proof->terminal->path == path) {
      pinned.map_head = map_proof->terminal->value;
    }
    return pinned;
  }
  return absl::UnavailableError(absl::StrCat(
      "could not pin a checkpoint and its key map for the completeness proof (the log is "
      "checkpointing fast); retry: ",
      last_error.message()));
}

absl::StatusOr<v1::CompletenessProof> CompletenessProver::Finish(
    const v1::QueryRequest& request, const ChainKey& key, const PinnedProof& pinned,
    std::vector<uint64_t> answer) const {
  const uint64_t size = pinned.checkpoint.tree_size();
  std::sort(answer.begin(), answer.end());
  answer.erase(std::unique(answer.begin(), answer.end()), answer.end());
  if (!answer.empty() && answer.back() >= size) {
    return absl::InternalError(
        absl::StrCat("answer record ", answer.back(), " is beyond the pinned tree size ", size));
  }
  v1::CompletenessProof proof;
  *proof.mutable_checkpoint() = pinned.checkpoint;
  proof.set_key_kind(static_cast<v1::KeyKind>(key.kind));
  proof.set_tenant_id(key.tenant);
  proof.set_key_value(key.value);
  proof.set_from_ns(request.from_ns());
  proof.set_to_ns(request.to_ns());
  proof.set_from_seq(request.from_seq());
  proof.set_to_seq(request.to_seq());
  const bool has_start = request.from_ns() != 0 || request.from_seq() != 0;
  const bool has_end = request.to_ns() != 0 || request.to_seq() != 0;
  const auto above = [&](const Linked& record) {
    return (request.to_ns() != 0 && record.commit_ns >= request.to_ns()) ||
           (request.to_seq() != 0 && record.seq >= request.to_seq());
  };

  std::vector<uint64_t> boundary;
  auto add_boundary = [&](const Linked& record) {
    v1::QueryResult* result = proof.add_boundary();
    result->set_seq(record.seq);
    result->set_data(record.data);
    boundary.push_back(record.seq);
  };
  // The record the range's first record of the key links back to, when the range has a start
  // (without one, a link back is a missing record and there is nothing to show).
  auto add_before = [&](const Linked& first) -> absl::Status {
    if (first.link.count <= 1 || !has_start) return absl::OkStatus();
    ASSIGN_OR_RETURN(const Linked before, ReadLinked(*log_, first.link.prev_seq, key.kind));
    add_boundary(before);
    return absl::OkStatus();
  };
  // The key's first record above the range (at or past to_ns or to_seq), below the pinned size.
  // Commit times never decrease, so it is among the key's records from the earlier of to_ns and
  // the commit time of record to_seq on, oldest first; records with that same time that are not
  // above the range yet are skipped.
  auto first_after_range = [&]() -> absl::StatusOr<std::optional<Linked>> {
    if (!has_end) return std::nullopt;
    std::optional<int64_t> start_ns;
    if (request.to_ns() != 0) start_ns = request.to_ns();
    if (request.to_seq() != 0 && request.to_seq() < size) {
      ASSIGN_OR_RETURN(const Linked at, ReadLinked(*log_, request.to_seq(), key.kind));
      start_ns = std::min(start_ns.value_or(at.commit_ns), at.commit_ns);
    }
    if (!start_ns.has_value()) return std::nullopt;  // to_seq past the pinned size.
    // The key's chain from start_ns on, oldest first: the query the answer itself was read with.
    v1::QueryRequest after;
    after.set_tenant_id(key.tenant);
    after.set_from_ns(*start_ns);
    after.set_order(v1::QueryRequest::OLDEST_FIRST);
    ASSIGN_OR_RETURN(IndexQuery query, ToIndexQuery(ChainQueryOf(after, key), kMaxQueryLimit));
    for (int page = 0; page < kMaxBoundaryPages; ++page) {
      ASSIGN_OR_RETURN(const IndexQueryResult found, index_->Query(query));
      for (uint64_t seq : found.seqs) {
        if (seq >= size) return std::nullopt;
        ASSIGN_OR_RETURN(Linked next, ReadLinked(*log_, seq, key.kind));
        if (above(next)) return next;
      }
      if (found.next_page_token.empty()) return std::nullopt;
      query.page_token = found.next_page_token;
    }
    return absl::ResourceExhaustedError(
        absl::StrCat("more than ", kMaxBoundaryPages * kMaxQueryLimit,
                     " records share the commit time where the range ends; narrow the range"));
  };

  bool need_map_proof = false;
  if (!answer.empty()) {
    ASSIGN_OR_RETURN(const Linked first, ReadLinked(*log_, answer.front(), key.kind));
    RETURN_IF_ERROR(add_before(first));
    const bool last_is_newest =
        pinned.map_head.has_value() && pinned.map_head->head == answer.back();
    if (last_is_newest) {
      need_map_proof = true;
    } else {
      ASSIGN_OR_RETURN(std::optional<Linked> next, first_after_range());
      if (next.has_value()) {
        add_boundary(*next);
      } else {
        need_map_proof = true;  // The proof then fails, as it should: something is missing.
      }
    }
  } else if (!pinned.map_head.has_value()) {
    need_map_proof = true;  // No record of the key at all since commitments began.
  } else {
    ASSIGN_OR_RETURN(std::optional<Linked> next, first_after_range());
    if (next.has_value()) {
      add_boundary(*next);
      RETURN_IF_ERROR(add_before(*next));
    } else {
      // The key's newest record is before the range.
      need_map_proof = true;
      ASSIGN_OR_RETURN(const Linked newest, ReadLinked(*log_, pinned.map_head->head, key.kind));
      add_boundary(newest);
    }
  }
  if (need_map_proof) proof.set_map_proof(pinned.map_proof);

  std::vector<uint64_t> proven = answer;
  proven.insert(proven.end(), boundary.begin(), boundary.end());
  std::sort(proven.begin(), proven.end());
  proven.erase(std::unique(proven.begin(), proven.end()), proven.end());
  if (!proven.empty()) {
    ASSIGN_OR_RETURN(const std::vector<Hash> path, log_->ProveMultiInclusion(proven, size));
    for (const Hash& hash : path) proof.add_inclusion_path(std::string(AsStringView(hash)));
  }
  return proof;
}

}  // namespace sealtrail
