// Behaviour of sealtrail::Log on real files: round trips, argument checking, reopening, the
// format version, the directory lock, sealed-segment permissions and concurrent use.
#include "sealtrail/log.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/verify.h"
#include "testing/data_dir_layout.h"
#include "testing/file_util.h"
#include "testing/reference_merkle.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::FileModeOf;
using ::sealtrail::testing::FormatFilePath;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::ListDir;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::RefToHex;
using ::sealtrail::testing::SegmentFileName;
using ::sealtrail::testing::SegmentPath;
using ::sealtrail::testing::SnapshotTree;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

LogOptions Options(uint32_t leaves_per_segment_log2, SyncPolicy sync = SyncPolicy::kDurable) {
  LogOptions options;
  options.leaves_per_segment_log2 = leaves_per_segment_log2;
  options.sync = sync;
  return options;
}

std::vector<std::string_view> Views(const std::vector<std::string>& records) {
  return {records.begin(), records.end()};
}

// Record i of the simple tests: printable, 6..40 bytes.
std::string SimpleRecord(uint64_t i) {
  return absl::StrCat("record ", i, std::string(i % 35, static_cast<char>('a' + i % 26)));
}

std::vector<std::string> SegmentNames(uint64_t count) {
  std::vector<std::string> names;
  for (uint64_t n = 0; n < count; ++n) names.push_back(SegmentFileName(n));
  return names;
}

Hash NaiveRoot(const std::vector<std::string>& records) { return testing::RefMth(records); }

// ---------------------------------------------------------------------------------------------

TEST(LogTest, NewLogIsEmptyWithTheEmptyTreeRoot) {
  testing::ScratchDir tmp;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), tmp.Sub("log")));
  EXPECT_EQ(log->Size(), 0u);
  ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
  EXPECT_EQ(head.size, 0u);
  EXPECT_EQ(RefToHex(head.root), RefToHex(EmptyTreeRoot()));
  EXPECT_EQ(log->dir(), tmp.Sub("log"));
}

TEST(LogTest, OpenWithoutCreateIfMissingIsNotFound) {
  testing::ScratchDir tmp;
  LogOptions options = Options(2);
  options.create_if_missing = false;
  EXPECT_THAT(Log::Open(options, tmp.Sub("missing")), StatusIs(absl::StatusCode::kNotFound));
}

TEST(LogTest, RecordsReadBackAcrossSegmentBoundaries) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), dir));

  std::vector<std::string> records;
  // Binary bytes, a NUL, a 1-byte record and a large one among ordinary records.
  for (uint64_t i = 0; i < 37; ++i) records.push_back(SimpleRecord(i));
  records[3] = std::string("\0\xff\x00\x01", 4);
  records[4] = "x";
  records[9] = std::string(200 * 1024, '\x5a');
  records[10] = std::string(1, '\0');

  // Batches of 1, 3 (crosses a boundary), 4 (exactly a segment), 11 (spans three segments)...
  const size_t kBatches[] = {1, 3, 4, 11, 2, 6, 1, 9};
  size_t next = 0;
  for (size_t n : kBatches) {
    std::vector<std::string_view> batch(records.begin() + next, records.begin() + next + n);
    ASSERT_OK_AND_ASSIGN(uint64_t first, log->Append(batch));
    EXPECT_EQ(first, next);
    next += n;
    EXPECT_EQ(log->Size(), next);
  }
  ASSERT_EQ(next, records.size());

  for (uint64_t i = 0; i < records.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::string got, log->Read(i));
    EXPECT_EQ(got, records[i]) << "index " << i;
    ASSERT_OK_AND_ASSIGN(Hash leaf, log->LeafHash(i));
    EXPECT_EQ(leaf, HashLeaf(records[i])) << "index " << i;
  }
  ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
  EXPECT_EQ(head.size, records.size());
  EXPECT_EQ(RefToHex(head.root), RefToHex(NaiveRoot(records)));

  // 37 records in segments of 4: nine sealed segments and the open one holding record 36.
  EXPECT_THAT(ListDir(dir + "/segments"), IsOkAndHolds(ElementsAreArray(SegmentNames(10))));

  log.reset();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir));
  EXPECT_EQ(report.segments, 10u);
  EXPECT_EQ(report.sealed_segments, 9u);
  EXPECT_EQ(report.records, records.size());
  EXPECT_EQ(RefToHex(report.root), RefToHex(head.root));
  EXPECT_NE(report.chain, Hash{});
}

