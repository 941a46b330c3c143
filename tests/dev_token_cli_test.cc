// Tests of `sealtrail dev-token` (tools/cli/dev_token_command.h): tokens minted with a data
// directory's dev key, through the library function and the built binary (SEALTRAIL_CLI_PATH),
// are checked with the verifier that sealtraild uses for that key (DevCredentials::VerifierKeys).
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/dev_token_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/env.h"
#include "sealtrail/status_macros.h"
#include "server/auth/dev_credentials.h"
#include "server/auth/jwt_verifier.h"
#include "testing/file_util.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::ListDir;
using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::RunProcess;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class DevTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Env::Default()->CreateDir(data_));
    ASSERT_OK(DevCredentials::Open(Env::Default(), data_, /*create=*/true).status());
  }

  // The token RunDevToken prints for `args` (data_dir filled in), verified as sealtraild would.
  absl::StatusOr<VerifiedToken> MintAndVerify(DevTokenArgs args) {
    args.data_dir = data_;
    std::ostringstream out;
    RETURN_IF_ERROR(RunDevToken(Env::Default(), args, out));
    return Verify(out.str());
  }

  absl::StatusOr<VerifiedToken> Verify(const std::string& printed) {
    EXPECT_EQ(printed.back(), '\n');
    absl::StatusOr<DevCredentials> dev = DevCredentials::Open(Env::Default(), data_, false);
    RETURN_IF_ERROR(dev.status());
    absl::StatusOr<JwtKeySet> keys = dev->VerifierKeys();
    RETURN_IF_ERROR(keys.status());
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier =
        JwtVerifier::Create(*std::move(keys), JwtVerifierOptions{kDevIssuer, kDevAudience});
    RETURN_IF_ERROR(verifier.status());
    return (*verifier)->Verify(std::string(absl::StripTrailingAsciiWhitespace(printed)));
  }

  absl::Status Run(DevTokenArgs args) {
    std::ostringstream out;
    return RunDevToken(Env::Default(), args, out);
  }

  ScratchDir scratch_{"dev_token"};
  std::string data_ = scratch_.Sub("data");
};

TEST_F(DevTokenTest, CallerTokenHoldsRolesAndTenants) {
  const absl::Time before = absl::Now();
  ASSERT_OK_AND_ASSIGN(VerifiedToken token, MintAndVerify({.subject = "billing-svc",
                                                           .roles = {"appender", "auditor"},
                                                           .tenants = {"acme", "globex"},
                                                           .ttl = "2h"}));
  EXPECT_EQ(token.subject, "billing-svc");
  EXPECT_EQ(token.key_id, kDevKeyId);
  EXPECT_EQ(token.algorithm, "ES256");
  EXPECT_THAT(token.roles, ElementsAre("appender", "auditor"));
  EXPECT_THAT(token.tenants, ElementsAre("acme", "globex"));
  EXPECT_TRUE(token.role.empty());
  EXPECT_GE(token.expires_at, before + absl::Hours(2) - absl::Seconds(2));
  EXPECT_LE(token.expires_at, absl::Now() + absl::Hours(2) + absl::Seconds(2));
}

TEST_F(DevTokenTest, DefaultLifetimeIsADay) {
  ASSERT_OK_AND_ASSIGN(VerifiedToken token,
                       MintAndVerify({.subject = "s", .roles = {"admin"}, .tenants = {"*"}}));
  EXPECT_THAT(token.tenants, ElementsAre("*"));
  EXPECT_NEAR(absl::ToDoubleHours(token.expires_at - absl::Now()), 24, 0.01);
}

TEST_F(DevTokenTest, ActorTokenHoldsTheUsersRoleAndTenantOnly) {
  ASSERT_OK_AND_ASSIGN(VerifiedToken token, MintAndVerify({.subject = "agent-4711",
                                                           .actor = true,
                                                           .user_role = "supervisor",
                                                           .user_tenant = "acme"}));
  EXPECT_EQ(token.subject, "agent-4711");
  EXPECT_EQ(token.role, "supervisor");
  EXPECT_EQ(token.tenant, "acme");
  EXPECT_THAT(token.roles, IsEmpty());  // Not usable to call the server.
  EXPECT_THAT(token.tenants, IsEmpty());
}

TEST_F(DevTokenTest, DataDirWithoutDevKeyIsNotFoundAndLeftAlone) {
  const std::string empty = scratch_.Sub("empty");
  ASSERT_OK(Env::Default()->CreateDir(empty));
  std::ostringstream out;
  EXPECT_THAT(
      RunDevToken(Env::Default(),
                  {.data_dir = empty, .subject = "s", .roles = {"admin"}, .tenants = {"*"}}, out),
      StatusIs(absl::StatusCode::kNotFound,
               HasSubstr("start sealtraild once with --data " + empty)));
  EXPECT_THAT(out.str(), IsEmpty());
  EXPECT_THAT(ListDir(empty), ::sealtrail::testing::IsOkAndHolds(IsEmpty()));
}

