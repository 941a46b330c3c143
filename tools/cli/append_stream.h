// `sealtrail append`: audit records to sealtraild, one per line of input (JSON lines) or one
// from record flags. Input is streamed: records are sent over one AuditLog.AppendStream while
// more lines are still being read, and each acknowledgement is printed as it comes.
//
//   batching      a request is sent when it holds kAppendRequestRecords records or
//                 kAppendRequestBytes bytes, at the end of the input, or (reading a file
//                 descriptor) kAppendFlushDelay after its first line was read if no more lines
//                 came (`tail -f app.log | sealtrail append` acknowledges each event within
//                 about that delay).
//   memory        at most kAppendWindowRequests requests are unanswered; while the window is
//                 full no more input is read (back-pressure reaches the writer of stdin), so at
//                 most (kAppendWindowRequests + 1) requests of records are held, whatever the
//                 input's length.
//   output        {"seq":I,"leaf_hash":"...","tree_size":N} per record, in input order, once
//                 the server made it durable; flushed after each reply.
//   a bad line    (empty, longer than kMaxJsonLineBytes, not a record, or not a valid one)
//                 stops the run there: the lines before it are sent and their acknowledgements
//                 awaited and printed, nothing from the bad line on is sent, and the error
//                 (INVALID_ARGUMENT, exit 2) names the line and says that lines 1 to N-1 are
//                 appended, so `tail -n +N` resumes after a fix. Messages never hold a token.
//   failures      if the stream fails, the error keeps the server's code and says which lines
//                 are appended (each printed); nothing after them is acknowledged.
//   exit          OK only if the input ended and every record was acknowledged.
#ifndef SEALTRAIL_TOOLS_CLI_APPEND_STREAM_H_
#define SEALTRAIL_TOOLS_CLI_APPEND_STREAM_H_

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/record_flags.h"
#include "cli/server_channel.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::cli {

// Most records, and bytes of records and tokens, in one AppendRequest (a single larger record
// goes alone); requests unanswered at once; and how long a partial request waits for more lines.
inline constexpr size_t kAppendRequestRecords = 256;
inline constexpr size_t kAppendRequestBytes = 1 << 20;
inline constexpr size_t kAppendWindowRequests = 8;
inline constexpr absl::Duration kAppendFlushDelay = absl::Milliseconds(100);
// Longest JSON line `append` reads.
inline constexpr size_t kMaxJsonLineBytes = 1 << 20;

// One input line: its record and the end user's JWT that vouches for its actor ("" for none).
struct AppendLine {
  v1::AuditRecord record{};
  std::string actor_token{};
};

// A line as a record: either a record in protobuf's JSON mapping (RecordFromJson), or
// {"record": RECORD, "actor_token": "JWT"} (the only two keys; actor_token optional), checked
// with ValidateRecord. INVALID_ARGUMENT saying why for a line that is empty or is not a valid
// record (the message never holds the token).
absl::StatusOr<AppendLine> ParseAppendLine(const std::string& line);

// All lines of `in` (a whole input, read first): the records, and the tokens: `actor_tokens` is
// empty when no record has one, else holds one per record, "" for a record without one.
struct AppendInput {
  std::vector<v1::AuditRecord> records{};
  std::vector<std::string> actor_tokens{};
};
// INVALID_ARGUMENT "nothing appended: line N of the input: ..." for the first bad line (too long
// included); UNKNOWN if reading fails.
absl::StatusOr<AppendInput> ReadJsonRecords(std::istream& in);

// `append` from stdin or another file descriptor (not closed), as above.
absl::Status RunServerAppendFromFd(ServerClient& client, int fd, std::ostream& out);

// `append` from an istream, as above, except that getline cannot wait: a partial request is
// sent only at the end of the input.
absl::Status RunServerAppend(ServerClient& client, std::istream& in, std::ostream& out);

// `append --tenant ... --action ... [--actor-token JWT]`: the one record the flags describe
// (RecordFromFlags, ValidateRecord), sent with the unary Append together with `actor_token` (the
// end user's JWT; empty: none); prints its line as above.
absl::Status RunServerAppendRecord(ServerClient& client, const RecordFlags& flags,
                                   std::ostream& out, const std::string& actor_token = "");

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_APPEND_STREAM_H_
