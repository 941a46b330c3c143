// The receiver example of docs/detection.md, taken from the doc as it is written and run
// with python3 against real deliveries from the dispatcher: it accepts a correctly signed
// delivery (and acts on it once, even when it comes again), and refuses one signed with another
// secret. Skipped when python3 is not installed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/webhook/delivery_journal.h"
#include "testing/file_util.h"
#include "testing/piped_process.h"
#include "testing/status_matchers.h"
#include "webhook_testing/delivery_fixture.h"

namespace sealtrail {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kExampleMarker[] = "<!-- receiver-example -->\n```python\n";

// The Python block after the marker in the doc.
std::string ExampleFromDoc() {
  absl::StatusOr<std::string> doc =
      testing::ReadWholeFile(std::string(SEALTRAIL_DOCS_DIR) + "/detection.md");
  EXPECT_TRUE(doc.ok()) << doc.status();
  if (!doc.ok()) return "";
  const size_t start = doc->find(kExampleMarker);
  EXPECT_NE(start, std::string::npos) << "the doc has no receiver example marker";
  if (start == std::string::npos) return "";
  const size_t code = start + std::string(kExampleMarker).size();
  const size_t end = doc->find("```\n", code);
  EXPECT_NE(end, std::string::npos);
  return doc->substr(code, end - code);
}

// A port nothing listens on right now (the kernel's choice, released at once).
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  close(fd);
  return ntohs(address.sin_port);
}

bool Listening(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

class WebhookPythonReceiverTest : public testing::DeliveryFixture {};

TEST_F(WebhookPythonReceiverTest, TheDocsExampleAcceptsGoodSignaturesOnceAndRefusesBadOnes) {
  const std::string python = SEALTRAIL_PYTHON3;
  if (python.empty() || access(python.c_str(), X_OK) != 0) GTEST_SKIP() << "no python3";
  const std::string example = ExampleFromDoc();
  ASSERT_FALSE(example.empty());
  EXPECT_LE(std::vector<std::string>(absl::StrSplit(example, '\n', absl::SkipEmpty())).size(), 20u)
      << "the doc promises a receiver in 20 lines";
  const std::string script = scratch_.Sub("receiver.py");
  const std::string cert = scratch_.Sub("python-cert.pem");
  const std::string key = scratch_.Sub("python-key.pem");
  ASSERT_OK(testing::WriteWholeFile(script, example));
  ASSERT_OK(testing::WriteWholeFile(cert, server_cert_.cert));
  ASSERT_OK(testing::WriteWholeFile(key, server_cert_.key));

  // The only thread so far: setenv is safe. The child inherits the environment.
  ASSERT_EQ(setenv("WEBHOOK_SECRET", secret_.c_str(), 1), 0);
  const int port = FreeLoopbackPort();
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<testing::PipedProcess> receiver,
      testing::PipedProcess::Start(python, {script, "127.0.0.1", absl::StrCat(port), cert, key},
                                   scratch_.Sub("python.stderr")));
  ASSERT_TRUE(Eventually([&] { return Listening(port); }, absl::Seconds(20)))
      << testing::ReadWholeFile(scratch_.Sub("python.stderr")).value_or("");

  const std::string url = absl::StrCat("https://127.0.0.1:", port, "/hooks/sealtrail");
  WebhookEndpoint good = Endpoint("good", *receiver_);
  good.url = url;
  WebhookEndpoint forged = Endpoint("forged", *receiver_);
  forged.url = url;
  forged.hmac_key = testing::HmacKeyOfSecret(testing::NewWebhookSecret());
  forged.dead_letter_after = absl::Milliseconds(200);
  StartDispatcher({good, forged});
  const uint64_t seq = Raise("mass-export");

  // Accepted: delivered, and acted on.
  ASSERT_TRUE(Eventually([&] { return StatsOf("good").delivered == 1; }));
  std::optional<std::string> line = receiver->ReadLine(absl::Seconds(10));
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, StartsWith(absl::StrCat("alert ", IdOf(seq), " ")));
  EXPECT_THAT(*line, HasSubstr("\"rule\":\"mass-export\""));
  // Refused: 401 until dead-lettered, never acted on.
  ASSERT_TRUE(Eventually([&] { return StatsOf("forged").dead_lettered == 1; }));
  EXPECT_THAT(ListOf("forged").dead_letters.at(0).last_error, HasSubstr("HTTP 401"));
  EXPECT_EQ(StatsOf("forged").delivered, 0u);

  // The same delivery again (the good endpoint starts afresh): answered 2xx, not acted on twice.
  StopDispatcher();
  ASSERT_OK(testing::RemovePath(DeliveryJournal::PathFor(Options().state_dir, "good")));
  StartDispatcher({good});
  ASSERT_TRUE(Eventually([&] { return StatsOf("good").delivered == 1; }));
  const uint64_t next = Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("good").delivered == 2; }));
  line = receiver->ReadLine(absl::Seconds(10));
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, StartsWith(absl::StrCat("alert ", IdOf(next), " ")));
  StopDispatcher();
}

}  // namespace
}  // namespace sealtrail
