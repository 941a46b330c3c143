#include "cli/export_command.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/bundle_format.h"
#include "cli/bundle_writer.h"
#include "cli/complete_query.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/server_evidence.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/note.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {
namespace {

// The request of every page: the tenant, range and filters, oldest first, with proofs.
absl::StatusOr<v1::QueryRequest> ExportRequest(const QueryArgs& query) {
  if (query.tenant.empty()) return absl::InvalidArgumentError("--tenant is required");
  if (query.from.empty() || query.to.empty()) {
    return absl::InvalidArgumentError(
        "--from and --to are both required: the bundle holds the records committed in "
        "[--from, --to)");
  }
  QueryArgs args = query;
  args.oldest_first = true;
  args.with_proofs = true;
  ASSIGN_OR_RETURN(v1::QueryRequest request, QueryRequestFromArgs(args));
  if (request.from_ns() >= request.to_ns()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--from (", query.from, ") must be before --to (", query.to, ")"));
  }
  return request;
}

// The manifest's fields that come from the request; the rest are filled in as the export runs.
BundleManifest ManifestOf(const v1::QueryRequest& request) {
  BundleManifest manifest;
  manifest.tenant = request.tenant_id();
  manifest.from_ns = request.from_ns();
  manifest.to_ns = request.to_ns();
  manifest.filters.actor = request.actor();
  manifest.filters.action = request.action();
  if (request.outcome() != v1::Outcome::RESULT_UNSPECIFIED) {
    manifest.filters.outcome = v1::Outcome::Result_Name(request.outcome());
  }
  manifest.filters.trace_id = absl::BytesToHexString(request.trace_id());
  return manifest;
}

// The checkpoint of `tree_size` (0: the latest), its signature verified when a vkey is given.
absl::StatusOr<std::pair<v1::Checkpoint, Checkpoint>> FetchCheckpoint(
    Env* env, ServerClient& client, uint64_t tree_size, const CheckpointCheck& check) {
  ASSIGN_OR_RETURN(v1::Checkpoint checkpoint, client.GetCheckpoint(tree_size));
  Checkpoint body;
  if (!check.vkey.empty()) {
    ASSIGN_OR_RETURN(NoteVerifierKey key, LoadVerifierKey(env, check.vkey));
    ASSIGN_OR_RETURN(body, CheckedCheckpoint(checkpoint, key, check.origin));
  } else {
    ASSIGN_OR_RETURN(ParsedNote note, ParseSignedNote(checkpoint.signed_note()));
    ASSIGN_OR_RETURN(body, ParseCheckpointBody(note.text));
  }
  if (tree_size != 0 && body.size != tree_size) {
    return absl::DataLossError(absl::StrCat("asked the server for the checkpoint of tree size ",
                                            tree_size, ", got one of size ", body.size));
  }
  return std::make_pair(std::move(checkpoint), std::move(body));
}

// Checks one verified query row against the bundle and adds it.
absl::Status AddRow(const QueryRow& row, const std::string& signed_note, BundleManifest& manifest,
                    BundleWriter& writer) {
  if (!row.inclusion.has_value()) return absl::InternalError("a query row without a proof");
  const InclusionEvidence& evidence = *row.inclusion;
  if (evidence.proof.tree_size != manifest.tree_size || evidence.root != manifest.root) {
    return absl::DataLossError(absl::StrCat(
        "the server's proof of seq ", row.seq, " is against tree size ", evidence.proof.tree_size,
        " and root ", HashToBase64(evidence.root), ", not the checkpoint's ", manifest.tree_size,
        " and ", HashToBase64(manifest.root)));
  }
  if (manifest.last_seq.has_value() && row.seq <= *manifest.last_seq) {
    return absl::DataLossError(absl::StrCat("the server sent seq ", row.seq, " after seq ",
                                            *manifest.last_seq, " (oldest first was asked)"));
  }
  if (absl::Status belongs = CheckRecordInBundle(row.record, manifest); !belongs.ok()) {
    return WithContext(belongs, absl::StrCat("the server sent seq ", row.seq,
                                             ", which does not match the export"));
  }
  ASSIGN_OR_RETURN(std::string tlog_proof, TlogProofInCheckpoint(evidence, signed_note));
  ASSIGN_OR_RETURN(Json line, RecordsJsonlLine(row.seq, row.data, row.record));
  RETURN_IF_ERROR(writer.AddRecord(row.seq, row.data, tlog_proof, line));
  ++manifest.records;
  if (!manifest.first_seq.has_value()) manifest.first_seq = row.seq;
  manifest.last_seq = row.seq;
  return absl::OkStatus();
}

}  // namespace

