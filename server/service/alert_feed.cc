#include "server/service/alert_feed.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/service/alert_record.h"

namespace sealtrail {
namespace {

using Json = nlohmann::ordered_json;

std::string Base64(std::string_view bytes) {
  return absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
}

Json ProofJson(const v1::InclusionProof& proof) {
  Json path = Json::array();
  for (const std::string& hash : proof.path()) path.push_back(Base64(hash));
  return Json{{"leaf_index", proof.leaf_index()},
              {"tree_size", proof.tree_size()},
              {"leaf_hash", Base64(proof.leaf_hash())},
              {"root", Base64(proof.root())},
              {"path", std::move(path)}};
}

}  // namespace

absl::Status LogAlertFeed::Seed(uint64_t from_seq) {
  RETURN_IF_ERROR(LoadFromIndex(from_seq));
  absl::MutexLock lock(&mu_);
  seeded_ = true;
  return absl::OkStatus();
}

absl::Status LogAlertFeed::LoadFromIndex(uint64_t from_seq) {
  if (from_seq >= log_->Size()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string first_bytes, log_->Read(from_seq));
  ASSIGN_OR_RETURN(v1::AuditRecord first, ParseStoredRecord(first_bytes));
  for (const char* action : {kAlertAction, kIntegrityViolationAction}) {
    IndexQuery query;
    query.all_tenants = true;
    query.action = action;
    query.from_ns = first.context().commit_time_ns();
    query.newest_first = false;
    query.limit = kMaxQueryLimit;
    while (true) {
      ASSIGN_OR_RETURN(IndexQueryResult page, index_->Query(query));
      for (uint64_t seq : page.seqs) {
        if (seq >= from_seq) Added(seq);
      }
      if (page.next_page_token.empty()) break;
      query.page_token = page.next_page_token;
    }
  }
  return absl::OkStatus();
}

void LogAlertFeed::Added(uint64_t seq) {
  absl::StatusOr<std::string> bytes = log_->Read(seq);
  if (!bytes.ok()) return;  // Body() names the error when the dispatcher gets there.
  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(*bytes);
  if (!record.ok()) return;
  absl::StatusOr<AlertFacts> facts = AlertFactsOf(*record);
  if (!facts.ok()) return;
  absl::MutexLock lock(&mu_);
  alerts_[seq] = PendingAlert{seq, facts->rule_id, facts->severity, facts->tenant};
}

absl::StatusOr<std::vector<PendingAlert>> LogAlertFeed::AlertsFrom(uint64_t first_seq,
                                                                   size_t limit) {
  std::vector<PendingAlert> alerts;
  absl::MutexLock lock(&mu_);
  // Until Seed has loaded the older alerts, answering with the newer ones alone would let a
  // dispatcher's cursor move past alerts it still owes.
  if (!seeded_) return alerts;
  for (auto it = alerts_.lower_bound(first_seq); it != alerts_.end() && alerts.size() < limit;
       ++it) {
    alerts.push_back(it->second);
  }
  return alerts;
}

absl::StatusOr<std::string> LogAlertFeed::Body(const PendingAlert& alert) {
  // Everything read for the body is checked against what the log stores: a body about records
  // that are not in the log must not be signed and sent.
  auto entry = [this](uint64_t seq, uint64_t tree_size) -> absl::StatusOr<Json> {
    ASSIGN_OR_RETURN(std::string bytes, log_->Read(seq));
    ASSIGN_OR_RETURN(v1::AuditRecord record, ParseStoredRecord(bytes));
    ASSIGN_OR_RETURN(std::string json, RecordToJson(record));
    ASSIGN_OR_RETURN(v1::InclusionProof proof, proofs_->Inclusion(seq, tree_size));
    return Json{{"seq", seq},
                {"leaf_hash", Base64(proof.leaf_hash())},
                {"record", Json::parse(json)},
                {"record_bytes", Base64(bytes)},
                {"inclusion_proof", ProofJson(proof)}};
  };
  ASSIGN_OR_RETURN(std::string alert_bytes, log_->Read(alert.seq));
  ASSIGN_OR_RETURN(v1::AuditRecord alert_record, ParseStoredRecord(alert_bytes));
  ASSIGN_OR_RETURN(AlertFacts facts, AlertFactsOf(alert_record));
  ASSIGN_OR_RETURN(StoredCheckpoint checkpoint, proofs_->Latest());
  if (checkpoint.checkpoint.size <= alert.seq) {
    // Not yet covered: TreeSize signs a checkpoint that covers it.
    RETURN_IF_ERROR(proofs_->TreeSize(0, alert.seq + 1).status());
    ASSIGN_OR_RETURN(checkpoint, proofs_->Latest());
  }
  const uint64_t tree_size = checkpoint.checkpoint.size;
  Json triggers = Json::array();
  for (const Trigger& trigger : facts.triggers) {
    ASSIGN_OR_RETURN(Hash stored, log_->LeafHash(trigger.seq));
    if (stored != trigger.leaf_hash) {
      return absl::DataLossError(absl::StrCat("alert ", alert.seq, " names record ", trigger.seq,
                                              " with a leaf hash the log does not hold"));
    }
    ASSIGN_OR_RETURN(Json triggered, entry(trigger.seq, tree_size));
    triggers.push_back(std::move(triggered));
  }
  ASSIGN_OR_RETURN(Json alert_entry, entry(alert.seq, tree_size));
  Json body{{"type", facts.action},
            {"alert", std::move(alert_entry)},
            {"triggers", std::move(triggers)},
            {"checkpoint",
             {{"tree_size", checkpoint.checkpoint.size},
              {"root", HashToBase64(checkpoint.checkpoint.root)},
              {"signed_note", checkpoint.note}}}};
  return body.dump();
}

}  // namespace sealtrail
