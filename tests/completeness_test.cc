// Completeness proofs, brute force: random logs (real segment files, links assigned by the
// server's KeyHeads, the committer's component), random keys and ranges; an honest answer and
// proof made here by brute force over the whole log (an independent prover: it reads every
// record, where the server's uses the index and the links) must verify, and every answer with
// one record dropped, added, duplicated, reordered or swapped for another key's, at the start,
// middle and end, and across segment boundaries, must be refused for the right reason.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/stubs/logging.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/log.h"
#include "server/completeness/completeness_verifier.h"
#include "server/completeness/key_map_line.h"
#include "server/keymap/key_map.h"
#include "server/keymap/map_proof.h"
#include "server/record/record.h"
#include "server/record/record_keys.h"
#include "server/service/key_heads.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using keymap::KeyKind;
using ::sealtrail::testing::StatusIs;
using ::testing::HasSubstr;

constexpr uint32_t kSegmentLog2 = 4;  // 16 records per segment: many boundaries.

struct TestLog {
  std::unique_ptr<Log> log;
  std::vector<v1::AuditRecord> records;  // As stored, links and commit times set.
  std::vector<std::string> bytes;
};

v1::AuditRecord RandomRecord(std::mt19937_64& rng) {
  v1::AuditRecord record;
  const char* tenants[] = {"acme", "globex"};
  const char* actors[] = {"agent-1", "agent-2", "agent-3", "supervisor-9"};
  const char* actions[] = {"call.barge", "config.update", "records.export", "auth.denied"};
  record.mutable_context()->set_tenant_id(tenants[rng() % 2]);
  if (rng() % 5 == 0) {
    record.mutable_actor()->set_service(actors[rng() % 4]);
  } else {
    record.mutable_actor()->set_user_id(actors[rng() % 4]);
  }
  record.mutable_action()->set_name(actions[rng() % 4]);
  record.mutable_outcome()->set_result(v1::Outcome::SUCCESS);
  if (rng() % 2 == 0) {
    std::string trace(16, '\0');
    trace[0] = static_cast<char>(1 + rng() % 3);  // Three traces: long chains.
    record.mutable_correlation()->set_trace_id(trace);
  }
  return record;
}

// Appends `count` records in batches of random size, linked by `heads` as the committer links
// them, with non-decreasing commit times (several records share one).
void Fill(TestLog& t, KeyHeads& heads, size_t count, std::mt19937_64& rng, int64_t* clock) {
  while (count > 0) {
    const size_t batch = std::min<size_t>(count, 1 + rng() % 7);
    std::vector<v1::AuditRecord> records;
    for (size_t i = 0; i < batch; ++i) {
      v1::AuditRecord record = RandomRecord(rng);
      *clock += static_cast<int64_t>(rng() % 3);  // 0: the same time as the one before.
      record.mutable_context()->set_commit_time_ns(*clock);
      records.push_back(std::move(record));
    }
    heads.Stage(absl::MakeSpan(records), t.log->Size());
    std::vector<std::string> stored;
    for (const v1::AuditRecord& record : records) stored.push_back(SerializeForLog(record));
    std::vector<std::string_view> views(stored.begin(), stored.end());
    ASSERT_OK(t.log->Append(views).status());
    heads.Publish();
    for (size_t i = 0; i < batch; ++i) {
      t.records.push_back(records[i]);
      t.bytes.push_back(stored[i]);
    }
    count -= batch;
  }
}

struct Key {
  KeyKind kind;
  std::string tenant;
  std::string value;
};

bool HasKey(const v1::AuditRecord& record, const Key& key) {
  std::optional<RecordKey> own = RecordKeyOf(record, key.kind);
  return own.has_value() && own->tenant == key.tenant && own->value == key.value;
}

// The honest answer and proof, by brute force over every record.
struct Honest {
  std::vector<AnsweredRecord> answer;  // In the claim's order.
  v1::CompletenessProof proof;
  Checkpoint checkpoint;
};

