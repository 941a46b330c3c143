// A record with every field of sealtrail.v1.AuditRecord set, for the tests that a record goes
// through JSON, bundles and queries unchanged whatever it holds: strings (with non-ASCII text),
// a bool, int32, int64, an enum, bytes and a map with many entries inserted in a scrambled order.
// EveryFieldIsSet checks the record really sets every field, so a field added to the proto
// without being added here fails the tests that use it.
#ifndef SEALTRAIL_TESTS_TESTING_EVERY_FIELD_RECORD_H_
#define SEALTRAIL_TESTS_TESTING_EVERY_FIELD_RECORD_H_

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::testing {

// Record `i` of a set: fields differ with `i`; `attributes` map entries, keys in no sorted order.
// commit_time_ns, actor.verified, actor.verification_error and the completeness links are the
// server's, so set only when `server_fields`.
inline v1::AuditRecord EveryFieldRecord(int i, int attributes = 24, bool server_fields = true) {
  v1::AuditRecord record;
  v1::Actor& actor = *record.mutable_actor();
  actor.set_user_id(absl::StrCat("agent-", i));
  actor.set_role("supervisor");
  actor.set_service("call-control");
  if (server_fields) {
    actor.set_verified(true);
    actor.set_verification_error("token expired");
    record.mutable_context()->set_commit_time_ns(1700000000000000000 + i);
    v1::KeyLinks& links = *record.mutable_links();
    links.set_tenant_count(2 + i);
    links.set_tenant_prev_seq(i);
    links.set_actor_count(3 + i);
    links.set_actor_prev_seq(i + 1);
    links.set_action_count(4 + i);
    links.set_action_prev_seq(i + 2);
    links.set_trace_count(5 + i);
    links.set_trace_prev_seq(i + 3);
  }
  v1::Action& action = *record.mutable_action();
  action.set_method("POST");
  action.set_route("/v2/calls/barge");
  action.set_name("call.barge");
  action.set_resource_type("call");
  action.set_resource_id(absl::StrCat("call-", i));
  v1::Context& context = *record.mutable_context();
  context.set_tenant_id("acme");
  context.set_source_ip("2001:db8::7");
  context.set_event_time_ns(1700000000123456789 + i);
  context.set_user_agent("console/3.1 (Grüße, 日本)");
  context.set_session_id(absl::StrCat("sess-", i % 7));
  v1::Outcome& outcome = *record.mutable_outcome();
  outcome.set_result(i % 3 == 0 ? v1::Outcome::DENIED : v1::Outcome::SUCCESS);
  outcome.set_status_code(i % 3 == 0 ? 403 : 200);
  outcome.set_reason("missing calls.barge");
  v1::Correlation& correlation = *record.mutable_correlation();
  correlation.set_trace_id(std::string(15, '\x4b') + static_cast<char>(i & 0xff));
  correlation.set_span_id(std::string(7, '\x01') + static_cast<char>((i * 7) & 0xff));
  v1::Details& details = *record.mutable_details();
  details.set_old_value("10");
  details.set_new_value(absl::StrCat(20 + i));
  details.set_row_count(1000000000000 + i);
  details.set_data_class("pii");
  for (int k = 0; k < attributes; ++k) {
    const int scrambled = (k * 7 + i) % attributes;  // Not in key order.
    (*details.mutable_attributes())[absl::StrCat("key-", scrambled, "-", i % 5)] =
        absl::StrCat("value \"", scrambled, "\", é");
  }
  return record;
}

// Whether every field of `message` and of its sub-messages is set (for a map: not empty), but
// those named (full names) in `except`; the first missing one's name goes to `missing`.
inline bool EveryFieldIsSet(const google::protobuf::Message& message, std::string* missing,
                            const std::set<std::string>& except = {}) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  for (int f = 0; f < descriptor->field_count(); ++f) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(f);
    const bool set = field->is_repeated() ? reflection->FieldSize(message, field) > 0
                                          : reflection->HasField(message, field);
    if (!set && except.count(field->full_name()) == 0) {
      *missing = field->full_name();
      return false;
    }
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
        !field->is_repeated() &&
        !EveryFieldIsSet(reflection->GetMessage(message, field), missing, except)) {
      return false;
    }
  }
  return true;
}

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_EVERY_FIELD_RECORD_H_
