// The OTLP log record -> AuditRecord mapping (server/otlp/otlp_mapping.h), field by field, and
// a whole request's partial rejection.
#include "server/otlp/otlp_mapping.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/otlp/any_value_text.h"
#include "server/record/record.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::InstrumentationScope;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::resource::v1::Resource;
using ::sealtrail::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;

void SetString(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* kvs,
               const std::string& key, const std::string& value) {
  auto* kv = kvs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

void SetInt(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* kvs,
            const std::string& key, int64_t value) {
  auto* kv = kvs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_int_value(value);
}

const std::string kTraceId("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16);
const std::string kSpanId("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8);

// A log record that maps: every default attribute set.
LogRecord FullRecord() {
  LogRecord log;
  log.set_time_unix_nano(1'700'000'000'123'456'789ULL);
  log.set_observed_time_unix_nano(1'700'000'001'000'000'000ULL);
  log.set_severity_text("INFO");
  log.mutable_body()->set_string_value("agent barged into call 42");
  log.set_trace_id(kTraceId);
  log.set_span_id(kSpanId);
  auto* a = log.mutable_attributes();
  SetString(a, "enduser.id", "agent-4711");
  SetString(a, "enduser.role", "supervisor");
  SetString(a, "tenant.id", "acme");
  SetString(a, "http.request.method", "POST");
  SetString(a, "http.route", "/v2/calls/{id}/barge");
  SetString(a, "url.path", "/v2/calls/42/barge");
  SetString(a, "client.address", "198.51.100.7");
  SetInt(a, "http.response.status_code", 200);
  SetString(a, "audit.outcome", "success");
  SetString(a, "audit.action", "call.barge");
  SetString(a, "user_agent.original", "curl/8.0");
  SetString(a, "session.id", "s-1");
  SetString(a, "enduser.token", "eyJhbGciOiJFUzI1NiJ9.e30.sig");
  SetString(a, "queue", "billing");
  return log;
}

Resource ServiceResource() {
  Resource resource;
  SetString(resource.mutable_attributes(), "service.name", "call-control");
  SetString(resource.mutable_attributes(), "host.name", "node-7");
  return resource;
}

InstrumentationScope Scope() {
  InstrumentationScope scope;
  scope.set_name("audit");
  scope.set_version("1.2");
  return scope;
}

absl::StatusOr<MappedLogRecord> Map(const LogRecord& log, const Resource& resource = Resource()) {
  return MapLogRecord(resource, Scope(), log, OtlpMappingOptions());
}

TEST(OtlpMappingTest, EveryDefaultAttributeLandsInItsField) {
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(FullRecord(), ServiceResource()));
  const v1::AuditRecord& r = mapped.record;
  EXPECT_EQ(r.context().tenant_id(), "acme");
  EXPECT_EQ(r.actor().user_id(), "agent-4711");
  EXPECT_EQ(r.actor().role(), "supervisor");
  EXPECT_EQ(r.actor().service(), "call-control");
  EXPECT_FALSE(r.actor().verified());
  EXPECT_EQ(r.action().name(), "call.barge");
  EXPECT_EQ(r.action().method(), "POST");
  EXPECT_EQ(r.action().route(), "/v2/calls/{id}/barge");
  EXPECT_EQ(r.outcome().result(), v1::Outcome::SUCCESS);
  EXPECT_EQ(r.outcome().status_code(), 200);
  EXPECT_EQ(r.context().event_time_ns(), 1'700'000'000'123'456'789LL);
  EXPECT_EQ(r.context().user_agent(), "curl/8.0");
  EXPECT_EQ(r.context().session_id(), "s-1");
  EXPECT_EQ(r.context().source_ip(), "");  // The server's, never the claim.
  EXPECT_EQ(r.context().commit_time_ns(), 0);
  EXPECT_EQ(r.correlation().trace_id(), kTraceId);
  EXPECT_EQ(r.correlation().span_id(), kSpanId);
  EXPECT_EQ(mapped.actor_token, "eyJhbGciOiJFUzI1NiJ9.e30.sig");
  EXPECT_OK(ValidateRecord(r));
}

TEST(OtlpMappingTest, BodyAndRemainingAttributesGoToDetails) {
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(FullRecord(), ServiceResource()));
  const auto& details = mapped.record.details().attributes();
  EXPECT_THAT(details, Contains(Pair("body", "agent barged into call 42")));
  EXPECT_THAT(details, Contains(Pair("queue", "billing")));
  EXPECT_THAT(details, Contains(Pair("client.address", "198.51.100.7")));
  EXPECT_THAT(details, Contains(Pair("url.path", "/v2/calls/42/barge")));  // Unused fallback.
  EXPECT_THAT(details, Contains(Pair("severity", "INFO")));
  EXPECT_THAT(details, Contains(Pair("otel.scope.name", "audit")));
  EXPECT_THAT(details, Contains(Pair("otel.scope.version", "1.2")));
  EXPECT_THAT(details, Contains(Pair("service.name", "call-control")));
  EXPECT_THAT(details, Not(Contains(Key("host.name"))));
  // Mapped attributes are not repeated in details.
  for (const char* mapped_key : {"tenant.id", "enduser.id", "audit.action", "audit.outcome",
                                 "http.route", "session.id", "http.response.status_code"}) {
    EXPECT_THAT(details, Not(Contains(Key(mapped_key)))) << mapped_key;
  }
}

TEST(OtlpMappingTest, TokenIsNeverStoredInTheRecord) {
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(FullRecord()));
  EXPECT_THAT(mapped.record.details().attributes(), Not(Contains(Key("enduser.token"))));
  EXPECT_THAT(mapped.record.SerializeAsString(), Not(HasSubstr("eyJhbGciOiJFUzI1NiJ9")));
}

