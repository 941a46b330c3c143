// The shared part of the tests of the CLI's server commands (server_cli_test.cc,
// server_cli_query_test.cc): a real AuditServer in-process on 127.0.0.1 port 0 for each test,
// a CLI client for it, and helpers that read the CLI's JSON output back.
#ifndef SEALTRAIL_TESTS_SERVER_CLI_FIXTURE_H_
#define SEALTRAIL_TESTS_SERVER_CLI_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "server/record/record.h"
#include "server_testing/test_server.h"
#include "testing/json_lines.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {

using ::sealtrail::testing::JsonLine;
using ::sealtrail::testing::JsonLines;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TestServer;

inline constexpr char kTraceHex[] = "4bf92f3577b34da6a3ce929d0e0e4736";
inline constexpr char kSpanHex[] = "00f067aa0ba902b7";

inline std::string JsonLinesOf(const std::vector<v1::AuditRecord>& records) {
  std::string text;
  for (const v1::AuditRecord& record : records) {
    absl::StatusOr<std::string> json = RecordToJson(record);
    EXPECT_TRUE(json.ok()) << json.status();
    absl::StrAppend(&text, json.value_or(""), "\n");
  }
  return text;
}

inline Hash FromBase64(const JsonLine& text) {
  absl::StatusOr<Hash> hash = HashFromBase64(text.get<std::string>());
  EXPECT_TRUE(hash.ok()) << hash.status();
  return hash.value_or(Hash{});
}

inline std::string Base64Decoded(const JsonLine& text) {
  std::string bytes;
  EXPECT_TRUE(absl::Base64Unescape(text.get<std::string>(), &bytes));
  return bytes;
}

// The record a query line's "record" object holds, parsed back with the record model.
inline v1::AuditRecord RecordOf(const JsonLine& line) {
  absl::StatusOr<v1::AuditRecord> record = RecordFromJson(line["record"].dump());
  EXPECT_TRUE(record.ok()) << record.status();
  return record.value_or(v1::AuditRecord());
}

// The record as appended: what the server stored, less the commit time and the completeness
// links it assigned.
inline v1::AuditRecord WithoutCommitTime(v1::AuditRecord record) {
  record.mutable_context()->set_commit_time_ns(0);
  record.clear_links();
  return record;
}

inline std::vector<uint64_t> Seqs(const std::vector<JsonLine>& lines) {
  std::vector<uint64_t> seqs;
  for (const JsonLine& line : lines) seqs.push_back(line["seq"].get<uint64_t>());
  return seqs;
}

// A connection to `server` that presents its dev token (every role, every tenant).
inline ServerConnection ConnectionTo(const TestServer& server) {
  ServerConnection connection{server.address()};
  connection.credentials.bearer_token = server.dev_token();
  return connection;
}

class ServerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    absl::StatusOr<std::unique_ptr<TestServer>> server =
        TestServer::Start(scratch_.Sub("data"), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_.emplace(ConnectionTo(*server_));
  }

  ServerClient& client() { return *client_; }
  const std::string& vkey() { return server_->server().verifier_key(); }

  // Appends `records` through `append` (JSON lines) and returns the printed lines.
  std::vector<JsonLine> Append(const std::vector<v1::AuditRecord>& records) {
    std::istringstream in(JsonLinesOf(records));
    std::ostringstream out;
    EXPECT_OK(RunServerAppend(client(), in, out));
    return JsonLines(out.str());
  }

  std::vector<JsonLine> QueryJson(QueryArgs args) {
    args.format = "json";
    std::ostringstream out;
    EXPECT_OK(RunQuery(client(), args, out));
    return JsonLines(out.str());
  }

  // Waits (bounded) until the latest checkpoint covers `size` records, and returns its note.
  std::string AwaitCheckpoint(uint64_t size) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      absl::StatusOr<v1::Checkpoint> latest = client().GetCheckpoint(0);
      if (latest.ok() && latest->tree_size() >= size) return latest->signed_note();
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "no checkpoint of size " << size << " within 30s";
    return "";
  }

  ScratchDir scratch_{"server_cli"};
  std::unique_ptr<TestServer> server_;
  std::optional<ServerClient> client_;
};

// Records for the filter tests: tenants, actors, actions, outcomes and trace ids mixed.
inline std::vector<v1::AuditRecord> MixedRecords() {
  std::vector<v1::AuditRecord> records;
  const std::vector<std::string> actors = {"alice", "bob", "carol"};
  const std::vector<std::string> actions = {"call.barge", "auth.login"};
  const std::vector<v1::Outcome::Result> outcomes = {v1::Outcome::SUCCESS, v1::Outcome::DENIED,
                                                     v1::Outcome::FAILURE};
  for (int i = 0; i < 24; ++i) {
    v1::AuditRecord record = MakeRecord(i % 4 == 3 ? "globex" : "acme", actors[i % 3],
                                        actions[i % 2], outcomes[i % 5 % 3]);
    if (i % 4 == 1) {
      record.mutable_correlation()->set_trace_id(absl::HexStringToBytes(kTraceHex));
    }
    records.push_back(record);
  }
  return records;
}

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TESTS_SERVER_CLI_FIXTURE_H_
