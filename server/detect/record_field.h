// RecordField: a field of an AuditRecord as rules name it ("action", "role", "row_count",
// "attributes.queue"), and how its value is read from a record without copying.
//
// The names, their record paths and their types are listed in docs/detection.md ("Fields").
// Internal to server/detect. Thread-safety: immutable values, pure functions.
#ifndef SEALTRAIL_SERVER_DETECT_RECORD_FIELD_H_
#define SEALTRAIL_SERVER_DETECT_RECORD_FIELD_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::detect {

enum class FieldId {
  // Text fields.
  kAction,        // action.name
  kMethod,        // action.method
  kRoute,         // action.route
  kResourceType,  // action.resource_type
  kResourceId,    // action.resource_id
  kTenant,        // context.tenant_id
  kActor,         // actor.user_id, or actor.service when there is no user (as the index keys it)
  kUserId,        // actor.user_id
  kRole,          // actor.role
  kService,       // actor.service
  kSourceIp,      // context.source_ip
  kUserAgent,     // context.user_agent
  kSessionId,     // context.session_id
  kReason,        // outcome.reason
  kDataClass,     // details.data_class
  kOldValue,      // details.old_value
  kNewValue,      // details.new_value
  kAttribute,     // details.attributes[KEY]: text, or a number where a number is asked for
  // Number fields.
  kRowCount,    // details.row_count
  kStatusCode,  // outcome.status_code
  // Others.
  kOutcome,   // outcome.result: SUCCESS, FAILURE or DENIED
  kVerified,  // actor.verified: true or false
};

struct RecordField {
  FieldId id = FieldId::kAction;
  std::string attribute;  // The KEY of "attributes.KEY"; empty for every other field.
  std::string name;       // As written in the rule, for messages and firings.

  bool is_text() const { return id <= FieldId::kAttribute; }
  // A field whose value can be read as a number (an attribute holding an integer too).
  bool is_number() const {
    return id == FieldId::kRowCount || id == FieldId::kStatusCode || id == FieldId::kAttribute;
  }
};

// The field named `name`, or nullopt if there is none of that name. "attributes.KEY" needs a
// non-empty KEY.
std::optional<RecordField> FieldByName(absl::string_view name);

// Every field name, comma-separated, for "unknown field" messages.
absl::string_view KnownFieldNames();

// The text of a text field. An absent attribute is nullopt; every other field is always present
// (possibly empty). REQUIRES: field.is_text().
std::optional<absl::string_view> TextOf(const v1::AuditRecord& record, const RecordField& field);

// The value of a number field; an attribute only when its text is a whole decimal number that
// fits int64 (nullopt otherwise, or when absent). REQUIRES: field.is_number().
std::optional<int64_t> NumberOf(const v1::AuditRecord& record, const RecordField& field);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_RECORD_FIELD_H_
