// CommitClock: the server's commit timestamps. Each is the wall clock in nanoseconds, except that
// it never goes below the previous one: if the clock steps back (NTP, a VM migration, an
// operator), commit times stay flat until it catches up. So commit-time order is sequence order,
// which the indexes and every "what happened before what" question rely on.
//
// Thread-safety: not thread-safe; the append pipeline's committer thread owns it.
#ifndef SEALTRAIL_SERVER_SERVICE_COMMIT_CLOCK_H_
#define SEALTRAIL_SERVER_SERVICE_COMMIT_CLOCK_H_

#include <algorithm>
#include <cstdint>

#include "sealtrail/env.h"

namespace sealtrail {

class CommitClock {
 public:
  // `env` is not owned. `floor_ns`: the commit time of the log's last record (0 for an empty
  // log), so that times stay ordered across restarts too.
  CommitClock(Env* env, int64_t floor_ns) : env_(env), last_ns_(floor_ns) {}

  int64_t Next() {
    last_ns_ = std::max(last_ns_, env_->NowNanos());
    return last_ns_;
  }

 private:
  Env* env_;
  int64_t last_ns_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_COMMIT_CLOCK_H_
