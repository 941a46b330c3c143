// AuditIndex and OpenOrRebuild against a real RocksDB and a real Log: every filter combination
// checked page by page against a brute-force scan, catch-up, and rebuilds of missing, stale,
// foreign and corrupt indexes.
#include "server/index/audit_index.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "server/index/open_or_rebuild.h"
#include "server/index/rocks_status.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kRecords = 3000;

// Test-only record encoding: four strings as (u8 length, bytes), then be64 time, be32 outcome.
// The leaf hash is not encoded: like the real decoder, DecodeTestRecord hashes the bytes.
std::string EncodeTestRecord(const IndexFields& f) {
  std::string out;
  for (const std::string* s : {&f.tenant_id, &f.actor, &f.action, &f.trace_id}) {
    out.push_back(static_cast<char>(s->size()));
    out.append(*s);
  }
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<uint64_t>(f.commit_time_ns) >> shift));
  }
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<uint32_t>(f.outcome) >> shift));
  }
  return out;
}

std::string LeafHashOf(std::string_view bytes) {
  return std::string(AsStringView(HashLeaf(bytes)));
}

absl::StatusOr<IndexFields> DecodeTestRecord(std::string_view in) {
  IndexFields f;
  f.leaf_hash = LeafHashOf(in);
  for (std::string* s : {&f.tenant_id, &f.actor, &f.action, &f.trace_id}) {
    if (in.empty() || static_cast<uint8_t>(in[0]) + 1u > in.size()) {
      return absl::DataLossError("truncated test record");
    }
    const size_t len = static_cast<uint8_t>(in[0]);
    *s = std::string(in.substr(1, len));
    in.remove_prefix(1 + len);
  }
  if (in.size() != 12) return absl::DataLossError("bad test record tail");
  uint64_t time = 0;
  for (int i = 0; i < 8; ++i) time = (time << 8) | static_cast<uint8_t>(in[i]);
  uint32_t outcome = 0;
  for (int i = 8; i < 12; ++i) outcome = (outcome << 8) | static_cast<uint8_t>(in[i]);
  f.commit_time_ns = static_cast<int64_t>(time);
  f.outcome = static_cast<int32_t>(outcome);
  return f;
}

const IndexDecoder kDecoder = DecodeTestRecord;

std::string TraceId(int n) {
  std::string trace(16, '\0');
  trace[0] = static_cast<char>(0xff);  // Exercises prefix successors over 0xff bytes.
  trace[15] = static_cast<char>(n);
  trace[7] = static_cast<char>(n * 7);
  return trace;
}

// Records seq first..first+n-1: skewed tenants, shared actor/action names across tenants,
// commit times with ties (three records per tick), a third without a trace id.
std::vector<IndexFields> MakeRecords(uint64_t first, uint64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* const kTenants[] = {"acme", "acme", "acme", "globex", "globex", "initech"};
  static const char* const kActions[] = {"call.barge",  "call.whisper", "config.update",
                                         "data.export", "auth.login",   "transcript.override"};
  std::vector<IndexFields> records;
  for (uint64_t seq = first; seq < first + n; ++seq) {
    IndexFields f;
    f.tenant_id = kTenants[rng() % 6];
    f.actor = "user" + std::to_string(rng() % 6);
    f.action = kActions[rng() % 6];
    f.commit_time_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(seq / 3) * 1000;
    if (rng() % 3 != 0) f.trace_id = TraceId(static_cast<int>(rng() % 25));
    f.outcome = static_cast<int32_t>(rng() % 4);
    f.leaf_hash = LeafHashOf(EncodeTestRecord(f));
    records.push_back(std::move(f));
  }
  return records;
}

absl::Status AppendAll(Log& log, const std::vector<IndexFields>& records) {
  std::vector<std::string> encoded;
  for (const IndexFields& f : records) encoded.push_back(EncodeTestRecord(f));
  for (size_t i = 0; i < encoded.size(); i += 500) {
    std::vector<std::string_view> batch(encoded.begin() + i,
                                        encoded.begin() + std::min(encoded.size(), i + 500));
    absl::StatusOr<uint64_t> first = log.Append(batch);
    if (!first.ok()) return first.status();
  }
  return absl::OkStatus();
}

