// The bench's generated audit records as OTLP log records, for the otlp mode: each AuditRecord
// becomes the LogRecord that sealtraild's default mapping (server/otlp/otlp_mapping.h) turns back
// into the same fields: tenant.id, enduser.id, enduser.role, audit.action, audit.outcome,
// http.request.method, http.route, http.response.status_code, user_agent.original, session.id,
// the trace and span ids, the event time, and the reason and details as further attributes.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_TOOLS_BENCH_OTLP_LOG_RECORDS_H_
#define SEALTRAIL_TOOLS_BENCH_OTLP_LOG_RECORDS_H_

#include <string>
#include <vector>

#include "opentelemetry/proto/logs/v1/logs.pb.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::bench {

opentelemetry::proto::logs::v1::LogRecord ToLogRecord(const v1::AuditRecord& record);

// A serialized ExportLogsServiceRequest of `records`: one resource (service.name
// "sealtrail-bench"), one scope.
std::string ExportLogsRequestBytes(const std::vector<v1::AuditRecord>& records);

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_OTLP_LOG_RECORDS_H_
