// Audit record fields given as flags: `sealtrail append --tenant ... --action ...` builds one
// record, and `sealtrail query` filters on some of the same fields. Only parsing here; the
// record is checked with ValidateRecord (server/record/record.h) by the caller.
#ifndef SEALTRAIL_TOOLS_CLI_RECORD_FLAGS_H_
#define SEALTRAIL_TOOLS_CLI_RECORD_FLAGS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/record/hex_id.h"

namespace sealtrail::cli {

// kTraceIdBytes and kSpanIdBytes, the W3C Trace Context id sizes, are server/record/hex_id.h's.

// The flags of `append` that build a record; empty strings are fields not given.
struct RecordFlags {
  std::string tenant{};                  // context.tenant_id
  std::string actor{};                   // actor.user_id
  std::string service{};                 // actor.service
  std::string action{};                  // action.name
  std::string route{};                   // action.route
  std::string method{};                  // action.method
  std::string resource_type{};           // action.resource_type
  std::string resource_id{};             // action.resource_id
  std::string outcome{};                 // outcome.result: SUCCESS, FAILURE or DENIED
  std::string reason{};                  // outcome.reason
  std::optional<int32_t> status_code{};  // outcome.status_code
  std::string trace_id{};                // correlation.trace_id, 32 hex digits
  std::string span_id{};                 // correlation.span_id, 16 hex digits
  std::string source_ip{};               // context.source_ip
};

// The record the flags describe. INVALID_ARGUMENT naming the flag for an outcome that is not a
// result name or a trace or span id that is not hex of the right length. Missing required fields
// are left for ValidateRecord to report.
absl::StatusOr<v1::AuditRecord> RecordFromFlags(const RecordFlags& flags);

// SUCCESS, FAILURE or DENIED (any case). INVALID_ARGUMENT for anything else, RESULT_UNSPECIFIED
// included.
absl::StatusOr<v1::Outcome::Result> ParseOutcome(std::string_view name);

// `hex` (upper or lower case) as exactly `size` raw bytes (HexIdBytes). INVALID_ARGUMENT naming
// `flag` if it is not 2 * size hex digits.
absl::StatusOr<std::string> ParseHexId(std::string_view hex, size_t size, absl::string_view flag);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_RECORD_FLAGS_H_
