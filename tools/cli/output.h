// The JSON objects `sealtrail local` prints, one per line. Other programs parse them, so the field
// names and types here are an interface: change them only with a new field, never by renaming.
// Hashes are standard base64 (HashToBase64); record bytes are standard base64 too.
#ifndef SEALTRAIL_TOOLS_CLI_OUTPUT_H_
#define SEALTRAIL_TOOLS_CLI_OUTPUT_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/verify.h"

namespace sealtrail::cli {

// Keeps fields in the documented order.
using Json = nlohmann::ordered_json;

// {"first_index":I,"count":N,"tree_size":S}
struct AppendSummary {
  uint64_t first_index = 0;  // Index of the first appended record; the old size if count is 0.
  uint64_t count = 0;
  uint64_t tree_size = 0;  // Size after the append.
};
Json ToJson(const AppendSummary& summary);

// {"tree_size":N,"root":"..."}
Json ToJson(const TreeHead& head);

// {"index":I,"leaf_hash":"...","data":"<base64 of the record>"}
struct RecordEntry {
  uint64_t index = 0;
  Hash leaf_hash{};
  std::string data;
};
Json ToJson(const RecordEntry& entry);

// {"ok":true,"segments":..,"sealed_segments":..,"records":..,"bytes":..,"root":"...","seconds":..}
Json VerifyOkJson(const VerifyReport& report, double seconds);
// {"ok":false,"error":"<status message>"}
Json VerifyFailedJson(const absl::Status& status);

// Writes `json` compactly and a '\n', then flushes. Invalid UTF-8 in strings is replaced rather
// than thrown. UNKNOWN if the stream has failed (e.g. stdout is a closed pipe).
[[nodiscard]] absl::Status WriteJsonLine(std::ostream& out, const Json& json);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_OUTPUT_H_
