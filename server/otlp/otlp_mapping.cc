#include "server/otlp/otlp_mapping.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/otlp/any_value_text.h"
#include "server/record/record.h"

namespace sealtrail {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::InstrumentationScope;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::resource::v1::Resource;

constexpr char kUnknownService[] = "unknown_service";

// The attributes of a record the table maps to fields: pointers into the request, null when
// absent. A later duplicate key wins, as in a map.
struct Claimed {
  const AnyValue* tenant = nullptr;
  const AnyValue* user_id = nullptr;
  const AnyValue* role = nullptr;
  const AnyValue* actor_token = nullptr;
  const AnyValue* action = nullptr;
  const AnyValue* outcome = nullptr;
  const AnyValue* method = nullptr;
  const AnyValue* route = nullptr;
  const AnyValue* route_fallback = nullptr;
  const AnyValue* status_code = nullptr;
  const AnyValue* user_agent = nullptr;
  const AnyValue* session_id = nullptr;
};

// Points the slot `key` names at `value`; false when the key is not one of the table's.
bool Claim(const OtlpAttributeNames& names, const std::string& key, const AnyValue* value,
           Claimed& claimed) {
  if (key.empty()) return false;
  const std::pair<const std::string*, const AnyValue**> slots[] = {
      {&names.tenant, &claimed.tenant},
      {&names.user_id, &claimed.user_id},
      {&names.role, &claimed.role},
      {&names.actor_token, &claimed.actor_token},
      {&names.action, &claimed.action},
      {&names.outcome, &claimed.outcome},
      {&names.method, &claimed.method},
      {&names.route, &claimed.route},
      {&names.route_fallback, &claimed.route_fallback},
      {&names.status_code, &claimed.status_code},
      {&names.user_agent, &claimed.user_agent},
      {&names.session_id, &claimed.session_id},
  };
  for (const auto& [name, slot] : slots) {
    if (*name == key) {
      *slot = value;
      return true;
    }
  }
  return false;
}

const AnyValue* FindAttribute(const google::protobuf::RepeatedPtrField<KeyValue>& attributes,
                              const std::string& key) {
  if (key.empty()) return nullptr;
  const AnyValue* found = nullptr;
  for (const KeyValue& attribute : attributes) {
    if (attribute.key() == key) found = &attribute.value();
  }
  return found;
}

std::string Text(const AnyValue* value) { return value == nullptr ? "" : AnyValueText(*value); }

absl::Status Invalid(absl::string_view problem) { return absl::InvalidArgumentError(problem); }

absl::StatusOr<v1::Outcome::Result> ParseOutcome(const std::string& name, const std::string& text) {
  std::string upper = absl::AsciiStrToUpper(text);
  if (upper == "SUCCESS") return v1::Outcome::SUCCESS;
  if (upper == "FAILURE") return v1::Outcome::FAILURE;
  if (upper == "DENIED") return v1::Outcome::DENIED;
  return Invalid(absl::StrCat("attribute ", name, " is \"", text,
                              "\"; it must be SUCCESS, FAILURE or DENIED"));
}

absl::StatusOr<int32_t> ParseStatusCode(const std::string& name, const AnyValue& value) {
  int64_t code = 0;
  bool ok = false;
  if (value.value_case() == AnyValue::kIntValue) {
    code = value.int_value();
    ok = true;
  } else if (value.value_case() == AnyValue::kStringValue) {
    ok = absl::SimpleAtoi(value.string_value(), &code);
  }
  if (!ok || code < std::numeric_limits<int32_t>::min() ||
      code > std::numeric_limits<int32_t>::max()) {
    return Invalid(absl::StrCat("attribute ", name, " is \"", AnyValueText(value),
                                "\", not a 32-bit integer"));
  }
  return static_cast<int32_t>(code);
}

v1::Outcome::Result OutcomeOfStatus(int32_t status) {
  if (status == 401 || status == 403) return v1::Outcome::DENIED;
  if (status >= 400 && status <= 599) return v1::Outcome::FAILURE;
  return v1::Outcome::SUCCESS;
}

bool AllZero(const std::string& bytes) {
  return bytes.find_first_not_of('\0') == std::string::npos;
}

// An id of `size` bytes, or none (empty, or all zeros: OTLP's "invalid id").
absl::StatusOr<std::string> TraceContextId(absl::string_view field, const std::string& bytes,
                                           size_t size) {
  if (bytes.empty() || (bytes.size() == size && AllZero(bytes))) return std::string();
  if (bytes.size() != size) {
    return Invalid(
        absl::StrCat(field, " is ", bytes.size(), " bytes; it must be ", size, " bytes or empty"));
  }
  return bytes;
}

absl::StatusOr<int64_t> EventTime(const LogRecord& log_record) {
  bool observed = log_record.time_unix_nano() == 0;
  uint64_t time = observed ? log_record.observed_time_unix_nano() : log_record.time_unix_nano();
  if (time > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Invalid(absl::StrCat(observed ? "observed_time_unix_nano" : "time_unix_nano", " ", time,
                                " is beyond the year 2262"));
  }
  return static_cast<int64_t>(time);
}

}  // namespace

