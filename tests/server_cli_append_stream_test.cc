// `sealtrail append` streams: the built binary (SEALTRAIL_CLI_PATH) reads stdin through a real
// pipe that the test holds open, against a real AuditServer in-process on 127.0.0.1, and must
// acknowledge records while its input is still open, stop reading stdin while nobody reads its
// acknowledgements (bounded memory), and exit 0 only when every line was acknowledged.
// The library's append (tools/cli/append_stream.h) is tested in server_cli_test.cc.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/append_stream.h"
#include "cli/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server_cli_fixture.h"
#include "testing/file_util.h"
#include "testing/json_lines.h"
#include "testing/piped_process.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::PipedProcess;
using ::testing::HasSubstr;

// Generous bounds on waits that normally take milliseconds, for slow and sanitized builds.
constexpr absl::Duration kAckWait = absl::Seconds(30);

std::string RecordLine(size_t i) {
  return absl::StrCat(R"({"context":{"tenantId":"acme"},"actor":{"userId":"agent-)", i,
                      R"("},"action":{"name":"call.barge"},"outcome":{"result":"SUCCESS"}})", "\n");
}

// The child's resident set size as /proc reports it ("123456 kB"), for the test's record.
std::string VmRss(pid_t pid) {
  const std::string status =
      testing::ReadWholeFile(absl::StrCat("/proc/", pid, "/status")).value_or("");
  const size_t at = status.find("VmRSS:");
  if (at == std::string::npos) return "unknown";
  const size_t end = status.find('\n', at);
  return std::string(absl::StripAsciiWhitespace(status.substr(at + 6, end - at - 6)));
}

class AppendStreamBinaryTest : public ServerCliTest {
 protected:
  std::unique_ptr<PipedProcess> StartAppend() {
    absl::StatusOr<std::unique_ptr<PipedProcess>> process = PipedProcess::Start(
        SEALTRAIL_CLI_PATH,
        {"append", "--server", server_->address(), "--data", scratch_.Sub("data")},
        scratch_.Sub("append.stderr"));
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? *std::move(process) : nullptr;
  }
  std::string Stderr() {
    return testing::ReadWholeFile(scratch_.Sub("append.stderr")).value_or("");
  }
};

// `tail -f app.log | sealtrail append`: each line is acknowledged while stdin stays open.
TEST_F(AppendStreamBinaryTest, EachLineOfAPipeKeptOpenIsAcknowledgedBeforeEof) {
  std::unique_ptr<PipedProcess> append = StartAppend();
  ASSERT_NE(append, nullptr);
  for (size_t i = 0; i < 3; ++i) {
    const std::string line = RecordLine(i);
    ASSERT_EQ(append->Write(line, kAckWait), line.size());
    // The next line is written only after this one's acknowledgement: it cannot wait for EOF.
    const std::optional<std::string> ack = append->ReadLine(kAckWait);
    if (!ack.has_value()) {
      const absl::StatusOr<int> exit_code = append->Wait(absl::Seconds(1));
      FAIL() << "no acknowledgement of line " << i + 1 << " while stdin is open (exit: "
             << (exit_code.ok() ? absl::StrCat(*exit_code) : exit_code.status().ToString())
             << "); stderr: " << Stderr();
    }
    const JsonLine json = JsonLine::parse(*ack);
    EXPECT_EQ(json["seq"], i);
    EXPECT_GE(json["tree_size"].get<uint64_t>(), i + 1);
  }
  append->CloseStdin();
  EXPECT_EQ(append->ReadLine(kAckWait), std::nullopt);  // Nothing more: stdout ends.
  ASSERT_OK_AND_ASSIGN(int exit_code, append->Wait(kAckWait));
  EXPECT_EQ(exit_code, 0) << Stderr();
}

