// The audit record model (server/record/record.h): every validation rule, the deterministic leaf
// serialization, stored-bytes parsing, index field extraction (with the leaf hash, checked
// against a real log) and the JSON mapping.
#include "server/record/record.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using v1::AuditRecord;
using v1::Outcome;

AuditRecord GoodRecord() {
  AuditRecord record;
  record.mutable_actor()->set_user_id("agent-4711");
  record.mutable_actor()->set_role("supervisor");
  record.mutable_actor()->set_service("call-control");
  record.mutable_action()->set_method("POST");
  record.mutable_action()->set_route("/v2/calls/barge");
  record.mutable_action()->set_name("call.barge");
  record.mutable_action()->set_resource_type("call");
  record.mutable_action()->set_resource_id("call-42");
  record.mutable_context()->set_tenant_id("acme");
  record.mutable_context()->set_source_ip("192.0.2.7");
  record.mutable_context()->set_event_time_ns(1700000000123456789);
  record.mutable_context()->set_user_agent("console/3.1");
  record.mutable_context()->set_session_id("sess-9");
  record.mutable_outcome()->set_result(Outcome::SUCCESS);
  record.mutable_outcome()->set_status_code(200);
  record.mutable_correlation()->set_trace_id(std::string(16, '\x4b'));
  record.mutable_correlation()->set_span_id(std::string(8, '\x00'));
  (*record.mutable_details()->mutable_attributes())["queue"] = "billing";
  return record;
}

bool Equal(const AuditRecord& a, const AuditRecord& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

TEST(ValidateRecordTest, GoodRecordIsValid) { EXPECT_OK(ValidateRecord(GoodRecord())); }

TEST(ValidateRecordTest, ServiceAloneIsAnActor) {
  AuditRecord record = GoodRecord();
  record.mutable_actor()->clear_user_id();
  EXPECT_OK(ValidateRecord(record));
}

TEST(ValidateRecordTest, UserAloneIsAnActor) {
  AuditRecord record = GoodRecord();
  record.mutable_actor()->clear_service();
  EXPECT_OK(ValidateRecord(record));
}

TEST(ValidateRecordTest, OptionalFieldsMayBeEmpty) {
  AuditRecord record;
  record.mutable_actor()->set_service("batch-exporter");
  record.mutable_action()->set_name("data.export");
  record.mutable_context()->set_tenant_id("acme");
  record.mutable_outcome()->set_result(Outcome::DENIED);
  EXPECT_OK(ValidateRecord(record));
}

TEST(ValidateRecordTest, IpLiteralsOfBothFamiliesAreValid) {
  for (const char* ip : {"192.0.2.7", "0.0.0.0", "2001:db8::7", "::1", "::ffff:192.0.2.1"}) {
    AuditRecord record = GoodRecord();
    record.mutable_context()->set_source_ip(ip);
    EXPECT_OK(ValidateRecord(record)) << ip;
  }
}

TEST(ValidateRecordTest, StringsAtTheirLimitsAreValid) {
  AuditRecord record = GoodRecord();
  record.mutable_actor()->set_user_id(std::string(kMaxRecordIdBytes, 'u'));
  record.mutable_context()->set_user_agent(std::string(kMaxRecordTextBytes, 'a'));
  record.mutable_details()->set_old_value(std::string(kMaxRecordValueBytes, 'o'));
  record.mutable_details()->clear_attributes();
  (*record.mutable_details()->mutable_attributes())["k"] =
      std::string(kMaxRecordAttributesBytes - 1, 'v');
  EXPECT_OK(ValidateRecord(record));
}

// One invalid record: a change to GoodRecord() and the field the error must name.
struct BadCase {
  std::string name;
  std::function<void(AuditRecord&)> spoil;
  std::string field;
};

class InvalidRecordTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(InvalidRecordTest, IsInvalidArgumentNamingTheField) {
  AuditRecord record = GoodRecord();
  GetParam().spoil(record);
  EXPECT_THAT(ValidateRecord(record),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().field)));
}