absl::Status RunExport(Env* env, ServerClient& client, const ExportArgs& args, std::ostream& out) {
  if (args.bundle_dir.empty()) return absl::InvalidArgumentError("--out is required");
  ASSIGN_OR_RETURN(v1::QueryRequest request, ExportRequest(args.query));
  RETURN_IF_ERROR(BundleWriter::CheckTarget(env, args.bundle_dir));
  std::optional<NoteVerifierKey> key;
  if (!args.check.vkey.empty()) {
    ASSIGN_OR_RETURN(key, LoadVerifierKey(env, args.check.vkey));
  }

  ASSIGN_OR_RETURN(std::unique_ptr<BundleWriter> writer,
                   BundleWriter::Create(env, args.bundle_dir));
  BundleManifest manifest = ManifestOf(request);
  absl::Status written = [&]() -> absl::Status {
    // One answer, proven complete (docs/completeness.md), with every record's proof at the
    // completeness proof's checkpoint: the server pins it before the first record.
    std::optional<std::pair<v1::Checkpoint, Checkpoint>> checkpoint;
    v1::BundleCompleteness completeness;
    ASSIGN_OR_RETURN(
        ProvenAnswer proven,
        StreamProvenAnswer(
            client, request, key.has_value() ? &*key : nullptr, args.check.origin,
            [&](QueryRow row, bool matches) -> absl::Status {
              if (!row.inclusion.has_value()) {
                return absl::InternalError("a query row without a proof");
              }
              if (!checkpoint.has_value()) {
                ASSIGN_OR_RETURN(
                    checkpoint,
                    FetchCheckpoint(env, client, row.inclusion->proof.tree_size, args.check));
                manifest.tree_size = checkpoint->second.size;
                manifest.root = checkpoint->second.root;
                manifest.origin = checkpoint->second.origin;
                RETURN_IF_ERROR(writer->WriteCheckpoint(checkpoint->first.signed_note()));
              }
              if (!matches) {
                // On the chain the proof follows, but left out by the export's other filters.
                v1::QueryResult* kept = completeness.add_filtered_out();
                kept->set_seq(row.seq);
                kept->set_data(row.data);
                return absl::OkStatus();
              }
              return AddRow(row, checkpoint->first.signed_note(), manifest, *writer);
            }));
    const std::string& proof_note = proven.proof.checkpoint().signed_note();
    if (!checkpoint.has_value()) {
      // Nothing in the range: the bundle is the proof of that, against its checkpoint.
      manifest.tree_size = proven.checkpoint.size;
      manifest.root = proven.checkpoint.root;
      manifest.origin = proven.checkpoint.origin;
      RETURN_IF_ERROR(writer->WriteCheckpoint(proof_note));
    } else if (checkpoint->first.signed_note() != proof_note) {
      return absl::DataLossError(
          "the server's completeness proof is against another checkpoint than its records' "
          "proofs");
    }
    *completeness.mutable_proof() = std::move(proven.proof);
    RETURN_IF_ERROR(writer->WriteCompleteness(completeness.SerializeAsString()));
    manifest.created_at_ns = env->NowNanos();
    return writer->Commit(manifest);
  }();
  if (!written.ok()) {
    return WithContext(written, absl::StrCat("export failed; the incomplete bundle is left in ",
                                             writer->partial_dir(), " (remove it)"));
  }
  Json summary{{"bundle", args.bundle_dir}};
  const Json fields = ToJson(manifest);
  for (auto field = fields.begin(); field != fields.end(); ++field) {
    summary[field.key()] = field.value();
  }
  return WriteJsonLine(out, summary);
}

}  // namespace sealtrail::cli
