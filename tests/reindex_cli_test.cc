// `sealtrail reindex` (tools/cli/reindex_command.h): a log of serialized AuditRecords written with
// the engine, reindexed through RunReindex and through the built binary (SEALTRAIL_CLI_PATH), and
// the index it leaves checked with real queries and leaf-hash lookups; missing, corrupt, foreign
// and in-use index directories.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "cli/reindex_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "server/index/audit_index.h"
#include "server/index/open_or_rebuild.h"
#include "server/record/record.h"
#include "testing/file_util.h"
#include "testing/json_lines.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

namespace fs = std::filesystem;
using ::sealtrail::testing::Keys;
using ::sealtrail::testing::OnlyLine;
using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kRecords = 300;

// Record `seq` as sealtraild would store it: two tenants, a few actors and actions, a trace id
// on every third record, commit times with ties.
v1::AuditRecord MakeRecord(uint64_t seq) {
  v1::AuditRecord record;
  record.mutable_context()->set_tenant_id(seq % 3 == 0 ? "globex" : "acme");
  record.mutable_context()->set_commit_time_ns(1'700'000'000'000'000'000 +
                                               static_cast<int64_t>(seq / 2) * 1000);
  record.mutable_actor()->set_user_id(absl::StrCat("agent-", seq % 4));
  record.mutable_action()->set_name(seq % 5 == 0 ? "call.barge" : "call.whisper");
  record.mutable_action()->set_resource_id(absl::StrCat("call-", seq));
  record.mutable_outcome()->set_result(seq % 7 == 0 ? v1::Outcome::DENIED : v1::Outcome::SUCCESS);
  if (seq % 3 == 1) {
    record.mutable_correlation()->set_trace_id(std::string(16, static_cast<char>(0x40 + seq % 5)));
  }
  return record;
}

// A data dir holding kRecords AuditRecords; fields_ are their index fields in sequence order,
// what a correct index answers from.
class ReindexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.sync = SyncPolicy::kNone;
    options.leaves_per_segment_log2 = 6;  // Several sealed segments.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, data_dir_));
    std::vector<std::string> bytes;
    for (uint64_t seq = 0; seq < kRecords; ++seq) {
      const v1::AuditRecord record = MakeRecord(seq);
      bytes.push_back(SerializeForLog(record));
      fields_.push_back(ExtractIndexFields(record));
      fields_.back().leaf_hash = std::string(AsStringView(HashLeaf(bytes.back())));
    }
    const std::vector<std::string_view> batch(bytes.begin(), bytes.end());
    ASSERT_OK(log->Append(batch).status());
  }

  // The sequence numbers of `tenant`'s records, newest first, optionally of one actor or trace.
  std::vector<uint64_t> Expected(std::string_view tenant, std::string_view actor = "",
                                 std::string_view trace_id = "") const {
    std::vector<uint64_t> seqs;
    for (uint64_t seq = kRecords; seq-- > 0;) {
      const IndexFields& f = fields_[seq];
      if (f.tenant_id != tenant || (!actor.empty() && f.actor != actor)) continue;
      if (!trace_id.empty() && f.trace_id != trace_id) continue;
      seqs.push_back(seq);
    }
    return seqs;
  }

  // Opens the index in `index_dir` and checks that it covers the log and answers from it.
  void ExpectIndexAnswers(const std::string& index_dir) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir));
    EXPECT_EQ(index->covered(), kRecords);
    IndexQuery q;
    q.limit = kMaxQueryLimit;
    for (const char* tenant : {"acme", "globex"}) {
      q.tenant_id = tenant;
      q.actor.reset();
      q.trace_id.reset();
      ASSERT_OK_AND_ASSIGN(IndexQueryResult result, index->Query(q));
      EXPECT_EQ(result.seqs, Expected(tenant)) << tenant;
      EXPECT_GT(result.seqs.size(), 50u);
      q.actor = "agent-1";
      ASSERT_OK_AND_ASSIGN(result, index->Query(q));
      EXPECT_EQ(result.seqs, Expected(tenant, "agent-1")) << tenant;
      q.actor.reset();
      q.trace_id = std::string(16, '\x41');
      ASSERT_OK_AND_ASSIGN(result, index->Query(q));
      EXPECT_EQ(result.seqs, Expected(tenant, "", *q.trace_id)) << tenant;
    }
    // Every record is found by its leaf hash, and confirmed against the log as callers must.
    LogOptions read_only;
    read_only.read_only = true;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(read_only, data_dir_));
    for (uint64_t seq = 0; seq < kRecords; ++seq) {
      ASSERT_OK_AND_ASSIGN(const std::vector<uint64_t> candidates,
                           index->LeafHashCandidates(fields_[seq].leaf_hash, 10));
      EXPECT_THAT(candidates, ElementsAre(seq));
      ASSERT_OK_AND_ASSIGN(const Hash stored, log->LeafHash(seq));
      EXPECT_EQ(AsStringView(stored), fields_[seq].leaf_hash);
    }
  }

  // RunReindex; its JSON line parsed into `summary`.
  absl::Status Reindex(const ReindexArgs& args, testing::JsonLine* summary) {
    std::ostringstream out;
    const absl::Status status = RunReindex(args, out);
    if (status.ok()) *summary = OnlyLine(out.str());
    return status;
  }

  ScratchDir scratch_{"reindex_cli_test"};
  const std::string data_dir_ = scratch_.Sub("data");
  const std::string default_index_dir_ = data_dir_ + "/index";
  std::vector<IndexFields> fields_;
};