std::vector<BadCase> BadCases() {
  return {
      {"MissingTenant", [](AuditRecord& r) { r.mutable_context()->clear_tenant_id(); },
       "context.tenant_id"},
      {"NoUserAndNoService",
       [](AuditRecord& r) {
         r.mutable_actor()->clear_user_id();
         r.mutable_actor()->clear_service();
       },
       "actor.service"},
      {"MissingActionName", [](AuditRecord& r) { r.mutable_action()->clear_name(); },
       "action.name"},
      {"UnspecifiedResult",
       [](AuditRecord& r) { r.mutable_outcome()->set_result(Outcome::RESULT_UNSPECIFIED); },
       "outcome.result"},
      {"UnknownResultValue",
       [](AuditRecord& r) { r.mutable_outcome()->set_result(static_cast<Outcome::Result>(7)); },
       "outcome.result"},
      {"ShortTraceId",
       [](AuditRecord& r) { r.mutable_correlation()->set_trace_id(std::string(15, 't')); },
       "correlation.trace_id"},
      {"LongTraceId",
       [](AuditRecord& r) { r.mutable_correlation()->set_trace_id(std::string(17, 't')); },
       "correlation.trace_id"},
      {"HexTraceIdInsteadOfBytes",
       [](AuditRecord& r) {
         r.mutable_correlation()->set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
       },
       "correlation.trace_id"},
      {"ShortSpanId",
       [](AuditRecord& r) { r.mutable_correlation()->set_span_id(std::string(7, 's')); },
       "correlation.span_id"},
      {"LongSpanId",
       [](AuditRecord& r) { r.mutable_correlation()->set_span_id(std::string(16, 's')); },
       "correlation.span_id"},
      {"HostnameAsSourceIp",
       [](AuditRecord& r) { r.mutable_context()->set_source_ip("localhost"); },
       "context.source_ip"},
      {"SourceIpWithPort",
       [](AuditRecord& r) { r.mutable_context()->set_source_ip("192.0.2.7:443"); },
       "context.source_ip"},
      {"SourceIpWithNulInside",
       [](AuditRecord& r) { r.mutable_context()->set_source_ip(std::string("10.0.0.1\0x", 10)); },
       "context.source_ip"},
      {"CommitTimeSetByClient", [](AuditRecord& r) { r.mutable_context()->set_commit_time_ns(1); },
       "context.commit_time_ns"},
      {"LinksSetByClient", [](AuditRecord& r) { r.mutable_links()->set_actor_count(1); }, "links"},
      {"EmptyLinksSetByClient", [](AuditRecord& r) { r.mutable_links(); }, "links"},
      {"NegativeEventTime", [](AuditRecord& r) { r.mutable_context()->set_event_time_ns(-1); },
       "context.event_time_ns"},
      {"NegativeRowCount", [](AuditRecord& r) { r.mutable_details()->set_row_count(-5); },
       "details.row_count"},
      {"LongUserId",
       [](AuditRecord& r) {
         r.mutable_actor()->set_user_id(std::string(kMaxRecordIdBytes + 1, 'u'));
       },
       "actor.user_id"},
      {"LongTenantId",
       [](AuditRecord& r) {
         r.mutable_context()->set_tenant_id(std::string(kMaxRecordIdBytes + 1, 't'));
       },
       "context.tenant_id"},
      {"LongActionName",
       [](AuditRecord& r) {
         r.mutable_action()->set_name(std::string(kMaxRecordIdBytes + 1, 'n'));
       },
       "action.name"},
      {"LongRoute",
       [](AuditRecord& r) {
         r.mutable_action()->set_route(std::string(kMaxRecordIdBytes + 1, 'r'));
       },
       "action.route"},
      {"LongUserAgent",
       [](AuditRecord& r) {
         r.mutable_context()->set_user_agent(std::string(kMaxRecordTextBytes + 1, 'a'));
       },
       "context.user_agent"},
      {"LongReason",
       [](AuditRecord& r) {
         r.mutable_outcome()->set_reason(std::string(kMaxRecordTextBytes + 1, 'r'));
       },
       "outcome.reason"},
      {"LongNewValue",
       [](AuditRecord& r) {
         r.mutable_details()->set_new_value(std::string(kMaxRecordValueBytes + 1, 'n'));
       },
       "details.new_value"},
      {"AttributesOverTheTotalLimit",
       [](AuditRecord& r) {
         auto& attributes = *r.mutable_details()->mutable_attributes();
         attributes.clear();
         for (int i = 0; i < 100; ++i) {
           attributes["key" + std::to_string(i)] =
               std::string(kMaxRecordAttributesBytes / 100, 'v');
         }
       },
       "details.attributes"},
      {"UnknownFieldInASubMessage",
       [](AuditRecord& r) {
         v1::Context* context = r.mutable_context();
         context->GetReflection()->MutableUnknownFields(context)->AddVarint(99, 1);
       },
       "record.context"},
  };
}

