// OTLP/JSON parsing (server/otlp/otlp_json.h): hex trace and span ids through the record model's
// one hex decoder, and errors that name the field but never quote the body (a log body may hold
// anything, and error messages reach the server's log).
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/otlp/otlp_json.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "eyJhbGciOiJFZERTQSJ9SECRET";

std::string WithLogRecord(const std::string& log_record) {
  return absl::StrCat(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)", log_record, "]}]}]}");
}

TEST(OtlpJsonTest, HexIdsBecomeBytes) {
  ASSERT_OK_AND_ASSIGN(
      auto request,
      ParseOtlpJsonLogsRequest(WithLogRecord(
          R"({"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7"})")));
  const auto& log_record = request.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_EQ(log_record.trace_id(), absl::HexStringToBytes("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_EQ(log_record.span_id(), absl::HexStringToBytes("00f067aa0ba902b7"));
}

TEST(OtlpJsonTest, ErrorsNameTheFieldAndNeverQuoteTheBody) {
  EXPECT_THAT(
      ParseOtlpJsonLogsRequest(WithLogRecord(absl::StrCat(R"({"traceId":")", kSecret, "\"}"))),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("traceId is not a hex string"), Not(HasSubstr("SECRET")))));
  EXPECT_THAT(
      ParseOtlpJsonLogsRequest(WithLogRecord(absl::StrCat(R"({"timeUnixNano":")", kSecret, "\"}"))),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          AllOf(HasSubstr("time_unix_nano"), HasSubstr("wrong type"), Not(HasSubstr("SECRET")))));
  EXPECT_THAT(ParseOtlpJsonLogsRequest(WithLogRecord(
                  absl::StrCat(R"({"body":{"stringValue":5},"x":")", kSecret, "\"}"))),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("SECRET"))));
}

// A body nested a million deep is a 400, not a crash of the server (printing it back for
// protobuf's parser recursed).
TEST(OtlpJsonTest, DeepNestingIsRefused) {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_THAT(ParseOtlpJsonLogsRequest(absl::StrCat(R"({"resourceLogs":)", deep, "}")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested more than")));
}

}  // namespace
}  // namespace sealtrail
