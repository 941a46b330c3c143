#include "cli/bundle_verifier.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/query_output.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/status_macros.h"
#include "sealtrail/tlog_proof.h"
#include "server/completeness/chain_key.h"
#include "server/completeness/completeness_verifier.h"
#include "server/record/json_text.h"
#include "server/record/record.h"

namespace sealtrail::cli {
namespace {

constexpr size_t kLineReadChunkBytes = 64 << 10;
// A records.jsonl line holds a record twice (JSON and base64): a generous bound.
constexpr uint64_t kMaxJsonlLineBytes = 4 * kMaxBundleRecordBytes;

// The problems found so far, each "<file>: <what is wrong>".
class Problems {
 public:
  void Add(absl::string_view file, absl::string_view what) {
    if (listed_.size() < kMaxReportedBundleProblems)
      listed_.push_back(absl::StrCat(file, ": ", what));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  absl::Status ToStatus(const std::string& dir) const {
    std::string message = absl::StrCat("bundle ", dir, " does not verify (", count_,
                                       count_ == 1 ? " problem" : " problems", "):\n  ",
                                       absl::StrJoin(listed_, "\n  "));
    if (count_ > listed_.size())
      absl::StrAppend(&message, "\n  and ", count_ - listed_.size(), " more");
    return absl::DataLossError(message);
  }

 private:
  std::vector<std::string> listed_;
  size_t count_ = 0;
};

// Reads a file line by line through the Env, holding one chunk and one line.
class LineReader {
 public:
  static absl::StatusOr<LineReader> Open(Env* env, const std::string& path) {
    ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
    ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
    return LineReader(std::move(file), size);
  }

  // The next line without its '\n' (a last line without one too); none at the end of the file.
  absl::StatusOr<std::optional<std::string>> Next() {
    std::string line;
    bool any = false;
    while (true) {
      if (pos_ == buffer_.size()) {
        if (offset_ == size_) return any ? std::optional<std::string>(line) : std::nullopt;
        buffer_.resize(std::min<uint64_t>(kLineReadChunkBytes, size_ - offset_));
        RETURN_IF_ERROR(file_->ReadAt(offset_, buffer_.size(), buffer_.data()));
        offset_ += buffer_.size();
        pos_ = 0;
      }
      any = true;
      const size_t newline = buffer_.find('\n', pos_);
      const size_t end = newline == std::string::npos ? buffer_.size() : newline;
      line.append(buffer_, pos_, end - pos_);
      pos_ = newline == std::string::npos ? end : end + 1;
      if (line.size() > kMaxJsonlLineBytes) {
        return absl::DataLossError(
            absl::StrCat("a line is longer than ", kMaxJsonlLineBytes, " bytes"));
      }
      if (newline != std::string::npos) return std::optional<std::string>(std::move(line));
    }
  }

 private:
  LineReader(std::unique_ptr<RandomAccessFile> file, uint64_t size)
      : file_(std::move(file)), size_(size) {}

  std::unique_ptr<RandomAccessFile> file_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
  std::string buffer_;
  size_t pos_ = 0;
};

// A records.jsonl line, parsed with objects as sorted maps: RFC 8259 objects are unordered, so
// the line agrees with the .pb if it is the same JSON value, whatever the order of its members.
// ParseJsonText refuses a key given twice, so a line cannot say two things. (Parsed so directly,
// not converted, because conversion recurses and a tampered line may nest deeply; comparing
// stops at the depth of the expected value.)
using CanonicalJson = nlohmann::json;

// records.jsonl, compared line by line with the records in seq order.
class JsonlCheck {
 public:
  JsonlCheck(std::optional<LineReader> reader, Problems& problems)
      : reader_(std::move(reader)), problems_(problems) {
    Advance();
  }