std::string BadCaseName(const ::testing::TestParamInfo<BadCase>& param_info) {
  return param_info.param.name;
}

INSTANTIATE_TEST_SUITE_P(EveryRule, InvalidRecordTest, ::testing::ValuesIn(BadCases()),
                         BadCaseName);

TEST(SerializeForLogTest, SameRecordGivesSameBytes) {
  EXPECT_EQ(SerializeForLog(GoodRecord()), SerializeForLog(GoodRecord()));
}

TEST(SerializeForLogTest, MapInsertionOrderDoesNotChangeTheBytes) {
  AuditRecord forward = GoodRecord();
  AuditRecord backward = GoodRecord();
  auto& forward_attributes = *forward.mutable_details()->mutable_attributes();
  auto& backward_attributes = *backward.mutable_details()->mutable_attributes();
  for (int i = 0; i < 200; ++i) {
    forward_attributes["attribute-" + std::to_string(i)] = std::to_string(i);
    backward_attributes["attribute-" + std::to_string(199 - i)] = std::to_string(199 - i);
  }
  EXPECT_EQ(SerializeForLog(forward), SerializeForLog(backward));
}

TEST(SerializeForLogTest, StoredBytesParseBackToTheSameRecord) {
  const std::string bytes = SerializeForLog(GoodRecord());
  ASSERT_OK_AND_ASSIGN(AuditRecord parsed, ParseStoredRecord(bytes));
  EXPECT_TRUE(Equal(parsed, GoodRecord()));
  EXPECT_EQ(SerializeForLog(parsed), bytes);
}

TEST(ParseStoredRecordTest, EmptyBytesAreAnEmptyRecord) {
  ASSERT_OK_AND_ASSIGN(AuditRecord parsed, ParseStoredRecord(""));
  EXPECT_TRUE(Equal(parsed, AuditRecord()));
}

