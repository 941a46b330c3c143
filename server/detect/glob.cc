#include "server/detect/glob.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace sealtrail::detect {

absl::StatusOr<Glob> Glob::Compile(absl::string_view pattern) {
  Glob glob;
  std::string literal;  // The literal bytes, when every token is kByte or kStar.
  bool only_bytes_and_stars = true;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        return absl::InvalidArgumentError(
            "the pattern ends in a lone '\\' (write \\\\ for a backslash)");
      }
      const unsigned char escaped = static_cast<unsigned char>(pattern[++i]);
      glob.tokens_.push_back({Token::kByte, escaped, 0});
      literal.push_back(static_cast<char>(escaped));
    } else if (c == '*') {
      // Consecutive stars are one star.
      if (glob.tokens_.empty() || glob.tokens_.back().kind != Token::kStar) {
        glob.tokens_.push_back({Token::kStar, 0, 0});
      }
    } else if (c == '?') {
      glob.tokens_.push_back({Token::kAnyByte, 0, 0});
      only_bytes_and_stars = false;
    } else if (c == '[') {
      size_t j = i + 1;
      bool negate = false;
      if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
        negate = true;
        ++j;
      }
      std::bitset<256> set;
      bool first = true;
      for (;; first = false) {
        if (j >= pattern.size()) {
          return absl::InvalidArgumentError(
              "a '[' is not closed by ']' (write \\[ for a literal bracket)");
        }
        if (pattern[j] == ']' && !first) break;
        unsigned char low = static_cast<unsigned char>(pattern[j]);
        if (low == '\\' && j + 1 < pattern.size()) low = static_cast<unsigned char>(pattern[++j]);
        ++j;
        if (j + 1 < pattern.size() && pattern[j] == '-' && pattern[j + 1] != ']') {
          unsigned char high = static_cast<unsigned char>(pattern[j + 1]);
          j += 2;
          if (high == '\\' && j < pattern.size()) high = static_cast<unsigned char>(pattern[j++]);
          if (high < low) {
            return absl::InvalidArgumentError(
                "a range in [...] runs backwards (its first character is after its last)");
          }
          for (unsigned c2 = low; c2 <= high; ++c2) set.set(c2);
        } else {
          set.set(low);
        }
      }
      if (negate) set.flip();
      glob.tokens_.push_back({Token::kSet, 0, static_cast<uint16_t>(glob.sets_.size())});
      glob.sets_.push_back(set);
      only_bytes_and_stars = false;
      i = j;
    } else {
      glob.tokens_.push_back({Token::kByte, static_cast<unsigned char>(c), 0});
      literal.push_back(c);
    }
  }
  if (glob.sets_.size() > UINT16_MAX) {
    return absl::InvalidArgumentError("the pattern has too many [...] sets");
  }

  // The common shapes: stars only at the ends.
  const std::vector<Token>& tokens = glob.tokens_;
  const size_t stars = static_cast<size_t>(std::count_if(
      tokens.begin(), tokens.end(), [](const Token& t) { return t.kind == Token::kStar; }));
  const bool leading = !tokens.empty() && tokens.front().kind == Token::kStar;
  const bool trailing = tokens.size() > 1 && tokens.back().kind == Token::kStar;
  if (only_bytes_and_stars && stars == 0) {
    glob.shape_ = Shape::kLiteral;
  } else if (only_bytes_and_stars && tokens.size() == 1) {
    glob.shape_ = Shape::kAny;
  } else if (only_bytes_and_stars && stars == 1 && trailing) {
    glob.shape_ = Shape::kPrefix;
  } else if (only_bytes_and_stars && stars == 1 && leading) {
    glob.shape_ = Shape::kSuffix;
  } else if (only_bytes_and_stars && stars == 2 && leading && trailing) {
    glob.shape_ = Shape::kContains;
  } else {
    glob.shape_ = Shape::kGeneral;
  }
  glob.literal_ = std::move(literal);
  return glob;
}

bool Glob::Matches(absl::string_view value) const {
  switch (shape_) {
    case Shape::kLiteral:
      return value == literal_;
    case Shape::kPrefix:
      return absl::StartsWith(value, literal_);
    case Shape::kSuffix:
      return absl::EndsWith(value, literal_);
    case Shape::kContains:
      return value.find(literal_) != absl::string_view::npos;
    case Shape::kAny:
      return true;
    case Shape::kGeneral:
      return MatchesGeneral(value);
  }
  return false;
}

bool Glob::TokenMatches(const Token& token, unsigned char c) const {
  switch (token.kind) {
    case Token::kByte:
      return token.byte == c;
    case Token::kAnyByte:
      return true;
    case Token::kSet:
      return sets_[token.set].test(c);
    case Token::kStar:
      return false;
  }
  return false;
}

// The classic wildcard match: on a mismatch, let the last star take one more byte and retry from
// there. Earlier stars never need to take more, so the work is O(tokens x value) at most.
bool Glob::MatchesGeneral(absl::string_view value) const {
  size_t t = 0;
  size_t v = 0;
  size_t star_token = tokens_.size();  // None yet.
  size_t star_value = 0;
  while (v < value.size()) {
    if (t < tokens_.size() && tokens_[t].kind == Token::kStar) {
      star_token = t++;
      star_value = v;
    } else if (t < tokens_.size() &&
               TokenMatches(tokens_[t], static_cast<unsigned char>(value[v]))) {
      ++t;
      ++v;
    } else if (star_token != tokens_.size()) {
      t = star_token + 1;
      v = ++star_value;
    } else {
      return false;
    }
  }
  while (t < tokens_.size() && tokens_[t].kind == Token::kStar) ++t;
  return t == tokens_.size();
}

}  // namespace sealtrail::detect