  // The record of `seq` gives `expected` (none when its .pb could not be read or parsed).
  void Check(uint64_t seq, const std::optional<Json>& expected) {
    if (!reader_.has_value()) return;
    while (pending_.has_value() && pending_->second < seq) {
      ReportOrphanLine();
      Advance();
    }
    if (!pending_.has_value() || pending_->second != seq) {
      problems_.Add(kBundleRecordsJsonlFile, absl::StrCat("has no line for seq ", seq));
      return;
    }
    if (expected.has_value() && pending_->first != CanonicalJson(*expected)) {
      problems_.Add(Where(),
                    absl::StrCat("does not match ", InBundleRecordsDir(RecordFileName(seq)),
                                 " (records.jsonl is not authoritative; re-export)"));
    }
    last_seq_ = seq;
    Advance();
  }

  // After the last record: any lines left have no record.
  void Finish() {
    while (pending_.has_value()) {
      ReportOrphanLine();
      Advance();
    }
  }

 private:
  std::string Where() const { return absl::StrCat(kBundleRecordsJsonlFile, " line ", line_); }

  void ReportOrphanLine() {
    const uint64_t seq = pending_->second;
    if (last_seq_.has_value() && seq == *last_seq_) {
      problems_.Add(Where(), absl::StrCat("repeats seq ", seq));
      return;
    }
    problems_.Add(Where(),
                  absl::StrCat("lists seq ", seq, ", but ", InBundleRecordsDir(RecordFileName(seq)),
                               " and ", InBundleRecordsDir(ProofFileName(seq)), " are missing"));
  }

  // Reads the next line that parses into pending_, reporting those that do not.
  void Advance() {
    pending_.reset();
    while (reader_.has_value()) {
      absl::StatusOr<std::optional<std::string>> line = reader_->Next();
      ++line_;
      if (!line.ok()) {
        problems_.Add(Where(), line.status().message());
        reader_.reset();
        return;
      }
      if (!line->has_value()) {
        reader_.reset();
        return;
      }
      absl::StatusOr<CanonicalJson> json = ParseJsonText<CanonicalJson>(**line);
      absl::StatusOr<uint64_t> seq = absl::InvalidArgumentError("not a JSON object");
      if (!json.ok()) {
        seq = json.status();
      } else if (json->is_object()) {
        const auto field = json->find("seq");
        seq =
            field != json->end() && field->is_number_unsigned()
                ? absl::StatusOr<uint64_t>(field->get<uint64_t>())
                : absl::InvalidArgumentError("field \"seq\" is missing or not an unsigned integer");
      }
      if (!seq.ok()) {
        problems_.Add(Where(), seq.status().message());
        continue;
      }
      pending_.emplace(*std::move(json), *seq);
      return;
    }
  }

