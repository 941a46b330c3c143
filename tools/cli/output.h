// The JSON objects `sealtrail` prints, one per line. Other programs parse them, so the field
// names and types here are an interface: change them only with a new field, never by renaming.
// Hashes are standard base64 (HashToBase64); record bytes are standard base64 too.
#ifndef SEALTRAIL_TOOLS_CLI_OUTPUT_H_
#define SEALTRAIL_TOOLS_CLI_OUTPUT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "sealtrail/checkpoint.h"
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

// `append` (to a server), one per record: {"seq":I,"leaf_hash":"...","tree_size":N}
struct AppendedRecord {
  uint64_t seq = 0;
  Hash leaf_hash{};
  uint64_t tree_size = 0;  // A tree size that includes the record.
};
Json ToJson(const AppendedRecord& record);

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

// `local checkpoints`, one per stored checkpoint: {"size":N,"root":"...","timestamp_ms":T}, with
// "timestamp_ms":null when the checkpoint has no timestamp.
Json ToJson(const Checkpoint& checkpoint);

// `verify`: {"ok":true,"records":..,"segments":..,"checkpoints":..,"latest_checkpoint_size":..,
// "root":"...","seconds":..}; latest_checkpoint_size is null when none is stored. On failure
// `verify` prints VerifyFailedJson.
struct DataDirAudit {
  VerifyReport data;         // VerifyDataDir's report.
  uint64_t checkpoints = 0;  // Stored checkpoints, each verified against key and data.
  std::optional<uint64_t> latest_checkpoint_size;
};
Json VerifyOkJson(const DataDirAudit& audit, double seconds);

// `witness`. Accepted: {"accepted":true,"old_size":M,"new_size":N,"root":"<new root>"}, old_size
// null for the first checkpoint. Refused: {"accepted":false,"error":"...","old_size":M,
// "old_root":"...","new_size":N,"new_root":"..."}, each size or root null where not known (no
// trusted checkpoint yet, or a note that does not parse).
struct WitnessOutcome {
  std::optional<Checkpoint> old_checkpoint;  // The trusted one.
  std::optional<Checkpoint> new_checkpoint;
};
Json WitnessAcceptedJson(const WitnessOutcome& outcome);
Json WitnessRefusedJson(const WitnessOutcome& outcome, const absl::Status& error);

// `verify-proof`: {"ok":true,"leaf_index":I,"tree_size":N,"root":"..."}.
Json ProofOkJson(uint64_t leaf_index, const Checkpoint& checkpoint);

// Parses one JSON document (ParseJsonText, server/record/json_text.h); INVALID_ARGUMENT saying
// where and what, never quoting the text, if it is not JSON or has a key twice.
absl::StatusOr<Json> ParseJson(std::string_view text);

// Fields of a parsed JSON object. INVALID_ARGUMENT naming the field if it is missing or of
// another type; GetJsonHash also if it is not the standard base64 of a 32-byte hash.
absl::StatusOr<uint64_t> GetJsonUint(const Json& json, const char* field);
absl::StatusOr<Hash> GetJsonHash(const Json& json, const char* field);
absl::StatusOr<std::string> GetJsonString(const Json& json, const char* field);

// Writes `text` exactly as it is (no newline added), then flushes. UNKNOWN if the stream fails.
[[nodiscard]] absl::Status WriteText(std::ostream& out, std::string_view text);

// `json` compactly and a '\n': one line of output. Invalid UTF-8 in strings is replaced.
std::string JsonLineText(const Json& json);

// Writes JsonLineText(json), then flushes. Invalid UTF-8 in strings is replaced rather
// than thrown. UNKNOWN if the stream has failed (e.g. stdout is a closed pipe).
[[nodiscard]] absl::Status WriteJsonLine(std::ostream& out, const Json& json);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_OUTPUT_H_
