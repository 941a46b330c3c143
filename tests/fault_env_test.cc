// Tests of the test helper FaultInjectionEnv itself: the fault sweeps in
// fault_injection_test.cc are only as good as its counting and its two failure modes.
#include "testing/fault_env.h"

#include <string>

#include "gtest/gtest.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::testing {
namespace {

// The whole file, or the error that prevented reading it.
absl::StatusOr<std::string> ReadAll(Env* env, const std::string& path) {
  absl::StatusOr<uint64_t> size = env->GetFileSize(path);
  if (!size.ok()) return size.status();
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = env->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string data(*size, '\0');
  absl::Status status = (*file)->ReadAt(0, data.size(), data.data());
  if (!status.ok()) return status;
  return data;
}

TEST(FaultInjectionEnvTest, CountsEveryMutatingOperationInOneSequence) {
  ScratchDir dir;
  FaultInjectionEnv env;
  ASSERT_OK(env.CreateDir(dir.Sub("d")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> file, env.NewWritableFile(dir.Sub("d/a")));
  ASSERT_OK(file->Append("hello"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Close());
  ASSERT_OK(env.RenameFile(dir.Sub("d/a"), dir.Sub("d/b")));
  ASSERT_OK(env.SyncDir(dir.Sub("d")));
  ASSERT_OK_AND_ASSIGN(file, env.NewAppendableFile(dir.Sub("d/b")));
  ASSERT_OK(file->Append("!"));
  ASSERT_OK(file->Close());
  ASSERT_OK(env.TruncateFile(dir.Sub("d/b"), 2));
  ASSERT_OK(env.MakeReadOnly(dir.Sub("d/b")));
  EXPECT_THAT(env.GetFileMode(dir.Sub("d/b")), IsOkAndHolds(0444u));
  ASSERT_OK(env.MakeWritable(dir.Sub("d/b")));
  EXPECT_THAT(env.GetFileMode(dir.Sub("d/b")), IsOkAndHolds(0644u));
  ASSERT_OK(env.RemoveFile(dir.Sub("d/b")));
  // Reads and listings are not counted.
  EXPECT_FALSE(env.FileExists(dir.Sub("d/b")));
  ASSERT_OK(env.GetChildren(dir.Sub("d")).status());

  const std::vector<OpKind> expected = {OpKind::kCreateDir,
                                        OpKind::kNewWritableFile,
                                        OpKind::kAppend,
                                        OpKind::kSync,
                                        OpKind::kRename,
                                        OpKind::kSyncDir,
                                        OpKind::kNewAppendableFile,
                                        OpKind::kAppend,
                                        OpKind::kTruncate,
                                        OpKind::kMakeReadOnly,
                                        OpKind::kMakeWritable,
                                        OpKind::kRemoveFile};
  std::vector<OpRecord> trace = env.trace();
  ASSERT_EQ(trace.size(), expected.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].index, i);
    EXPECT_EQ(trace[i].kind, expected[i]) << trace[i];
    EXPECT_FALSE(trace[i].injected);
  }
  EXPECT_EQ(trace[4].path, dir.Sub("d/a"));
  EXPECT_EQ(trace[4].target, dir.Sub("d/b"));
  EXPECT_EQ(trace[2].bytes, 5u);
  EXPECT_EQ(env.op_count(), expected.size());
  EXPECT_EQ(env.op_count(OpKind::kAppend), 2u);
  EXPECT_EQ(env.op_count(OpKind::kSync), 1u);
  EXPECT_FALSE(env.injected().has_value());
}

TEST(FaultInjectionEnvTest, WithoutEffectChangesNothing) {
  ScratchDir dir;
  FaultInjectionEnv env;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> file, env.NewWritableFile(dir.Sub("a")));
  ASSERT_OK(file->Append("keep"));
  env.FailOp(env.op_count(), FaultMode::kWithoutEffect);
  EXPECT_THAT(file->Append("lost"),
              StatusIs(absl::StatusCode::kInternal, ::testing::HasSubstr("injected fault")));
  ASSERT_OK(file->Close());
  EXPECT_EQ(ReadAll(&env, dir.Sub("a")).value_or("<unreadable>"), "keep");

  env.FailNthOfKind(OpKind::kRename, 0, FaultMode::kWithoutEffect);
  EXPECT_FALSE(env.RenameFile(dir.Sub("a"), dir.Sub("b")).ok());
  EXPECT_TRUE(env.FileExists(dir.Sub("a")));
  EXPECT_FALSE(env.FileExists(dir.Sub("b")));

