// Tests of `sealtrail query` against a real AuditServer in-process: every filter against a
// brute-force scan of what was appended, the json, table and csv shapes, proofs, limits across
// pages, and --follow.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/evidence.h"
#include "cli/query_output.h"
#include "cli/server_commands.h"
#include "cli/time_flags.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/audit.h"
#include "sealtrail/hash.h"
#include "sealtrail/note.h"
#include "server/record/record.h"
#include "server_cli_fixture.h"
#include "testing/json_lines.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::IsOk;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::Keys;
using ::sealtrail::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

// 2026-11-23T10:00:00Z: what `now` and relative times are counted from in these tests.
const absl::Time kNow = absl::FromUnixSeconds(1795428000);

TEST(QueryTimeTest, TakesRfc3339OrNanoseconds) {
  EXPECT_THAT(ParseTimeFlag("2026-11-23T10:00:00Z", "--from", kNow),
              IsOkAndHolds(1795428000000000000));
  EXPECT_THAT(ParseTimeFlag("2026-11-23T11:00:00.5+01:00", "--from", kNow),
              IsOkAndHolds(1795428000500000000));
  EXPECT_THAT(ParseTimeFlag("1795428000000000001", "--to", kNow),
              IsOkAndHolds(1795428000000000001));
  EXPECT_THAT(ParseTimeFlag("yesterday", "--from", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--from 'yesterday'")));
  EXPECT_THAT(ParseTimeFlag("-5", "--from", kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTimeFlag("99999999999999999999", "--to", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTimeFlag("1969-12-31T23:59:59Z", "--from", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FormatCommitTime(1795428000000000001), "2026-11-23T10:00:00.000000001Z");
}

TEST(QueryTimeTest, TakesDurationsBeforeNowDatesAndNow) {
  const int64_t now_ns = absl::ToUnixNanos(kNow);
  const int64_t hour_ns = int64_t{3600} * 1000000000;
  EXPECT_THAT(ParseTimeFlag("now", "--to", kNow), IsOkAndHolds(now_ns));
  EXPECT_THAT(ParseTimeFlag("1h", "--from", kNow), IsOkAndHolds(now_ns - hour_ns));
  EXPECT_THAT(ParseTimeFlag("30m", "--from", kNow), IsOkAndHolds(now_ns - hour_ns / 2));
  EXPECT_THAT(ParseTimeFlag("90s", "--from", kNow), IsOkAndHolds(now_ns - 90 * 1000000000LL));
  EXPECT_THAT(ParseTimeFlag("7d", "--from", kNow), IsOkAndHolds(now_ns - 7 * 24 * hour_ns));
  EXPECT_THAT(ParseTimeFlag("1d12h", "--from", kNow), IsOkAndHolds(now_ns - 36 * hour_ns));
  EXPECT_THAT(ParseTimeFlag("1h30m", "--from", kNow), IsOkAndHolds(now_ns - 3 * hour_ns / 2));
  // A date is midnight UTC of that day.
  EXPECT_THAT(ParseTimeFlag("2026-03-01", "--from", kNow), IsOkAndHolds(1772323200000000000));
  EXPECT_THAT(ParseTimeFlag("1970-01-01", "--from", kNow), IsOkAndHolds(0));
  for (const char* bad : {"", "h", "1x", "-1h", "+1h", "1.5d", "1h2d", "1 h", "2026-13-01",
                          "2026-02-30", "26-03-01", "2026-3-1", "Now", "inf", "99999999d"}) {
    EXPECT_THAT(
        ParseTimeFlag(bad, "--from", kNow),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(absl::StrCat("--from '", bad, "'"))))
        << bad;
  }
  // Before 1970 is refused, not wrapped.
  EXPECT_THAT(ParseTimeFlag("30000d", "--from", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from 1970 to 2262")));
  EXPECT_THAT(ParseDurationFlag("2m", "--follow-for"), IsOkAndHolds(absl::Minutes(2)));
  EXPECT_THAT(ParseDurationFlag("soon", "--follow-for"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--follow-for 'soon'")));
}

// A bundle's manifest holds absolute times only: what it says must not depend on when it is read.
TEST(QueryTimeTest, TimestampsInFilesAreAbsoluteOnly) {
  EXPECT_THAT(ParseTimestamp("2026-11-23T10:00:00Z", "field \"from\""),
              IsOkAndHolds(1795428000000000000));
  for (const char* relative : {"now", "1h", "2026-11-23"}) {
    EXPECT_THAT(ParseTimestamp(relative, "field \"from\""),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("field \"from\"")))
        << relative;
  }
}

TEST(QueryTimeTest, RangeThatHoldsNoTimeIsRefusedNamingBothEnds) {
  for (const auto& [from, to, relation] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"1h", "2h", "after"},
           {"2026-11-24", "2026-11-23T12:00:00Z", "after"},
           {"now", "now", "the same time as"},
           {"2026-11-23", "2026-11-23T00:00:00Z", "the same time as"},
       }) {
    const absl::StatusOr<v1::QueryRequest> request =
        QueryRequestFromArgs({.tenant = "acme", .from = from, .to = to, .now = kNow});
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr(absl::StrCat("--from '", from, "' ("))))
        << from << " " << to;
    EXPECT_THAT(request.status().message(), HasSubstr(absl::StrCat("--to '", to, "' (")));
    EXPECT_THAT(request.status().message(), HasSubstr(relation));
  }
  EXPECT_THAT(QueryRequestFromArgs({.tenant = "acme", .from = "2h", .to = "1h", .now = kNow}),
              IsOk());
  // One instant for both flags: an hour ago to now is exactly an hour.
  ASSERT_OK_AND_ASSIGN(
      v1::QueryRequest hour,
      QueryRequestFromArgs({.tenant = "acme", .from = "1h", .to = "now", .now = kNow}));
  EXPECT_EQ(hour.to_ns() - hour.from_ns(), int64_t{3600} * 1000000000);
  EXPECT_EQ(hour.to_ns(), absl::ToUnixNanos(kNow));
}

TEST_F(ServerCliTest, QueryFiltersMatchABruteForceScan) {
  // Two appends a few milliseconds apart, so that a time between them splits the records.
  const std::vector<v1::AuditRecord> records = MixedRecords();
  const size_t half = records.size() / 2;
  ASSERT_EQ(Append({records.begin(), records.begin() + half}).size(), half);
  absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(Append({records.begin() + half, records.end()}).size(), records.size() - half);
  // Every stored record with its commit time: all of acme's and globex's.
  std::vector<JsonLine> all = QueryJson({.tenant = "acme", .limit = 1000, .oldest_first = true});
  std::vector<JsonLine> globex =
      QueryJson({.tenant = "globex", .limit = 1000, .oldest_first = true});
  all.insert(all.end(), globex.begin(), globex.end());
  ASSERT_EQ(all.size(), records.size());
  int64_t middle_ns = 0;  // The commit time of the first record of the second append.
  for (const JsonLine& line : all) {
    if (line["seq"] == half) middle_ns = RecordOf(line).context().commit_time_ns();
  }

  struct Case {
    QueryArgs args;
    std::function<bool(const v1::AuditRecord&, int64_t)> matches;
  };
  const std::vector<Case> cases = {
      {{.tenant = "acme"}, [](auto& r, int64_t) { return r.context().tenant_id() == "acme"; }},
      {{.tenant = "acme", .actor = "bob"},
       [](auto& r, int64_t) {
         return r.context().tenant_id() == "acme" && r.actor().user_id() == "bob";
       }},
      {{.tenant = "acme", .action = "auth.login"},
       [](auto& r, int64_t) {
         return r.context().tenant_id() == "acme" && r.action().name() == "auth.login";
       }},
      {{.tenant = "acme", .outcome = "DENIED"},
       [](auto& r, int64_t) {
         return r.context().tenant_id() == "acme" && r.outcome().result() == v1::Outcome::DENIED;
       }},
      {{.tenant = "acme", .trace_id = kTraceHex},
       [](auto& r, int64_t) {
         return r.context().tenant_id() == "acme" && !r.correlation().trace_id().empty();
       }},
      {{.tenant = "acme", .from = absl::StrCat(middle_ns)},
       [middle_ns](auto& r, int64_t t) {
         return r.context().tenant_id() == "acme" && t >= middle_ns;
       }},
      {{.tenant = "acme", .to = FormatCommitTime(middle_ns)},
       [middle_ns](auto& r, int64_t t) {
         return r.context().tenant_id() == "acme" && t < middle_ns;
       }},
      {{.tenant = "acme", .actor = "alice", .action = "call.barge", .outcome = "success"},
       [](auto& r, int64_t) {
         return r.context().tenant_id() == "acme" && r.actor().user_id() == "alice" &&
                r.action().name() == "call.barge" && r.outcome().result() == v1::Outcome::SUCCESS;
       }},
  };
  for (const Case& c : cases) {
    std::vector<uint64_t> expected;
    for (const JsonLine& line : all) {
      const v1::AuditRecord record = RecordOf(line);
      if (c.matches(record, record.context().commit_time_ns())) {
        expected.push_back(line["seq"].get<uint64_t>());
      }
    }
    std::sort(expected.rbegin(), expected.rend());  // Newest first, the default.
    ASSERT_FALSE(expected.empty());
    EXPECT_THAT(Seqs(QueryJson(c.args)), ElementsAreArray(expected))
        << "actor=" << c.args.actor << " action=" << c.args.action << " outcome=" << c.args.outcome
        << " from=" << c.args.from << " to=" << c.args.to;
    QueryArgs oldest = c.args;
    oldest.oldest_first = true;
    oldest.limit = 2;
    EXPECT_THAT(Seqs(QueryJson(oldest)),
                ElementsAre(expected[expected.size() - 1], expected[expected.size() - 2]));
  }
}

TEST_F(ServerCliTest, QueryJsonCarriesTheRecordTheStoredBytesAndTheirLeafHash) {
  const std::vector<v1::AuditRecord> records = MixedRecords();
  const std::vector<JsonLine> appended = Append(records);
  const std::vector<JsonLine> lines = QueryJson({.tenant = "globex", .oldest_first = true});
  ASSERT_EQ(lines.size(), 6u);
  for (const JsonLine& line : lines) {
    EXPECT_THAT(Keys(line), ElementsAre("seq", "record", "data", "leaf_hash"));
    const uint64_t seq = line["seq"].get<uint64_t>();
    const std::string data = Base64Decoded(line["data"]);
    EXPECT_EQ(HashLeaf(data), FromBase64(line["leaf_hash"]));
    EXPECT_EQ(line["leaf_hash"], appended[seq]["leaf_hash"]);
    absl::StatusOr<v1::AuditRecord> stored = ParseStoredRecord(data);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(line["record"].is_object());
    EXPECT_EQ(line["record"].dump(), JsonLine::parse(*RecordToJson(*stored)).dump());
    EXPECT_EQ(WithoutCommitTime(*stored).SerializeAsString(),
              testing::AsStored(records[seq]).SerializeAsString());
  }
}

TEST_F(ServerCliTest, QueryWithProofsPrintsProofsThatVerifyAgainstSignedCheckpoints) {
  Append(MixedRecords());
  const std::vector<JsonLine> lines = QueryJson({.tenant = "acme", .with_proofs = true});
  ASSERT_EQ(lines.size(), 18u);
  absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey(vkey());
  ASSERT_TRUE(key.ok()) << key.status();
  for (const JsonLine& line : lines) {
    EXPECT_THAT(Keys(line), ElementsAre("seq", "record", "data", "leaf_hash", "inclusion"));
    EXPECT_THAT(Keys(line["inclusion"]),
                ElementsAre("leaf_index", "tree_size", "leaf_hash", "root", "path"));
    absl::StatusOr<InclusionEvidence> evidence = InclusionEvidenceFromJson(line["inclusion"]);
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    EXPECT_OK(CheckEvidence(*evidence));
    EXPECT_EQ(evidence->proof.leaf_index, line["seq"].get<uint64_t>());
    EXPECT_EQ(evidence->leaf_hash, HashLeaf(Base64Decoded(line["data"])));
    std::ostringstream note;
    ASSERT_OK(RunServerCheckpoint(client(), evidence->proof.tree_size, note));
    EXPECT_OK(VerifyInclusionInCheckpoint(note.str(), *key, evidence->leaf_hash, evidence->proof));
  }
}

TEST_F(ServerCliTest, QueryTableAlignsColumns) {
  v1::AuditRecord traced = MakeRecord("acme", "alice", "call.barge");
  traced.mutable_correlation()->set_trace_id(absl::HexStringToBytes(kTraceHex));
  Append(
      {traced, MakeRecord("acme", "a-much-longer-actor-name", "auth.login", v1::Outcome::DENIED)});
  std::ostringstream out;
  ASSERT_OK(RunQuery(client(), {.tenant = "acme", .oldest_first = true}, out));
  EXPECT_THAT(out.str(), HasSubstr(kTraceHex));  // Trace ids in W3C hex.
  std::vector<std::string> lines = absl::StrSplit(out.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<std::string> columns = {"seq",    "time",    "tenant", "actor",
                                            "action", "outcome", "route",  "trace_id"};
  std::vector<size_t> starts;
  for (const std::string& column : columns) starts.push_back(lines[0].find(column));
  EXPECT_TRUE(std::is_sorted(starts.begin(), starts.end()));
  const std::vector<JsonLine> stored = QueryJson({.tenant = "acme", .oldest_first = true});
  for (size_t row = 0; row < 2; ++row) {
    const v1::AuditRecord record = RecordOf(stored[row]);
    const std::vector<std::string> cells = {
        absl::StrCat(row),
        FormatCommitTime(record.context().commit_time_ns()),
        "acme",
        record.actor().user_id(),
        record.action().name(),
        v1::Outcome::Result_Name(record.outcome().result()),
        record.action().route(),
        absl::BytesToHexString(record.correlation().trace_id())};
    std::string line = lines[row + 1];  // An empty last column leaves no padding.
    line.resize(std::max(line.size(), starts.back()), ' ');
    for (size_t c = 0; c < cells.size(); ++c) {
      EXPECT_EQ(line.substr(starts[c], cells[c].size()), cells[c]) << line;
    }
    EXPECT_THAT(cells[1],
                MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z"));
  }
}

TEST_F(ServerCliTest, QueryCsvQuotesAsRfc4180Says) {
  v1::AuditRecord record = MakeRecord("acme", "alice", "call.barge");
  record.mutable_action()->set_route(R"(/v2/calls/barge,"now")");
  Append({record, MakeRecord("acme", "bob", "auth.login")});
  std::ostringstream out;
  ASSERT_OK(RunQuery(client(), {.tenant = "acme", .oldest_first = true, .format = "csv"}, out));
  std::vector<std::string> lines = absl::StrSplit(out.str(), "\r\n");
  ASSERT_EQ(lines.size(), 4u);  // Header, two records, and "" after the last CRLF.
  EXPECT_EQ(lines[0], "seq,time,tenant,actor,action,outcome,route,trace_id");
  EXPECT_THAT(
      lines[1],
      MatchesRegex(R"(0,[-0-9T:.]+Z,acme,alice,call.barge,SUCCESS,"/v2/calls/barge,""now""",)"));
  EXPECT_THAT(lines[2],
              MatchesRegex(R"(1,[-0-9T:.]+Z,acme,bob,auth.login,SUCCESS,/v2/calls/barge,)"));
  EXPECT_EQ(lines[3], "");
}

TEST_F(ServerCliTest, QueryArgumentsAreCheckedBeforeAsking) {
  std::ostringstream out;
  EXPECT_THAT(RunQuery(client(), {.tenant = "acme", .format = "xml"}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--format")));
  EXPECT_THAT(RunQuery(client(), {.tenant = "acme", .limit = 0}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--limit")));
  EXPECT_THAT(RunQuery(client(), {.tenant = "acme", .trace_id = "abc"}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--trace-id")));
  EXPECT_THAT(RunQuery(client(), {.tenant = "acme", .follow = true, .follow_for = "soon"}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--follow-for")));
  // The server's own checks come back with its message.
  EXPECT_THAT(RunQuery(client(), {.tenant = ""}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tenant_id is required")));
  EXPECT_THAT(out.str(), IsEmpty());
}

TEST_F(ServerCliTest, QueryAllTenantsSearchesEveryTenantInSequenceOrder) {
  Append({MakeRecord("acme", "alice", "call.barge"), MakeRecord("globex", "bob", "call.barge"),
          MakeRecord("acme", "carol", "data.export")});
  const std::vector<JsonLine> all = QueryJson({.all_tenants = true, .oldest_first = true});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["record"]["context"]["tenantId"], "acme");
  EXPECT_EQ(all[1]["record"]["context"]["tenantId"], "globex");
  EXPECT_EQ(all[2]["record"]["context"]["tenantId"], "acme");
  std::ostringstream out;
  EXPECT_THAT(RunQuery(client(), {.tenant = "acme", .all_tenants = true}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exclude each other")));
}

TEST_F(ServerCliTest, QueryLimitCountsAcrossPages) {
  std::vector<v1::AuditRecord> records;
  for (uint32_t i = 0; i < kQueryPageRecords + 5; ++i) {
    records.push_back(MakeRecord("acme", "alice", "call.barge"));
  }
  Append(records);
  EXPECT_EQ(QueryJson({.tenant = "acme", .limit = kQueryPageRecords + 3}).size(),
            kQueryPageRecords + 3);
  const std::vector<JsonLine> all = QueryJson({.tenant = "acme", .limit = 5000});
  ASSERT_EQ(all.size(), records.size());
  EXPECT_EQ(all.front()["seq"], records.size() - 1);
  EXPECT_EQ(all.back()["seq"], 0);
}

TEST_F(ServerCliTest, FollowPrintsTheNewestMatchesThenNewOnes) {
  Append({MakeRecord("acme", "alice", "call.barge"), MakeRecord("acme", "bob", "call.barge"),
          MakeRecord("acme", "carol", "call.barge"), MakeRecord("globex", "dan", "call.barge")});
  std::ostringstream out;
  absl::Status followed;
  std::thread follower([&] {
    followed = RunQuery(client(),
                        {.tenant = "acme",
                         .limit = 2,
                         .format = "json",
                         .follow = true,
                         .follow_for = "4s",
                         .poll_interval = absl::Milliseconds(50)},
                        out);
  });
  absl::SleepFor(absl::Milliseconds(300));
  Append({MakeRecord("acme", "erin", "call.barge"), MakeRecord("globex", "fay", "call.barge")});
  absl::SleepFor(absl::Milliseconds(300));
  Append({MakeRecord("acme", "gus", "call.barge")});
  follower.join();
  ASSERT_OK(followed);
  // The newest two, oldest first, then the two acme records appended while following.
  EXPECT_THAT(Seqs(JsonLines(out.str())), ElementsAre(1, 2, 4, 6));
}

}  // namespace
}  // namespace sealtrail::cli