TEST(ParseStoredRecordTest, GarbageIsDataLoss) {
  EXPECT_THAT(ParseStoredRecord("\xff\xff\xff\xff"), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ParseStoredRecordTest, TruncatedRecordIsDataLoss) {
  const std::string bytes = SerializeForLog(GoodRecord());
  EXPECT_THAT(ParseStoredRecord(std::string_view(bytes).substr(0, bytes.size() - 3)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ExtractIndexFieldsTest, TakesTheIndexedFields) {
  AuditRecord record = GoodRecord();
  record.mutable_context()->set_commit_time_ns(1700000000999999999);
  IndexFields fields = ExtractIndexFields(record);
  EXPECT_EQ(fields.tenant_id, "acme");
  EXPECT_EQ(fields.actor, "agent-4711");
  EXPECT_EQ(fields.action, "call.barge");
  EXPECT_EQ(fields.commit_time_ns, 1700000000999999999);
  EXPECT_EQ(fields.trace_id, std::string(16, '\x4b'));
  EXPECT_EQ(fields.outcome, Outcome::SUCCESS);
}

TEST(ExtractIndexFieldsTest, ActorIsTheServiceWhenThereIsNoUser) {
  AuditRecord record = GoodRecord();
  record.mutable_actor()->clear_user_id();
  EXPECT_EQ(ExtractIndexFields(record).actor, "call-control");
}

TEST(ExtractIndexFieldsTest, LeavesTheLeafHashEmpty) {
  EXPECT_TRUE(ExtractIndexFields(GoodRecord()).leaf_hash.empty());
}

// The decoder must give the leaf hash the log itself stores for the bytes, or a lookup by leaf
// hash would never find a record.
TEST(IndexFieldsFromStoredBytesTest, LeafHashIsTheOneTheLogStores) {
  testing::ScratchDir scratch("record_test");
  LogOptions options;
  options.sync = SyncPolicy::kNone;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, scratch.Sub("log")));
  AuditRecord record = GoodRecord();
  record.mutable_context()->set_commit_time_ns(1700000000999999999);
  const std::string bytes = SerializeForLog(record);
  const std::string_view batch[] = {bytes};
  ASSERT_OK_AND_ASSIGN(const uint64_t seq, log->Append(batch));
  ASSERT_OK_AND_ASSIGN(const std::string stored, log->Read(seq));
  ASSERT_OK_AND_ASSIGN(const Hash stored_hash, log->LeafHash(seq));

  ASSERT_OK_AND_ASSIGN(const IndexFields fields, IndexFieldsFromStoredBytes(stored));
  EXPECT_EQ(fields.leaf_hash, AsStringView(stored_hash));
  EXPECT_EQ(fields.leaf_hash.size(), 32u);
  const IndexFields extracted = ExtractIndexFields(record);
  EXPECT_EQ(fields.tenant_id, extracted.tenant_id);
  EXPECT_EQ(fields.actor, extracted.actor);
  EXPECT_EQ(fields.action, extracted.action);
  EXPECT_EQ(fields.commit_time_ns, 1700000000999999999);
  EXPECT_EQ(fields.trace_id, extracted.trace_id);
  EXPECT_EQ(fields.outcome, extracted.outcome);
}

TEST(IndexFieldsFromStoredBytesTest, EqualRecordsHaveEqualLeafHashesOthersDiffer) {
  AuditRecord other = GoodRecord();
  other.mutable_action()->set_resource_id("call-43");  // Not indexed, but hashed.
  ASSERT_OK_AND_ASSIGN(const IndexFields a,
                       IndexFieldsFromStoredBytes(SerializeForLog(GoodRecord())));
  ASSERT_OK_AND_ASSIGN(const IndexFields b,
                       IndexFieldsFromStoredBytes(SerializeForLog(GoodRecord())));
  ASSERT_OK_AND_ASSIGN(const IndexFields c, IndexFieldsFromStoredBytes(SerializeForLog(other)));
  EXPECT_EQ(a.leaf_hash, b.leaf_hash);
  EXPECT_NE(a.leaf_hash, c.leaf_hash);
  EXPECT_EQ(a.actor, c.actor);
}

TEST(IndexFieldsFromStoredBytesTest, GarbageIsDataLoss) {
  EXPECT_THAT(IndexFieldsFromStoredBytes("\xff\xff\xff\xff"),
              StatusIs(absl::StatusCode::kDataLoss));
}

// A record as a script would write it, with the field names of issue 5.
constexpr char kIssueJson[] = R"json({
  "actor": {"user_id": "agent-4711", "role": "supervisor", "verified": true,
            "service": "call-control"},
  "action": {"method": "POST", "route": "/v2/calls/barge", "name": "call.barge",
             "resource_type": "call", "resource_id": "call-42"},
  "context": {"tenant_id": "acme", "source_ip": "2001:db8::7",
              "event_time_ns": "1700000000123456789", "user_agent": "console/3.1",
              "session_id": "sess-9"},
  "outcome": {"result": "DENIED", "status_code": 403, "reason": "missing calls.barge"},
  "correlation": {"trace_id": "S0tLS0tLS0tLS0tLS0tLSw==", "span_id": "AAAAAAAAAAA="},
  "details": {"old_value": "10", "new_value": "20", "row_count": "12", "data_class": "pii",
              "attributes": {"queue": "billing"}}
})json";

