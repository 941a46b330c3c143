#include "webhook_testing/captured_events.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sealtrail::testing {

CapturedEvents::CapturedEvents()
    : log_([this](std::string_view line) {
        absl::MutexLock lock(&mu_);
        lines_.emplace_back(line);
      }) {}

std::vector<std::string> CapturedEvents::Lines() const {
  absl::MutexLock lock(&mu_);
  return lines_;
}

std::vector<std::string> CapturedEvents::Named(std::string_view event) const {
  const std::string field =
      absl::StrCat("\"event\":\"", absl::string_view(event.data(), event.size()), "\"");
  std::vector<std::string> named;
  for (const std::string& line : Lines()) {
    if (absl::StrContains(line, field)) named.push_back(line);
  }
  return named;
}

}  // namespace sealtrail::testing