TEST(LogTest, ReadAndLeafHashPastTheEndAreOutOfRange) {
  testing::ScratchDir tmp;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), tmp.Sub("log")));
  EXPECT_THAT(log->Read(0), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log->LeafHash(0), StatusIs(absl::StatusCode::kOutOfRange));

  std::vector<std::string> records;
  for (uint64_t i = 0; i < 5; ++i) records.push_back(SimpleRecord(i));
  ASSERT_OK(log->Append(Views(records)));
  for (uint64_t index : {uint64_t{5}, uint64_t{6}, uint64_t{8}, uint64_t{1} << 40,
                         std::numeric_limits<uint64_t>::max()}) {
    EXPECT_THAT(log->Read(index), StatusIs(absl::StatusCode::kOutOfRange)) << index;
    EXPECT_THAT(log->LeafHash(index), StatusIs(absl::StatusCode::kOutOfRange)) << index;
  }
  EXPECT_OK(log->Read(4));
  EXPECT_OK(log->LeafHash(4));
  EXPECT_THAT(log->Root(6), StatusIs(absl::StatusCode::kOutOfRange));
}

// Rejected appends: the status, and no trace on disk or in the tree.
class RejectedAppendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.Sub("log");
    LogOptions options = Options(2);
    options.max_record_bytes = 1000;
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(options, dir_));
    for (uint64_t i = 0; i < 6; ++i) records_.push_back(SimpleRecord(i));
    ASSERT_OK(log_->Append(Views(records_)));
    ASSERT_OK_AND_ASSIGN(head_before_, log_->Head());
    ASSERT_OK_AND_ASSIGN(files_before_, SnapshotTree(dir_));
  }

  void ExpectRejectedWithoutTrace(const std::vector<std::string>& batch) {
    const std::vector<std::string_view> views = Views(batch);
    EXPECT_THAT(log_->Append(views), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(log_->Size(), head_before_.size);
    ASSERT_OK_AND_ASSIGN(TreeHead head, log_->Head());
    EXPECT_EQ(head.size, head_before_.size);
    EXPECT_EQ(RefToHex(head.root), RefToHex(head_before_.root));
    ASSERT_OK_AND_ASSIGN(auto files_after, SnapshotTree(dir_));
    EXPECT_EQ(files_after.size(), files_before_.size());
    for (const auto& [name, bytes] : files_before_) {
      auto it = files_after.find(name);
      ASSERT_NE(it, files_after.end()) << name << " disappeared";
      EXPECT_EQ(it->second.size(), bytes.size()) << name << " changed size";
      EXPECT_TRUE(it->second == bytes) << name << " changed";
    }
    // The writer is still healthy: the next good record gets the next index.
    ASSERT_OK_AND_ASSIGN(uint64_t index, log_->Append({std::string_view("after")}));
    EXPECT_EQ(index, head_before_.size);
  }

  testing::ScratchDir tmp_;
  std::string dir_;
  std::unique_ptr<Log> log_;
  std::vector<std::string> records_;
  TreeHead head_before_;
  std::map<std::string, std::string> files_before_;
};

TEST_F(RejectedAppendTest, EmptyBatchIsInvalidArgumentAndWritesNothing) {
  ExpectRejectedWithoutTrace({});
}

TEST_F(RejectedAppendTest, EmptyRecordIsInvalidArgumentAndWritesNothing) {
  ExpectRejectedWithoutTrace({""});
}

TEST_F(RejectedAppendTest, EmptyRecordAnywhereInBatchRejectsTheWholeBatch) {
  ExpectRejectedWithoutTrace({"good", "also good", "", "never written"});
}

TEST_F(RejectedAppendTest, RecordLargerThanMaxRecordBytesIsInvalidArgumentAndWritesNothing) {
  ExpectRejectedWithoutTrace({std::string(1001, 'x')});
}

