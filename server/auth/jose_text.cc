#include "server/auth/jose_text.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sealtrail {

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  const absl::string_view encoded = Absl(text);
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(encoded, &bytes)) return std::nullopt;
  if (absl::WebSafeBase64Escape(bytes) != encoded) return std::nullopt;
  return bytes;
}

std::optional<nlohmann::json> ParseJsonObject(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), /*cb=*/nullptr,
                                               /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

std::string QuoteForMessage(std::string_view value, size_t max_chars) {
  const bool cut = value.size() > max_chars;
  if (cut) value = value.substr(0, max_chars);
  return absl::StrCat("\"", absl::CHexEscape(Absl(value)), cut ? "..." : "", "\"");
}

}  // namespace sealtrail
