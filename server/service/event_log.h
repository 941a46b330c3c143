// EventLog: sealtraild's structured operational log. One JSON object per line, to stderr by
// default:
//   {"ts":"2026-11-23T14:05:01.123456Z","level":"info","event":"listening","address":"127.0.0.1:7700"}
// "ts", "level" and "event" come first in every line; the other fields are the event's own,
// strings or integers. Lines are written whole (one write per line), so concurrent events never
// interleave.
//
// Thread-safety: Emit may be called from any thread.
#ifndef SEALTRAIL_SERVER_SERVICE_EVENT_LOG_H_
#define SEALTRAIL_SERVER_SERVICE_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sealtrail {

enum class EventLevel { kInfo, kWarning, kError };

// One field of an event: a name and a string or integer value.
struct EventField {
  EventField(std::string_view name_in, std::string_view value_in)
      : name(name_in), value(std::string(value_in)) {}
  EventField(std::string_view name_in, const char* value_in)
      : name(name_in), value(std::string(value_in)) {}
  EventField(std::string_view name_in, const std::string& value_in)
      : name(name_in), value(value_in) {}
  template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int>>>
  EventField(std::string_view name_in, Int value_in)
      : name(name_in), value(static_cast<int64_t>(value_in)) {}

  std::string_view name;
  std::variant<std::string, int64_t> value;
};

class EventLog {
 public:
  // A sink receives each complete line, newline included.
  using Sink = std::function<void(std::string_view line)>;

  // Writes to stderr.
  EventLog();
  explicit EventLog(Sink sink);

  void Emit(EventLevel level, std::string_view event, std::initializer_list<EventField> fields);
  void Info(std::string_view event, std::initializer_list<EventField> fields = {}) {
    Emit(EventLevel::kInfo, event, fields);
  }
  void Warning(std::string_view event, std::initializer_list<EventField> fields = {}) {
    Emit(EventLevel::kWarning, event, fields);
  }
  void Error(std::string_view event, std::initializer_list<EventField> fields = {}) {
    Emit(EventLevel::kError, event, fields);
  }

 private:
  Sink sink_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_EVENT_LOG_H_
