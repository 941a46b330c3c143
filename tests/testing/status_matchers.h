// gMock matchers and assertion macros for absl::Status and absl::StatusOr<T>.
//
// Debian 12's Abseil (20220623) ships no status matchers, so these are ours:
//   EXPECT_OK(expr) / ASSERT_OK(expr)         expr is an OK Status or StatusOr
//   ASSERT_OK_AND_ASSIGN(lhs, expr)           unwraps a StatusOr or fails the test
//   EXPECT_THAT(expr, StatusIs(code))         code only
//   EXPECT_THAT(expr, StatusIs(code, m))      code and a matcher on the message
//   EXPECT_THAT(expr, IsOkAndHolds(m))        an OK StatusOr whose value matches m
//   StatusIs(code, MentionsNumber(n))         a message that names the number n
#ifndef SEALTRAIL_TESTS_TESTING_STATUS_MATCHERS_H_
#define SEALTRAIL_TESTS_TESTING_STATUS_MATCHERS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sealtrail::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

class StatusIsMatcher {
 public:
  using is_gtest_matcher = void;

  StatusIsMatcher(absl::StatusCode code, ::testing::Matcher<const std::string&> message)
      : code_(code), message_(std::move(message)) {}

  template <typename T>
  bool MatchAndExplain(const T& value, std::ostream* os) const {
    const absl::Status& status = GetStatus(value);
    if (os != nullptr) *os << "whose status is " << status;
    return status.code() == code_ && message_.Matches(std::string(status.message()));
  }
  void DescribeTo(std::ostream* os) const {
    *os << "has status code " << absl::StatusCodeToString(code_) << " and a message that ";
    message_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "does not have status code " << absl::StatusCodeToString(code_)
        << " or has a message that ";
    message_.DescribeNegationTo(os);
  }

 private:
  absl::StatusCode code_;
  ::testing::Matcher<const std::string&> message_;
};

inline StatusIsMatcher StatusIs(absl::StatusCode code) {
  return StatusIsMatcher(code, ::testing::A<const std::string&>());
}
template <typename MessageMatcher>
StatusIsMatcher StatusIs(absl::StatusCode code, MessageMatcher message) {
  return StatusIsMatcher(code, ::testing::SafeMatcherCast<const std::string&>(
                                   ::testing::Matcher<const std::string&>(message)));
}

inline StatusIsMatcher IsOk() { return StatusIs(absl::StatusCode::kOk); }

// An OK StatusOr whose value matches `inner` (a matcher or a plain value).
MATCHER_P(IsOkAndHolds, inner,
          std::string(negation ? "isn't" : "is") + " OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

// Matches a string holding `needle`, ignoring ASCII case (error messages start sentences).
MATCHER_P(HasSubstrIgnoringCase, needle,
          absl::StrCat(negation ? "doesn't contain" : "contains", " \"", needle,
                       "\" (ignoring case)")) {
  return absl::StrContains(absl::AsciiStrToLower(std::string(arg)),
                           absl::AsciiStrToLower(std::string(needle)));
}

// Matches a message that mentions `n` as a whole decimal number (not as part of a longer one):
// an offset or a sequence number an error must name.
inline ::testing::Matcher<const std::string&> MentionsNumber(uint64_t n) {
  return ::testing::ContainsRegex(absl::StrCat("(^|[^0-9])", n, "([^0-9]|$)"));
}

}  // namespace sealtrail::testing

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::sealtrail::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::sealtrail::testing::IsOk())

#define SEALTRAIL_TESTING_CONCAT_INNER(a, b) a##b
#define SEALTRAIL_TESTING_CONCAT(a, b) SEALTRAIL_TESTING_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                                           \
  SEALTRAIL_TESTING_ASSERT_OK_AND_ASSIGN_IMPL(SEALTRAIL_TESTING_CONCAT(status_or_, __LINE__), lhs, \
                                              rexpr)
#define SEALTRAIL_TESTING_ASSERT_OK_AND_ASSIGN_IMPL(var, lhs, rexpr) \
  auto var = (rexpr);                                                \
  ASSERT_TRUE(var.ok()) << #rexpr << ": " << var.status();           \
  lhs = std::move(var).value()

#endif  // SEALTRAIL_TESTS_TESTING_STATUS_MATCHERS_H_
