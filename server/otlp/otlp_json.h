// OTLP/JSON, the JSON encoding of OTLP/HTTP: protobuf's JSON mapping, except that trace and span
// ids are hex strings (not base64) and enums are integers. Field names are lowerCamelCase
// (protobuf's original names are accepted too); 64-bit integers are strings or numbers; unknown
// fields are ignored, as OTLP requires.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_OTLP_OTLP_JSON_H_
#define SEALTRAIL_SERVER_OTLP_OTLP_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace sealtrail {

// Parses an OTLP/JSON ExportLogsServiceRequest. INVALID_ARGUMENT for malformed JSON, a traceId
// or spanId that is not hex (BytesFromHex, server/record/hex_id.h), or a value of the wrong type
// (naming its field path); no message quotes the body. A hex id of
// the wrong length parses: the mapping rejects that record alone.
[[nodiscard]] absl::StatusOr<opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>
ParseOtlpJsonLogsRequest(std::string_view json);

// `response` in OTLP/JSON ({"partialSuccess": {"rejectedLogRecords": "2", ...}}, or {}).
std::string OtlpJsonLogsResponse(
    const opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse& response);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_OTLP_JSON_H_