TEST_F(RejectedAppendTest, OversizedRecordAtEndOfBatchRejectsTheWholeBatch) {
  // Enough good records before it to fill and seal a segment, were any of them written.
  ExpectRejectedWithoutTrace({"a", "b", "c", "d", "e", std::string(5000, 'y')});
}

TEST_F(RejectedAppendTest, RecordOfExactlyMaxRecordBytesIsAccepted) {
  const std::string record(1000, 'm');
  ASSERT_OK_AND_ASSIGN(uint64_t index, log_->Append({std::string_view(record)}));
  EXPECT_EQ(index, head_before_.size);
  EXPECT_THAT(log_->Read(index), IsOkAndHolds(record));
}

TEST(LogTest, ReopenPreservesSizeRootRecordsAndProofs) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  std::vector<std::string> records;
  for (uint64_t i = 0; i < 29; ++i) records.push_back(SimpleRecord(i));
  std::vector<Hash> roots;  // roots[size]
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(3), dir));
    ASSERT_OK(log->Append(absl::MakeConstSpan(Views(records)).subspan(0, 13)));
    ASSERT_OK(log->Append(absl::MakeConstSpan(Views(records)).subspan(13)));
    for (uint64_t size = 0; size <= records.size(); ++size) {
      ASSERT_OK_AND_ASSIGN(Hash root, log->Root(size));
      roots.push_back(root);
    }
  }
  // leaves_per_segment_log2 = 0: take the directory's own value.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(0), dir));
  EXPECT_EQ(log->Size(), records.size());
  ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
  EXPECT_EQ(head.size, records.size());
  EXPECT_EQ(RefToHex(head.root), RefToHex(NaiveRoot(records)));
  for (uint64_t size = 0; size <= records.size(); ++size) {
    ASSERT_OK_AND_ASSIGN(Hash root, log->Root(size));
    EXPECT_EQ(RefToHex(root), RefToHex(roots[size])) << "size " << size;
  }
  for (uint64_t i = 0; i < records.size(); ++i) {
    EXPECT_THAT(log->Read(i), IsOkAndHolds(records[i])) << "index " << i;
    ASSERT_OK_AND_ASSIGN(InclusionProof proof, log->ProveInclusion(i, records.size()));
    EXPECT_OK(VerifyInclusion(HashLeaf(records[i]), i, records.size(), proof.path, head.root));
  }

  // Appending continues where the first session stopped, and survives another reopen.
  records.push_back("after reopen");
  ASSERT_OK_AND_ASSIGN(uint64_t index, log->Append({std::string_view(records.back())}));
  EXPECT_EQ(index, records.size() - 1);
  log.reset();
  ASSERT_OK_AND_ASSIGN(log, Log::Open(Options(3), dir));
  EXPECT_EQ(log->Size(), records.size());
  EXPECT_THAT(log->Read(index), IsOkAndHolds(records.back()));
  ASSERT_OK_AND_ASSIGN(ConsistencyProof proof, log->ProveConsistency(29, records.size()));
  ASSERT_OK_AND_ASSIGN(Hash new_root, log->Root(records.size()));
  EXPECT_OK(VerifyConsistency(29, records.size(), roots[29], new_root, proof.path));
}

TEST(LogTest, ReopenOfSegmentBoundaryStateKeepsEverything) {
  // Exactly two full segments: the last one sealed and its successor empty.
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  std::vector<std::string> records;
  for (uint64_t i = 0; i < 8; ++i) records.push_back(SimpleRecord(i));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), dir));
    ASSERT_OK(log->Append(Views(records)));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), dir));
  EXPECT_EQ(log->Size(), 8u);
  ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
  EXPECT_EQ(RefToHex(head.root), RefToHex(NaiveRoot(records)));
  records.push_back("ninth");
  ASSERT_OK_AND_ASSIGN(uint64_t index, log->Append({std::string_view(records.back())}));
  EXPECT_EQ(index, 8u);
  log.reset();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir));
  EXPECT_EQ(report.records, 9u);
  EXPECT_EQ(report.sealed_segments, 2u);
  EXPECT_EQ(RefToHex(report.root), RefToHex(NaiveRoot(records)));
}

