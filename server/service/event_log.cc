#include "server/service/event_log.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sealtrail {
namespace {

// One write(2) per line, so that lines from concurrent threads (and processes sharing stderr)
// never interleave.
void WriteToStderr(std::string_view line) {
  while (!line.empty()) {
    ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Nowhere left to report it.
    line.remove_prefix(static_cast<size_t>(n));
  }
}

const char* LevelName(EventLevel level) {
  switch (level) {
    case EventLevel::kInfo:
      return "info";
    case EventLevel::kWarning:
      return "warning";
    case EventLevel::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace

EventLog::EventLog() : sink_(WriteToStderr) {}
EventLog::EventLog(Sink sink) : sink_(std::move(sink)) {}

void EventLog::Emit(EventLevel level, std::string_view event,
                    std::initializer_list<EventField> fields) {
  nlohmann::ordered_json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["event"] = std::string(event);
  for (const EventField& field : fields) {
    std::string name(field.name);
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      line[name] = *text;
    } else {
      line[name] = std::get<int64_t>(field.value);
    }
  }
  // Replace, never throw, on invalid UTF-8 (a path or peer name from the outside).
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  sink_(text);
}

}  // namespace sealtrail