Honest ProveByScan(const TestLog& t, KeyHeads& heads, const CompletenessClaim& claim) {
  Honest honest;
  const uint64_t size = t.log->Size();
  absl::StatusOr<KeyMapHead> map = heads.Advance();
  EXPECT_OK(map.status());
  honest.checkpoint.origin = "test";
  honest.checkpoint.size = size;
  honest.checkpoint.root = *t.log->Root(size);
  honest.checkpoint.extensions.push_back(map->ExtensionLine());
  const Key key{claim.kind, claim.tenant, claim.value};
  const auto below = [&](uint64_t seq, int64_t ns) {
    return (claim.from_ns != 0 && ns < claim.from_ns) ||
           (claim.from_seq != 0 && seq < claim.from_seq);
  };
  const auto above = [&](uint64_t seq, int64_t ns) {
    return (claim.to_ns != 0 && ns >= claim.to_ns) || (claim.to_seq != 0 && seq >= claim.to_seq);
  };
  std::vector<uint64_t> chain;
  for (uint64_t seq = 0; seq < size; ++seq) {
    if (HasKey(t.records[seq], key)) chain.push_back(seq);
  }
  std::vector<uint64_t> answer;
  std::optional<size_t> after;  // Positions in `chain`.
  for (size_t i = 0; i < chain.size(); ++i) {
    const uint64_t seq = chain[i];
    const int64_t ns = t.records[seq].context().commit_time_ns();
    if (above(seq, ns)) {
      if (!after.has_value()) after = i;  // The first one after.
    } else if (!below(seq, ns)) {
      answer.push_back(seq);
    }
  }
  const bool has_start = claim.from_ns != 0 || claim.from_seq != 0;
  std::vector<uint64_t> boundary;
  // The chain neighbour before the answer's first record (or, empty, before the first one
  // after), when the range has a start; with neither, the key's newest.
  std::optional<size_t> first;
  if (!answer.empty()) {
    first = std::find(chain.begin(), chain.end(), answer.front()) - chain.begin();
  } else if (after.has_value()) {
    first = after;
  }
  if (first.has_value() && *first > 0 && has_start) boundary.push_back(chain[*first - 1]);
  if (!first.has_value() && !chain.empty()) boundary.push_back(chain.back());
  if (after.has_value()) {
    boundary.push_back(chain[*after]);
  } else {
    const Hash path = keymap::KeyPath(key.kind, key.tenant, key.value);
    honest.proof.set_map_proof(keymap::SerializeMapProof(*heads.Prove(path, size)));
  }
  for (uint64_t seq : boundary) {
    v1::QueryResult* result = honest.proof.add_boundary();
    result->set_seq(seq);
    result->set_data(t.bytes[seq]);
  }
  std::vector<uint64_t> proven = answer;
  proven.insert(proven.end(), boundary.begin(), boundary.end());
  std::sort(proven.begin(), proven.end());
  if (!proven.empty()) {
    absl::StatusOr<std::vector<Hash>> path = t.log->ProveMultiInclusion(proven, size);
    EXPECT_OK(path.status());
    for (const Hash& hash : *path) honest.proof.add_inclusion_path(std::string(AsStringView(hash)));
  }
  if (claim.newest_first) std::reverse(answer.begin(), answer.end());
  for (uint64_t seq : answer) honest.answer.push_back(AnsweredRecord{seq, t.bytes[seq]});
  honest.proof.mutable_checkpoint()->set_tree_size(size);
  honest.proof.set_key_kind(static_cast<v1::KeyKind>(claim.kind));
  honest.proof.set_tenant_id(claim.tenant);
  honest.proof.set_key_value(claim.value);
  honest.proof.set_from_ns(claim.from_ns);
  honest.proof.set_to_ns(claim.to_ns);
  honest.proof.set_from_seq(claim.from_seq);
  honest.proof.set_to_seq(claim.to_seq);
  return honest;
}

