// The record's JSON (server/record/record.h): deterministic bytes whatever order a map was filled
// in and across serialize/parse round trips (records.jsonl and `query --format json` are compared
// byte for byte), every field type through a round trip, W3C hex trace and span ids, and parse
// errors that never quote the input (a line may carry an actor token).
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/record/json_text.h"
#include "server/record/record.h"
#include "testing/every_field_record.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::EveryFieldIsSet;
using ::sealtrail::testing::EveryFieldRecord;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using v1::AuditRecord;

constexpr char kTraceHex[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSpanHex[] = "00f067aa0ba902b7";
// What must never appear in an error message: the start of a token after the bad byte.
constexpr char kSecret[] = "eyJhbGciOiJFZERTQSJ9SECRET";

bool Equal(const AuditRecord& a, const AuditRecord& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

std::string Json(const AuditRecord& record) {
  absl::StatusOr<std::string> json = RecordToJson(record);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.value_or("");
}

TEST(RecordJsonDeterminismTest, ManyEntryMapGivesTheSameBytesEveryTimeAndAfterARoundTrip) {
  const AuditRecord record = EveryFieldRecord(3, /*attributes=*/64);
  const std::string json = Json(record);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(Json(record), json);

  // Copies of the record have maps of their own, with their own iteration order.
  for (int i = 0; i < 50; ++i) {
    absl::StatusOr<AuditRecord> parsed = ParseStoredRecord(SerializeForLog(record));
    ASSERT_OK(parsed.status());
    ASSERT_EQ(Json(*parsed), json);
    absl::StatusOr<AuditRecord> from_json = RecordFromJson(json);
    ASSERT_OK(from_json.status());
    ASSERT_EQ(Json(*from_json), json);
    AuditRecord copy = record;
    ASSERT_EQ(Json(copy), json);
  }

  // The same entries inserted in the opposite order.
  AuditRecord reversed = record;
  reversed.mutable_details()->clear_attributes();
  std::vector<std::pair<std::string, std::string>> entries(record.details().attributes().begin(),
                                                           record.details().attributes().end());
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    (*reversed.mutable_details()->mutable_attributes())[it->first] = it->second;
  }
  EXPECT_EQ(Json(reversed), json);

  // The map's keys are in sorted order in the text.
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(json);
  std::vector<std::string> keys;
  for (const auto& [key, value] : parsed["details"]["attributes"].items()) keys.push_back(key);
  EXPECT_EQ(keys.size(), 64u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(RecordJsonDeterminismTest, FieldsAreInFieldNumberOrder) {
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(Json(EveryFieldRecord(1)));
  std::vector<std::string> top;
  for (const auto& [key, value] : parsed.items()) top.push_back(key);
  EXPECT_EQ(top, (std::vector<std::string>{"actor", "action", "context", "outcome", "correlation",
                                           "details", "links"}));
  std::vector<std::string> context;
  for (const auto& [key, value] : parsed["context"].items()) context.push_back(key);
  EXPECT_EQ(context, (std::vector<std::string>{"tenantId", "sourceIp", "commitTimeNs",
                                               "eventTimeNs", "userAgent", "sessionId"}));
}

TEST(RecordJsonRoundTripTest, EveryFieldTypeSurvives) {
  const AuditRecord record = EveryFieldRecord(5);
  std::string missing;
  ASSERT_TRUE(EveryFieldIsSet(record, &missing)) << missing << " is not set";
  const std::string json = Json(record);
  ASSERT_OK_AND_ASSIGN(AuditRecord again, RecordFromJson(json));
  EXPECT_TRUE(Equal(record, again)) << json;
  EXPECT_EQ(SerializeForLog(record), SerializeForLog(again));
  // The proto3 JSON forms: int64 as strings, int32 and bool as JSON values, bytes base64.
  EXPECT_THAT(
      json,
      AllOf(HasSubstr(R"("eventTimeNs":"1700000000123456794")"), HasSubstr(R"("statusCode":200)"),
            HasSubstr(R"("verified":true)"), HasSubstr(R"("rowCount":"1000000000005")"),
            HasSubstr(R"("result":"SUCCESS")"),
            HasSubstr(absl::StrCat(R"("traceId":")",
                                   absl::Base64Escape(record.correlation().trace_id()), "\""))));
}

TEST(RecordJsonRoundTripTest, AcceptsWhatProtobufsMappingAllows) {
  ASSERT_OK_AND_ASSIGN(AuditRecord record,
                       RecordFromJson(R"({"outcome": {"result": 3, "statusCode": "404"},
                         "context": {"eventTimeNs": 12, "commitTimeNs": null},
                         "details": {"rowCount": 7.0, "attributes": {}},
                         "correlation": {"spanId": "AAAAAAAAAAA"}})"));
  EXPECT_EQ(record.outcome().result(), v1::Outcome::DENIED);
  EXPECT_EQ(record.outcome().status_code(), 404);
  EXPECT_EQ(record.context().event_time_ns(), 12);
  EXPECT_EQ(record.details().row_count(), 7);
  EXPECT_EQ(record.correlation().span_id(), std::string(8, '\0'));
}

TEST(RecordJsonTraceIdTest, TakesW3cHexInEitherCaseAndBase64) {
  const std::string trace = absl::HexStringToBytes(kTraceHex);
  const std::string span = absl::HexStringToBytes(kSpanHex);
  for (const std::string& trace_text :
       {std::string(kTraceHex), absl::AsciiStrToUpper(kTraceHex), absl::Base64Escape(trace)}) {
    for (const char* name : {"traceId", "trace_id"}) {
      SCOPED_TRACE(absl::StrCat(name, " ", trace_text));
      ASSERT_OK_AND_ASSIGN(
          AuditRecord record,
          RecordFromJson(absl::StrCat(R"({"correlation": {")", name, R"(": ")", trace_text,
                                      R"(", "spanId": ")", kSpanHex, R"("}})")));
      EXPECT_EQ(record.correlation().trace_id(), trace);
      EXPECT_EQ(record.correlation().span_id(), span);
    }
  }
}

TEST(RecordJsonTraceIdTest, AnIdOfTheWrongLengthSaysWhatIsExpected) {
  EXPECT_THAT(RecordFromJson(R"({"correlation": {"traceId": "4bf92f3577b34da6a3ce929d0e0e47"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("correlation.trace_id"), HasSubstr("32 hex digits"))));
  EXPECT_THAT(RecordFromJson(R"({"correlation": {"spanId": "00f067aa0ba902b7aa"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("correlation.span_id"), HasSubstr("16 hex digits"))));
  EXPECT_THAT(RecordFromJson(R"({"correlation": {"traceId": "not base64 or hex!"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("correlation.trace_id")));
}

TEST(RecordJsonErrorTest, ParseErrorsNeverQuoteTheInput) {
  const std::vector<std::string> inputs = {
      absl::StrCat(R"({"context": {"tenantId": "acme"} x)", kSecret, "\"}"),
      absl::StrCat(R"({"context": tru)", kSecret, "}"),
      absl::StrCat("{\"context\": {\"tenantId\": \"a\x01", kSecret, "\"}}"),
      absl::StrCat(R"({"details": {"rowCount": ")", kSecret, R"("}})"),
      absl::StrCat(R"({"details": {"rowCount": 1e99999)", "}, \"x\": \"", kSecret, "\"}"),
      absl::StrCat(R"({"outcome": {"result": ")", kSecret, R"("}})"),
      absl::StrCat(R"({"outcome": {"result": "MAY.)", kSecret, R"("}})"),
      absl::StrCat(R"({")", kSecret, R"(": 1})"),
      absl::StrCat(R"({"correlation": {"traceId": ")", kSecret, R"(!"}})"),
      absl::StrCat(R"({"actor": {"userId": 5}, "t": ")", kSecret, R"("})"),
      absl::StrCat(R"({"details": {"attributes": {")", kSecret, R"(": 5}}})"),
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input);
    absl::StatusOr<AuditRecord> record = RecordFromJson(input);
    EXPECT_THAT(record, StatusIs(absl::StatusCode::kInvalidArgument,
                                 AllOf(HasSubstr("not an AuditRecord in JSON"),
                                       Not(HasSubstr("SECRET")), Not(HasSubstr("eyJ")))))
        << record.status();
  }
}

TEST(RecordJsonErrorTest, SyntaxErrorsSayWhereAndWhatWasExpected) {
  EXPECT_THAT(RecordFromJson("{\"context\": {\"tenantId\": \"acme\"}\n \"x\": 1}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 2, column 4"), HasSubstr("expected '}'"))));
  EXPECT_THAT(RecordFromJson(R"({"context": tru})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 1, column 16"), HasSubstr("invalid literal"))));
  EXPECT_THAT(RecordFromJson(R"({"details": {"rowCount": "x"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("details.row_count"), HasSubstr("decimal integer"))));
  EXPECT_THAT(RecordFromJson(R"({"actor": {"userId": 5}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("actor.user_id"), HasSubstr("must be a string"))));
  EXPECT_THAT(RecordFromJson(R"({"outcome": {"result": "MAYBE"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("outcome.result"), HasSubstr("SUCCESS, FAILURE"))));
}

TEST(RecordJsonErrorTest, AKeyGivenTwiceIsRefused) {
  EXPECT_THAT(RecordFromJson(R"({"context": {"tenantId": "acme", "tenantId": "evil"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("same key twice")));
  EXPECT_THAT(RecordFromJson(R"({"context": {"tenantId": "acme", "tenant_id": "evil"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("context.tenant_id"), HasSubstr("given twice"))));
}

TEST(JsonTextTest, ErrorsOfTheSharedParserQuoteNothing) {
  for (const std::string& input :
       {absl::StrCat("[1, x", kSecret, "]"), absl::StrCat("{\"a\": \"", kSecret),
        absl::StrCat("\"\\uD800", kSecret, "\""), absl::StrCat("[1e99999, \"", kSecret, "\"]")}) {
    SCOPED_TRACE(input);
    EXPECT_THAT(ParseJsonText<nlohmann::json>(input),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("not valid JSON"), Not(HasSubstr("SECRET")))));
  }
}

TEST(JsonTextTest, DeepNestingIsRefusedNotACrash) {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_THAT(ParseJsonText<nlohmann::json>(deep),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested more than 64")));
  EXPECT_THAT(RecordFromJson(absl::StrCat(R"({"details": )", deep, "}")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested more than 64")));
  EXPECT_OK(ParseJsonText<nlohmann::json>(std::string(64, '[') + std::string(64, ']')).status());
}

}  // namespace
}  // namespace sealtrail