TEST(OtlpMappingTest, TenantComesFromTheResourceWhenTheRecordHasNone) {
  LogRecord log = FullRecord();
  log.mutable_attributes()->erase(log.mutable_attributes()->begin() + 2);  // tenant.id
  Resource resource = ServiceResource();
  SetString(resource.mutable_attributes(), "tenant.id", "globex");
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(log, resource));
  EXPECT_EQ(mapped.record.context().tenant_id(), "globex");
}

TEST(OtlpMappingTest, RecordTenantWinsOverResourceTenant) {
  Resource resource = ServiceResource();
  SetString(resource.mutable_attributes(), "tenant.id", "globex");
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(FullRecord(), resource));
  EXPECT_EQ(mapped.record.context().tenant_id(), "acme");
}

TEST(OtlpMappingTest, NoTenantIsRejected) {
  LogRecord log;
  SetString(log.mutable_attributes(), "audit.action", "x");
  SetString(log.mutable_attributes(), "audit.outcome", "SUCCESS");
  EXPECT_THAT(Map(log), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no tenant")));
}

TEST(OtlpMappingTest, NoActionIsRejectedUnlessTheRecordIsANamedEvent) {
  LogRecord log;
  SetString(log.mutable_attributes(), "tenant.id", "acme");
  SetString(log.mutable_attributes(), "audit.outcome", "DENIED");
  EXPECT_THAT(Map(log), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no action")));
  log.set_event_name("call.barge");
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(log));
  EXPECT_EQ(mapped.record.action().name(), "call.barge");
  EXPECT_EQ(mapped.record.outcome().result(), v1::Outcome::DENIED);
  EXPECT_EQ(mapped.record.actor().service(), "unknown_service");
}

TEST(OtlpMappingTest, OutcomeFollowsTheStatusCodeWhenNotGiven) {
  for (auto [status, result] :
       {std::pair{204, v1::Outcome::SUCCESS}, std::pair{302, v1::Outcome::SUCCESS},
        std::pair{401, v1::Outcome::DENIED}, std::pair{403, v1::Outcome::DENIED},
        std::pair{404, v1::Outcome::FAILURE}, std::pair{503, v1::Outcome::FAILURE}}) {
    LogRecord log;
    SetString(log.mutable_attributes(), "tenant.id", "acme");
    SetString(log.mutable_attributes(), "audit.action", "x");
    SetString(log.mutable_attributes(), "http.response.status_code", std::to_string(status));
    ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(log));
    EXPECT_EQ(mapped.record.outcome().result(), result) << status;
    EXPECT_EQ(mapped.record.outcome().status_code(), status);
  }
}

TEST(OtlpMappingTest, BadOutcomeStatusCodeOrNeitherIsRejected) {
  LogRecord base;
  SetString(base.mutable_attributes(), "tenant.id", "acme");
  SetString(base.mutable_attributes(), "audit.action", "x");
  EXPECT_THAT(Map(base), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no outcome")));
  LogRecord bad_outcome = base;
  SetString(bad_outcome.mutable_attributes(), "audit.outcome", "MAYBE");
  EXPECT_THAT(Map(bad_outcome), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("SUCCESS, FAILURE or DENIED")));
  LogRecord bad_status = base;
  SetString(bad_status.mutable_attributes(), "http.response.status_code", "OK");
  EXPECT_THAT(Map(bad_status),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a 32-bit integer")));
}

TEST(OtlpMappingTest, TraceAndSpanIdsOfTheWrongLengthAreRejected) {
  LogRecord log = FullRecord();
  log.set_trace_id(kTraceId.substr(0, 15));
  EXPECT_THAT(Map(log), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("trace_id is 15 bytes; it must be 16")));
  log = FullRecord();
  log.set_span_id(kTraceId);
  EXPECT_THAT(Map(log), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("span_id is 16 bytes; it must be 8")));
}