std::vector<uint64_t> BruteForce(const std::vector<IndexFields>& all, const IndexQuery& q) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = 0; seq < all.size(); ++seq) {
    const IndexFields& f = all[seq];
    if (!q.all_tenants && f.tenant_id != q.tenant_id) continue;
    if (q.actor && f.actor != *q.actor) continue;
    if (q.action && f.action != *q.action) continue;
    if (q.trace_id && f.trace_id != *q.trace_id) continue;
    if (q.outcome && f.outcome != *q.outcome) continue;
    if (q.from_ns && f.commit_time_ns < *q.from_ns) continue;
    if (q.to_ns && f.commit_time_ns >= *q.to_ns) continue;
    seqs.push_back(seq);
  }
  if (q.newest_first) std::reverse(seqs.begin(), seqs.end());
  return seqs;
}

// Every page of `q`, concatenated. Fails the test if a page breaks the paging contract.
std::vector<uint64_t> AllPages(const AuditIndex& index, IndexQuery q) {
  std::vector<uint64_t> seqs;
  for (int pages = 0; pages < 100000; ++pages) {
    absl::StatusOr<IndexQueryResult> page = index.Query(q);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return seqs;
    EXPECT_LE(page->seqs.size(), q.limit);
    seqs.insert(seqs.end(), page->seqs.begin(), page->seqs.end());
    if (page->next_page_token.empty()) return seqs;
    EXPECT_EQ(page->seqs.size(), q.limit) << "a page before the last must be full";
    q.page_token = page->next_page_token;
  }
  ADD_FAILURE() << "paging does not end";
  return seqs;
}

// Stands for an all-tenants query in ExpectEveryCombinationMatches (not a tenant name: tenants
// are never empty).
constexpr char kAllTenants[] = "";

std::string Describe(const IndexQuery& q) {
  std::string s = q.all_tenants ? "all tenants" : "tenant=" + q.tenant_id;
  if (q.actor) s += " actor=" + *q.actor;
  if (q.action) s += " action=" + *q.action;
  if (q.trace_id) s += " trace=" + std::to_string(static_cast<uint8_t>(q.trace_id->back()));
  if (q.outcome) s += " outcome=" + std::to_string(*q.outcome);
  if (q.from_ns) s += " from=" + std::to_string(*q.from_ns);
  if (q.to_ns) s += " to=" + std::to_string(*q.to_ns);
  s += q.newest_first ? " newest-first" : " oldest-first";
  s += " limit=" + std::to_string(q.limit);
  return s;
}

// Tenant (and all tenants at once, kAllTenants) × every subset of {actor, action, trace, outcome,
// time range} × both orders, with filter values drawn mostly from records of that tenant (so
// results are non-trivial) and sometimes absent ones, at several limits. Returns the number of
// queries whose results were non-empty, to show the test is not vacuous.
int ExpectEveryCombinationMatches(const AuditIndex& index, const std::vector<IndexFields>& all,
                                  int draws, uint32_t seed) {
  std::mt19937 rng(seed);
  int non_empty = 0;
  static const uint32_t kLimits[] = {7, 64, 10000, 1};
  for (const std::string tenant : {"acme", "globex", "initech", "nobody", kAllTenants}) {
    std::vector<uint64_t> own;
    for (uint64_t seq = 0; seq < all.size(); ++seq) {
      if (tenant == kAllTenants || all[seq].tenant_id == tenant) own.push_back(seq);
    }
    for (int mask = 0; mask < 32; ++mask) {
      for (const bool newest_first : {true, false}) {
        for (int draw = 0; draw < draws; ++draw) {
          const bool absent = own.empty() || rng() % 8 == 0;
          const IndexFields& pick = own.empty() ? all[0] : all[own[rng() % own.size()]];
          const IndexFields& pick2 = own.empty() ? all[0] : all[own[rng() % own.size()]];
          IndexQuery q;
          if (tenant == kAllTenants) {
            q.all_tenants = true;
          } else {
            q.tenant_id = tenant;
          }
          q.newest_first = newest_first;
          if (mask & 1) q.actor = absent ? "nobody" : pick.actor;
          if (mask & 2) q.action = rng() % 2 ? pick.action : pick2.action;
          if (mask & 4) q.trace_id = pick.trace_id.empty() ? TraceId(99) : pick.trace_id;
          if (mask & 8) q.outcome = static_cast<int32_t>(rng() % 4);
          if (mask & 16) {
            const int64_t a = std::min(pick.commit_time_ns, pick2.commit_time_ns);
            const int64_t b = std::max(pick.commit_time_ns, pick2.commit_time_ns);
            const int shape = static_cast<int>(rng() % 3);
            if (shape != 2) q.from_ns = a;
            if (shape != 1) q.to_ns = b;
          }
          const std::vector<uint64_t> expected = BruteForce(all, q);
          q.limit = kLimits[draw % 3];
          if (expected.size() <= 40 && rng() % 2 == 0) q.limit = 1;
          EXPECT_EQ(AllPages(index, q), expected) << Describe(q);
          if (!expected.empty()) ++non_empty;
        }
      }
    }
  }
  return non_empty;
}

