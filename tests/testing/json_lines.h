// Reading the CLI's output in tests: one JSON object per line.
#ifndef SEALTRAIL_TESTS_TESTING_JSON_LINES_H_
#define SEALTRAIL_TESTS_TESTING_JSON_LINES_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace sealtrail::testing {

// Ordered, like the CLI's own output type, so key order can be checked.
using JsonLine = nlohmann::ordered_json;

// The keys of `json` in order.
std::vector<std::string> Keys(const JsonLine& json);
// The one JSON line `out` holds; a test failure if it holds anything else.
JsonLine OnlyLine(const std::string& out);
// Every line of `text`, parsed.
std::vector<JsonLine> JsonLines(const std::string& text);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_JSON_LINES_H_
