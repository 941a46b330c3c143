#include "cli/record_flags.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {

absl::StatusOr<v1::Outcome::Result> ParseOutcome(std::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(absl::string_view(name.data(), name.size()));
  v1::Outcome::Result result = v1::Outcome::RESULT_UNSPECIFIED;
  if (!v1::Outcome::Result_Parse(upper, &result) || result == v1::Outcome::RESULT_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat("outcome '",
                                                   absl::string_view(name.data(), name.size()),
                                                   "' is not one of SUCCESS, FAILURE, DENIED"));
  }
  return result;
}

absl::StatusOr<std::string> ParseHexId(std::string_view hex, size_t size, absl::string_view flag) {
  std::optional<std::string> bytes = HexIdBytes(hex, size);
  if (!bytes.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " must be ", 2 * size,
                                                   " hex digits, got '",
                                                   absl::string_view(hex.data(), hex.size()), "'"));
  }
  return *std::move(bytes);
}

absl::StatusOr<v1::AuditRecord> RecordFromFlags(const RecordFlags& flags) {
  v1::AuditRecord record;
  record.mutable_context()->set_tenant_id(flags.tenant);
  record.mutable_context()->set_source_ip(flags.source_ip);
  record.mutable_actor()->set_user_id(flags.actor);
  record.mutable_actor()->set_service(flags.service);
  v1::Action& action = *record.mutable_action();
  action.set_name(flags.action);
  action.set_route(flags.route);
  action.set_method(flags.method);
  action.set_resource_type(flags.resource_type);
  action.set_resource_id(flags.resource_id);
  if (!flags.outcome.empty()) {
    ASSIGN_OR_RETURN(v1::Outcome::Result result, ParseOutcome(flags.outcome));
    record.mutable_outcome()->set_result(result);
  }
  record.mutable_outcome()->set_reason(flags.reason);
  if (flags.status_code.has_value()) record.mutable_outcome()->set_status_code(*flags.status_code);
  if (!flags.trace_id.empty()) {
    ASSIGN_OR_RETURN(*record.mutable_correlation()->mutable_trace_id(),
                     ParseHexId(flags.trace_id, kTraceIdBytes, "--trace-id"));
  }
  if (!flags.span_id.empty()) {
    ASSIGN_OR_RETURN(*record.mutable_correlation()->mutable_span_id(),
                     ParseHexId(flags.span_id, kSpanIdBytes, "--span-id"));
  }
  return record;
}

}  // namespace sealtrail::cli