TEST_F(ReindexTest, IndexesEveryRecordIntoTheDataDirsIndexByDefault) {
  testing::JsonLine summary;
  ASSERT_OK(Reindex({data_dir_, ""}, &summary));
  EXPECT_THAT(Keys(summary), ElementsAre("records", "index_dir", "seconds"));
  EXPECT_EQ(summary["records"], kRecords);
  EXPECT_EQ(summary["index_dir"], default_index_dir_);
  EXPECT_GE(summary["seconds"].get<double>(), 0.0);
  ExpectIndexAnswers(default_index_dir_);
}

TEST_F(ReindexTest, IndexDirFlagPutsTheIndexElsewhere) {
  const std::string elsewhere = scratch_.Sub("elsewhere/index");
  testing::JsonLine summary;
  ASSERT_OK(Reindex({data_dir_, elsewhere}, &summary));
  EXPECT_EQ(summary["index_dir"], elsewhere);
  EXPECT_FALSE(fs::exists(default_index_dir_));
  ExpectIndexAnswers(elsewhere);
}

// The index is closed (flushed) by reindex, so the server's start-up finds it complete.
TEST_F(ReindexTest, ServerStartUpAfterReindexIndexesNothing) {
  testing::JsonLine summary;
  ASSERT_OK(Reindex({data_dir_, ""}, &summary));
  LogOptions read_only;
  read_only.read_only = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(read_only, data_dir_));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened,
                       OpenOrRebuild(default_index_dir_, *log, IndexFieldsFromStoredBytes));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kOpened) << opened.report.ToString();
}

TEST_F(ReindexTest, CorruptIndexIsRebuilt) {
  fs::create_directories(default_index_dir_);
  for (const char* name : {"CURRENT", "MANIFEST-000005", "000004.sst", "000003.log"}) {
    ASSERT_OK(testing::WriteWholeFile(default_index_dir_ + "/" + name, "not rocksdb at all"));
  }
  testing::JsonLine summary;
  ASSERT_OK(Reindex({data_dir_, ""}, &summary));
  EXPECT_EQ(summary["records"], kRecords);
  EXPECT_FALSE(fs::exists(default_index_dir_ + "/000004.sst"));
  ExpectIndexAnswers(default_index_dir_);
}

TEST_F(ReindexTest, IndexOfAnotherLogIsReplaced) {
  const std::string other_data = scratch_.Sub("other");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> other, Log::Open(LogOptions(), other_data));
    const std::string bytes = SerializeForLog(MakeRecord(1));
    const std::string_view batch[] = {bytes, bytes, bytes};
    ASSERT_OK(other->Append(batch).status());
  }
  testing::JsonLine summary;
  ASSERT_OK(Reindex({other_data, default_index_dir_}, &summary));
  ASSERT_EQ(summary["records"], 3u);

  ASSERT_OK(Reindex({data_dir_, ""}, &summary));
  EXPECT_EQ(summary["records"], kRecords);
  ExpectIndexAnswers(default_index_dir_);
}

