// `sealtrail local demo`: the whole story end to end, until a server exists. Appends a few
// hundred sample contact-center audit events (who did what, when, from where, with what
// outcome), then shows what makes them tamper-evident: the root, an inclusion proof for one event,
// a consistency proof between two sizes, both checked with the standalone verifier exactly as a
// client would check the printed JSON, a tampered copy of the event failing its proof, and a full
// VerifyDataDir of the directory.
#ifndef SEALTRAIL_TOOLS_CLI_DEMO_H_
#define SEALTRAIL_TOOLS_CLI_DEMO_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sealtrail::cli {

struct DemoOptions {
  int events = 300;
  uint64_t seed = 1;
  int64_t start_unix_nanos = 0;  // Timestamp of the first event.
};

// `options.events` sample events, each a compact JSON object such as
// {"ts_ns":...,"tenant_id":"tenant-2","actor":"supervisor-3","role":"supervisor",
//  "action":"call.barge","route":"POST /v2/calls/barge","target":"call-004211",
//  "source_ip":"10.20.3.41","outcome":"success"}.
// Deterministic in `options`; at least one event is a call.barge.
std::vector<std::string> MakeDemoEvents(const DemoOptions& options);

// Runs the demo on `dir` (created if missing; an existing log is appended to), printing one JSON
// line per step, each with a "step" field: append, root, prove_inclusion, verify_inclusion,
// tamper_check, prove_consistency, verify_consistency, verify_data_dir. Returns the first
// failure (DATA_LOSS if a proof or the directory does not verify).
absl::Status RunDemo(const std::string& dir, const DemoOptions& options, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_DEMO_H_
