#include "server/index/index_scan.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/index/index_keys.h"
#include "server/index/page_token.h"
#include "server/index/rocks_status.h"

namespace sealtrail::index_internal {
namespace {

enum class IndexKind { kTrace, kActor, kAction, kTime, kAllTenants };

// A key range [lower, upper) of one index and how to read positions out of its keys.
struct ScanPlan {
  IndexKind kind = IndexKind::kTime;
  std::string prefix;
  std::string lower;
  std::string upper;
  bool time_in_key() const { return kind != IndexKind::kTrace; }
};

ScanPlan PlanScan(const IndexQuery& q, const std::optional<PagePosition>& resume) {
  ScanPlan plan;
  if (q.all_tenants) {
    // One key family for every tenant, in time order; every other filter comes from values.
    plan.kind = IndexKind::kAllTenants;
    plan.prefix = AllTenantsPrefix();
  } else if (q.trace_id) {
    plan.kind = IndexKind::kTrace;
    plan.prefix = TracePrefix(q.tenant_id, *q.trace_id);
  } else if (q.actor) {
    plan.kind = IndexKind::kActor;
    plan.prefix = ActorPrefix(q.tenant_id, *q.actor);
  } else if (q.action) {
    plan.kind = IndexKind::kAction;
    plan.prefix = ActionPrefix(q.tenant_id, *q.action);
  } else {
    plan.kind = IndexKind::kTime;
    plan.prefix = TimePrefix(q.tenant_id);
  }
  plan.lower = plan.prefix;
  plan.upper = PrefixSuccessor(plan.prefix);
  if (plan.time_in_key()) {
    // The time range narrows the key range; for trace entries it is filtered from values.
    if (q.from_ns) plan.lower = TimeSeqKey(plan.prefix, *q.from_ns, 0);
    if (q.to_ns) plan.upper = TimeSeqKey(plan.prefix, *q.to_ns, 0);
  }
  if (resume) {
    std::string at = plan.time_in_key() ? TimeSeqKey(plan.prefix, resume->time_ns, resume->seq)
                                        : SeqKey(plan.prefix, resume->seq);
    if (q.newest_first) {
      plan.upper = std::min(plan.upper, at);
    } else {
      at.push_back('\0');  // The smallest key after the last one returned.
      plan.lower = std::max(plan.lower, at);
    }
  }
  return plan;
}

struct Entry {
  PagePosition position;
  EntryValue value;
};

absl::StatusOr<Entry> DecodeEntry(const ScanPlan& plan, const rocksdb::Slice& key,
                                  const rocksdb::Slice& value) {
  const size_t suffix = plan.time_in_key() ? 16 : 8;
  if (key.size() != plan.prefix.size() + suffix) {
    return absl::DataLossError("index key of unexpected length");
  }
  const std::string_view tail(key.data() + plan.prefix.size(), suffix);
  Entry entry;
  ASSIGN_OR_RETURN(entry.value, DecodeEntryValue(std::string_view(value.data(), value.size()),
                                                 plan.kind == IndexKind::kAllTenants));
  entry.position.seq = DecodeBe64(tail.substr(suffix - 8));
  entry.position.time_ns =
      plan.time_in_key() ? TimeFromOrdinal(DecodeBe64(tail)) : entry.value.time_ns;
  return entry;
}

bool Matches(const IndexQuery& q, const Entry& e) {
  if (q.actor && e.value.actor != *q.actor) return false;
  if (q.action && e.value.action != *q.action) return false;
  if (q.outcome && e.value.outcome != *q.outcome) return false;
  // Only all-tenants entries carry the trace id; a one-tenant trace query scans the trace index.
  if (q.all_tenants && q.trace_id && e.value.trace_id != *q.trace_id) return false;
  if (q.from_ns && e.position.time_ns < *q.from_ns) return false;
  if (q.to_ns && e.position.time_ns >= *q.to_ns) return false;
  return true;
}

}  // namespace

absl::Status ValidateQuery(const IndexQuery& q) {
  if (q.all_tenants && !q.tenant_id.empty()) {
    return absl::InvalidArgumentError("tenant_id must be empty in an all-tenants query");
  }
  if (!q.all_tenants && q.tenant_id.empty()) {
    return absl::InvalidArgumentError("tenant_id is required");
  }
  if (q.limit < 1 || q.limit > kMaxQueryLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be between 1 and ", kMaxQueryLimit, ", got ", q.limit));
  }
  if (q.trace_id && q.trace_id->size() != kTraceIdSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace_id must be ", kTraceIdSize, " bytes, got ", q.trace_id->size()));
  }
  if (q.from_ns && q.to_ns && *q.from_ns > *q.to_ns) {
    return absl::InvalidArgumentError(
        absl::StrCat("time range is reversed: from ", *q.from_ns, " is after to ", *q.to_ns));
  }
  return absl::OkStatus();
}

absl::StatusOr<IndexQueryResult> RunQuery(rocksdb::DB& db, const IndexQuery& q) {
  const std::string fingerprint = QueryFingerprint(q);
  std::optional<PagePosition> resume;
  if (!q.page_token.empty()) {
    ASSIGN_OR_RETURN(resume, DecodePageToken(q.page_token, fingerprint));
  }
  const ScanPlan plan = PlanScan(q, resume);
  IndexQueryResult result;
  if (plan.lower >= plan.upper) return result;

  const rocksdb::Slice lower(plan.lower);
  const rocksdb::Slice upper(plan.upper);
  rocksdb::ReadOptions read;
  read.iterate_lower_bound = &lower;
  read.iterate_upper_bound = &upper;
  // Trace scans stay inside one (tenant, trace) prefix, so they may use the prefix bloom
  // filter; the time-ordered indexes have no prefix extractor domain and seek in total order.
  read.total_order_seek = plan.time_in_key();
  read.prefix_same_as_start = !plan.time_in_key();
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read));

  if (q.newest_first) {
    // In prefix mode the seek target must carry the scan's prefix: without a resume position
    // the upper bound is the next prefix, so seek to the largest key the prefix can have.
    std::string target = plan.upper;
    if (!plan.time_in_key() && target.compare(0, plan.prefix.size(), plan.prefix) != 0) {
      target = plan.prefix + std::string(8, '\xff');
    }
    it->SeekForPrev(target);
    if (it->Valid() && it->key().compare(upper) >= 0) it->Prev();
  } else {
    it->Seek(lower);
  }
  std::optional<PagePosition> last;
  for (; it->Valid(); q.newest_first ? it->Prev() : it->Next()) {
    if (it->key().compare(lower) < 0 || it->key().compare(upper) >= 0) break;
    ASSIGN_OR_RETURN(const Entry entry, DecodeEntry(plan, it->key(), it->value()));
    if (!Matches(q, entry)) continue;
    if (result.seqs.size() == q.limit) {
      // Another match exists, so there is a next page; it resumes after the last result.
      result.next_page_token = EncodePageToken(fingerprint, *last);
      break;
    }
    result.seqs.push_back(entry.position.seq);
    last = entry.position;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scanning the index"));
  return result;
}

absl::StatusOr<std::vector<uint64_t>> ScanLeafHash(rocksdb::DB& db, std::string_view leaf_hash,
                                                   size_t max_results) {
  std::vector<uint64_t> seqs;
  if (max_results == 0) return seqs;
  const std::string prefix = LeafHashPrefix(leaf_hash);
  const std::string upper_key = PrefixSuccessor(prefix);
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  // One prefix, so the prefix bloom filter can skip every SST file without this hash.
  read.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read));
  for (it->Seek(prefix); it->Valid() && seqs.size() < max_results; it->Next()) {
    if (!it->key().starts_with(prefix)) break;
    if (it->key().size() != prefix.size() + 8) {
      return absl::DataLossError("leaf-hash index key of unexpected length");
    }
    seqs.push_back(DecodeBe64(std::string_view(it->key().data() + prefix.size(), 8)));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scanning the leaf-hash index"));
  return seqs;
}

}  // namespace sealtrail::index_internal