TEST(LogTest, ReopenWithDifferentSegmentSizeIsFailedPrecondition) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(3), dir));
    ASSERT_OK(log->Append({std::string_view("one")}));
  }
  EXPECT_THAT(Log::Open(Options(4), dir), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(3), dir));
  EXPECT_EQ(log->Size(), 1u);
}

TEST(LogTest, FormatFileIsTheDocumentedText) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(5), dir));
  ASSERT_OK_AND_ASSIGN(std::string format, ReadWholeFile(FormatFilePath(dir)));
  EXPECT_THAT(format, HasSubstr("sealtrail-data-dir\nformat 2\nleaves_per_segment_log2 5"));
  EXPECT_EQ(format.rfind("sealtrail-data-dir\n", 0), 0u) << format;
}

TEST(LogTest, DirectoryWithFormatVersionThreeIsFailedPreconditionWithClearMessage) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), dir));
    ASSERT_OK(log->Append({std::string_view("one"), std::string_view("two")}));
  }
  const std::string format_path = FormatFilePath(dir);
  ASSERT_OK_AND_ASSIGN(std::string format, ReadWholeFile(format_path));
  ASSERT_THAT(format, HasSubstr("format 2\n"));
  ASSERT_OK(testing::MakeOwnerWritable(format_path));
  ASSERT_OK(testing::WriteWholeFile(format_path,
                                    absl::StrReplaceAll(format, {{"format 2\n", "format 3\n"}})));
  ASSERT_OK_AND_ASSIGN(auto files_before, SnapshotTree(dir));

  const auto names_the_version = AllOf(ContainsRegex("[Ff]ormat"), ContainsRegex("\\b3\\b"));
  EXPECT_THAT(Log::Open(Options(2), dir),
              StatusIs(absl::StatusCode::kFailedPrecondition, names_the_version));
  EXPECT_THAT(Log::Open(Options(0), dir),
              StatusIs(absl::StatusCode::kFailedPrecondition, names_the_version));
  EXPECT_THAT(VerifyDataDir(dir), StatusIs(absl::StatusCode::kFailedPrecondition));
  // Refusing touches nothing (no recovery ran on a directory this build cannot read).
  ASSERT_OK_AND_ASSIGN(auto files_after, SnapshotTree(dir));
  EXPECT_TRUE(files_after == files_before);
}

TEST(LogTest, DirectoryWithForeignFormatFileIsFailedPrecondition) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_OK(testing::WriteWholeFile(FormatFilePath(dir),
                                    "some-other-program\nformat 1\nleaves_per_segment_log2 2\n"));
  EXPECT_THAT(Log::Open(Options(2), dir), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(LogTest, SecondOpenOfSameDirectoryFailsWhileFirstIsOpen) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> first, Log::Open(Options(2), dir));
  ASSERT_OK(first->Append({std::string_view("a"), std::string_view("b"), std::string_view("c")}));

  // Same process, so an fcntl() record lock alone would not exclude it.
  EXPECT_THAT(Log::Open(Options(2), dir), Not(testing::IsOk()));
  EXPECT_THAT(Log::Open(Options(0), dir), Not(testing::IsOk()));
  // The reason is the one lock-held error: UNAVAILABLE, marked, naming the directory (not
  // FAILED_PRECONDITION, which is a wrong on-disk version or state).
  const absl::Status held = Log::Open(Options(2), dir).status();
  EXPECT_THAT(held, StatusIs(absl::StatusCode::kUnavailable,
                             AllOf(HasSubstr(dir), HasSubstr("already open for writing"),
                                   HasSubstr("locked by another process"))));
  EXPECT_TRUE(IsLockHeldError(held)) << held;

  // The failed open disturbed nothing: the first writer carries on.
  ASSERT_OK_AND_ASSIGN(uint64_t index, first->Append({std::string_view("d")}));
  EXPECT_EQ(index, 3u);
  EXPECT_THAT(first->Read(3), IsOkAndHolds(std::string("d")));

  // Another thread is no different from this one.
  absl::Status from_thread;
  std::thread([&] { from_thread = Log::Open(Options(2), dir).status(); }).join();
  EXPECT_THAT(from_thread, Not(testing::IsOk()));

  first.reset();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> second, Log::Open(Options(2), dir));
  EXPECT_EQ(second->Size(), 4u);
}

