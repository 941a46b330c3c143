#include "cli/flags.h"

#include <cstdint>
#include <limits>

namespace sealtrail::cli {

std::string CheckDecimalUint64(const std::string& text) {
  const std::string problem =
      "expected a decimal integer from 0 to 18446744073709551615 with no sign or leading zeros, "
      "got '" +
      text + "'";
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return problem;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return problem;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return problem;
    value = value * 10 + digit;
  }
  return "";
}

CLI::Validator DecimalUint64() {
  return CLI::Validator(CheckDecimalUint64, /*validator_desc=*/"", "decimal");
}

}  // namespace sealtrail::cli
