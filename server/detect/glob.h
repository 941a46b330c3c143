// Glob: a shell-style pattern compiled once, matched against field values on the hot path.
//
//   *        any run of bytes, '.' and '/' included ("call.*" matches "call.barge";
//            "/v2/admin/*" matches "/v2/admin/users/7")
//   ?        exactly one byte
//   [abc]    one byte of the set; ranges [a-z]; [!abc] or [^abc] any byte not in the set;
//            a ']' right after '[' (or '[!') is a member
//   \c       the byte c itself (\* is a star, \\ a backslash)
// Anything else matches itself, case-sensitively. The empty pattern matches only the empty value.
//
// Patterns of the common shapes (a literal, "lit*", "*lit", "*lit*", "*") match with one
// comparison; others with a linear-time backtracking over the star positions (at most
// O(pattern x value)). Matching never allocates.
//
// Thread-safety: immutable after Compile; Matches may be called concurrently.
#ifndef SEALTRAIL_SERVER_DETECT_GLOB_H_
#define SEALTRAIL_SERVER_DETECT_GLOB_H_

#include <bitset>
#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace sealtrail::detect {

class Glob {
 public:
  // INVALID_ARGUMENT saying what is wrong (without quoting the pattern): an unclosed '[', a
  // range whose start is after its end, a trailing '\'.
  [[nodiscard]] static absl::StatusOr<Glob> Compile(absl::string_view pattern);

  bool Matches(absl::string_view value) const;

  // True if the pattern has no wildcard: it matches exactly one value, literal().
  bool is_literal() const { return shape_ == Shape::kLiteral; }
  const std::string& literal() const { return literal_; }

 private:
  enum class Shape { kLiteral, kPrefix, kSuffix, kContains, kAny, kGeneral };
  struct Token {
    enum Kind : uint8_t { kByte, kAnyByte, kStar, kSet } kind;
    uint8_t byte = 0;  // kByte
    uint16_t set = 0;  // kSet: index into sets_
  };

  bool MatchesGeneral(absl::string_view value) const;
  bool TokenMatches(const Token& token, unsigned char c) const;

  Shape shape_ = Shape::kLiteral;
  std::string literal_;  // kLiteral, kPrefix, kSuffix, kContains: the literal part
  std::vector<Token> tokens_;
  std::vector<std::bitset<256>> sets_;
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_GLOB_H_
