// CapturedEvents: an EventLog (server/service/event_log.h) whose lines are kept for the test to
// read, instead of going to stderr.
//
// Thread-safety: the EventLog may be used from any thread; so may the readers.
#ifndef SEALTRAIL_TESTS_WEBHOOK_TESTING_CAPTURED_EVENTS_H_
#define SEALTRAIL_TESTS_WEBHOOK_TESTING_CAPTURED_EVENTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/service/event_log.h"

namespace sealtrail::testing {

class CapturedEvents {
 public:
  CapturedEvents();

  EventLog* log() { return &log_; }
  std::vector<std::string> Lines() const;
  // Lines whose "event" is `event`.
  std::vector<std::string> Named(std::string_view event) const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  EventLog log_;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_WEBHOOK_TESTING_CAPTURED_EVENTS_H_
