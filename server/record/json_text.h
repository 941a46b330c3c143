// Parsing JSON text that may hold a secret (a line with an actor token, a key or proof file)
// without ever quoting it: errors say where (line, column, byte) and what was wrong or expected,
// never which bytes were read. nlohmann::json's own messages quote the token being read
// ("last read: '...'") and protobuf's JSON parser quotes about 20 bytes around an error; neither
// is passed through.
//
// Objects with a key given twice are refused: parsers disagree on which of the two wins, so such
// a document does not say one thing. So is nesting deeper than kMaxJsonDepth: nlohmann::json
// parses any depth, but printing, comparing and converting recurse, and a line of a million '['
// crashed `sealtrail append`.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_RECORD_JSON_TEXT_H_
#define SEALTRAIL_SERVER_RECORD_JSON_TEXT_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace sealtrail {

// The message for a failed nlohmann::json parse: "at line L, column C: <what was wrong>" without
// any of the input.
std::string JsonErrorWithoutInput(const nlohmann::json::exception& error);

// `name` in double quotes if it looks like an enum value name (an upper-case letter, then at most
// 39 upper-case letters, digits and '_'), which no token or key is (base64 mixes cases); else
// "(not shown)". For messages about a value taken from the input.
std::string QuoteIfEnumName(std::string_view name);

// The deepest nesting of arrays and objects ParseJsonText accepts; sealtrail's documents need 6.
inline constexpr int kMaxJsonDepth = 64;

// Parses one JSON document into `JsonT` (nlohmann::json or nlohmann::ordered_json).
// INVALID_ARGUMENT "not valid JSON: ..." (JsonErrorWithoutInput) for malformed text, for an
// object with a duplicate key, and for nesting deeper than `max_depth`.
template <typename JsonT>
absl::StatusOr<JsonT> ParseJsonText(std::string_view text, int max_depth = kMaxJsonDepth) {
  std::vector<std::set<std::string>> keys;  // The keys seen in each open object.
  bool duplicate = false;
  struct TooDeep {};  // Thrown by the callback to stop the parse; caught below.
  auto callback = [&keys, &duplicate, max_depth](int depth, nlohmann::json::parse_event_t event,
                                                 JsonT& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (depth > max_depth) throw TooDeep{};
    if (event == Event::object_start) keys.emplace_back();
    if (event == Event::object_end && !keys.empty()) keys.pop_back();
    if (event == Event::key && !keys.empty() &&
        !keys.back().insert(parsed.template get<std::string>()).second) {
      duplicate = true;
    }
    return true;
  };
  try {
    JsonT json = JsonT::parse(text.begin(), text.end(), callback);
    if (duplicate) {
      return absl::InvalidArgumentError("not valid JSON: an object has the same key twice");
    }
    return json;
  } catch (const nlohmann::json::exception& error) {
    return absl::InvalidArgumentError(
        std::string("not valid JSON: ").append(JsonErrorWithoutInput(error)));
  } catch (const TooDeep&) {
    return absl::InvalidArgumentError(std::string("not valid JSON: nested more than ")
                                          .append(std::to_string(max_depth))
                                          .append(" levels deep"));
  }
}

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_RECORD_JSON_TEXT_H_
