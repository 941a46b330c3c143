// What the CLI shows people of text it did not write (display_text.h): record fields in the
// table and CSV, and error messages, never carry a raw control, bidi or invisible character or
// invalid UTF-8; CSV follows RFC 4180 and defuses spreadsheet formulas; and parse errors never
// quote their input, which may hold a token (an append line with an actor token).
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/display_text.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/server_commands.h"
#include "cli/usage_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server_cli_fixture.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The start of a token: what must never be printed next to a parse error.
constexpr char kSecret[] = "eyJhbGciOiJFZERTQSJ9.SECRET";

// Whether `text` holds a byte a terminal acts on: C0 (but `allowed`), DEL, or the UTF-8 of a C1
// control, a bidi control or U+2028/2029, or invalid UTF-8.
bool HasRawControl(const std::string& text, const std::string& allowed = "") {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && allowed.find(static_cast<char>(c)) == std::string::npos) || c == 0x7F) {
      return true;
    }
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      return true;  // U+0080..U+009F.
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) >= 0xA8 &&
        static_cast<unsigned char>(text[i + 2]) <= 0xAE) {
      return true;  // U+2028..U+202E.
    }
    if (c == 0xFF || c == 0xC0) return true;  // Never in UTF-8.
  }
  return false;
}

TEST(DisplayTextTest, EscapesControlsInvisiblesAndInvalidUtf8) {
  EXPECT_EQ(DisplayText("plain text, Grüße 日本"), "plain text, Grüße 日本");
  EXPECT_EQ(DisplayText(std::string("a\x1b[31mb\0c\x7f", 10)), "a\\x1B[31mb\\x00c\\x7F");
  EXPECT_EQ(DisplayText("tab\there\nline\rret"), "tab\\there\\nline\\rret");
  EXPECT_EQ(DisplayText("back\\slash"), "back\\\\slash");
  EXPECT_EQ(DisplayText("\xc2\x9b"
                        "31m"),
            "\\u{009B}31m");  // C1 CSI.
  EXPECT_EQ(DisplayText("admin\xe2\x80\xae"
                        "txt.exe"),
            "admin\\u{202E}txt.exe");  // RLO.
  EXPECT_EQ(DisplayText("a\xe2\x81\xa6"
                        "b\xe2\x80\x8b"
                        "c\xef\xbb\xbf"),
            "a\\u{2066}b\\u{200B}c\\u{FEFF}");
  EXPECT_EQ(DisplayText("x\xe2\x80\xa8y"), "x\\u{2028}y");                    // Line separator.
  EXPECT_EQ(DisplayText("\xf3\xa0\x80\x81tag"), "\\u{E0001}tag");             // Tag character.
  EXPECT_EQ(DisplayText("bad \xff\xc0\xaf end"), "bad \\xFF\\xC0\\xAF end");  // Overlong '/'.
  EXPECT_EQ(DisplayText("\xed\xa0\x80"), "\\xED\\xA0\\x80");                  // A surrogate.
  EXPECT_EQ(DisplayText("cut \xe6\x97"), "cut \\xE6\\x97");
}

TEST(DisplayTextTest, MessagesKeepTheirLineBreaksOnly) {
  EXPECT_EQ(DisplayMessage("bundle b does not verify:\n  records/1.pb: tenant \"\x1b]0;x\x07\""),
            "bundle b does not verify:\n  records/1.pb: tenant \"\\x1B]0;x\\x07\"");
  EXPECT_EQ(DisplayMessage("C:\\path\r"), "C:\\path\\r");
}

