#include "server/detect/record_field.h"

#include <array>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace sealtrail::detect {
namespace {

constexpr absl::string_view kAttributePrefix = "attributes.";

constexpr std::array<std::pair<absl::string_view, FieldId>, 21> kFieldNames = {{
    {"action", FieldId::kAction},
    {"method", FieldId::kMethod},
    {"route", FieldId::kRoute},
    {"resource_type", FieldId::kResourceType},
    {"resource_id", FieldId::kResourceId},
    {"tenant", FieldId::kTenant},
    {"actor", FieldId::kActor},
    {"user_id", FieldId::kUserId},
    {"role", FieldId::kRole},
    {"service", FieldId::kService},
    {"source_ip", FieldId::kSourceIp},
    {"user_agent", FieldId::kUserAgent},
    {"session_id", FieldId::kSessionId},
    {"reason", FieldId::kReason},
    {"data_class", FieldId::kDataClass},
    {"old_value", FieldId::kOldValue},
    {"new_value", FieldId::kNewValue},
    {"row_count", FieldId::kRowCount},
    {"status_code", FieldId::kStatusCode},
    {"outcome", FieldId::kOutcome},
    {"verified", FieldId::kVerified},
}};

}  // namespace

std::optional<RecordField> FieldByName(absl::string_view name) {
  if (absl::StartsWith(name, kAttributePrefix)) {
    if (name.size() == kAttributePrefix.size()) return std::nullopt;
    return RecordField{FieldId::kAttribute, std::string(name.substr(kAttributePrefix.size())),
                       std::string(name)};
  }
  for (const auto& [known, id] : kFieldNames) {
    if (known == name) return RecordField{id, "", std::string(name)};
  }
  return std::nullopt;
}

absl::string_view KnownFieldNames() {
  return "action, method, route, resource_type, resource_id, tenant, actor, user_id, role, "
         "service, source_ip, user_agent, session_id, reason, data_class, old_value, new_value, "
         "row_count, status_code, outcome, verified, attributes.KEY";
}

std::optional<absl::string_view> TextOf(const v1::AuditRecord& record, const RecordField& field) {
  switch (field.id) {
    case FieldId::kAction:
      return record.action().name();
    case FieldId::kMethod:
      return record.action().method();
    case FieldId::kRoute:
      return record.action().route();
    case FieldId::kResourceType:
      return record.action().resource_type();
    case FieldId::kResourceId:
      return record.action().resource_id();
    case FieldId::kTenant:
      return record.context().tenant_id();
    case FieldId::kActor:
      return record.actor().user_id().empty() ? record.actor().service() : record.actor().user_id();
    case FieldId::kUserId:
      return record.actor().user_id();
    case FieldId::kRole:
      return record.actor().role();
    case FieldId::kService:
      return record.actor().service();
    case FieldId::kSourceIp:
      return record.context().source_ip();
    case FieldId::kUserAgent:
      return record.context().user_agent();
    case FieldId::kSessionId:
      return record.context().session_id();
    case FieldId::kReason:
      return record.outcome().reason();
    case FieldId::kDataClass:
      return record.details().data_class();
    case FieldId::kOldValue:
      return record.details().old_value();
    case FieldId::kNewValue:
      return record.details().new_value();
    case FieldId::kAttribute: {
      const auto& attributes = record.details().attributes();
      const auto found = attributes.find(field.attribute);
      if (found == attributes.end()) return std::nullopt;
      return found->second;
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> NumberOf(const v1::AuditRecord& record, const RecordField& field) {
  switch (field.id) {
    case FieldId::kRowCount:
      return record.details().row_count();
    case FieldId::kStatusCode:
      return record.outcome().status_code();
    case FieldId::kAttribute: {
      const std::optional<absl::string_view> text = TextOf(record, field);
      int64_t value = 0;
      if (!text.has_value() || !absl::SimpleAtoi(*text, &value)) return std::nullopt;
      return value;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace sealtrail::detect
