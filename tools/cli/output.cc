#include "cli/output.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/record/json_text.h"

namespace sealtrail::cli {

Json ToJson(const AppendSummary& summary) {
  return Json{{"first_index", summary.first_index},
              {"count", summary.count},
              {"tree_size", summary.tree_size}};
}

Json ToJson(const AppendedRecord& record) {
  return Json{{"seq", record.seq},
              {"leaf_hash", HashToBase64(record.leaf_hash)},
              {"tree_size", record.tree_size}};
}

Json ToJson(const TreeHead& head) {
  return Json{{"tree_size", head.size}, {"root", HashToBase64(head.root)}};
}

Json ToJson(const RecordEntry& entry) {
  return Json{{"index", entry.index},
              {"leaf_hash", HashToBase64(entry.leaf_hash)},
              {"data", absl::Base64Escape(entry.data)}};
}

Json VerifyOkJson(const VerifyReport& report, double seconds) {
  return Json{{"ok", true},
              {"segments", report.segments},
              {"sealed_segments", report.sealed_segments},
              {"records", report.records},
              {"bytes", report.bytes},
              {"root", HashToBase64(report.root)},
              {"seconds", seconds}};
}

Json VerifyFailedJson(const absl::Status& status) {
  return Json{{"ok", false}, {"error", std::string(status.message())}};
}

Json ToJson(const Checkpoint& checkpoint) {
  Json json{{"size", checkpoint.size}, {"root", HashToBase64(checkpoint.root)}};
  json["timestamp_ms"] =
      checkpoint.timestamp_ms.has_value() ? Json(*checkpoint.timestamp_ms) : Json(nullptr);
  return json;
}

Json VerifyOkJson(const DataDirAudit& audit, double seconds) {
  return Json{{"ok", true},
              {"records", audit.data.records},
              {"segments", audit.data.segments},
              {"checkpoints", audit.checkpoints},
              {"latest_checkpoint_size", audit.latest_checkpoint_size.has_value()
                                             ? Json(*audit.latest_checkpoint_size)
                                             : Json(nullptr)},
              {"root", HashToBase64(audit.data.root)},
              {"seconds", seconds}};
}

namespace {

Json SizeOrNull(const std::optional<Checkpoint>& checkpoint) {
  return checkpoint.has_value() ? Json(checkpoint->size) : Json(nullptr);
}

Json RootOrNull(const std::optional<Checkpoint>& checkpoint) {
  return checkpoint.has_value() ? Json(HashToBase64(checkpoint->root)) : Json(nullptr);
}

}  // namespace

Json WitnessAcceptedJson(const WitnessOutcome& outcome) {
  return Json{{"accepted", true},
              {"old_size", SizeOrNull(outcome.old_checkpoint)},
              {"new_size", SizeOrNull(outcome.new_checkpoint)},
              {"root", RootOrNull(outcome.new_checkpoint)}};
}

Json WitnessRefusedJson(const WitnessOutcome& outcome, const absl::Status& error) {
  return Json{{"accepted", false},
              {"error", std::string(error.message())},
              {"old_size", SizeOrNull(outcome.old_checkpoint)},
              {"old_root", RootOrNull(outcome.old_checkpoint)},
              {"new_size", SizeOrNull(outcome.new_checkpoint)},
              {"new_root", RootOrNull(outcome.new_checkpoint)}};
}

Json ProofOkJson(uint64_t leaf_index, const Checkpoint& checkpoint) {
  return Json{{"ok", true},
              {"leaf_index", leaf_index},
              {"tree_size", checkpoint.size},
              {"root", HashToBase64(checkpoint.root)}};
}

absl::StatusOr<uint64_t> GetJsonUint(const Json& json, const char* field) {
  auto it = json.find(field);
  if (it == json.end() || !it->is_number_unsigned()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", field, "\" is missing or not an unsigned integer"));
  }
  return it->get<uint64_t>();
}

absl::StatusOr<Hash> GetJsonHash(const Json& json, const char* field) {
  auto it = json.find(field);
  if (it == json.end() || !it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", field, "\" is missing or not a string"));
  }
  absl::StatusOr<Hash> hash = HashFromBase64(it->get<std::string>());
  if (!hash.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", field, "\": ", hash.status().message()));
  }
  return *hash;
}

absl::StatusOr<std::string> GetJsonString(const Json& json, const char* field) {
  auto it = json.find(field);
  if (it == json.end() || !it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", field, "\" is missing or not a string"));
  }
  return it->get<std::string>();
}

absl::StatusOr<Json> ParseJson(std::string_view text) { return ParseJsonText<Json>(text); }

absl::Status WriteText(std::ostream& out, std::string_view text) {
  out << text << std::flush;
  if (!out) return absl::UnknownError("cannot write to the output stream");
  return absl::OkStatus();
}

std::string JsonLineText(const Json& json) {
  return json.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + '\n';
}

absl::Status WriteJsonLine(std::ostream& out, const Json& json) {
  out << JsonLineText(json) << std::flush;
  if (!out) return absl::UnknownError("cannot write to the output stream");
  return absl::OkStatus();
}

}  // namespace sealtrail::cli
