#include "server/record/json_text.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sealtrail {

std::string JsonErrorWithoutInput(const nlohmann::json::exception& error) {
  // parse_error's what() is "[json.exception.parse_error.101] parse error at line L, column C:
  // syntax error while parsing <context> - <problem>[; last read: '<input>'][; expected <token>]"
  // where everything but <input> is the parser's own text. Anything after "; last read: '" may
  // be input, so it is cut there.
  if (error.id == 101) {
    std::string_view what = error.what();
    const size_t prefix_end = what.find("] ");
    if (prefix_end != std::string_view::npos) what.remove_prefix(prefix_end + 2);
    const size_t input = what.find("; last read: '");
    if (input != std::string_view::npos) what = what.substr(0, input);
    constexpr std::string_view kParseError = "parse error ";
    if (what.substr(0, kParseError.size()) == kParseError) what.remove_prefix(kParseError.size());
    return std::string(what);
  }
  // out_of_range 406 quotes the number that overflowed; type_error 316 (from printing) the byte
  // that is not UTF-8.
  if (error.id == 406) return "a number is too large";
  if (error.id == 316) return "a string is not valid UTF-8";
  return absl::StrCat("JSON error ", error.id);
}

std::string QuoteIfEnumName(std::string_view name) {
  const bool enum_like = !name.empty() && name.size() <= 40 &&
                         absl::ascii_isupper(static_cast<unsigned char>(name[0])) &&
                         std::all_of(name.begin(), name.end(), [](char c) {
                           return absl::ascii_isupper(static_cast<unsigned char>(c)) ||
                                  absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
                         });
  if (enum_like) return absl::StrCat("\"", absl::string_view(name.data(), name.size()), "\"");
  return "(not shown)";
}

}  // namespace sealtrail