TEST(RecordJsonTest, ParsesTheIssuesFieldNames) {
  ASSERT_OK_AND_ASSIGN(AuditRecord record, RecordFromJson(kIssueJson));
  EXPECT_EQ(record.actor().user_id(), "agent-4711");
  EXPECT_TRUE(record.actor().verified());
  EXPECT_EQ(record.action().route(), "/v2/calls/barge");
  EXPECT_EQ(record.action().resource_type(), "call");
  EXPECT_EQ(record.context().tenant_id(), "acme");
  EXPECT_EQ(record.context().event_time_ns(), 1700000000123456789);
  EXPECT_EQ(record.outcome().result(), Outcome::DENIED);
  EXPECT_EQ(record.outcome().status_code(), 403);
  EXPECT_EQ(record.correlation().trace_id(), std::string(16, '\x4b'));
  EXPECT_EQ(record.correlation().span_id(), std::string(8, '\0'));
  EXPECT_EQ(record.details().row_count(), 12);
  EXPECT_EQ(record.details().attributes().at("queue"), "billing");
  EXPECT_OK(ValidateRecord(record));
}

TEST(RecordJsonTest, AcceptsLowerCamelCaseNames) {
  ASSERT_OK_AND_ASSIGN(AuditRecord record, RecordFromJson(R"({"context": {"tenantId": "acme"},
                                          "action": {"resourceId": "r1"}})"));
  EXPECT_EQ(record.context().tenant_id(), "acme");
  EXPECT_EQ(record.action().resource_id(), "r1");
}

TEST(RecordJsonTest, PrintsTheCanonicalProto3JsonMapping) {
  AuditRecord record = GoodRecord();
  record.mutable_context()->set_commit_time_ns(1700000000999999999);
  ASSERT_OK_AND_ASSIGN(std::string json, RecordToJson(record));
  // Canonical proto3 JSON: lowerCamelCase names, int64 as strings, enums by name, bytes base64.
  EXPECT_THAT(json, AllOf(HasSubstr(R"("userId":"agent-4711")"), HasSubstr(R"("tenantId":"acme")"),
                          HasSubstr(R"("commitTimeNs":"1700000000999999999")"),
                          HasSubstr(R"("result":"SUCCESS")"),
                          HasSubstr(R"("traceId":"S0tLS0tLS0tLS0tLS0tLSw==")")));
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

TEST(RecordJsonTest, RoundTripKeepsEveryField) {
  ASSERT_OK_AND_ASSIGN(AuditRecord record, RecordFromJson(kIssueJson));
  ASSERT_OK_AND_ASSIGN(std::string json, RecordToJson(record));
  ASSERT_OK_AND_ASSIGN(AuditRecord again, RecordFromJson(json));
  EXPECT_TRUE(Equal(record, again)) << json;
  EXPECT_EQ(SerializeForLog(record), SerializeForLog(again));
}

TEST(RecordJsonTest, UnknownFieldIsInvalidArgument) {
  EXPECT_THAT(RecordFromJson(R"({"context": {"tenant": "acme"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tenant")));
}

TEST(RecordJsonTest, UnknownEnumNameIsInvalidArgument) {
  EXPECT_THAT(RecordFromJson(R"({"outcome": {"result": "MAYBE"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MAYBE")));
}

TEST(RecordJsonTest, MalformedJsonIsInvalidArgument) {
  EXPECT_THAT(RecordFromJson(R"({"context": )"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RecordFromJson("[]"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordJsonTest, TraceIdMustBeBase64) {
  EXPECT_THAT(RecordFromJson(R"({"correlation": {"trace_id": "not base64!"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace sealtrail