absl::StatusOr<MappedLogRecord> MapLogRecord(const Resource& resource,
                                             const InstrumentationScope& scope,
                                             const LogRecord& log_record,
                                             const OtlpMappingOptions& options) {
  const OtlpAttributeNames& names = options.attributes;
  MappedLogRecord mapped;
  v1::AuditRecord& record = mapped.record;
  auto& details = *record.mutable_details()->mutable_attributes();

  Claimed claimed;
  for (const KeyValue& attribute : log_record.attributes()) {
    if (!Claim(names, attribute.key(), &attribute.value(), claimed)) {
      details[attribute.key()] = AnyValueText(attribute.value());
    }
  }

  const AnyValue* tenant = claimed.tenant != nullptr
                               ? claimed.tenant
                               : FindAttribute(resource.attributes(), names.tenant);
  std::string tenant_id = Text(tenant);
  if (tenant_id.empty()) {
    return Invalid(absl::StrCat("no tenant: set attribute ", names.tenant,
                                " on the log record or its resource"));
  }
  record.mutable_context()->set_tenant_id(std::move(tenant_id));

  std::string action = claimed.action != nullptr ? Text(claimed.action) : log_record.event_name();
  if (action.empty()) {
    return Invalid(absl::StrCat("no action: set attribute ", names.action, " (or event_name)"));
  }
  record.mutable_action()->set_name(std::move(action));

  std::optional<int32_t> status_code;
  if (claimed.status_code != nullptr) {
    absl::StatusOr<int32_t> code = ParseStatusCode(names.status_code, *claimed.status_code);
    if (!code.ok()) return code.status();
    status_code = *code;
    record.mutable_outcome()->set_status_code(*code);
  }
  if (claimed.outcome != nullptr) {
    absl::StatusOr<v1::Outcome::Result> result = ParseOutcome(names.outcome, Text(claimed.outcome));
    if (!result.ok()) return result.status();
    record.mutable_outcome()->set_result(*result);
  } else if (status_code.has_value()) {
    record.mutable_outcome()->set_result(OutcomeOfStatus(*status_code));
  } else {
    return Invalid(absl::StrCat("no outcome: set attribute ", names.outcome,
                                " (SUCCESS, FAILURE or DENIED) or ", names.status_code));
  }

  absl::StatusOr<std::string> trace_id = TraceContextId("trace_id", log_record.trace_id(), 16);
  if (!trace_id.ok()) return trace_id.status();
  absl::StatusOr<std::string> span_id = TraceContextId("span_id", log_record.span_id(), 8);
  if (!span_id.ok()) return span_id.status();
  if (!trace_id->empty()) record.mutable_correlation()->set_trace_id(*std::move(trace_id));
  if (!span_id->empty()) record.mutable_correlation()->set_span_id(*std::move(span_id));

  absl::StatusOr<int64_t> event_time = EventTime(log_record);
  if (!event_time.ok()) return event_time.status();
  record.mutable_context()->set_event_time_ns(*event_time);

  record.mutable_actor()->set_user_id(Text(claimed.user_id));
  record.mutable_actor()->set_role(Text(claimed.role));
  std::string service = Text(FindAttribute(resource.attributes(), names.service));
  record.mutable_actor()->set_service(service.empty() ? kUnknownService : std::move(service));
  record.mutable_action()->set_method(Text(claimed.method));
  record.mutable_action()->set_route(
      Text(claimed.route != nullptr ? claimed.route : claimed.route_fallback));
  if (claimed.route != nullptr && claimed.route_fallback != nullptr) {
    details[names.route_fallback] = AnyValueText(*claimed.route_fallback);  // Not used: kept.
  }
  record.mutable_context()->set_user_agent(Text(claimed.user_agent));
  record.mutable_context()->set_session_id(Text(claimed.session_id));
  mapped.actor_token = Text(claimed.actor_token);

  if (log_record.has_body()) details["body"] = AnyValueText(log_record.body());
  if (!log_record.severity_text().empty()) {
    details["severity"] = log_record.severity_text();
  } else if (log_record.severity_number() != 0) {
    details["severity"] = absl::StrCat(log_record.severity_number());
  }
  if (!scope.name().empty()) details["otel.scope.name"] = scope.name();
  if (!scope.version().empty()) details["otel.scope.version"] = scope.version();
  for (const std::string& key : options.resource_details) {
    const AnyValue* value = FindAttribute(resource.attributes(), key);
    if (value != nullptr) details[key] = AnyValueText(*value);
  }
  if (details.empty()) record.clear_details();
  return mapped;
}

std::string LogRecordPathText(const LogRecordPath& path) {
  return absl::StrCat("resource_logs[", path.resource, "].scope_logs[", path.scope,
                      "].log_records[", path.record, "]");
}

MappedExport MapExportRequest(const ExportLogsServiceRequest& request,
                              const OtlpMappingOptions& options) {
  MappedExport mapped;
  auto reject = [&mapped](const LogRecordPath& path, const absl::Status& problem) {
    if (mapped.rejected++ == 0) {
      mapped.first_error = absl::StrCat(LogRecordPathText(path), ": ", problem.message());
    }
  };
  for (int r = 0; r < request.resource_logs_size(); ++r) {
    const auto& resource_logs = request.resource_logs(r);
    for (int s = 0; s < resource_logs.scope_logs_size(); ++s) {
      const auto& scope_logs = resource_logs.scope_logs(s);
      for (int l = 0; l < scope_logs.log_records_size(); ++l) {
        LogRecordPath path{r, s, l};
        absl::StatusOr<MappedLogRecord> one = MapLogRecord(
            resource_logs.resource(), scope_logs.scope(), scope_logs.log_records(l), options);
        absl::Status valid = one.ok() ? ValidateRecord(one->record) : one.status();
        if (!valid.ok()) {
          reject(path, valid);
          continue;
        }
        mapped.records.push_back(std::move(one->record));
        mapped.actor_tokens.push_back(std::move(one->actor_token));
        mapped.paths.push_back(path);
      }
    }
  }
  return mapped;
}

}  // namespace sealtrail
