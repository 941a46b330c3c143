#include "server/detect/condition.h"

#include <algorithm>
#include <utility>

namespace sealtrail::detect {
namespace {

// Fields read from a map cost a hash lookup more than the fixed fields.
int FieldCost(const RecordField& field) { return field.id == FieldId::kAttribute ? 4 : 0; }

class TextCondition final : public Condition {
 public:
  TextCondition(RecordField field, std::vector<Glob> patterns, std::vector<IpNetwork> networks,
                bool negated)
      : field_(std::move(field)),
        patterns_(std::move(patterns)),
        networks_(std::move(networks)),
        negated_(negated) {}

  bool Matches(const v1::AuditRecord& record) const override {
    const std::optional<absl::string_view> value = TextOf(record, field_);
    if (!value.has_value()) return negated_;
    return AnyMatches(*value) != negated_;
  }

  int cost() const override {
    const bool literal_only =
        networks_.empty() && std::all_of(patterns_.begin(), patterns_.end(),
                                         [](const Glob& glob) { return glob.is_literal(); });
    // The action first: nearly every rule names one, and it rules out most records at once.
    const int base = field_.id == FieldId::kAction ? 0 : 2;
    return base + FieldCost(field_) + (literal_only ? 0 : 1) + (networks_.empty() ? 0 : 10);
  }

 private:
  bool AnyMatches(absl::string_view value) const {
    for (const Glob& pattern : patterns_) {
      if (pattern.Matches(value)) return true;
    }
    for (const IpNetwork& network : networks_) {
      if (network.Contains(value)) return true;
    }
    return false;
  }

  const RecordField field_;
  const std::vector<Glob> patterns_;
  const std::vector<IpNetwork> networks_;
  const bool negated_;
};

class NumberCondition final : public Condition {
 public:
  NumberCondition(RecordField field, NumberBounds bounds)
      : field_(std::move(field)), bounds_(std::move(bounds)) {}

  bool Matches(const v1::AuditRecord& record) const override {
    const std::optional<int64_t> value = NumberOf(record, field_);
    if (!value.has_value()) return bounds_.negated;
    return InBounds(*value) != bounds_.negated;
  }

  int cost() const override { return 2 + FieldCost(field_); }

 private:
  bool InBounds(int64_t value) const {
    if (!bounds_.equals.empty() &&
        std::find(bounds_.equals.begin(), bounds_.equals.end(), value) == bounds_.equals.end()) {
      return false;
    }
    if (bounds_.at_least.has_value() && value < *bounds_.at_least) return false;
    if (bounds_.at_most.has_value() && value > *bounds_.at_most) return false;
    return true;
  }

  const RecordField field_;
  const NumberBounds bounds_;
};

class OutcomeCondition final : public Condition {
 public:
  explicit OutcomeCondition(uint32_t mask) : mask_(mask) {}
  bool Matches(const v1::AuditRecord& record) const override {
    const int result = record.outcome().result();
    return result >= 0 && result < 32 && (mask_ & (1u << result)) != 0;
  }
  int cost() const override { return 1; }

 private:
  const uint32_t mask_;
};

class VerifiedCondition final : public Condition {
 public:
  explicit VerifiedCondition(bool verified) : verified_(verified) {}
  bool Matches(const v1::AuditRecord& record) const override {
    return record.actor().verified() == verified_;
  }
  int cost() const override { return 1; }

 private:
  const bool verified_;
};

class OutsideHoursCondition final : public Condition {
 public:
  explicit OutsideHoursCondition(BusinessHours hours) : hours_(hours) {}
  bool Matches(const v1::AuditRecord& record) const override {
    return !hours_.Contains(record.context().commit_time_ns());
  }
  int cost() const override { return 20; }

 private:
  const BusinessHours hours_;
};

}  // namespace

std::unique_ptr<Condition> MakeTextCondition(RecordField field, std::vector<Glob> patterns,
                                             std::vector<IpNetwork> networks, bool negated) {
  return std::make_unique<TextCondition>(std::move(field), std::move(patterns), std::move(networks),
                                         negated);
}

std::unique_ptr<Condition> MakeNumberCondition(RecordField field, NumberBounds bounds) {
  return std::make_unique<NumberCondition>(std::move(field), std::move(bounds));
}

std::unique_ptr<Condition> MakeOutcomeCondition(uint32_t mask) {
  return std::make_unique<OutcomeCondition>(mask);
}

std::unique_ptr<Condition> MakeVerifiedCondition(bool verified) {
  return std::make_unique<VerifiedCondition>(verified);
}

std::unique_ptr<Condition> MakeOutsideHoursCondition(BusinessHours hours) {
  return std::make_unique<OutsideHoursCondition>(hours);
}

Match::Match(std::vector<std::unique_ptr<Condition>> conditions)
    : conditions_(std::move(conditions)) {
  std::stable_sort(conditions_.begin(), conditions_.end(),
                   [](const std::unique_ptr<Condition>& a, const std::unique_ptr<Condition>& b) {
                     return a->cost() < b->cost();
                   });
}

}  // namespace sealtrail::detect
