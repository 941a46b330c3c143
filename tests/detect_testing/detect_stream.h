// Records for detection tests, and a stream that feeds them to a Detector as the server would:
// consecutive sequence numbers, the leaf hash of the record's bytes, commit times as given.
#ifndef SEALTRAIL_TESTS_DETECT_TESTING_DETECT_STREAM_H_
#define SEALTRAIL_TESTS_DETECT_TESTING_DETECT_STREAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/detect/detector.h"

namespace sealtrail::testing {

inline constexpr int64_t kSecond = 1'000'000'000;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;

// Wednesday 2026-11-18 10:00:00 in Europe/Berlin (09:00 UTC): inside business hours.
inline constexpr int64_t kWednesdayMorning = int64_t{1'794'992'400} * kSecond;

// A record with the fields detection rules look at; everything else left empty.
class RecordBuilder {
 public:
  explicit RecordBuilder(std::string_view action) {
    record_.mutable_action()->set_name(std::string(action));
    record_.mutable_context()->set_tenant_id("acme");
    record_.mutable_actor()->set_user_id("agent-1");
    record_.mutable_outcome()->set_result(v1::Outcome::SUCCESS);
    record_.mutable_context()->set_commit_time_ns(kWednesdayMorning);
  }
  RecordBuilder& Tenant(std::string_view v) {
    return Set(record_.mutable_context()->mutable_tenant_id(), v);
  }
  RecordBuilder& Actor(std::string_view v) {
    return Set(record_.mutable_actor()->mutable_user_id(), v);
  }
  RecordBuilder& Role(std::string_view v) {
    return Set(record_.mutable_actor()->mutable_role(), v);
  }
  RecordBuilder& Service(std::string_view v) {
    return Set(record_.mutable_actor()->mutable_service(), v);
  }
  RecordBuilder& SourceIp(std::string_view v) {
    return Set(record_.mutable_context()->mutable_source_ip(), v);
  }
  RecordBuilder& Route(std::string_view v) {
    return Set(record_.mutable_action()->mutable_route(), v);
  }
  RecordBuilder& Method(std::string_view v) {
    return Set(record_.mutable_action()->mutable_method(), v);
  }
  RecordBuilder& ResourceId(std::string_view v) {
    return Set(record_.mutable_action()->mutable_resource_id(), v);
  }
  RecordBuilder& NewValue(std::string_view v) {
    return Set(record_.mutable_details()->mutable_new_value(), v);
  }
  RecordBuilder& DataClass(std::string_view v) {
    return Set(record_.mutable_details()->mutable_data_class(), v);
  }
  RecordBuilder& Outcome(v1::Outcome::Result result) {
    record_.mutable_outcome()->set_result(result);
    return *this;
  }
  RecordBuilder& Denied() { return Outcome(v1::Outcome::DENIED); }
  RecordBuilder& RowCount(int64_t rows) {
    record_.mutable_details()->set_row_count(rows);
    return *this;
  }
  RecordBuilder& StatusCode(int32_t code) {
    record_.mutable_outcome()->set_status_code(code);
    return *this;
  }
  RecordBuilder& Verified(bool verified) {
    record_.mutable_actor()->set_verified(verified);
    return *this;
  }
  RecordBuilder& Attribute(std::string_view key, std::string_view value) {
    (*record_.mutable_details()->mutable_attributes())[std::string(key)] = std::string(value);
    return *this;
  }
  RecordBuilder& At(int64_t commit_time_ns) {
    record_.mutable_context()->set_commit_time_ns(commit_time_ns);
    return *this;
  }

  const v1::AuditRecord& record() const { return record_; }
  operator const v1::AuditRecord&() const { return record_; }  // NOLINT: reads as a record

 private:
  RecordBuilder& Set(std::string* field, std::string_view value) {
    field->assign(value.data(), value.size());
    return *this;
  }
  v1::AuditRecord record_;
};

// The instant of a civil time in a named zone (the zone must load).
inline int64_t CivilNanos(absl::CivilSecond when, const char* zone_name) {
  absl::TimeZone zone;
  absl::LoadTimeZone(zone_name, &zone);
  return absl::ToUnixNanos(absl::FromCivil(when, zone));
}

// Feeds records to a Detector in sequence order, numbering them from 0.
class DetectStream {
 public:
  explicit DetectStream(detect::Detector* detector) : detector_(detector) {}

  // The firings of the next record.
  std::vector<detect::Firing> Feed(const v1::AuditRecord& record) {
    detect::ObservedRecord observed;
    observed.seq = next_seq_++;
    observed.leaf_hash = HashLeaf(record.SerializeAsString());
    observed.record = &record;
    std::vector<detect::Firing> firings = detector_->Observe(observed);
    for (const detect::Firing& firing : firings) all_.push_back(firing);
    return firings;
  }

  uint64_t next_seq() const { return next_seq_; }
  // Every firing so far, in order.
  const std::vector<detect::Firing>& all() const { return all_; }
  // Those of rule `rule_id`.
  std::vector<detect::Firing> Of(std::string_view rule_id) const {
    std::vector<detect::Firing> of;
    for (const detect::Firing& firing : all_) {
      if (firing.rule_id == rule_id) of.push_back(firing);
    }
    return of;
  }

 private:
  detect::Detector* const detector_;
  uint64_t next_seq_ = 0;
  std::vector<detect::Firing> all_;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_DETECT_TESTING_DETECT_STREAM_H_
