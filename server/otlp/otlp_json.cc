#include "server/otlp/otlp_json.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace sealtrail {
namespace {

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
    const std::string& hex = id->get_ref<const std::string&>();
    bool is_hex =
        hex.size() % 2 == 0 && hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!is_hex) {
      return absl::InvalidArgumentError(
          absl::StrCat(camel, " \"", hex.substr(0, 64), "\" is not a hex string"));
    }
    *id = absl::Base64Escape(absl::HexStringToBytes(hex));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ExportLogsServiceRequest> ParseOtlpJsonLogsRequest(std::string_view json) {
  nlohmann::json root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
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
        absl::StrCat("the body is not an OTLP/JSON ExportLogsServiceRequest: ", parsed.ToString()));
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