// 200,000 lines: the first acknowledgement comes while almost all of the input is still to be
// written; while nobody reads the acknowledgements, the tool stops reading stdin after a bounded
// number of lines (its window), instead of holding the whole input; then everything is
// acknowledged, in order.
TEST_F(AppendStreamBinaryTest, LargeInputIsAcknowledgedEarlyWithBoundedReading) {
  constexpr size_t kLines = 200000;
  // What may sit between the writer and the unread acknowledgements: the stdin pipe, the
  // tool's read buffer, its unsent batch and unanswered window, and the stdout pipe's worth of
  // acknowledgements (64 KiB pipes, lines of about 150 bytes, acknowledgements of about 110).
  // Far below the input: a tool that read it all would take every line.
  constexpr size_t kMostLinesTakenUnread = 20000;
  std::unique_ptr<PipedProcess> append = StartAppend();
  ASSERT_NE(append, nullptr);
  size_t written = 0;    // Lines written whole.
  size_t generated = 0;  // Lines put in `unwritten`.
  std::string unwritten;
  // Writes up to `count` more lines; false if the tool stopped reading for `timeout`.
  const auto write_lines = [&](size_t count, absl::Duration timeout) {
    for (size_t i = 0; i < count && generated < kLines; ++i) unwritten += RecordLine(generated++);
    const size_t wrote = append->Write(unwritten, timeout);
    written += static_cast<size_t>(std::count(unwritten.begin(), unwritten.begin() + wrote, '\n'));
    unwritten.erase(0, wrote);
    return unwritten.empty();
  };

  // 1. The first acknowledgement arrives with 1,000 lines written and stdin open.
  ASSERT_TRUE(write_lines(1000, kAckWait));
  const std::optional<std::string> first = append->ReadLine(kAckWait);
  ASSERT_TRUE(first.has_value()) << "no acknowledgement before the end of the input; stderr: "
                                 << Stderr();
  EXPECT_EQ(JsonLine::parse(*first)["seq"], 0);
  size_t acks = 1;

  // 2. Nobody reads stdout: the tool must stop taking input.
  bool stalled = false;
  while (written < kLines && !stalled) stalled = !write_lines(500, absl::Seconds(2));
  EXPECT_TRUE(stalled) << "the tool read all " << kLines << " lines while its output was not read";
  EXPECT_LT(written, kMostLinesTakenUnread);
  RecordProperty("lines_taken_unread", static_cast<int>(written));
  RecordProperty("rss_while_stalled", VmRss(append->pid()));

  // 3. Reading its output again lets it go on: every line is acknowledged, in input order.
  std::vector<uint64_t> seqs = {0};
  std::thread reader([&] {
    while (std::optional<std::string> ack = append->ReadLine(kAckWait)) {
      seqs.push_back(JsonLine::parse(*ack)["seq"].get<uint64_t>());
    }
  });
  while (written < kLines) ASSERT_TRUE(write_lines(5000, kAckWait)) << Stderr();
  ASSERT_TRUE(unwritten.empty());
  append->CloseStdin();
  reader.join();
  acks = seqs.size();
  ASSERT_OK_AND_ASSIGN(int exit_code, append->Wait(kAckWait));
  EXPECT_EQ(exit_code, 0) << Stderr();
  ASSERT_EQ(acks, kLines);
  for (size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i);
}

// A bad line stops the run where it is: what came before is acknowledged, the tool says which
// line to resume from, and exits 2 with stdin still open behind it.
TEST_F(AppendStreamBinaryTest, BadLineInAnOpenPipeStopsThereNamingIt) {
  std::unique_ptr<PipedProcess> append = StartAppend();
  ASSERT_NE(append, nullptr);
  const std::string input = RecordLine(0) + RecordLine(1) + "{\"context\":{}}\n" + RecordLine(3);
  ASSERT_EQ(append->Write(input, kAckWait), input.size());
  ASSERT_OK_AND_ASSIGN(int exit_code, append->Wait(kAckWait));  // Without EOF.
  EXPECT_EQ(exit_code, kExitInvalidInput);
  EXPECT_THAT(Stderr(), HasSubstr("line 3 of the input"));
  EXPECT_THAT(Stderr(), HasSubstr("lines 1 to 2 are appended"));
  ASSERT_TRUE(append->ReadLine(kAckWait).has_value());
  ASSERT_TRUE(append->ReadLine(kAckWait).has_value());
  EXPECT_EQ(append->ReadLine(kAckWait), std::nullopt);
  EXPECT_EQ(QueryJson({.tenant = "acme"}).size(), 2u);
}

}  // namespace
}  // namespace sealtrail::cli