TEST(OtlpMappingTest, AllZeroAndEmptyIdsMeanNoCorrelation) {
  LogRecord log = FullRecord();
  log.set_trace_id(std::string(16, '\0'));
  log.set_span_id("");
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(log));
  EXPECT_FALSE(mapped.record.has_correlation());
}

TEST(OtlpMappingTest, ObservedTimeIsUsedWithoutAnEventTime) {
  LogRecord log = FullRecord();
  log.set_time_unix_nano(0);
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(log));
  EXPECT_EQ(mapped.record.context().event_time_ns(), 1'700'000'001'000'000'000LL);
  log.set_time_unix_nano(std::numeric_limits<uint64_t>::max());
  EXPECT_THAT(Map(log), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("time_unix_nano 18446744073709551615")));
}

TEST(OtlpMappingTest, AttributeNamesAreConfigurable) {
  OtlpMappingOptions options;
  options.attributes.tenant = "customer";
  options.attributes.action = "event.kind";
  options.attributes.outcome = "result";
  LogRecord log;
  SetString(log.mutable_attributes(), "customer", "initech");
  SetString(log.mutable_attributes(), "event.kind", "config.update");
  SetString(log.mutable_attributes(), "result", "FAILURE");
  SetString(log.mutable_attributes(), "tenant.id", "acme");  // Now just a detail.
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, MapLogRecord(Resource(), Scope(), log, options));
  EXPECT_EQ(mapped.record.context().tenant_id(), "initech");
  EXPECT_EQ(mapped.record.action().name(), "config.update");
  EXPECT_EQ(mapped.record.outcome().result(), v1::Outcome::FAILURE);
  EXPECT_THAT(mapped.record.details().attributes(), Contains(Pair("tenant.id", "acme")));
}

TEST(OtlpMappingTest, RouteFallsBackToUrlPath) {
  LogRecord log = FullRecord();
  log.mutable_attributes()->erase(log.mutable_attributes()->begin() + 4);  // http.route
  ASSERT_OK_AND_ASSIGN(MappedLogRecord mapped, Map(log));
  EXPECT_EQ(mapped.record.action().route(), "/v2/calls/42/barge");
  EXPECT_THAT(mapped.record.details().attributes(), Not(Contains(Key("url.path"))));
}

TEST(OtlpMappingTest, AnyValuesBecomeText) {
  AnyValue v;
  v.set_bool_value(true);
  EXPECT_EQ(AnyValueText(v), "true");
  v.set_int_value(-7);
  EXPECT_EQ(AnyValueText(v), "-7");
  v.set_double_value(0.5);
  EXPECT_EQ(AnyValueText(v), "0.5");
  v.set_bytes_value(std::string("\x01\x02\x03", 3));
  EXPECT_EQ(AnyValueText(v), "AQID");
  AnyValue list;
  list.mutable_array_value()->add_values()->set_int_value(1);
  list.mutable_array_value()->add_values()->set_string_value("a");
  auto* kv = list.mutable_array_value()->add_values()->mutable_kvlist_value()->add_values();
  kv->set_key("k");
  kv->mutable_value()->set_bool_value(false);
  EXPECT_EQ(AnyValueText(list), R"([1,"a",{"k":false}])");
  EXPECT_EQ(AnyValueText(AnyValue()), "");
}

TEST(OtlpMappingTest, RequestRejectsBadRecordsAndKeepsTheRest) {
  ExportLogsServiceRequest request;
  auto* resource_logs = request.add_resource_logs();
  *resource_logs->mutable_resource() = ServiceResource();
  auto* scope_logs = resource_logs->add_scope_logs();
  *scope_logs->add_log_records() = FullRecord();
  LogRecord short_trace = FullRecord();
  short_trace.set_trace_id("abc");
  *scope_logs->add_log_records() = short_trace;
  LogRecord huge = FullRecord();
  SetString(huge.mutable_attributes(), "blob", std::string(70 * 1024, 'x'));
  *scope_logs->add_log_records() = huge;
  *scope_logs->add_log_records() = FullRecord();

  MappedExport mapped = MapExportRequest(request, OtlpMappingOptions());
  EXPECT_EQ(mapped.rejected, 2);
  EXPECT_THAT(mapped.first_error,
              HasSubstr("resource_logs[0].scope_logs[0].log_records[1]: trace_id is 3 bytes"));
  ASSERT_EQ(mapped.records.size(), 2u);
  ASSERT_EQ(mapped.actor_tokens.size(), 2u);
  EXPECT_EQ(mapped.paths[1].record, 3);
}

TEST(OtlpMappingTest, EmptyRequestMapsToNothing) {
  MappedExport mapped = MapExportRequest(ExportLogsServiceRequest(), OtlpMappingOptions());
  EXPECT_TRUE(mapped.records.empty());
  EXPECT_EQ(mapped.rejected, 0);
  EXPECT_EQ(mapped.first_error, "");
}

}  // namespace
}  // namespace sealtrail