CompletenessClaim RandomClaim(const TestLog& t, std::mt19937_64& rng) {
  const v1::AuditRecord& sample = t.records[rng() % t.records.size()];
  CompletenessClaim claim;
  const KeyKind kinds[] = {KeyKind::kTenant, KeyKind::kActor, KeyKind::kAction, KeyKind::kTrace};
  claim.kind = kinds[rng() % 4];
  if (claim.kind == KeyKind::kTrace && sample.correlation().trace_id().empty()) {
    claim.kind = KeyKind::kActor;
  }
  std::optional<RecordKey> key = RecordKeyOf(sample, claim.kind);
  claim.tenant = std::string(key->tenant);
  claim.value = std::string(key->value);
  if (rng() % 8 == 0) claim.value += "-nobody";  // A key with no records at all.
  const int64_t last_ns = t.records.back().context().commit_time_ns();
  if (rng() % 4 != 0) claim.from_ns = 1 + static_cast<int64_t>(rng() % (last_ns + 2));
  if (rng() % 4 != 0) {
    claim.to_ns = claim.from_ns + 1 + static_cast<int64_t>(rng() % (last_ns / 2 + 2));
  }
  if (rng() % 3 == 0) {
    // A sequence range, alone or with the time range (both then hold).
    if (rng() % 2 == 0) claim.from_ns = 0;
    if (rng() % 2 == 0) claim.to_ns = 0;
    const uint64_t size = t.records.size();
    if (rng() % 4 != 0) claim.from_seq = 1 + rng() % size;
    if (rng() % 4 != 0) claim.to_seq = claim.from_seq + 1 + rng() % (size / 2 + 1);
  }
  claim.newest_first = rng() % 2 == 0;
  return claim;
}

class CompletenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.leaves_per_segment_log2 = kSegmentLog2;
    options.sync = SyncPolicy::kNone;
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(options, dir_.path());
    ASSERT_OK(log.status());
    t_.log = *std::move(log);
    absl::StatusOr<std::unique_ptr<KeyHeads>> heads = KeyHeads::Load(*t_.log);
    ASSERT_OK(heads.status());
    heads_ = *std::move(heads);
  }

  absl::StatusOr<CompletenessResult> Verify(const CompletenessClaim& claim,
                                            const std::vector<AnsweredRecord>& answer,
                                            const Honest& honest) {
    return VerifyCompleteness(claim, answer, honest.proof, honest.checkpoint);
  }

  // As a lying server would send `answer`: with an inclusion path that is right for exactly the
  // records it sends (so only the chain can give it away). Records not in the log keep the
  // honest path.
  absl::StatusOr<CompletenessResult> VerifyAsSent(const CompletenessClaim& claim,
                                                  const std::vector<AnsweredRecord>& answer,
                                                  const Honest& honest) {
    std::vector<uint64_t> proven;
    for (const AnsweredRecord& record : answer) proven.push_back(record.seq);
    for (const v1::QueryResult& result : honest.proof.boundary()) proven.push_back(result.seq());
    std::sort(proven.begin(), proven.end());
    proven.erase(std::unique(proven.begin(), proven.end()), proven.end());
    Honest sent = honest;
    sent.proof.clear_inclusion_path();
    if (!proven.empty()) {
      absl::StatusOr<std::vector<Hash>> path = t_.log->ProveMultiInclusion(proven, t_.log->Size());
      if (!path.ok()) return path.status();
      for (const Hash& hash : *path) sent.proof.add_inclusion_path(std::string(AsStringView(hash)));
    }
    return Verify(claim, answer, sent);
  }

  testing::ScratchDir dir_{"completeness_test"};
  TestLog t_;
  std::unique_ptr<KeyHeads> heads_;
  int64_t clock_ = 1000;
};

