// sealtrail-bench's report for people shows the server's first error escaped (display_text.h):
// a server, or a proxy in front of one, cannot put terminal escapes on the operator's screen.
#include <string>

#include "bench/report.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sealtrail::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(BenchReportTest, FirstErrorIsShownEscaped) {
  BenchReport report;
  report.errors = 1;
  report.first_error = "UNAVAILABLE: \x1b]0;owned\x07\xe2\x80\xae";
  const std::string text = FormatText(report);
  EXPECT_THAT(text, HasSubstr("UNAVAILABLE: \\x1B]0;owned\\x07\\u{202E}"));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
}

}  // namespace
}  // namespace sealtrail::bench