TEST_F(ReindexTest, DirectoryWithOtherFilesIsRefusedAndKept) {
  fs::create_directories(default_index_dir_);
  ASSERT_OK(testing::WriteWholeFile(default_index_dir_ + "/notes.txt", "precious"));
  testing::JsonLine summary;
  const absl::Status status = Reindex({data_dir_, ""}, &summary);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("notes.txt")));
  EXPECT_EQ(ExitCodeForStatus(status), kExitInternal);
  EXPECT_TRUE(fs::exists(default_index_dir_ + "/notes.txt"));
}

TEST_F(ReindexTest, MissingDataDirIsNotFoundAndCreatesNothing) {
  const std::string missing = scratch_.Sub("missing");
  testing::JsonLine summary;
  const absl::Status status = Reindex({missing, ""}, &summary);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ExitCodeForStatus(status), kExitInvalidInput);
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(ReindexTest, RecordThatIsNotAnAuditRecordIsDataLossNamingIt) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(LogOptions(), data_dir_));
    const std::string_view junk[] = {"\xff\xff\xff\xff"};
    ASSERT_OK(log->Append(junk).status());
  }
  testing::JsonLine summary;
  const absl::Status status = Reindex({data_dir_, ""}, &summary);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss,
                               AllOf(HasSubstr("reindex"), HasSubstr("record 300"))));
  EXPECT_EQ(ExitCodeForStatus(status), kExitDataLoss);
}

// ---- The binary ----

class ReindexBinaryTest : public ReindexTest {
 protected:
  void SetUp() override {
#ifndef SEALTRAIL_CLI_PATH
    GTEST_SKIP() << "SEALTRAIL_CLI_PATH is not defined";
#endif
    ReindexTest::SetUp();
  }

  ProcessResult Sealtrail(const std::vector<std::string>& args) {
#ifdef SEALTRAIL_CLI_PATH
    return testing::RunProcess(SEALTRAIL_CLI_PATH, args, "", tmp_);
#else
    (void)args;
    return {};
#endif
  }

  ScratchDir tmp_{"reindex_cli_test_io"};
};

TEST_F(ReindexBinaryTest, PrintsOneJsonLineAndTheIndexAnswers) {
  ProcessResult run = Sealtrail({"reindex", "--data", data_dir_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const testing::JsonLine summary = OnlyLine(run.out);
  EXPECT_EQ(summary["records"], kRecords);
  EXPECT_EQ(summary["index_dir"], default_index_dir_);
  ExpectIndexAnswers(default_index_dir_);

  // Again, over the index it just wrote, and into another directory.
  const std::string elsewhere = scratch_.Sub("elsewhere");
  run = Sealtrail({"reindex", "--data", data_dir_, "--index-dir", elsewhere});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(OnlyLine(run.out)["index_dir"], elsewhere);
  ExpectIndexAnswers(elsewhere);
}

TEST_F(ReindexBinaryTest, MissingDataFlagIsAUsageError) {
  const ProcessResult run = Sealtrail({"reindex"});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("--data"));
}

// While sealtraild runs it holds the log's lock and the index's RocksDB lock; this test process
// plays the server. reindex must refuse, say why, and leave the open index whole.
TEST_F(ReindexBinaryTest, IndexInUseByARunningServerFailsAndIsKept) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> server_log, Log::Open(LogOptions(), data_dir_));
  ASSERT_OK_AND_ASSIGN(OpenedIndex server_index,
                       OpenOrRebuild(default_index_dir_, *server_log, IndexFieldsFromStoredBytes));
  ASSERT_OK(server_index.index->Close());  // Flushed to SST files, then opened as a server does.
  ASSERT_OK_AND_ASSIGN(server_index.index, AuditIndex::Open(default_index_dir_));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(default_index_dir_)) {
    files.push_back(entry.path());
  }

  const ProcessResult run = Sealtrail({"reindex", "--data", data_dir_});
  EXPECT_EQ(run.exit_code, kExitInternal) << run.err;
  EXPECT_THAT(run.err, AllOf(HasSubstr("in use"), HasSubstr("stop sealtraild first")));
  EXPECT_EQ(run.out, "");
  for (const fs::path& file : files) EXPECT_TRUE(fs::exists(file)) << file;

  ASSERT_OK(server_index.index->Close());
  server_index.index.reset();
  ExpectIndexAnswers(default_index_dir_);
}

}  // namespace
}  // namespace sealtrail::cli
