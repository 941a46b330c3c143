#include "cli/output.h"

#include "absl/strings/escaping.h"

namespace sealtrail::cli {

Json ToJson(const AppendSummary& summary) {
  return Json{{"first_index", summary.first_index},
              {"count", summary.count},
              {"tree_size", summary.tree_size}};
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

absl::Status WriteJsonLine(std::ostream& out, const Json& json) {
  out << json.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) << '\n'
      << std::flush;
  if (!out) return absl::UnknownError("cannot write to the output stream");
  return absl::OkStatus();
}

}  // namespace sealtrail::cli
