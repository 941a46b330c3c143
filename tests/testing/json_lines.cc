#include "testing/json_lines.h"

#include <sstream>

#include "gtest/gtest.h"

namespace sealtrail::testing {

std::vector<std::string> Keys(const JsonLine& json) {
  std::vector<std::string> keys;
  for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
  return keys;
}

JsonLine OnlyLine(const std::string& out) {
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  return JsonLine::parse(out);
}

std::vector<JsonLine> JsonLines(const std::string& text) {
  std::vector<JsonLine> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(JsonLine::parse(line));
  return lines;
}

}  // namespace sealtrail::testing
