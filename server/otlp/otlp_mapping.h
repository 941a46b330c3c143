// OtlpMapping: OpenTelemetry log records (OTLP) as sealtrail audit records. The table, with its
// defaults (docs/otlp.md has it for users):
//
//   AuditRecord field         from
//   context.tenant_id         attribute `tenant.id` of the record, else of its resource (required)
//   actor.user_id             attribute `enduser.id`
//   actor.role                attribute `enduser.role`
//   actor.service             resource `service.name` ("unknown_service" if none): the submitting
//                             service's own claim, which the server replaces by the authenticated
//                             caller (append_admission.h); it is also kept in details (below)
//   action.name               attribute `audit.action`, else the record's event_name (required)
//   action.method             attribute `http.request.method`
//   action.route              attribute `http.route`, else `url.path`
//   outcome.result            attribute `audit.outcome`: SUCCESS, FAILURE or DENIED (any case);
//                             without it, from `http.response.status_code`: 401 and 403 DENIED,
//                             other 4xx and 5xx FAILURE, anything else SUCCESS (one of the two
//                             is required)
//   outcome.status_code       attribute `http.response.status_code` (an int, or a decimal string)
//   context.event_time_ns     time_unix_nano, else observed_time_unix_nano (0: unknown)
//   context.user_agent        attribute `user_agent.original`
//   context.session_id        attribute `session.id`
//   correlation.trace_id      trace_id: 16 bytes, or empty (all zeros counts as empty)
//   correlation.span_id       span_id: 8 bytes, or empty (all zeros counts as empty)
//   details.attributes        every other record attribute, by its key, as AnyValueText
//                             (client.address among them: context.source_ip is always the
//                             connection's peer); then "body" (the body's AnyValueText),
//                             "severity" (severity_text, else the severity number),
//                             "otel.scope.name" and "otel.scope.version", and the resource
//                             attributes of OtlpMappingOptions::resource_details, by their keys;
//                             these overwrite a record attribute of the same key
//   (dropped)                 attribute `enduser.token`: the end user's JWT, returned beside the
//                             record for verification (AppendRequest.actor_tokens) and never
//                             stored; flags, dropped_attributes_count, schema urls
//
// A record that cannot be mapped gets INVALID_ARGUMENT naming the problem (no tenant, no action,
// no outcome, a bad outcome or status code, a trace id that is not 16 bytes, a span id that is
// not 8, a time beyond int64) or, from ValidateRecord, the field that breaks a limit.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_OTLP_OTLP_MAPPING_H_
#define SEALTRAIL_SERVER_OTLP_OTLP_MAPPING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail {

// The attribute names the mapping reads (the table above). Each may be changed; an empty name is
// never matched.
struct OtlpAttributeNames {
  std::string tenant = "tenant.id";
  std::string user_id = "enduser.id";
  std::string role = "enduser.role";
  std::string actor_token = "enduser.token";
  std::string action = "audit.action";
  std::string outcome = "audit.outcome";
  std::string method = "http.request.method";
  std::string route = "http.route";
  std::string route_fallback = "url.path";
  std::string status_code = "http.response.status_code";
  std::string user_agent = "user_agent.original";
  std::string session_id = "session.id";
  // A resource attribute.
  std::string service = "service.name";
};

struct OtlpMappingOptions {
  OtlpAttributeNames attributes;
  // Resource attributes copied into details.attributes under their own keys.
  std::vector<std::string> resource_details = {"service.name", "service.namespace",
                                               "service.version", "service.instance.id"};
};

// One log record as an audit record, with the end user's token it carried (empty if none), which
// is not in the record.
struct MappedLogRecord {
  v1::AuditRecord record;
  std::string actor_token;
};

// Maps one log record of `scope` and `resource` (the table above). The record is not yet
// validated (MapExportRequest does that).
[[nodiscard]] absl::StatusOr<MappedLogRecord> MapLogRecord(
    const opentelemetry::proto::resource::v1::Resource& resource,
    const opentelemetry::proto::common::v1::InstrumentationScope& scope,
    const opentelemetry::proto::logs::v1::LogRecord& log_record, const OtlpMappingOptions& options);

// Where a log record sits in its request.
struct LogRecordPath {
  int resource = 0;
  int scope = 0;
  int record = 0;
};
// "resource_logs[0].scope_logs[1].log_records[7]".
std::string LogRecordPathText(const LogRecordPath& path);

// A whole export request mapped: the records that mapped and passed ValidateRecord, in request
// order, and what was rejected.
struct MappedExport {
  std::vector<v1::AuditRecord> records;
  std::vector<std::string> actor_tokens;  // One per record; "" for none.
  std::vector<LogRecordPath> paths;       // One per record: where it came from.
  int64_t rejected = 0;
  // The first rejected record's problem, "PATH: message"; empty when none was rejected.
  std::string first_error;
};

// Maps every log record of `request`; a record that fails MapLogRecord or ValidateRecord is
// counted in `rejected` and left out.
[[nodiscard]] MappedExport MapExportRequest(
    const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& request,
    const OtlpMappingOptions& options);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_OTLP_MAPPING_H_