TEST_F(DevTokenTest, UnknownRoleIsRefused) {
  EXPECT_THAT(Run({.data_dir = data_, .subject = "s", .roles = {"root"}, .tenants = {"acme"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--role \"root\" is not a role: appender, auditor")));
  EXPECT_THAT(Run({.data_dir = data_, .subject = "s", .roles = {"Appender"}, .tenants = {"acme"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--role")));
}

TEST_F(DevTokenTest, MissingOrMixedClaimsAreRefused) {
  const auto refused = [&](DevTokenArgs args, const std::string& flag) {
    args.data_dir = data_;
    EXPECT_THAT(Run(args), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(flag)));
  };
  refused({.roles = {"admin"}, .tenants = {"*"}}, "--sub");
  refused({.subject = "s", .tenants = {"acme"}}, "--role");
  refused({.subject = "s", .roles = {"admin"}}, "--tenant");
  refused({.subject = "s", .roles = {"admin"}, .tenants = {""}}, "--tenant");
  refused({.subject = "s", .roles = {"appender"}, .tenants = {"acme"}, .user_role = "x"},
          "need --actor");
  refused({.subject = "s", .roles = {"appender"}, .actor = true, .user_tenant = "acme"}, "--actor");
  refused({.subject = "s", .actor = true, .user_role = "supervisor"}, "--user-tenant");
}

TEST(TtlTest, HoursMinutesAndDays) {
  EXPECT_THAT(ParseTtl("1h"), ::sealtrail::testing::IsOkAndHolds(absl::Hours(1)));
  EXPECT_THAT(ParseTtl("30m"), ::sealtrail::testing::IsOkAndHolds(absl::Minutes(30)));
  EXPECT_THAT(ParseTtl("7d"), ::sealtrail::testing::IsOkAndHolds(absl::Hours(7 * 24)));
  EXPECT_THAT(ParseTtl("1h30m"), ::sealtrail::testing::IsOkAndHolds(absl::Minutes(90)));
  EXPECT_THAT(ParseTtl("90s"), ::sealtrail::testing::IsOkAndHolds(absl::Seconds(90)));
  EXPECT_THAT(ParseTtl("366d"), ::sealtrail::testing::IsOkAndHolds(kMaxDevTokenTtl));
}

TEST(TtlTest, NotPositiveNotADurationOrTooLongIsRefused) {
  for (const char* text : {"", "d", "0s", "0d", "-1h", "-1d", "+1d", "1.5d", "1x", "1", "inf",
                           "1 h", "367d", "9000h", "99999999999999999999d"}) {
    EXPECT_THAT(ParseTtl(text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--ttl")))
        << text;
  }
}

TEST_F(DevTokenTest, BinaryPrintsAVerifiableTokenAndUsesExitCodes) {
  ScratchDir run("dev_token_run");
  const ProcessResult minted = RunProcess(SEALTRAIL_CLI_PATH,
                                          {"dev-token", "--data", data_, "--sub", "alice", "--role",
                                           "auditor", "--tenant", "acme", "--ttl", "30m"},
                                          "", run);
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  EXPECT_THAT(minted.err, IsEmpty());
  ASSERT_OK_AND_ASSIGN(VerifiedToken token, Verify(minted.out));
  EXPECT_EQ(token.subject, "alice");
  EXPECT_THAT(token.roles, ElementsAre("auditor"));

  const std::string empty = scratch_.Sub("empty");
  ASSERT_OK(Env::Default()->CreateDir(empty));
  const ProcessResult no_key = RunProcess(
      SEALTRAIL_CLI_PATH,
      {"dev-token", "--data", empty, "--sub", "a", "--role", "admin", "--tenant", "*"}, "", run);
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_THAT(no_key.err, HasSubstr("no dev JWT key in " + empty));

  const ProcessResult bad_role = RunProcess(
      SEALTRAIL_CLI_PATH,
      {"dev-token", "--data", data_, "--sub", "a", "--role", "superuser", "--tenant", "acme"}, "",
      run);
  EXPECT_EQ(bad_role.exit_code, 2);
  EXPECT_THAT(bad_role.err, HasSubstr("not a role"));

  const ProcessResult no_sub =
      RunProcess(SEALTRAIL_CLI_PATH, {"dev-token", "--data", data_, "--role", "admin"}, "", run);
  EXPECT_EQ(no_sub.exit_code, 1);

  const ProcessResult help = RunProcess(SEALTRAIL_CLI_PATH, {"dev-token", "--help"}, "", run);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Examples:\n  sealtrail dev-token --data ./data"));
}

}  // namespace
}  // namespace sealtrail::cli