// The records of `all` whose leaf hash starts with the same 8 bytes as `leaf_hash`, ascending.
std::vector<uint64_t> SharingHashPrefix(const std::vector<IndexFields>& all,
                                        std::string_view leaf_hash) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = 0; seq < all.size(); ++seq) {
    if (std::string_view(all[seq].leaf_hash).substr(0, 8) == leaf_hash.substr(0, 8)) {
      seqs.push_back(seq);
    }
  }
  return seqs;
}

// Every record of `all` is found by its leaf hash, with exactly the records that share the
// hash's first 8 bytes (identical records, which MakeRecords sometimes makes, share all of it);
// a hash of no record finds nothing.
void ExpectLeafHashLookupsMatch(const AuditIndex& index, const std::vector<IndexFields>& all) {
  for (uint64_t seq = 0; seq < all.size(); ++seq) {
    absl::StatusOr<std::vector<uint64_t>> candidates =
        index.LeafHashCandidates(all[seq].leaf_hash, 100);
    ASSERT_TRUE(candidates.ok()) << candidates.status();
    EXPECT_EQ(*candidates, SharingHashPrefix(all, all[seq].leaf_hash)) << "record " << seq;
  }
  EXPECT_THAT(index.LeafHashCandidates(LeafHashOf("no such record"), 100), IsOkAndHolds(IsEmpty()));
}

std::vector<std::filesystem::path> FilesNamed(const std::string& dir, std::string_view part) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(part) != std::string::npos) {
      files.push_back(entry.path());
    }
  }
  return files;
}

void Overwrite(const std::filesystem::path& file, uint64_t offset, size_t n) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << file;
  f.seekp(static_cast<std::streamoff>(offset));
  const std::string junk(n, '\x5a');
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  ASSERT_TRUE(f) << file;
}

class AuditIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(log_, OpenLog(scratch_.Sub("log")));
    records_ = MakeRecords(0, kRecords, 1);
    ASSERT_OK(AppendAll(*log_, records_));
  }

  static absl::StatusOr<std::unique_ptr<Log>> OpenLog(const std::string& dir) {
    LogOptions options;
    options.sync = SyncPolicy::kNone;
    options.leaves_per_segment_log2 = 10;
    return Log::Open(options, dir);
  }

  // Builds the index over the whole log, then closes it.
  void BuildAndClose() {
    ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
    ASSERT_EQ(opened.index->covered(), kRecords);
    ASSERT_OK(opened.index->Close());
  }

  std::string index_dir() const { return scratch_.Sub("index"); }

  ScratchDir scratch_{"audit_index_test"};
  std::unique_ptr<Log> log_;
  std::vector<IndexFields> records_;
};

TEST_F(AuditIndexTest, EveryFilterCombinationMatchesBruteForceInBothOrders) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  EXPECT_EQ(index->covered(), kRecords);
  EXPECT_GT(ExpectEveryCombinationMatches(*index, records_, 4, 7), 400);
  ExpectLeafHashLookupsMatch(*index, records_);
}

TEST_F(AuditIndexTest, AnswersAreTheSameAfterReopen) {
  BuildAndClose();
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kOpened) << opened.report.ToString();
  EXPECT_EQ(opened.index->covered(), kRecords);
  ExpectEveryCombinationMatches(*opened.index, records_, 1, 8);
  ExpectLeafHashLookupsMatch(*opened.index, records_);
}

