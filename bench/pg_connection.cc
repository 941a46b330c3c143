#include "bench/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace sealtrail::bench {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages end with a newline.
std::string Message(const char* message) {
  return std::string(absl::StripTrailingAsciiWhitespace(message == nullptr ? "" : message));
}

absl::Status Check(const Result& result, ExecStatusType expected, absl::string_view what,
                   pg_conn* conn) {
  if (result != nullptr && PQresultStatus(result.get()) == expected) return absl::OkStatus();
  const char* message =
      result != nullptr ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn);
  return absl::InternalError(absl::StrCat(what, ": ", Message(message)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = Message(PQerrorMessage(conn));
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", message));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

absl::Status PgConnection::Prepare(const std::string& name, const std::string& sql, int params) {
  Result result(PQprepare(conn_, name.c_str(), sql.c_str(), params, nullptr));
  return Check(result, PGRES_COMMAND_OK, absl::StrCat("prepare ", name), conn_);
}

absl::StatusOr<uint64_t> PgConnection::Execute(const std::string& name, const PgParams& params) {
  Result result(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.values.size()),
                               params.values.data(), params.lengths.data(), params.binary.data(),
                               /*resultFormat=*/1));
  if (result != nullptr && PQresultStatus(result.get()) == PGRES_TUPLES_OK) {
    return static_cast<uint64_t>(PQntuples(result.get()));
  }
  if (absl::Status status = Check(result, PGRES_COMMAND_OK, name, conn_); !status.ok()) {
    return status;
  }
  return std::strtoull(PQcmdTuples(result.get()), nullptr, 10);
}

}  // namespace sealtrail::bench