TEST_F(CompletenessTest, HonestAnswersVerifyAndEveryOneRecordChangeIsRefused) {
  std::mt19937_64 rng(20261204);
  Fill(t_, *heads_, 150, rng, &clock_);
  int with_records = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const CompletenessClaim claim = RandomClaim(t_, rng);
    const Honest honest = ProveByScan(t_, *heads_, claim);
    absl::StatusOr<CompletenessResult> verified = Verify(claim, honest.answer, honest);
    ASSERT_OK(verified.status());
    EXPECT_EQ(verified->records, honest.answer.size());
    EXPECT_EQ(verified->tree_size, t_.log->Size());
    const size_t k = honest.answer.size();
    if (k == 0) continue;
    ++with_records;
    for (size_t at : {size_t{0}, k / 2, k - 1}) {
      SCOPED_TRACE(absl::StrCat("position ", at, " of ", k));
      // Dropped: a gap (or, at an end, a missing boundary), named as such.
      std::vector<AnsweredRecord> dropped = honest.answer;
      dropped.erase(dropped.begin() + at);
      EXPECT_THAT(VerifyAsSent(claim, dropped, honest),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("the answer is incomplete")));
      // Duplicated.
      std::vector<AnsweredRecord> duplicated = honest.answer;
      duplicated.insert(duplicated.begin() + at, honest.answer[at]);
      EXPECT_THAT(VerifyAsSent(claim, duplicated, honest),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("appears twice")));
      // Swapped for another key's record (one not on this chain).
      for (uint64_t other = 0; other < t_.log->Size(); ++other) {
        if (HasKey(t_.records[other], Key{claim.kind, claim.tenant, claim.value})) continue;
        std::vector<AnsweredRecord> swapped = honest.answer;
        swapped[at] = AnsweredRecord{other, t_.bytes[other]};
        std::sort(swapped.begin(), swapped.end(), [&](const auto& a, const auto& b) {
          return claim.newest_first ? a.seq > b.seq : a.seq < b.seq;
        });
        EXPECT_THAT(VerifyAsSent(claim, swapped, honest),
                    StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is not a record of")));
        break;
      }
      // Bytes altered (a field other than the links): not in the log.
      std::vector<AnsweredRecord> altered = honest.answer;
      v1::AuditRecord changed = *ParseStoredRecord(altered[at].data);
      changed.mutable_outcome()->set_status_code(changed.outcome().status_code() + 1);
      altered[at].data = SerializeForLog(changed);
      EXPECT_THAT(Verify(claim, altered, honest),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not all in the log")));
    }
    if (k >= 2) {
      std::vector<AnsweredRecord> reordered = honest.answer;
      std::swap(reordered[0], reordered[1]);
      EXPECT_THAT(VerifyAsSent(claim, reordered, honest),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("out of order")));
    }
    // Added: a record of the key from outside the range (a boundary one, when there is one).
    if (honest.proof.boundary_size() > 0) {
      const v1::QueryResult& outside = honest.proof.boundary(0);
      std::vector<AnsweredRecord> added = honest.answer;
      added.push_back(AnsweredRecord{outside.seq(), outside.data()});
      std::sort(added.begin(), added.end(), [&](const auto& a, const auto& b) {
        return claim.newest_first ? a.seq > b.seq : a.seq < b.seq;
      });
      EXPECT_THAT(VerifyAsSent(claim, added, honest),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not in the answer's range")));
      // Also when the liar drops it from the boundary.
      Honest no_boundary = honest;
      no_boundary.proof.mutable_boundary()->DeleteSubrange(0, 1);
      EXPECT_THAT(VerifyAsSent(claim, added, no_boundary),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not in the answer's range")));
    }
  }
  EXPECT_GT(with_records, 100);  // The random claims did exercise non-empty answers.
}

// Random byte damage to the records (their links included) and to the serialized proof: the
// parsers and the verifier never crash (ASan/UBSan builds run this too), and damaged record bytes
// are never accepted.
TEST_F(CompletenessTest, RandomlyDamagedRecordsAndProofsNeverCrashAndDamagedRecordsNeverVerify) {
  std::mt19937_64 rng(99);
  Fill(t_, *heads_, 120, rng, &clock_);
  // Damaged strings are invalid UTF-8, which the parser refuses, and logs each time.
  google::protobuf::LogSilencer quiet;
  int rounds = 0;
  for (int claim_round = 0; claim_round < 40; ++claim_round) {
    const CompletenessClaim claim = RandomClaim(t_, rng);
    const Honest honest = ProveByScan(t_, *heads_, claim);
    for (int i = 0; i < 60; ++i, ++rounds) {
      SCOPED_TRACE(absl::StrCat("claim ", claim_round, " damage ", i));
      const int flips = 1 + static_cast<int>(rng() % 4);
      if (!honest.answer.empty() && rng() % 2 == 0) {
        std::vector<AnsweredRecord> damaged = honest.answer;
        std::string& bytes = damaged[rng() % damaged.size()].data;
        const std::string before = bytes;
        for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] ^= 1 + rng() % 255;
        if (bytes == before) continue;
        EXPECT_FALSE(Verify(claim, damaged, honest).ok());
      } else {
        std::string proof_bytes = honest.proof.SerializeAsString();
        for (int f = 0; f < flips; ++f) proof_bytes[rng() % proof_bytes.size()] ^= 1 + rng() % 255;
        Honest damaged = honest;
        if (!damaged.proof.ParseFromString(proof_bytes)) continue;
        // Whatever it says, it must not crash; a proof damaged only where the verifier does not
        // look (the signed note, which the caller checks) may still verify.
        Verify(claim, honest.answer, damaged).IgnoreError();
      }
    }
  }
  EXPECT_GT(rounds, 2000);
}

