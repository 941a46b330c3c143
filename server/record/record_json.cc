// The JSON side of server/record/record.h: protobuf's proto3 JSON mapping, wrapped in
// absl::Status. Protobuf 3.21 has its own util::Status and StringPiece; both stay in this file.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/status.h"
#include "google/protobuf/stubs/stringpiece.h"
#include "google/protobuf/util/json_util.h"
#include "server/record/record.h"

namespace sealtrail {
namespace {

absl::string_view MessageOf(const google::protobuf::util::Status& status) {
  return absl::string_view(status.message().data(), status.message().size());
}

}  // namespace

absl::StatusOr<v1::AuditRecord> RecordFromJson(std::string_view json) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  v1::AuditRecord record;
  google::protobuf::util::Status status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &record, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an AuditRecord in JSON: ", MessageOf(status)));
  }
  return record;
}

absl::StatusOr<std::string> RecordToJson(const v1::AuditRecord& record) {
  // The canonical proto3 JSON mapping, as the issue asks: lowerCamelCase field names (parsers,
  // ours included, accept both those and the proto names).
  google::protobuf::util::JsonPrintOptions options;
  std::string json;
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(record, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("printing an AuditRecord as JSON: ", MessageOf(status)));
  }
  return json;
}

}  // namespace sealtrail