TEST(LogTest, SealedSegmentFilesAreReadOnlyAndHaveTheDocumentedSize) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  constexpr uint32_t kLog2 = 2;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(kLog2), dir));
  std::vector<std::string> records;
  for (uint64_t i = 0; i < 10; ++i) records.push_back(SimpleRecord(i));
  ASSERT_OK(log->Append(Views(records)));
  ASSERT_THAT(ListDir(dir + "/segments"), IsOkAndHolds(ElementsAreArray(SegmentNames(3))));

  for (uint64_t n = 0; n < 2; ++n) {
    const std::string path = SegmentPath(dir, n);
    ASSERT_OK_AND_ASSIGN(mode_t mode, FileModeOf(path));
    EXPECT_EQ(mode & 0222, 0u) << SegmentFileName(n) << " mode " << std::oct << mode;
    ASSERT_OK_AND_ASSIGN(std::string bytes, ReadWholeFile(path));
    ASSERT_OK_AND_ASSIGN(testing::SegmentLayout layout, testing::ParseSegmentLayout(bytes, kLog2));
    EXPECT_TRUE(layout.sealed);
    EXPECT_EQ(layout.frames.size(), 4u);
    constexpr uint64_t kLeaves = uint64_t{1} << kLog2;
    EXPECT_EQ(bytes.size(), layout.frames_end + 32 * (2 * kLeaves - 1) + 8 * kLeaves + 112);
  }
  // The open segment is still appended to.
  ASSERT_OK_AND_ASSIGN(mode_t open_mode, FileModeOf(SegmentPath(dir, 2)));
  EXPECT_NE(open_mode & 0200, 0u) << std::oct << open_mode;
}

