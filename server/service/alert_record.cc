#include "server/service/alert_record.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sealtrail/status_macros.h"
#include "server/record/hex_id.h"
#include "server/record/record.h"

namespace sealtrail {
namespace {

// `text` cut to at most `limit` bytes without splitting a UTF-8 sequence (a rule's description
// and a violation's message come from files and errors, not from a checked record).
std::string Cut(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

void SetTriggers(const std::vector<Trigger>& triggers,
                 google::protobuf::Map<std::string, std::string>* attributes) {
  std::vector<std::string> seqs;
  std::vector<std::string> hashes;
  seqs.reserve(triggers.size());
  hashes.reserve(triggers.size());
  for (const Trigger& trigger : triggers) {
    seqs.push_back(absl::StrCat(trigger.seq));
    const std::string_view hash = AsStringView(trigger.leaf_hash);
    hashes.push_back(absl::BytesToHexString(absl::string_view(hash.data(), hash.size())));
  }
  (*attributes)["trigger_seqs"] = absl::StrJoin(seqs, ",");
  (*attributes)["trigger_leaf_hashes"] = absl::StrJoin(hashes, ",");
}

absl::Status Bad(absl::string_view attribute, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("not an alert record: details.attributes[\"", attribute, "\"] ", what));
}

absl::StatusOr<uint64_t> DecimalAttribute(absl::string_view attribute, absl::string_view text) {
  uint64_t value = 0;
  if (text.empty() || !std::all_of(text.begin(), text.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(text, &value)) {
    return Bad(attribute, absl::StrCat("\"", absl::CHexEscape(text), "\" is not a decimal number"));
  }
  return value;
}

}  // namespace

v1::AuditRecord AlertRecord(const Firing& firing) {
  v1::AuditRecord record;
  record.mutable_actor()->set_service(kDetectorService);
  record.mutable_action()->set_name(kAlertAction);
  record.mutable_action()->set_resource_type("rule");
  record.mutable_action()->set_resource_id(Cut(firing.rule_id, kMaxRecordIdBytes));
  record.mutable_context()->set_tenant_id(firing.tenant);
  record.mutable_outcome()->set_result(v1::Outcome::SUCCESS);
  record.mutable_outcome()->set_reason(Cut(firing.description, kMaxRecordTextBytes));
  auto* attributes = record.mutable_details()->mutable_attributes();
  (*attributes)["rule"] = Cut(firing.rule_id, kMaxRecordIdBytes);
  (*attributes)["severity"] = firing.severity;
  (*attributes)["kind"] = firing.kind;
  if (!firing.key_field.empty()) {
    (*attributes)["key_field"] = Cut(firing.key_field, kMaxRecordIdBytes);
    (*attributes)["key_value"] = Cut(firing.key_value, kMaxRecordIdBytes);
  }
  (*attributes)["window_start_ns"] = absl::StrCat(firing.window_start_ns);
  (*attributes)["window_end_ns"] = absl::StrCat(firing.window_end_ns);
  (*attributes)["trigger_count"] = absl::StrCat(firing.trigger_count);
  if (firing.sum != 0) (*attributes)["sum"] = absl::StrCat(firing.sum);
  SetTriggers(firing.triggers, attributes);
  return record;
}

v1::AuditRecord IntegrityViolationRecord(const IntegrityViolation& alarm) {
  v1::AuditRecord record;
  record.mutable_actor()->set_service(kIntegrityAuditorService);
  record.mutable_action()->set_name(kIntegrityViolationAction);
  record.mutable_action()->set_resource_type(alarm.kind);
  record.mutable_action()->set_resource_id(Cut(alarm.file, kMaxRecordIdBytes));
  record.mutable_context()->set_tenant_id(kPlatformTenant);
  record.mutable_outcome()->set_result(v1::Outcome::FAILURE);
  record.mutable_outcome()->set_reason(Cut(alarm.message, kMaxRecordTextBytes));
  auto* attributes = record.mutable_details()->mutable_attributes();
  (*attributes)["rule"] = kIntegrityViolationAction;
  (*attributes)["severity"] = "critical";
  (*attributes)["kind"] = alarm.kind;
  (*attributes)["file"] = Cut(alarm.file, kMaxRecordIdBytes);
  (*attributes)["offset"] = absl::StrCat(alarm.offset);
  if (alarm.seq.has_value()) (*attributes)["seq"] = absl::StrCat(*alarm.seq);
  return record;
}

bool IsAlertRecord(const v1::AuditRecord& record) {
  return record.action().name() == kAlertAction ||
         record.action().name() == kIntegrityViolationAction;
}

absl::StatusOr<AlertFacts> AlertFactsOf(const v1::AuditRecord& record) {
  if (!IsAlertRecord(record)) {
    return absl::InvalidArgumentError(absl::StrCat("not an alert record: action.name \"",
                                                   absl::CHexEscape(record.action().name()), "\""));
  }
  const auto& attributes = record.details().attributes();
  auto get = [&attributes](std::string_view key) -> const std::string* {
    auto it = attributes.find(std::string(key));
    return it == attributes.end() ? nullptr : &it->second;
  };
  AlertFacts facts;
  facts.action = record.action().name();
  facts.tenant = record.context().tenant_id();
  const std::string* rule = get("rule");
  const std::string* severity = get("severity");
  if (rule == nullptr || rule->empty()) return Bad("rule", "is missing");
  if (severity == nullptr || severity->empty()) return Bad("severity", "is missing");
  facts.rule_id = *rule;
  facts.severity = *severity;
  const std::string* seqs = get("trigger_seqs");
  const std::string* hashes = get("trigger_leaf_hashes");
  if (seqs == nullptr || seqs->empty()) {
    if (facts.action == kAlertAction) return Bad("trigger_seqs", "is missing");
    return facts;
  }
  if (hashes == nullptr) return Bad("trigger_leaf_hashes", "is missing");
  std::vector<absl::string_view> seq_texts = absl::StrSplit(*seqs, ',');
  std::vector<absl::string_view> hash_texts = absl::StrSplit(*hashes, ',');
  if (seq_texts.size() != hash_texts.size()) {
    return Bad("trigger_leaf_hashes", absl::StrCat("lists ", hash_texts.size(), " hashes for ",
                                                   seq_texts.size(), " sequence numbers"));
  }
  for (size_t i = 0; i < seq_texts.size(); ++i) {
    Trigger trigger;
    ASSIGN_OR_RETURN(trigger.seq, DecimalAttribute("trigger_seqs", seq_texts[i]));
    std::optional<std::string> bytes =
        HexIdBytes(std::string_view(hash_texts[i].data(), hash_texts[i].size()), kHashSize);
    if (!bytes.has_value()) {
      return Bad("trigger_leaf_hashes",
                 absl::StrCat("entry ", i, " is not ", 2 * kHashSize, " hex digits"));
    }
    std::copy(bytes->begin(), bytes->end(), trigger.leaf_hash.begin());
    facts.triggers.push_back(trigger);
  }
  return facts;
}

}  // namespace sealtrail
