#include "server/record/hex_id.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace sealtrail {

std::optional<std::string> BytesFromHex(std::string_view hex) {
  const bool is_hex = hex.size() % 2 == 0 && std::all_of(hex.begin(), hex.end(), [](char c) {
                        return absl::ascii_isxdigit(static_cast<unsigned char>(c));
                      });
  if (!is_hex) return std::nullopt;
  return absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
}

std::optional<std::string> HexIdBytes(std::string_view hex, size_t size) {
  if (hex.size() != 2 * size) return std::nullopt;
  return BytesFromHex(hex);
}

}  // namespace sealtrail