TEST(LogTest, ConcurrentAppendersAndReadersProduceOneConsistentLog) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(3), dir));

  constexpr int kWriters = 4;
  constexpr int kBatchesPerWriter = 200;
  constexpr int kReaders = 2;

  struct Written {
    uint64_t index;
    std::string record;
  };
  std::vector<std::vector<Written>> written(kWriters);
  std::atomic<int> writers_running{kWriters};
  std::mutex errors_mu;
  std::vector<std::string> errors;
  auto add_error = [&](std::string error) {
    std::lock_guard<std::mutex> lock(errors_mu);
    if (errors.size() < 20) errors.push_back(std::move(error));
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(w);
      for (int b = 0; b < kBatchesPerWriter; ++b) {
        std::vector<std::string> batch(1 + rng() % 4);
        for (size_t j = 0; j < batch.size(); ++j) {
          batch[j] = absl::StrCat("w", w, "-b", b, "-r", j, ":", std::string(rng() % 64, 'p'));
        }
        absl::StatusOr<uint64_t> first = log->Append(Views(batch));
        if (!first.ok()) {
          add_error(absl::StrCat("writer ", w, " batch ", b, ": ", first.status().ToString()));
          break;
        }
        for (size_t j = 0; j < batch.size(); ++j) {
          written[w].push_back({*first + j, std::move(batch[j])});
        }
      }
      writers_running.fetch_sub(1);
    });
  }
  std::atomic<uint64_t> reads{0};
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(100 + r);
      uint64_t last_size = 0;
      while (writers_running.load() > 0) {
        absl::StatusOr<TreeHead> head = log->Head();
        if (!head.ok()) {
          add_error(absl::StrCat("Head: ", head.status().ToString()));
          return;
        }
        if (head->size < last_size) {
          add_error(absl::StrCat("Head went back from ", last_size, " to ", head->size));
        }
        last_size = head->size;
        if (head->size == 0) continue;
        const uint64_t i = rng() % head->size;
        absl::StatusOr<std::string> record = log->Read(i);
        absl::StatusOr<Hash> leaf = log->LeafHash(i);
        absl::StatusOr<InclusionProof> proof = log->ProveInclusion(i, head->size);
        absl::StatusOr<Hash> root = log->Root(head->size);
        if (!record.ok() || !leaf.ok() || !proof.ok() || !root.ok()) {
          add_error(absl::StrCat("reading ", i, " of ", head->size, ": ",
                                 record.status().ToString(), " / ", leaf.status().ToString(), " / ",
                                 proof.status().ToString(), " / ", root.status().ToString()));
          continue;
        }
        if (HashLeaf(*record) != *leaf) add_error(absl::StrCat("leaf hash of ", i, " mismatch"));
        if (*root != head->root) add_error(absl::StrCat("Root(", head->size, ") != Head().root"));
        absl::Status verified = VerifyInclusion(*leaf, i, head->size, proof->path, head->root);
        if (!verified.ok()) {
          add_error(
              absl::StrCat("inclusion of ", i, " in ", head->size, ": ", verified.ToString()));
        }
        reads.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(errors, IsEmpty());

  // Every acknowledged record has its own index, the indexes are exactly 0..N-1, and each
  // index holds what its writer wrote there (so each batch sits at consecutive indexes, in
  // the order given, from the index its Append returned).
  std::vector<Written> all;
  for (const auto& per_writer : written)
    all.insert(all.end(), per_writer.begin(), per_writer.end());
  std::sort(all.begin(), all.end(),
            [](const Written& a, const Written& b) { return a.index < b.index; });
  ASSERT_EQ(log->Size(), all.size());
  std::vector<std::string> in_order;
  for (uint64_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].index, i) << "indexes are not unique and contiguous";
    ASSERT_OK_AND_ASSIGN(std::string record, log->Read(i));
    ASSERT_EQ(record, all[i].record) << "index " << i;
    in_order.push_back(record);
  }
  ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
  const Hash naive_root = NaiveRoot(in_order);
  EXPECT_EQ(RefToHex(head.root), RefToHex(naive_root));

  ASSERT_OK_AND_ASSIGN(VerifyReport live_report, VerifyDataDir(dir));
  EXPECT_EQ(live_report.records, all.size());
  log.reset();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir));
  EXPECT_EQ(report.records, all.size());
  EXPECT_EQ(RefToHex(report.root), RefToHex(naive_root));
  RecordProperty("reads_during_appends", static_cast<int>(reads.load()));
}

}  // namespace
}  // namespace sealtrail

namespace sealtrail {
namespace {

// Chunks of 32 records or more are hashed on the LeafHasher thread while the writer writes
// them; these sizes straddle that threshold and segment boundaries (segments of 256 leaves).
TEST(LogTest, LargeBatchesHashedWhileWrittenMatchTheReference) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(8, SyncPolicy::kNone), dir));
  std::vector<std::string> records;
  const size_t kBatches[] = {31, 32, 33, 100, 60, 255, 256, 257, 600, 1, 513};
  for (size_t n : kBatches) {
    const size_t first_expected = records.size();
    for (size_t j = 0; j < n; ++j) records.push_back(SimpleRecord(records.size()));
    std::vector<std::string_view> batch(records.begin() + first_expected, records.end());
    ASSERT_OK_AND_ASSIGN(uint64_t first, log->Append(batch));
    ASSERT_EQ(first, first_expected);
    ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
    ASSERT_EQ(head.size, records.size());
    ASSERT_EQ(RefToHex(head.root), RefToHex(NaiveRoot(records))) << "after batch of " << n;
  }
  for (uint64_t i = 0; i < records.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::string got, log->Read(i));
    ASSERT_EQ(got, records[i]) << "index " << i;
  }
  log.reset();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir));
  EXPECT_EQ(report.records, records.size());
  EXPECT_EQ(RefToHex(report.root), RefToHex(NaiveRoot(records)));
}

