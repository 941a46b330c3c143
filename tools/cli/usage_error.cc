#include "cli/usage_error.h"

#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/display_text.h"

namespace sealtrail::cli {
namespace {

constexpr size_t kMaxShownArgumentChars = 24;

// An argument that may be shown: a short word that is not a JWT's start ("eyJ" is base64 of
// '{"').
bool MayShow(absl::string_view argument) {
  if (argument.size() > kMaxShownArgumentChars || absl::StartsWith(argument, "eyJ")) return false;
  for (char c : argument) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '=' || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

std::string UsageErrorText(const CLI::ParseError& error, const std::string& program) {
  std::string message = error.what();
  // CLI11's ExtrasError is "The following argument[s] (was|were) not expected: A B ...".
  const size_t colon = message.find(": ");
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr && colon != std::string::npos) {
    std::vector<std::string> shown;
    for (absl::string_view argument :
         absl::StrSplit(absl::string_view(message).substr(colon + 2), ' ', absl::SkipEmpty())) {
      shown.push_back(MayShow(argument) ? std::string(argument)
                                        : absl::StrCat("(an argument of ", argument.size(),
                                                       " characters, not shown)"));
    }
    message = absl::StrCat(message.substr(0, colon + 2), absl::StrJoin(shown, " "));
  }
  return absl::StrCat(program, ": ", DisplayMessage(message),
                      "\nRun with --help for more information.\n");
}

}  // namespace sealtrail::cli
