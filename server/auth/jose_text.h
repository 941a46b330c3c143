// How server/auth reads the text of JOSE objects (tokens and JWKs): base64url through Abseil,
// JSON through nlohmann-json, both strict, and outside values quoted safely into messages.
// Internal to server/auth.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_AUTH_JOSE_TEXT_H_
#define SEALTRAIL_SERVER_AUTH_JOSE_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace sealtrail {

// The same characters as an absl::string_view, for Abseil's string functions (Debian's Abseil
// 20220623 does not alias std::string_view).
inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The bytes `text` encodes in base64url (RFC 4648 §5) without padding, or nullopt. Only the
// canonical encoding is accepted (re-encoding the bytes gives `text` back), so every value has
// one spelling and a flipped trailing bit cannot pass unnoticed.
std::optional<std::string> DecodeBase64Url(std::string_view text);

// `text` parsed as JSON if it is a JSON object, else nullopt. Never throws.
std::optional<nlohmann::json> ParseJsonObject(std::string_view text);

// `value` in double quotes for an error message: non-printable bytes escaped, cut at
// `max_chars` with "..." so an outside value cannot flood a log line.
std::string QuoteForMessage(std::string_view value, size_t max_chars = 64);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_JOSE_TEXT_H_
