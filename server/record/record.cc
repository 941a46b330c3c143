#include "server/record/record.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
#include "sealtrail/hash.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {
namespace {

using v1::AuditRecord;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, " ", problem));
}

struct LengthLimit {
  absl::string_view field;
  const std::string& value;
  size_t max_bytes;
};

absl::Status CheckLengths(std::initializer_list<LengthLimit> limits) {
  for (const LengthLimit& limit : limits) {
    if (limit.value.size() > limit.max_bytes) {
      return Invalid(limit.field, absl::StrCat("is ", limit.value.size(), " bytes; the limit is ",
                                               limit.max_bytes));
    }
  }
  return absl::OkStatus();
}

// inet_pton stops at a NUL, so a string with one inside is never a literal.
bool IsIpLiteral(const std::string& text) {
  if (text.find('\0') != std::string::npos) return false;
  in_addr v4;
  in6_addr v6;
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

// Fields a newer client set that this server's schema does not have. Maps are skipped: their
// entries are parsed into the map, and unknown fields inside an entry are dropped by the parser.
absl::Status CheckNoUnknownFields(const google::protobuf::Message& message,
                                  const std::string& path) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) {
    return Invalid(path, "has fields this server does not know (is the client newer?)");
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_repeated()) {
      continue;
    }
    absl::Status status = CheckNoUnknownFields(reflection->GetMessage(message, field),
                                               absl::StrCat(path, ".", field->name()));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status CheckRequired(const AuditRecord& record) {
  if (record.context().tenant_id().empty()) return Invalid("context.tenant_id", "is required");
  if (record.actor().user_id().empty() && record.actor().service().empty()) {
    return Invalid("actor.user_id", "or actor.service is required");
  }
  if (record.action().name().empty()) return Invalid("action.name", "is required");
  const v1::Outcome::Result result = record.outcome().result();
  if (result == v1::Outcome::RESULT_UNSPECIFIED) {
    return Invalid("outcome.result", "is required (SUCCESS, FAILURE or DENIED)");
  }
  if (!v1::Outcome::Result_IsValid(result)) {
    return Invalid("outcome.result", absl::StrCat("has unknown value ", static_cast<int>(result)));
  }
  return absl::OkStatus();
}

absl::Status CheckFormats(const AuditRecord& record) {
  const size_t trace_id_size = record.correlation().trace_id().size();
  if (trace_id_size != 0 && trace_id_size != 16) {
    return Invalid("correlation.trace_id",
                   absl::StrCat("must be 16 bytes (or empty), got ", trace_id_size));
  }
  const size_t span_id_size = record.correlation().span_id().size();
  if (span_id_size != 0 && span_id_size != 8) {
    return Invalid("correlation.span_id",
                   absl::StrCat("must be 8 bytes (or empty), got ", span_id_size));
  }
  const std::string& source_ip = record.context().source_ip();
  if (!source_ip.empty() && !IsIpLiteral(source_ip)) {
    return Invalid("context.source_ip", "is not an IPv4 or IPv6 address literal");
  }
  if (record.context().commit_time_ns() != 0) {
    return Invalid("context.commit_time_ns", "is assigned by the server; leave it 0");
  }
  if (record.has_links()) {
    return Invalid("links", "is assigned by the server (completeness chains); leave it unset");
  }
  if (record.context().event_time_ns() < 0) {
    return Invalid("context.event_time_ns", "is negative");
  }
  if (record.details().row_count() < 0) return Invalid("details.row_count", "is negative");
  return absl::OkStatus();
}