TEST(CsvTest, QuotesAsRfc4180SaysAndDefusesFormulas) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\r\nlines"), "two\\r\\nlines");
  for (const std::string formula : {"=1+1", "+1", "-1", "@SUM(A1)"}) {
    EXPECT_EQ(CsvField(formula), "'" + formula);
  }
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvField("\tcmd"), "\\tcmd");  // A tab at the start is escaped, so inert.
  EXPECT_EQ(CsvField("\rcmd"), "\\rcmd");
  EXPECT_EQ(CsvField("=1,2"), "\"'=1,2\"");
  EXPECT_EQ(CsvField("a=b"), "a=b");
  EXPECT_EQ(CsvLine({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(ReportStatusTest, EscapesTheMessageForTheTerminal) {
  std::ostringstream err;
  EXPECT_EQ(ReportStatus(absl::DataLossError("its tenant is \"\x1b[2J\xe2\x80\xae\"\nnext"), err),
            kExitDataLoss);
  EXPECT_EQ(err.str(), "sealtrail: its tenant is \"\\x1B[2J\\u{202E}\"\nnext\n");
}

TEST(CliParseErrorTest, ParseJsonNeverQuotesTheInput) {
  for (const std::string& text :
       {absl::StrCat("{\"a\": tru", kSecret, "}"), absl::StrCat("{\"a\": \"\x01", kSecret, "\"}"),
        absl::StrCat("[1e99999, \"", kSecret, "\"]"),
        absl::StrCat("{\"a\": 1 \"", kSecret, "\"}")}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Json> json = ParseJson(text);
    EXPECT_THAT(json, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("not valid JSON"), Not(HasSubstr("SECRET")),
                                     Not(HasSubstr("eyJ")))))
        << json.status();
  }
  EXPECT_THAT(ParseJson("{\"a\": 1,\n \"b\" 2}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2, column")));
  EXPECT_THAT(ParseJson(R"({"a": 1, "a": 2})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("same key twice")));
}

TEST(UsageErrorTest, AStrayTokenOnTheCommandLineIsNotShown) {
  const CLI::ExtrasError extras("query", {std::string(kSecret) + ".sig", "qurey"});
  const std::string text = UsageErrorText(extras, "sealtrail");
  EXPECT_THAT(text,
              AllOf(HasSubstr("sealtrail: The following arguments were not expected:"),
                    HasSubstr("qurey"), HasSubstr("(an argument of 31 characters, not shown)"),
                    HasSubstr("Run with --help"), Not(HasSubstr("SECRET")), Not(HasSubstr("eyJ"))));
  // The binary: exit 1 (usage), the token not echoed.
  const ::sealtrail::testing::ScratchDir io("usage_error_io");
  const ::sealtrail::testing::ProcessResult result = ::sealtrail::testing::RunProcess(
      SEALTRAIL_CLI_PATH, {"query", "--tenant", "acme", absl::StrCat(kSecret, ".x.y")}, "", io);
  EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
  EXPECT_THAT(result.err, AllOf(HasSubstr("not expected"), Not(HasSubstr("SECRET"))));
}

// An append line with an actor token and a mistake: the error names the line, not the token.
TEST_F(ServerCliTest, AppendLineErrorsNeverShowItsActorToken) {
  const std::vector<std::string> lines = {
      absl::StrCat(R"({"record": {"context": {"tenantId": "acme"}} x, "actor_token": ")", kSecret,
                   "\"}"),
      absl::StrCat(R"({"record": {"context": {"tenantId": "acme"}}, "actor_token": ")", kSecret,
                   "\"\x01}"),
      absl::StrCat(R"({"record": {"context": {"tenantId": 5}}, "actor_token": ")", kSecret, "\"}"),
      absl::StrCat(R"({"record": {"outcome": {"result": ")", kSecret, R"("}}})"),
  };
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    std::istringstream in(line + "\n");
    std::ostringstream out;
    const absl::Status status = RunServerAppend(client(), in, out);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 AllOf(HasSubstr("line 1"), Not(HasSubstr("SECRET")),
                                       Not(HasSubstr("eyJ")))))
        << status;
    std::ostringstream err;
    ReportStatus(status, err);
    EXPECT_THAT(err.str(), Not(HasSubstr("SECRET")));
  }
}

// A line nested a million deep is refused, naming the line; it crashed `append` (the envelope
// was printed back to JSON recursively).
TEST_F(ServerCliTest, AppendRefusesADeeplyNestedLine) {
  std::istringstream in(
      absl::StrCat(R"({"record": )", std::string(400000, '['), std::string(400000, ']'), "}\n"));
  std::ostringstream out;
  EXPECT_THAT(RunServerAppend(client(), in, out),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 1"), HasSubstr("nested more than"))));
}

// Record fields an appender controls reach the table and CSV escaped, never raw.
TEST_F(ServerCliTest, QueryTableAndCsvShowHostileFieldsEscaped) {
  v1::AuditRecord record = MakeRecord("acme", "evil\x1b]0;pwned\x07\x1b[2J", "=HYPERLINK(\"x\")");
  record.mutable_action()->set_route(
      std::string("/a\xe2\x80\xae"
                  "gpj.exe\0tail\r\nnext",
                  23));
  record.mutable_correlation()->set_trace_id(absl::HexStringToBytes(kTraceHex));
  Append({record});
  for (const char* format : {"table", "csv"}) {
    SCOPED_TRACE(format);
    std::ostringstream out;
    ASSERT_OK(RunQuery(client(), {.tenant = "acme", .format = format}, out));
    const std::string text = out.str();
    EXPECT_FALSE(HasRawControl(text, std::string(format) == "csv" ? "\r\n" : "\n")) << text;
    EXPECT_THAT(text,
                AllOf(HasSubstr("evil\\x1B]0;pwned\\x07\\x1B[2J"),
                      HasSubstr("/a\\u{202E}gpj.exe\\x00tail\\r\\nnext"), HasSubstr(kTraceHex)));
    if (std::string(format) == "csv") {
      // Header and one record, each ending in CRLF; the formula is defused and quoted.
      EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
      EXPECT_THAT(text, HasSubstr(R"csv(,"'=HYPERLINK(""x"")",)csv"));
    }
  }
}

}  // namespace
}  // namespace sealtrail::cli