TEST_F(CompletenessTest, AGapIsNamedBySequenceNumbers) {
  std::mt19937_64 rng(7);
  Fill(t_, *heads_, 60, rng, &clock_);
  CompletenessClaim claim;
  claim.kind = KeyKind::kTenant;
  claim.tenant = "acme";
  claim.newest_first = false;
  const Honest honest = ProveByScan(t_, *heads_, claim);
  ASSERT_GE(honest.answer.size(), 5u);
  std::vector<AnsweredRecord> dropped = honest.answer;
  const uint64_t before = dropped[1].seq;
  const uint64_t after = dropped[3].seq;
  dropped.erase(dropped.begin() + 2);
  EXPECT_THAT(VerifyAsSent(claim, dropped, honest),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("1 record(s) missing between sequence numbers ",
                                              before, " and ", after))));
  // The newest dropped: the key map names the record the answer should have ended with.
  std::vector<AnsweredRecord> no_newest = honest.answer;
  const uint64_t newest = no_newest.back().seq;
  no_newest.pop_back();
  EXPECT_THAT(VerifyAsSent(claim, no_newest, honest),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("the newest is record ", newest))));
}

TEST_F(CompletenessTest, ProofOfAnotherKeyOrRangeOrCheckpointIsRefused) {
  std::mt19937_64 rng(11);
  Fill(t_, *heads_, 40, rng, &clock_);
  CompletenessClaim claim;
  claim.kind = KeyKind::kActor;
  claim.tenant = "acme";
  claim.value = "agent-1";
  const Honest honest = ProveByScan(t_, *heads_, claim);
  CompletenessClaim other = claim;
  other.value = "agent-2";
  EXPECT_THAT(Verify(other, honest.answer, honest),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another key")));
  other = claim;
  other.from_ns = 5;
  EXPECT_THAT(Verify(other, honest.answer, honest),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("range")));
  Honest no_line = honest;
  no_line.checkpoint.extensions.clear();
  EXPECT_THAT(Verify(claim, honest.answer, no_line),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("sealtrail-keymap")));
  Honest wrong_root = honest;
  wrong_root.checkpoint.root[0] ^= 1;
  EXPECT_THAT(Verify(claim, honest.answer, wrong_root),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not all in the log")));
  // A map proof for a forged head (the key map root differs).
  Honest forged_map = honest;
  KeyMapHead head = *KeyMapHeadOf(honest.checkpoint);
  head.root[3] ^= 1;
  forged_map.checkpoint.extensions = {head.ExtensionLine()};
  if (!honest.proof.map_proof().empty()) {
    EXPECT_THAT(Verify(claim, honest.answer, forged_map),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("key map proof")));
  }
}

TEST_F(CompletenessTest, KeyHeadsReloadFromTheLogAndRefuseBrokenLinks) {
  std::mt19937_64 rng(3);
  Fill(t_, *heads_, 50, rng, &clock_);
  const KeyMapHead live = *heads_->Advance();
  absl::StatusOr<std::unique_ptr<KeyHeads>> reloaded = KeyHeads::Load(*t_.log);
  ASSERT_OK(reloaded.status());
  const KeyMapHead again = *(*reloaded)->Advance();
  EXPECT_EQ(again.root, live.root);
  EXPECT_EQ(again.size, live.size);
  EXPECT_EQ(again.from, 0u);

  // A record whose link skips one: DATA_LOSS naming it at load.
  v1::AuditRecord broken = t_.records.back();
  broken.mutable_context()->set_commit_time_ns(clock_);
  std::vector<v1::AuditRecord> one = {broken};
  (*reloaded)->Stage(absl::MakeSpan(one), t_.log->Size());
  one[0].mutable_links()->set_tenant_count(one[0].links().tenant_count() + 1);
  const std::string bytes = SerializeForLog(one[0]);
  ASSERT_OK(t_.log->Append({bytes}).status());
  EXPECT_THAT(
      KeyHeads::Load(*t_.log),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr(absl::StrCat("record ", t_.log->Size() - 1, "'s link for tenant"))));
}