  std::optional<LineReader> reader_;  // None: no records.jsonl, or it has ended.
  Problems& problems_;
  std::optional<std::pair<CanonicalJson, uint64_t>> pending_;  // The next line and its seq.
  uint64_t line_ = 0;  // 1-based number of the pending line.
  std::optional<uint64_t> last_seq_;
};

struct BundleContext {
  Env* env;
  const std::string& dir;
  const std::string& checkpoint_note;
  const NoteVerifierKey& key;
  const std::string& expected_origin;
  const BundleManifest& manifest;
};

// Checks the .pb and .tlog-proof of `seq`; returns the record's records.jsonl line, if its .pb
// is a record.
// Keeps the record's bytes in `data_out` when they could be read, for the completeness check.
std::optional<Json> CheckRecord(const BundleContext& bundle, uint64_t seq, Problems& problems,
                                std::string* data_out) {
  const std::string record_file = InBundleRecordsDir(RecordFileName(seq));
  const std::string proof_file = InBundleRecordsDir(ProofFileName(seq));
  absl::StatusOr<std::string> data =
      ReadWholeFile(bundle.env, absl::StrCat(bundle.dir, "/", record_file), kMaxBundleRecordBytes);
  absl::StatusOr<std::string> proof_text =
      ReadWholeFile(bundle.env, absl::StrCat(bundle.dir, "/", proof_file), kMaxSmallFileBytes);
  if (!proof_text.ok()) problems.Add(proof_file, proof_text.status().message());
  if (!data.ok()) {
    problems.Add(record_file, data.status().message());
    return std::nullopt;
  }
  *data_out = *data;

  if (proof_text.ok()) {
    absl::StatusOr<TlogProof> proof = ParseTlogProof(*proof_text);
    if (!proof.ok()) {
      problems.Add(proof_file, absl::StrCat("not a tlog-proof: ", proof.status().message()));
    } else if (proof->checkpoint_note != bundle.checkpoint_note) {
      problems.Add(proof_file, "its checkpoint is not the bundle's checkpoint byte for byte");
    } else if (proof->index != seq) {
      problems.Add(proof_file, absl::StrCat("its index is ", proof->index, ", not the file's seq"));
    } else if (absl::StatusOr<Checkpoint> verified =
                   VerifyTlogProof(*proof, HashLeaf(*data), bundle.key, bundle.expected_origin);
               !verified.ok()) {
      problems.Add(proof_file, absl::StrCat("does not prove the bytes of ", record_file, ": ",
                                            verified.status().message()));
    }
  }

  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(*data);
  if (!record.ok()) {
    problems.Add(record_file,
                 absl::StrCat("not a sealtrail.v1.AuditRecord: ", record.status().message()));
    return std::nullopt;
  }
  if (absl::Status belongs = CheckRecordInBundle(*record, bundle.manifest); !belongs.ok()) {
    problems.Add(record_file, belongs.message());
  }
  absl::StatusOr<Json> line = RecordsJsonlLine(seq, *data, *record);
  if (!line.ok()) return std::nullopt;
  return *std::move(line);
}

// What manifest.json says against what the checkpoint and the records are.
void CheckManifest(const BundleManifest& manifest, const Checkpoint& checkpoint,
                   const std::map<uint64_t, int>& seqs, Problems& problems) {
  const auto differs = [&problems](const char* field, absl::string_view says,
                                   absl::string_view is) {
    problems.Add(kBundleManifestFile, absl::StrCat("says ", field, " ", says, ", but it is ", is));
  };
  if (manifest.tree_size != checkpoint.size) {
    differs("tree_size", absl::StrCat(manifest.tree_size), absl::StrCat(checkpoint.size));
  }
  if (manifest.root != checkpoint.root) {
    differs("root", HashToBase64(manifest.root), HashToBase64(checkpoint.root));
  }
  if (manifest.origin != checkpoint.origin) differs("origin", manifest.origin, checkpoint.origin);
  if (manifest.records != seqs.size()) {
    differs("records", absl::StrCat(manifest.records), absl::StrCat(seqs.size()));
  }
  const auto seq_text = [](std::optional<uint64_t> seq) {
    return seq.has_value() ? absl::StrCat(*seq) : std::string("null");
  };
  const std::optional<uint64_t> first =
      seqs.empty() ? std::nullopt : std::optional<uint64_t>(seqs.begin()->first);
  const std::optional<uint64_t> last =
      seqs.empty() ? std::nullopt : std::optional<uint64_t>(seqs.rbegin()->first);
  if (manifest.first_seq != first) {
    differs("first_seq", seq_text(manifest.first_seq), seq_text(first));
  }
  if (manifest.last_seq != last) differs("last_seq", seq_text(manifest.last_seq), seq_text(last));
}

// completeness.pb against the records: the bundle holds every record of its filter in its range
// (docs/completeness.md). `records` are the bundle's records with their bytes, in seq order.
void CheckCompleteness(const BundleContext& bundle, const Checkpoint& checkpoint,
                       std::vector<AnsweredRecord> records, Problems& problems) {
  absl::StatusOr<std::string> bytes =
      ReadWholeFile(bundle.env, absl::StrCat(bundle.dir, "/", kBundleCompletenessFile),
                    kMaxBundleCompletenessBytes);
  if (!bytes.ok()) {
    problems.Add(kBundleCompletenessFile, bytes.status().message());
    return;
  }
  v1::BundleCompleteness completeness;
  if (!completeness.ParseFromString(*bytes)) {
    problems.Add(kBundleCompletenessFile, "not a serialized sealtrail.v1.BundleCompleteness");
    return;
  }
  if (completeness.proof().checkpoint().signed_note() != bundle.checkpoint_note) {
    problems.Add(kBundleCompletenessFile,
                 "its proof's checkpoint is not the bundle's checkpoint byte for byte");
    return;
  }
  for (const v1::QueryResult& kept : completeness.filtered_out()) {
    absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(kept.data());
    if (record.ok() && CheckRecordInBundle(*record, bundle.manifest).ok()) {
      problems.Add(kBundleCompletenessFile,
                   absl::StrCat("record ", kept.seq(),
                                " is listed as left out by the filters, "
                                "but it matches them: it belongs in records/"));
      return;
    }
    records.push_back(AnsweredRecord{kept.seq(), kept.data()});
  }
  std::sort(records.begin(), records.end(),
            [](const AnsweredRecord& a, const AnsweredRecord& b) { return a.seq < b.seq; });
  const v1::QueryRequest query = QueryOfManifest(bundle.manifest);
  absl::StatusOr<ChainKey> key = ChainKeyOf(query);
  if (!key.ok()) {
    problems.Add(kBundleManifestFile, key.status().message());
    return;
  }
  absl::StatusOr<CompletenessResult> complete =
      VerifyCompleteness(ClaimOf(query, *key), records, completeness.proof(), checkpoint);
  if (!complete.ok()) {
    problems.Add(kBundleCompletenessFile, complete.status().message());
  } else if (complete->unproven_before_seq != 0) {
    problems.Add(kBundleCompletenessFile,
                 absl::StrCat("the range reaches back before sequence number ",
                              complete->unproven_before_seq,
                              ", where the log's completeness commitments begin"));
  }
}

// A file of the bundle that is missing or damaged beyond checking the rest: DATA_LOSS naming it.
absl::Status Unusable(const std::string& dir, absl::string_view file, const absl::Status& status) {
  return absl::DataLossError(absl::StrCat("bundle ", dir, ": ", file, ": ", status.message()));
}

constexpr int kHasRecord = 1;
constexpr int kHasProof = 2;

}  // namespace

absl::StatusOr<BundleManifest> VerifyBundle(Env* env, const std::string& dir,
                                            const NoteVerifierKey& key,
                                            const std::string& expected_origin) {
  absl::StatusOr<std::vector<std::string>> top = env->GetChildren(dir);
  if (!top.ok()) {
    return absl::NotFoundError(
        absl::StrCat("no bundle directory at ", dir, ": ", top.status().message()));
  }
  Problems problems;
  std::sort(top->begin(), top->end());

  // The checkpoint first: every proof hangs on it.
  absl::StatusOr<std::string> note =
      ReadWholeFile(env, absl::StrCat(dir, "/", kBundleCheckpointFile), kMaxSmallFileBytes);
  if (!note.ok()) return Unusable(dir, kBundleCheckpointFile, note.status());
  absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(*note, key, expected_origin);
  if (absl::IsUnauthenticated(checkpoint.status())) {
    return WithContext(checkpoint.status(),
                       absl::StrCat("bundle ", dir, ": ", kBundleCheckpointFile));
  }
  if (!checkpoint.ok()) return Unusable(dir, kBundleCheckpointFile, checkpoint.status());

  absl::StatusOr<std::string> manifest_text =
      ReadWholeFile(env, absl::StrCat(dir, "/", kBundleManifestFile), kMaxSmallFileBytes);
  if (!manifest_text.ok()) return Unusable(dir, kBundleManifestFile, manifest_text.status());
  absl::StatusOr<BundleManifest> manifest = ParseBundleManifest(*manifest_text);
  if (!manifest.ok()) return Unusable(dir, kBundleManifestFile, manifest.status());
  std::set<std::string> bundle_files = {kBundleManifestFile, kBundleCheckpointFile,
                                        kBundleRecordsDir, kBundleRecordsJsonlFile};
  if (manifest->version >= 2) bundle_files.insert(kBundleCompletenessFile);
  for (const std::string& name : *top) {
    if (bundle_files.count(name) == 0) {
      problems.Add(
          name, absl::StrCat("not a file of a ",
                             manifest->version >= 2 ? kBundleFormat : kBundleFormatV1, " bundle"));
    }
  }

  std::map<uint64_t, int> seqs;  // What each seq has: kHasRecord | kHasProof.
  absl::StatusOr<std::vector<std::string>> entries =
      env->GetChildren(absl::StrCat(dir, "/", kBundleRecordsDir));
  if (!entries.ok()) {
    problems.Add(kBundleRecordsDir, entries.status().message());
  } else {
    for (const std::string& name : *entries) {
      const std::optional<RecordsDirEntry> entry = ParseRecordsDirEntry(name);
      if (!entry.has_value()) {
        problems.Add(InBundleRecordsDir(name),
                     "not a file of a bundle (records/ holds only <seq>.pb and <seq>.tlog-proof)");
        continue;
      }
      seqs[entry->seq] |= entry->is_proof ? kHasProof : kHasRecord;
    }
  }

  std::optional<LineReader> jsonl;
  if (std::binary_search(top->begin(), top->end(), std::string(kBundleRecordsJsonlFile))) {
    absl::StatusOr<LineReader> reader =
        LineReader::Open(env, absl::StrCat(dir, "/", kBundleRecordsJsonlFile));
    if (reader.ok()) {
      jsonl.emplace(*std::move(reader));
    } else {
      problems.Add(kBundleRecordsJsonlFile, reader.status().message());
    }
  }
  JsonlCheck jsonl_check(std::move(jsonl), problems);
  const BundleContext bundle{env, dir, *note, key, expected_origin, *manifest};
  std::vector<AnsweredRecord> records;  // With their bytes, for the completeness check.
  for (const auto& [seq, has] : seqs) {
    const std::string record_file = InBundleRecordsDir(RecordFileName(seq));
    const std::string proof_file = InBundleRecordsDir(ProofFileName(seq));
    std::optional<Json> line;
    if ((has & kHasRecord) == 0) {
      problems.Add(record_file, absl::StrCat("missing, but there is ", proof_file));
    } else if ((has & kHasProof) == 0) {
      problems.Add(proof_file, absl::StrCat("missing: ", record_file, " has no proof"));
    } else {
      std::string data;
      line = CheckRecord(bundle, seq, problems, &data);
      records.push_back(AnsweredRecord{seq, std::move(data)});
    }
    jsonl_check.Check(seq, line);
  }
  jsonl_check.Finish();
  CheckManifest(*manifest, *checkpoint, seqs, problems);
  if (manifest->version >= 2) CheckCompleteness(bundle, *checkpoint, std::move(records), problems);
  if (!problems.empty()) return problems.ToStatus(dir);
  return manifest;
}

absl::Status RunVerifyBundle(Env* env, const std::string& dir, const std::string& vkey,
                             const std::string& expected_origin, std::ostream& out) {
  absl::StatusOr<BundleManifest> manifest = [&]() -> absl::StatusOr<BundleManifest> {
    ASSIGN_OR_RETURN(NoteVerifierKey key, LoadVerifierKey(env, vkey));
    return VerifyBundle(env, dir, key, expected_origin);
  }();
  if (!manifest.ok()) {
    RETURN_IF_ERROR(WriteJsonLine(out, VerifyFailedJson(manifest.status())));
    return manifest.status();
  }
  return WriteJsonLine(out, Json{{"ok", true},
                                 {"records", manifest->records},
                                 // Version 1 bundles carry no completeness proof.
                                 {"complete", manifest->version >= 2},
                                 {"tenant", manifest->tenant},
                                 {"from", FormatCommitTime(manifest->from_ns)},
                                 {"to", FormatCommitTime(manifest->to_ns)},
                                 {"tree_size", manifest->tree_size},
                                 {"root", HashToBase64(manifest->root)},
                                 {"origin", manifest->origin}});
}

}  // namespace sealtrail::cli