TEST(LogTest, ConcurrentLargeBatchesWithReadersStayConsistent) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(8), dir));
  constexpr int kWriters = 3;
  constexpr int kBatchesPerWriter = 12;
  std::atomic<int> writers_running{kWriters};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(w);
      for (int b = 0; b < kBatchesPerWriter; ++b) {
        std::vector<std::string> batch(32 + rng() % 300);
        for (size_t j = 0; j < batch.size(); ++j) batch[j] = absl::StrCat(w, "/", b, "/", j);
        absl::StatusOr<uint64_t> first = log->Append(Views(batch));
        if (!first.ok()) {
          failures++;
          break;
        }
        for (size_t j = 0; j < batch.size(); j += 17) {
          absl::StatusOr<std::string> got = log->Read(*first + j);
          if (!got.ok() || *got != batch[j]) failures++;
        }
      }
      writers_running--;
    });
  }
  threads.emplace_back([&] {
    std::mt19937_64 rng(99);
    uint64_t last = 0;
    for (int round = 0; round < 100000 && writers_running.load() > 0; ++round) {
      absl::StatusOr<TreeHead> head = log->Head();
      if (!head.ok() || head->size < last) {
        failures++;
        return;
      }
      if (head->size == 0) continue;
      const uint64_t i = rng() % head->size;
      absl::StatusOr<Hash> leaf = log->LeafHash(i);
      absl::StatusOr<InclusionProof> proof = log->ProveInclusion(i, head->size);
      absl::StatusOr<ConsistencyProof> consistency = log->ProveConsistency(last, head->size);
      absl::StatusOr<Hash> old_root = log->Root(last);
      if (!leaf.ok() || !proof.ok() || !consistency.ok() || !old_root.ok() ||
          !VerifyInclusion(*leaf, i, head->size, proof->path, head->root).ok() ||
          !VerifyConsistency(last, head->size, *old_root, head->root, consistency->path).ok()) {
        failures++;
      }
      last = head->size;
    }
  });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
  log.reset();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir));
  EXPECT_EQ(report.records, head.size);
  EXPECT_EQ(RefToHex(report.root), RefToHex(head.root));
}

}  // namespace
}  // namespace sealtrail

namespace sealtrail {
namespace {

TEST(LogTest, ReadOnlyOpenServesTheIntactPrefixAndChangesNothing) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  std::vector<std::string> records;
  for (uint64_t i = 0; i < 10; ++i) records.push_back(SimpleRecord(i));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), dir));
    ASSERT_OK(log->Append(Views(records)).status());
  }
  // A torn tail: half a frame after the last record of the open segment.
  {
    std::ofstream tail(SegmentPath(dir, 2), std::ios::binary | std::ios::app);
    tail << std::string("\x20\x00\x00\x00\x01\x02", 6);
  }
  const auto before = SnapshotTree(dir);
  LogOptions options = Options(0);
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> reader, Log::Open(options, dir));
  EXPECT_EQ(reader->Size(), records.size());
  ASSERT_OK_AND_ASSIGN(TreeHead head, reader->Head());
  EXPECT_EQ(RefToHex(head.root), RefToHex(NaiveRoot(records)));
  EXPECT_THAT(reader->Read(9), IsOkAndHolds(records[9]));
  EXPECT_THAT(reader->Append({std::string_view("x")}).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  // A writer can open the directory while the reader is open, and nothing was changed.
  EXPECT_EQ(SnapshotTree(dir), before);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> writer, Log::Open(Options(0), dir));
  EXPECT_EQ(writer->Size(), records.size());
}

TEST(LogTest, ReadOnlyOpenOfMissingDirectoryIsNotFoundAndCreatesNothing) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("absent");
  LogOptions options;
  options.read_only = true;
  EXPECT_THAT(Log::Open(options, dir).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(std::ifstream(dir).good());
}

}  // namespace
}  // namespace sealtrail

namespace sealtrail {
namespace {

TEST(LogTest, CleanReopenReportsNoRecovery) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(2), dir));
    EXPECT_TRUE(log->recovery_report().actions.empty());
    std::vector<std::string> records;
    for (uint64_t i = 0; i < 9; ++i) records.push_back(SimpleRecord(i));
    ASSERT_OK(log->Append(Views(records)).status());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(0), dir));
  EXPECT_TRUE(log->recovery_report().actions.empty());
  EXPECT_EQ(log->recovery_report().truncated_bytes, 0u);
}

}  // namespace
}  // namespace sealtrail