TEST_F(CompletenessTest, ADiscardedBatchLeavesNoTraceInTheChains) {
  std::mt19937_64 rng(13);
  Fill(t_, *heads_, 30, rng, &clock_);
  std::vector<v1::AuditRecord> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(RandomRecord(rng));
  batch[3].mutable_actor()->set_user_id("only-in-the-discarded-batch");
  std::vector<v1::AuditRecord> first = batch;
  heads_->Stage(absl::MakeSpan(first), t_.log->Size());
  heads_->Discard();  // As the committer does when the append fails.
  std::vector<v1::AuditRecord> again = batch;
  heads_->Stage(absl::MakeSpan(again), t_.log->Size());
  heads_->Publish();
  // The links are those of a batch staged once; a fresh load from the log agrees after append.
  std::vector<std::string> stored;
  for (v1::AuditRecord& record : again) {
    record.mutable_context()->set_commit_time_ns(++clock_);
    stored.push_back(SerializeForLog(record));
  }
  std::vector<std::string_view> views(stored.begin(), stored.end());
  ASSERT_OK(t_.log->Append(views).status());
  absl::StatusOr<std::unique_ptr<KeyHeads>> reloaded = KeyHeads::Load(*t_.log);
  ASSERT_OK(reloaded.status());
  EXPECT_EQ((*reloaded)->Advance()->root, heads_->Advance()->root);
  EXPECT_EQ(again[3].links().actor_count(), 1u);
}

TEST_F(CompletenessTest, ALogWrittenBeforeCommitmentsStartsThemAtItsSize) {
  // Records without links, as an older server wrote them.
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20; ++i) {
    v1::AuditRecord record = RandomRecord(rng);
    record.mutable_context()->set_commit_time_ns(++clock_);
    const std::string bytes = SerializeForLog(record);
    ASSERT_OK(t_.log->Append({bytes}).status());
    t_.records.push_back(record);
    t_.bytes.push_back(bytes);
  }
  absl::StatusOr<std::unique_ptr<KeyHeads>> heads = KeyHeads::Load(*t_.log);
  ASSERT_OK(heads.status());
  EXPECT_EQ((*heads)->commitment_from(), 20u);
  Fill(t_, **heads, 30, rng, &clock_);
  absl::StatusOr<std::unique_ptr<KeyHeads>> reloaded = KeyHeads::Load(*t_.log);
  ASSERT_OK(reloaded.status());
  EXPECT_EQ((*reloaded)->commitment_from(), 20u);
  // An answer from the start: complete from 20 on, and said so.
  CompletenessClaim claim;
  claim.kind = KeyKind::kTenant;
  claim.tenant = "acme";
  const Honest honest = ProveByScan(t_, **reloaded, claim);
  std::vector<AnsweredRecord> since;
  for (const AnsweredRecord& record : honest.answer) {
    if (record.seq >= 20) since.push_back(record);
  }
  Honest trimmed = ProveByScan(t_, **reloaded, claim);
  // The honest scan included pre-commitment records; the server answers from the chain, which
  // begins at 20.
  std::vector<uint64_t> proven;
  for (const AnsweredRecord& record : since) proven.push_back(record.seq);
  std::sort(proven.begin(), proven.end());
  trimmed.proof.clear_inclusion_path();
  absl::StatusOr<std::vector<Hash>> path = t_.log->ProveMultiInclusion(proven, t_.log->Size());
  ASSERT_OK(path.status());
  for (const Hash& hash : *path) trimmed.proof.add_inclusion_path(std::string(AsStringView(hash)));
  absl::StatusOr<CompletenessResult> verified = Verify(claim, since, trimmed);
  ASSERT_OK(verified.status());
  EXPECT_EQ(verified->unproven_before_seq, 20u);
  // A record from before is not provable either way.
  EXPECT_THAT(Verify(claim, honest.answer, honest),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("before the log's")));
}

}  // namespace
}  // namespace sealtrail