TEST_F(AuditIndexTest, PageTokenFromAnotherQueryIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  IndexQuery q;
  q.tenant_id = "acme";
  q.limit = 5;
  ASSERT_OK_AND_ASSIGN(const IndexQueryResult first, index->Query(q));
  ASSERT_FALSE(first.next_page_token.empty());

  IndexQuery other = q;
  other.page_token = first.next_page_token;
  other.actor = "user1";
  EXPECT_THAT(index->Query(other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another query")));
  other = q;
  other.page_token = first.next_page_token;
  other.newest_first = false;
  EXPECT_THAT(index->Query(other), StatusIs(absl::StatusCode::kInvalidArgument));
  other = q;
  other.page_token = first.next_page_token;
  other.tenant_id = "globex";
  EXPECT_THAT(index->Query(other), StatusIs(absl::StatusCode::kInvalidArgument));
  other = q;
  other.page_token = "not a token";
  EXPECT_THAT(index->Query(other), StatusIs(absl::StatusCode::kInvalidArgument));

  // The limit may change between pages.
  other = q;
  other.page_token = first.next_page_token;
  other.limit = 50;
  EXPECT_OK(index->Query(other));
}

TEST_F(AuditIndexTest, BadQueriesAreInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  IndexQuery q;
  q.tenant_id = "acme";
  q.from_ns = 20;
  q.to_ns = 10;
  EXPECT_THAT(index->Query(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from")));
  q.to_ns = 20;
  ASSERT_OK_AND_ASSIGN(const IndexQueryResult empty, index->Query(q));
  EXPECT_TRUE(empty.seqs.empty());

  q = IndexQuery{};
  EXPECT_THAT(index->Query(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tenant")));
  q.tenant_id = "acme";
  q.limit = 0;
  EXPECT_THAT(index->Query(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  q.limit = kMaxQueryLimit + 1;
  EXPECT_THAT(index->Query(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  q.limit = kMaxQueryLimit;
  q.trace_id = std::string(15, 'x');
  EXPECT_THAT(index->Query(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trace")));

  // An all-tenants query names no tenant, and its page tokens are its own.
  q = IndexQuery{};
  q.all_tenants = true;
  q.tenant_id = "acme";
  EXPECT_THAT(index->Query(q),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tenant_id must be empty")));
  q.tenant_id.clear();
  q.limit = 3;
  ASSERT_OK_AND_ASSIGN(const IndexQueryResult first, index->Query(q));
  ASSERT_FALSE(first.next_page_token.empty());
  IndexQuery one_tenant;
  one_tenant.tenant_id = "acme";
  one_tenant.page_token = first.next_page_token;
  EXPECT_THAT(index->Query(one_tenant),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another query")));
}

TEST_F(AuditIndexTest, AddRefusesGapsAndRegressions) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  const std::vector<IndexFields> batch = MakeRecords(0, 10, 3);
  EXPECT_THAT(index->Add(1, batch),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("gap")));
  ASSERT_OK(index->Add(0, batch));
  EXPECT_EQ(index->covered(), 10u);
  EXPECT_THAT(index->Add(5, batch), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(index->Add(11, batch), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_OK(index->Add(10, {}));
  EXPECT_EQ(index->covered(), 10u);
}

// After a refused Add: nothing covered, and `record`'s tenant and leaf hash find nothing.
void ExpectNothingIndexed(const AuditIndex& index, const IndexFields& record) {
  EXPECT_EQ(index.covered(), 0u);
  IndexQuery q;
  q.tenant_id = record.tenant_id;
  ASSERT_OK_AND_ASSIGN(const IndexQueryResult result, index.Query(q));
  EXPECT_TRUE(result.seqs.empty());
  EXPECT_THAT(index.LeafHashCandidates(record.leaf_hash, 10), IsOkAndHolds(IsEmpty()));
}

TEST_F(AuditIndexTest, AddRejectsBadFieldsAndWritesNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  std::vector<IndexFields> batch = MakeRecords(0, 10, 3);
  batch[4].trace_id = "short";
  EXPECT_THAT(index->Add(0, batch), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4")));
  batch[4].trace_id.clear();
  batch[6].tenant_id.clear();
  EXPECT_THAT(index->Add(0, batch), StatusIs(absl::StatusCode::kInvalidArgument));
  ExpectNothingIndexed(*index, batch[0]);
}

TEST_F(AuditIndexTest, AddRefusesALeafHashThatIsNot32BytesAndWritesNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  std::vector<IndexFields> batch = MakeRecords(0, 10, 3);
  for (const size_t size : {0, 8, 31, 33}) {
    batch[5].leaf_hash = std::string(size, 'h');
    EXPECT_THAT(index->Add(0, batch),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("record 5"), HasSubstr("leaf_hash"))))
        << size;
  }
  ExpectNothingIndexed(*index, batch[0]);
}

TEST_F(AuditIndexTest, LeafHashLookupOfAHashThatIsNot32BytesIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  for (const size_t size : {0, 8, 31, 33, 64}) {
    EXPECT_THAT(index->LeafHashCandidates(std::string(size, 'h'), 10),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32 bytes")))
        << size;
  }
  // The first 8 bytes of a stored hash are not enough to ask with.
  EXPECT_THAT(index->LeafHashCandidates(std::string_view(records_[0].leaf_hash).substr(0, 8), 10),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Hashes made by hand: `a` and `b` share their first 8 bytes and nothing after; `c` differs from
// `a` in byte 7 only, the last one keyed; `d` is all 0xff, the end of the key space.
TEST_F(AuditIndexTest, LeafHashCandidatesAreTheRecordsSharingTheFirst8Bytes) {
  const std::string a = std::string(8, '\x11') + std::string(24, 'a');
  const std::string b = std::string(8, '\x11') + std::string(24, 'b');
  std::string c = a;
  c[7] = '\x12';
  const std::string d(32, '\xff');
  std::string absent = a;
  absent[0] = '\x10';

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  std::vector<IndexFields> batch = MakeRecords(0, 6, 5);
  const std::string* const hashes[] = {&a, &c, &b, &d, &a, &b};
  for (size_t i = 0; i < batch.size(); ++i) batch[i].leaf_hash = *hashes[i];
  ASSERT_OK(index->Add(0, batch));

  for (const bool reopened : {false, true}) {
    if (reopened) {  // From SST files, through their prefix bloom filters.
      ASSERT_OK(index->Close());
      ASSERT_OK_AND_ASSIGN(index, AuditIndex::Open(index_dir()));
    }
    SCOPED_TRACE(reopened ? "reopened" : "memtable");
    EXPECT_THAT(index->LeafHashCandidates(a, 10), IsOkAndHolds(ElementsAre(0u, 2u, 4u, 5u)));
    EXPECT_THAT(index->LeafHashCandidates(b, 10), IsOkAndHolds(ElementsAre(0u, 2u, 4u, 5u)));
    EXPECT_THAT(index->LeafHashCandidates(c, 10), IsOkAndHolds(ElementsAre(1u)));
    EXPECT_THAT(index->LeafHashCandidates(d, 10), IsOkAndHolds(ElementsAre(3u)));
    EXPECT_THAT(index->LeafHashCandidates(absent, 10), IsOkAndHolds(IsEmpty()));
    // At most max_results, the smallest sequence numbers first.
    EXPECT_THAT(index->LeafHashCandidates(a, 2), IsOkAndHolds(ElementsAre(0u, 2u)));
    EXPECT_THAT(index->LeafHashCandidates(a, 0), IsOkAndHolds(IsEmpty()));
  }
}

TEST_F(AuditIndexTest, CatchUpIndexesRecordsAppendedLater) {
  IndexOptions options;
  options.catch_up_batch_records = 333;  // Several batches, the last one partial.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir(), options));
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  const std::vector<IndexFields> more = MakeRecords(kRecords, 1234, 2);
  ASSERT_OK(AppendAll(*log_, more));
  records_.insert(records_.end(), more.begin(), more.end());
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  EXPECT_EQ(index->covered(), kRecords + 1234);
  ASSERT_OK(index->CatchUp(*log_, kDecoder));  // Nothing to do.
  EXPECT_EQ(index->covered(), kRecords + 1234);
  ExpectEveryCombinationMatches(*index, records_, 1, 9);
}

TEST_F(AuditIndexTest, CatchUpStopsAtARecordTheDecoderRejects) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index, AuditIndex::Open(index_dir()));
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  const std::string_view junk[] = {"junk"};
  ASSERT_OK(log_->Append(junk).status());
  EXPECT_THAT(index->CatchUp(*log_, kDecoder),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("record 3000")));
  EXPECT_EQ(index->covered(), kRecords);
}

IndexOptions CrashTestOptions() {
  IndexOptions options;
  options.write_buffer_bytes = 64 << 10;  // Several flushes while indexing.
  options.catch_up_batch_records = 100;
  return options;
}

// The child half of CrashWithoutFlushLosesOnlyASuffixThatCatchUpRedoes, run as a fresh process
// (a forked one would lack RocksDB's background threads). Skipped unless that test runs it.
TEST(AuditIndexCrashChild, IndexesAndDiesWithoutClosing) {
  const char* log_dir = getenv("SEALTRAIL_INDEX_CRASH_LOG");
  const char* index_dir = getenv("SEALTRAIL_INDEX_CRASH_INDEX");
  if (log_dir == nullptr || index_dir == nullptr) GTEST_SKIP() << "run by the crash test only";
  LogOptions log_options;
  log_options.read_only = true;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(log_options, log_dir);
  if (!log.ok()) _exit(2);
  absl::StatusOr<std::unique_ptr<AuditIndex>> index =
      AuditIndex::Open(index_dir, CrashTestOptions());
  if (!index.ok() || !(*index)->CatchUp(**log, kDecoder).ok()) _exit(1);
  _exit(0);  // No Close, no destructor: the newest memtable is lost.
}

// Index writes skip RocksDB's WAL. A process that dies without closing loses its unflushed
// memtables; what is on disk must still be exactly the entries of records [0, covered), and
// catch-up must redo the rest.
TEST_F(AuditIndexTest, CrashWithoutFlushLosesOnlyASuffixThatCatchUpRedoes) {
  ASSERT_EQ(setenv("SEALTRAIL_INDEX_CRASH_LOG", scratch_.Sub("log").c_str(), 1), 0);
  ASSERT_EQ(setenv("SEALTRAIL_INDEX_CRASH_INDEX", index_dir().c_str(), 1), 0);
  const testing::ProcessResult child = testing::RunProcess(
      "/proc/self/exe", {"--gtest_filter=AuditIndexCrashChild.IndexesAndDiesWithoutClosing"}, "",
      scratch_);
  unsetenv("SEALTRAIL_INDEX_CRASH_LOG");
  unsetenv("SEALTRAIL_INDEX_CRASH_INDEX");
  ASSERT_EQ(child.exit_code, 0) << child.out << child.err;

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditIndex> index,
                       AuditIndex::Open(index_dir(), CrashTestOptions()));
  const uint64_t covered = index->covered();
  EXPECT_GT(covered, 0u) << "expected some flushed batches";
  EXPECT_LT(covered, kRecords) << "expected the last batches to be lost";
  const std::vector<IndexFields> survivors(records_.begin(), records_.begin() + covered);
  ExpectEveryCombinationMatches(*index, survivors, 1, 15);
  ExpectLeafHashLookupsMatch(*index, survivors);
  ASSERT_OK(index->CatchUp(*log_, kDecoder));
  ExpectEveryCombinationMatches(*index, records_, 1, 16);
  ExpectLeafHashLookupsMatch(*index, records_);
}

TEST_F(AuditIndexTest, OpenOrRebuildCatchesUpASoundIndex) {
  BuildAndClose();
  ASSERT_OK(AppendAll(*log_, MakeRecords(kRecords, 500, 4)));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kCaughtUp);
  EXPECT_EQ(opened.report.records_indexed, 500u);
  EXPECT_EQ(opened.index->covered(), kRecords + 500);
}

TEST_F(AuditIndexTest, DeletedIndexDirIsRebuiltAndAnswersTheSame) {
  BuildAndClose();
  ASSERT_OK(testing::RemoveTree(index_dir()));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kRebuilt);
  EXPECT_EQ(opened.report.records_indexed, kRecords);
  ExpectEveryCombinationMatches(*opened.index, records_, 1, 10);
  ExpectLeafHashLookupsMatch(*opened.index, records_);
}

TEST_F(AuditIndexTest, IndexCoveringMoreThanTheLogIsRebuilt) {
  BuildAndClose();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> shorter, OpenLog(scratch_.Sub("shorter_log")));
  const std::vector<IndexFields> prefix(records_.begin(), records_.begin() + 100);
  ASSERT_OK(AppendAll(*shorter, prefix));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *shorter, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kRebuilt);
  EXPECT_THAT(opened.report.reason, HasSubstr("log has only 100"));
  EXPECT_EQ(opened.index->covered(), 100u);
  ExpectEveryCombinationMatches(*opened.index, prefix, 1, 11);
}

TEST_F(AuditIndexTest, IndexOfAnotherLogIsRebuilt) {
  BuildAndClose();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> other, OpenLog(scratch_.Sub("other_log")));
  const std::vector<IndexFields> other_records = MakeRecords(0, kRecords + 10, 99);
  ASSERT_OK(AppendAll(*other, other_records));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *other, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kRebuilt);
  EXPECT_THAT(opened.report.reason, HasSubstr("does not match the log"));
  ExpectEveryCombinationMatches(*opened.index, other_records, 1, 12);
}

TEST_F(AuditIndexTest, CorruptSstIsRebuiltNotTrusted) {
  BuildAndClose();
  const std::vector<std::filesystem::path> ssts = FilesNamed(index_dir(), ".sst");
  ASSERT_FALSE(ssts.empty());
  for (const auto& sst : ssts) Overwrite(sst, std::filesystem::file_size(sst) / 3, 256);
  EXPECT_THAT(AuditIndex::Open(index_dir()), StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kRebuilt) << opened.report.ToString();
  EXPECT_THAT(opened.report.reason, HasSubstr("Corruption"));
  EXPECT_EQ(opened.index->covered(), kRecords);
  ExpectEveryCombinationMatches(*opened.index, records_, 1, 13);
}

TEST_F(AuditIndexTest, CorruptManifestIsRebuiltNotTrusted) {
  BuildAndClose();
  const std::vector<std::filesystem::path> manifests = FilesNamed(index_dir(), "MANIFEST-");
  ASSERT_EQ(manifests.size(), 1u);
  Overwrite(manifests[0], 20, 64);
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kRebuilt) << opened.report.ToString();
  EXPECT_THAT(opened.report.reason, HasSubstr("Corruption"));
  EXPECT_EQ(opened.index->covered(), kRecords);
  ExpectEveryCombinationMatches(*opened.index, records_, 1, 14);
}

// Turns the index in `dir` into one as format sealtrail-index/1 wrote it: the same entries but
// no H (leaf-hash) entries, and that format's marker. Written with plain RocksDB, as an older
// build would have.
void DowngradeToFormat1(const std::string& dir, uint64_t records) {
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
  const std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  uint64_t leaf_hash_entries = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("H"); it->Valid() && it->key().starts_with("H"); it->Next()) {
    ASSERT_TRUE(batch.Delete(it->key()).ok());
    ++leaf_hash_entries;
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  it.reset();
  EXPECT_EQ(leaf_hash_entries, records);
  ASSERT_TRUE(batch.Put("Mformat", "sealtrail-index/1").ok());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(db->Write(sync, &batch).ok());
  ASSERT_TRUE(db->Close().ok());
}

TEST_F(AuditIndexTest, IndexOfFormat1IsRebuiltWithLeafHashes) {
  BuildAndClose();
  DowngradeToFormat1(index_dir(), kRecords);
  EXPECT_THAT(AuditIndex::Open(index_dir()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("'sealtrail-index/1'")));
  ASSERT_OK_AND_ASSIGN(OpenedIndex opened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(opened.report.action, IndexOpenReport::Action::kRebuilt) << opened.report.ToString();
  EXPECT_THAT(opened.report.reason, HasSubstr("sealtrail-index/1"));
  EXPECT_EQ(opened.index->covered(), kRecords);
  ExpectLeafHashLookupsMatch(*opened.index, records_);
  ExpectEveryCombinationMatches(*opened.index, records_, 1, 17);
}

// The server holds its index open while it runs; a rebuild beside it (sealtrail reindex) must
// fail without deleting any of the open index's files.
TEST_F(AuditIndexTest, RebuildOfAnIndexInUseIsUnavailableAndDeletesNothing) {
  ASSERT_OK_AND_ASSIGN(OpenedIndex in_use, OpenOrRebuild(index_dir(), *log_, kDecoder));
  ASSERT_OK(in_use.index->Close());
  ASSERT_OK_AND_ASSIGN(in_use.index, AuditIndex::Open(index_dir()));
  const std::vector<std::filesystem::path> ssts = FilesNamed(index_dir(), ".sst");
  ASSERT_FALSE(ssts.empty());

  EXPECT_THAT(AuditIndex::Rebuild(index_dir(), *log_, kDecoder),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("in use")));
  for (const auto& sst : ssts) EXPECT_TRUE(std::filesystem::exists(sst)) << sst;
  ExpectLeafHashLookupsMatch(*in_use.index, records_);
  ASSERT_OK(in_use.index->Close());
  in_use.index.reset();

  ASSERT_OK_AND_ASSIGN(OpenedIndex reopened, OpenOrRebuild(index_dir(), *log_, kDecoder));
  EXPECT_EQ(reopened.report.action, IndexOpenReport::Action::kOpened) << reopened.report.ToString();
}

// Only a missing or incompatible index is rebuilt: an index another holder has open is the
// lock-held error, and nothing of it is deleted or rebuilt.
TEST_F(AuditIndexTest, OpenOrRebuildOfAnIndexHeldElsewhereIsLockHeldAndRebuildsNothing) {
  ASSERT_OK_AND_ASSIGN(OpenedIndex in_use, OpenOrRebuild(index_dir(), *log_, kDecoder));
  ASSERT_OK(in_use.index->Close());
  ASSERT_OK_AND_ASSIGN(in_use.index, AuditIndex::Open(index_dir()));
  const std::vector<std::filesystem::path> ssts = FilesNamed(index_dir(), ".sst");
  ASSERT_FALSE(ssts.empty());

  absl::StatusOr<OpenedIndex> second = OpenOrRebuild(index_dir(), *log_, kDecoder);
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("in use")));
  EXPECT_TRUE(IsLockHeldError(second.status())) << second.status();
  for (const auto& sst : ssts) EXPECT_TRUE(std::filesystem::exists(sst)) << sst;
  ExpectLeafHashLookupsMatch(*in_use.index, records_);
}

TEST_F(AuditIndexTest, RebuildRefusesADirectoryWithOtherFiles) {
  const std::string dir = scratch_.Sub("not_an_index");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/thesis.tex") << "precious";
  EXPECT_THAT(AuditIndex::Rebuild(dir, *log_, kDecoder),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("thesis.tex")));
  EXPECT_THAT(OpenOrRebuild(dir, *log_, kDecoder), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(std::filesystem::exists(dir + "/thesis.tex"));
}

}  // namespace
}  // namespace sealtrail

namespace sealtrail {
namespace {

using ::sealtrail::testing::StatusIs;
using ::testing::HasSubstr;

// RocksDB errors are classed by their kind, never by a word in the message: an I/O error that
// mentions a "block" is an I/O error (INTERNAL), not a held lock.
TEST(FromRocksTest, AnIoErrorMentioningABlockIsInternalNotALock) {
  const absl::Status status = index_internal::FromRocks(
      rocksdb::Status::IOError("While reading data block", "/idx/000012.sst: Input/output error"),
      "querying the index");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal, HasSubstr("data block")));
  EXPECT_FALSE(IsLockHeldError(status));
  EXPECT_THAT(index_internal::FromRocks(
                  rocksdb::Status::IOError("While lock file: /idx/LOCK", "No locks available"),
                  "opening index"),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(FromRocksTest, ALockHeldByAnotherProcessIsTheLockHeldError) {
  const absl::Status status = index_internal::FromRocks(
      rocksdb::Status::IOError("While lock file: /idx/LOCK", std::strerror(EAGAIN)),
      "opening index /idx");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("in use")));
  EXPECT_TRUE(IsLockHeldError(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("opening index /idx"));
}

TEST(FromRocksTest, AFullDiskIsResourceExhaustedAndSaysSo) {
  EXPECT_THAT(index_internal::FromRocks(
                  rocksdb::Status::NoSpace("While appending", "No space left"), "flushing index"),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("the disk is full")));
}

}  // namespace
}  // namespace sealtrail
