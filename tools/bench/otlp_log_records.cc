#include "bench/otlp_log_records.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace sealtrail::bench {
namespace {

using opentelemetry::proto::logs::v1::LogRecord;

void AddString(LogRecord& log, const char* key, const std::string& value) {
  if (value.empty()) return;
  auto* attribute = log.add_attributes();
  attribute->set_key(key);
  attribute->mutable_value()->set_string_value(value);
}

}  // namespace

LogRecord ToLogRecord(const v1::AuditRecord& record) {
  LogRecord log;
  log.set_time_unix_nano(static_cast<uint64_t>(record.context().event_time_ns()));
  log.set_trace_id(record.correlation().trace_id());
  log.set_span_id(record.correlation().span_id());
  log.set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO);
  AddString(log, "tenant.id", record.context().tenant_id());
  AddString(log, "enduser.id", record.actor().user_id());
  AddString(log, "enduser.role", record.actor().role());
  AddString(log, "audit.action", record.action().name());
  AddString(log, "audit.outcome", v1::Outcome::Result_Name(record.outcome().result()));
  AddString(log, "audit.reason", record.outcome().reason());
  AddString(log, "http.request.method", record.action().method());
  AddString(log, "http.route", record.action().route());
  auto* status = log.add_attributes();
  status->set_key("http.response.status_code");
  status->mutable_value()->set_int_value(record.outcome().status_code());
  AddString(log, "user_agent.original", record.context().user_agent());
  AddString(log, "session.id", record.context().session_id());
  AddString(log, "resource.type", record.action().resource_type());
  AddString(log, "resource.id", record.action().resource_id());
  AddString(log, "old_value", record.details().old_value());
  AddString(log, "new_value", record.details().new_value());
  for (const auto& [key, value] : record.details().attributes()) AddString(log, key.c_str(), value);
  return log;
}

std::string ExportLogsRequestBytes(const std::vector<v1::AuditRecord>& records) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest request;
  auto* resource_logs = request.add_resource_logs();
  auto* service = resource_logs->mutable_resource()->add_attributes();
  service->set_key("service.name");
  service->mutable_value()->set_string_value("sealtrail-bench");
  auto* scope_logs = resource_logs->add_scope_logs();
  scope_logs->mutable_scope()->set_name("sealtrail-bench");
  scope_logs->mutable_log_records()->Reserve(static_cast<int>(records.size()));
  for (const v1::AuditRecord& record : records)
    *scope_logs->add_log_records() = ToLogRecord(record);
  return request.SerializeAsString();
}

}  // namespace sealtrail::bench
