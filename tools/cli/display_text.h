// Text from elsewhere (a server's records, a file, a peer's error) shown to a person: in the
// query table and CSV, and in the error messages the tools print. Such text must not be able to
// drive the terminal (ESC sequences), hide or reorder what is shown (bidi overrides, invisible
// format characters), break lines, or start a spreadsheet formula.
//
// What is escaped, and how (docs/cli.md#what-people-are-shown):
//   \t \n \r                 for tab, line feed, carriage return
//   \xNN                     for the other C0 controls and DEL, and for each byte that is not part
//                            of valid UTF-8 (overlong forms and surrogates included)
//   \u{XXXX}                 for the C1 controls (U+0080..U+009F), the line and paragraph
//                            separators (U+2028, U+2029), every format character (Unicode
//                            category Cf: bidi controls such as U+202E and U+2066..U+2069, zero
//                            widths U+200B..U+200F, U+2060..U+2064, U+FEFF, soft hyphen U+00AD,
//                            tag characters U+E0000..U+E007F, ...) and the invisible Hangul fillers
//   \\                       for a backslash (DisplayText only), so that every escape is
//   unambiguous
// Everything else (printable ASCII and other valid UTF-8) is kept.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_TOOLS_CLI_DISPLAY_TEXT_H_
#define SEALTRAIL_TOOLS_CLI_DISPLAY_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace sealtrail::cli {

// A value (a record field) for a table cell or a CSV field: everything above escaped.
std::string DisplayText(std::string_view value);

// A message for stderr: as DisplayText, except that line feeds are kept (messages list problems
// one per line) and backslashes are not doubled (the message's own text is ours).
std::string DisplayMessage(std::string_view message);

// One CSV field (RFC 4180) of DisplayText(value), protected against formula injection: a field
// that would begin with '=', '+', '-' or '@' gets a leading '\'' (tab and CR, which spreadsheets
// also treat so, are escaped by DisplayText). Enclosed in double quotes, with quotes doubled, if
// it holds a comma or a double quote.
std::string CsvField(std::string_view value);

// A CSV record: CsvField of each value, joined by ',', ending in CRLF (RFC 4180).
std::string CsvLine(const std::vector<std::string>& values);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_DISPLAY_TEXT_H_
