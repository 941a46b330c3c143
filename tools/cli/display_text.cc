#include "cli/display_text.h"

#include <cstdint>
#include <optional>

#include "absl/strings/str_format.h"

namespace sealtrail::cli {
namespace {

// A code point decoded from valid UTF-8 (RFC 3629: shortest form, no surrogates, at most
// U+10FFFF), and its length in bytes.
struct Decoded {
  uint32_t code_point = 0;
  size_t length = 0;
};

std::optional<Decoded> DecodeUtf8(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  uint32_t code_point = 0;
  uint32_t min = 0;
  if (lead < 0x80) return Decoded{lead, 1};
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (at + length > text.size()) return std::nullopt;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return std::nullopt;
  }
  return Decoded{code_point, length};
}

// C1 controls, line and paragraph separators, Unicode 15's format characters (category Cf) and
// the Hangul fillers, which render as nothing.
bool IsInvisibleOrControl(uint32_t c) {
  struct Range {
    uint32_t first, last;
  };
  static constexpr Range kRanges[] = {
      {0x0080, 0x009F},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
      {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
      {0x115F, 0x1160},   {0x180E, 0x180E},   {0x200B, 0x200F},   {0x2028, 0x202E},
      {0x2060, 0x2064},   {0x2066, 0x206F},   {0x3164, 0x3164},   {0xFEFF, 0xFEFF},
      {0xFFA0, 0xFFA0},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
      {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE007F},
  };
  for (const Range& range : kRanges) {
    if (c >= range.first && c <= range.last) return true;
  }
  return false;
}

std::string Escaped(std::string_view text, bool keep_newlines, bool escape_backslash) {
  std::string shown;
  shown.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const std::optional<Decoded> decoded = DecodeUtf8(text, at);
    if (!decoded.has_value()) {  // Not UTF-8: this byte alone, escaped.
      absl::StrAppendFormat(&shown, "\\x%02X", static_cast<unsigned char>(text[at]));
      ++at;
      continue;
    }
    const uint32_t c = decoded->code_point;
    if (c == '\n' && keep_newlines) {
      shown += '\n';
    } else if (c == '\t') {
      shown += "\\t";
    } else if (c == '\n') {
      shown += "\\n";
    } else if (c == '\r') {
      shown += "\\r";
    } else if (c == '\\' && escape_backslash) {
      shown += "\\\\";
    } else if (c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(&shown, "\\x%02X", c);
    } else if (IsInvisibleOrControl(c)) {
      absl::StrAppendFormat(&shown, "\\u{%04X}", c);
    } else {
      shown.append(text.substr(at, decoded->length));
    }
    at += decoded->length;
  }
  return shown;
}

}  // namespace

std::string DisplayText(std::string_view value) {
  return Escaped(value, /*keep_newlines=*/false, /*escape_backslash=*/true);
}

std::string DisplayMessage(std::string_view message) {
  return Escaped(message, /*keep_newlines=*/true, /*escape_backslash=*/false);
}

std::string CsvField(std::string_view value) {
  std::string field = DisplayText(value);
  if (!field.empty() && (field[0] == '=' || field[0] == '+' || field[0] == '-' || field[0] == '@' ||
                         field[0] == '\t' || field[0] == '\r')) {
    field.insert(0, 1, '\'');
  }
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvLine(const std::vector<std::string>& values) {
  std::string line;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(values[i]);
  }
  line += "\r\n";
  return line;
}

}  // namespace sealtrail::cli