  env.FailNthOfKind(OpKind::kNewWritableFile, 1, FaultMode::kWithoutEffect);
  EXPECT_FALSE(env.NewWritableFile(dir.Sub("c")).ok());
  EXPECT_FALSE(env.FileExists(dir.Sub("c")));
}

TEST(FaultInjectionEnvTest, WithEffectPerformsTheOperationThenFails) {
  ScratchDir dir;
  FaultInjectionEnv env;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> file, env.NewWritableFile(dir.Sub("a")));
  env.FailNthOfKind(OpKind::kAppend, 0, FaultMode::kWithEffect);
  EXPECT_FALSE(file->Append("landed").ok());
  ASSERT_OK(file->Close());
  EXPECT_EQ(ReadAll(&env, dir.Sub("a")).value_or("<unreadable>"), "landed");

  env.FailNthOfKind(OpKind::kRename, 0, FaultMode::kWithEffect);
  EXPECT_FALSE(env.RenameFile(dir.Sub("a"), dir.Sub("b")).ok());
  EXPECT_FALSE(env.FileExists(dir.Sub("a")));
  EXPECT_EQ(ReadAll(&env, dir.Sub("b")).value_or("<unreadable>"), "landed");

  env.FailNthOfKind(OpKind::kNewWritableFile, 1, FaultMode::kWithEffect);
  EXPECT_FALSE(env.NewWritableFile(dir.Sub("c")).ok());
  EXPECT_TRUE(env.FileExists(dir.Sub("c")));

  std::optional<OpRecord> hit = env.injected();
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->kind, OpKind::kNewWritableFile);
  EXPECT_EQ(hit->mode, FaultMode::kWithEffect);
  EXPECT_TRUE(hit->injected);
}

TEST(FaultInjectionEnvTest, ShortWriteWritesAPrefix) {
  ScratchDir dir;
  FaultInjectionEnv env;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> file, env.NewWritableFile(dir.Sub("a")));
  env.FailNthOfKind(OpKind::kAppend, 0, FaultMode::kShortWrite);
  EXPECT_FALSE(file->Append("0123456789").ok());
  EXPECT_EQ(env.injected()->bytes_written, 5u);
  env.FailNthOfKind(OpKind::kAppend, 1, Fault(FaultMode::kShortWrite, 100));
  EXPECT_FALSE(file->Append("abc").ok());
  EXPECT_EQ(env.injected()->bytes_written, 2u);  // Clamped: something is always missing.
  ASSERT_OK(file->Close());
  EXPECT_EQ(ReadAll(&env, dir.Sub("a")).value_or("<unreadable>"), "01234ab");
}

TEST(FaultInjectionEnvTest, AFaultFiresOnceAndDisarmCancelsIt) {
  ScratchDir dir;
  FaultInjectionEnv env;
  env.FailOp(1, FaultMode::kWithoutEffect);
  ASSERT_OK(env.CreateDir(dir.Sub("x")));
  EXPECT_FALSE(env.CreateDir(dir.Sub("y")).ok());
  EXPECT_OK(env.CreateDir(dir.Sub("z")));
  EXPECT_EQ(env.injected()->index, 1u);

  env.FailOp(4, FaultMode::kWithoutEffect);
  env.Disarm();
  for (int i = 0; i < 3; ++i) EXPECT_OK(env.SyncDir(dir.path()));
}

TEST(FaultInjectionEnvTest, ClockCanBeSteppedBack) {
  FaultInjectionEnv env;
  const int64_t hour = int64_t{3600} * 1000 * 1000 * 1000;
  env.SetClockOffsetNanos(-hour);
  const int64_t stepped = env.NowNanos();
  const int64_t real = Env::Default()->NowNanos();
  EXPECT_LE(stepped, real - hour + int64_t{60} * 1000 * 1000 * 1000);
  EXPECT_GE(stepped, real - 2 * hour);
}

TEST(ScratchDirTest, RemovesReadOnlyFilesAndDirectories) {
  std::string path;
  {
    ScratchDir dir;
    path = dir.path();
    Env* env = Env::Default();
    ASSERT_OK(env->CreateDir(dir.Sub("sub")));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> file,
                         env->NewWritableFile(dir.Sub("sub/sealed")));
    ASSERT_OK(file->Close());
    ASSERT_OK(env->MakeReadOnly(dir.Sub("sub/sealed")));
    ASSERT_OK(env->MakeReadOnly(dir.Sub("sub")));
  }
  EXPECT_FALSE(Env::Default()->FileExists(path));
}

}  // namespace
}  // namespace sealtrail::testing
