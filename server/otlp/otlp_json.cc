#include "server/otlp/otlp_json.h"

#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/record/hex_id.h"
#include "server/record/json_text.h"

namespace sealtrail {
namespace {

constexpr int kMaxOtlpJsonDepth = 256;

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

// The members of `object` named `camel` or `snake` (either spelling is accepted), if arrays.
template <typename Visit>
void ForEachIn(nlohmann::json& object, const char* camel, const char* snake, Visit visit) {
  for (const char* name : {camel, snake}) {
    auto member = object.find(name);
    if (member == object.end() || !member->is_array()) continue;
    for (nlohmann::json& item : *member) {
      if (item.is_object()) visit(item);
    }
  }
}

// Rewrites the hex id `camel`/`snake` of `log_record` as base64, protobuf's JSON form of bytes.
absl::Status HexIdToBase64(nlohmann::json& log_record, const char* camel, const char* snake) {
  for (const char* name : {camel, snake}) {
    auto id = log_record.find(name);
    if (id == log_record.end() || !id->is_string()) continue;
    std::optional<std::string> bytes = BytesFromHex(id->get_ref<const std::string&>());
    if (!bytes.has_value()) {
      // The value is not quoted: the body is the sender's data, and messages reach logs.
      return absl::InvalidArgumentError(absl::StrCat(camel, " is not a hex string"));
    }
    *id = absl::Base64Escape(*bytes);
  }
  return absl::OkStatus();
}

// protobuf's JSON errors quote the input ("(path): invalid value \"<input>\" for type ...", or
// 20 bytes around a syntax error): only the path of a value error is kept. The JSON itself was
// parsed above, so what remains is a value of the wrong type.
std::string ProtobufErrorWithoutInput(const google::protobuf::util::Status& status) {
  const std::string message(status.message().data(), status.message().size());
  const size_t path_end = message.find("): ");
  if (message.rfind('(', 0) == 0 && path_end != std::string::npos &&
      message.find_first_of("\"' ", 0) > path_end) {
    return absl::StrCat("field ", message.substr(1, path_end - 1),
                        " has a value of the wrong type");
  }
  return "a field has a value of the wrong type";
}

}  // namespace

absl::StatusOr<ExportLogsServiceRequest> ParseOtlpJsonLogsRequest(std::string_view json) {
  // Bounded depth: the dump() below recurses, and a body of a million '[' crashed the server.
  // protobuf's parser stops at 100 nested messages, about 200 JSON levels, anyway.
  absl::StatusOr<nlohmann::json> body = ParseJsonText<nlohmann::json>(json, kMaxOtlpJsonDepth);
  if (!body.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is not OTLP/JSON: ", body.status().message()));
  }
  nlohmann::json& root = *body;
  if (!root.is_object()) {
    return absl::InvalidArgumentError("the body is not a JSON object (OTLP/JSON)");
  }
  absl::Status ids = absl::OkStatus();
  ForEachIn(root, "resourceLogs", "resource_logs", [&ids](nlohmann::json& resource_logs) {
    ForEachIn(resource_logs, "scopeLogs", "scope_logs", [&ids](nlohmann::json& scope_logs) {
      ForEachIn(scope_logs, "logRecords", "log_records", [&ids](nlohmann::json& log_record) {
        if (ids.ok()) ids = HexIdToBase64(log_record, "traceId", "trace_id");
        if (ids.ok()) ids = HexIdToBase64(log_record, "spanId", "span_id");
      });
    });
  });
  if (!ids.ok()) return ids;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  ExportLogsServiceRequest request;
  std::string rewritten = root.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto parsed = google::protobuf::util::JsonStringToMessage(rewritten, &request, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is not an OTLP/JSON ExportLogsServiceRequest: ",
                     ProtobufErrorWithoutInput(parsed)));
  }
  return request;
}

std::string OtlpJsonLogsResponse(const ExportLogsServiceResponse& response) {
  std::string json;
  // A message of scalars and strings always prints.
  (void)google::protobuf::util::MessageToJsonString(response, &json);
  return json;
}

}  // namespace sealtrail