absl::Status CheckSizes(const AuditRecord& record) {
  const v1::Actor& actor = record.actor();
  const v1::Action& action = record.action();
  const v1::Context& context = record.context();
  const v1::Details& details = record.details();
  absl::Status status = CheckLengths({
      {"actor.user_id", actor.user_id(), kMaxRecordIdBytes},
      {"actor.role", actor.role(), kMaxRecordIdBytes},
      {"actor.service", actor.service(), kMaxRecordIdBytes},
      {"action.method", action.method(), kMaxRecordIdBytes},
      {"action.route", action.route(), kMaxRecordIdBytes},
      {"action.name", action.name(), kMaxRecordIdBytes},
      {"action.resource_type", action.resource_type(), kMaxRecordIdBytes},
      {"action.resource_id", action.resource_id(), kMaxRecordIdBytes},
      {"context.tenant_id", context.tenant_id(), kMaxRecordIdBytes},
      {"context.source_ip", context.source_ip(), kMaxRecordIdBytes},
      {"context.session_id", context.session_id(), kMaxRecordIdBytes},
      {"context.user_agent", context.user_agent(), kMaxRecordTextBytes},
      {"outcome.reason", record.outcome().reason(), kMaxRecordTextBytes},
      {"details.old_value", details.old_value(), kMaxRecordValueBytes},
      {"details.new_value", details.new_value(), kMaxRecordValueBytes},
      {"details.data_class", details.data_class(), kMaxRecordIdBytes},
  });
  if (!status.ok()) return status;
  size_t attributes_bytes = 0;
  for (const auto& [key, value] : details.attributes()) {
    attributes_bytes += key.size() + value.size();
  }
  if (attributes_bytes > kMaxRecordAttributesBytes) {
    return Invalid("details.attributes",
                   absl::StrCat("total ", attributes_bytes, " bytes; the limit is ",
                                kMaxRecordAttributesBytes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRecord(const AuditRecord& record) {
  absl::Status status = CheckRequired(record);
  if (status.ok()) status = CheckFormats(record);
  if (status.ok()) status = CheckSizes(record);
  if (status.ok()) status = CheckNoUnknownFields(record, "record");
  return status;
}

bool IsReservedTenant(std::string_view tenant) { return tenant.starts_with(kReservedTenantPrefix); }

bool IsReservedAction(std::string_view action) {
  return action == kDeniedAction || action == kAlertAction || action == kIntegrityViolationAction ||
         action.starts_with(kReservedActionPrefix);
}

absl::Status CheckNotReserved(const AuditRecord& record) {
  const std::string& tenant = record.context().tenant_id();
  if (IsReservedTenant(tenant)) {
    return absl::PermissionDeniedError(
        absl::StrCat("context.tenant_id \"", absl::CHexEscape(tenant),
                     "\" is reserved (tenants starting with \"", kReservedTenantPrefix,
                     "\" are written by the server alone)"));
  }
  const std::string& action = record.action().name();
  if (IsReservedAction(action)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "action.name \"", absl::CHexEscape(action), "\" is reserved (\"", kDeniedAction, "\", \"",
        kAlertAction, "\", \"", kIntegrityViolationAction, "\" and actions starting with \"",
        kReservedActionPrefix, "\" are written by the server alone)"));
  }
  return absl::OkStatus();
}

std::string SerializeForLog(const AuditRecord& record) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // Fails only for a message over 2 GiB; gRPC's message limit and ValidateRecord's field limits
    // keep every record far below that, so a failure here is a broken invariant.
    if (!record.SerializeToCodedStream(&coded)) std::abort();
  }  // `coded` flushes into `bytes` when destroyed.
  return bytes;
}

absl::StatusOr<AuditRecord> ParseStoredRecord(std::string_view bytes) {
  AuditRecord record;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("stored record (", bytes.size(), " bytes) is not a valid AuditRecord"));
  }
  return record;
}

IndexFields ExtractIndexFields(const AuditRecord& record) {
  IndexFields fields;
  fields.tenant_id = record.context().tenant_id();
  fields.actor =
      record.actor().user_id().empty() ? record.actor().service() : record.actor().user_id();
  fields.action = record.action().name();
  fields.commit_time_ns = record.context().commit_time_ns();
  fields.trace_id = record.correlation().trace_id();
  fields.outcome = static_cast<int32_t>(record.outcome().result());
  return fields;
}

absl::StatusOr<IndexFields> IndexFieldsFromStoredBytes(std::string_view bytes) {
  ASSIGN_OR_RETURN(const AuditRecord record, ParseStoredRecord(bytes));
  IndexFields fields = ExtractIndexFields(record);
  fields.leaf_hash = std::string(AsStringView(HashLeaf(bytes)));
  return fields;
}

}  // namespace sealtrail
