// BGSAVE, SAVE, LASTSAVE, BGREWRITEAOF, SHUTDOWN: the engine never writes snapshots itself; it asks
// the snapshotter through a request file in the persistence directory (durability/
// snapshot_requests.h) and reads the directory to learn what exists. Replies are Redis 7.0's.
#include <string>

#include "absl/strings/str_cat.h"
#include "common/util/ascii.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/durability/snapshot_requests.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kNoSnapshots = "ERR snapshots are not available in this server";

// Writes the request; false (and an error reply) when the directory refused it.
bool RequestSnapshot(CommandContext& ctx, SnapshotRequests& requests, bool rewrite, uint64_t* lsn) {
  auto requested = requests.Request(ctx.now_ms, rewrite);
  if (!requested.ok()) {
    ctx.reply.Error(absl::StrCat("ERR cannot write the snapshot request into the persistence ",
                                 "directory: ", requested.status().message()));
    return false;
  }
  if (lsn != nullptr) *lsn = *requested;
  return true;
}

void BgsaveCommand(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argv.size() == 2 && EqualsIgnoreCase(ctx.argv[1], "schedule")) {
    schedule = true;
  } else if (ctx.argv.size() > 1) {
    return ctx.reply.Error("ERR syntax error");
  }
  SnapshotRequests* requests = ctx.server.snapshot_requests();
  if (requests == nullptr) return ctx.reply.Error(kNoSnapshots);
  bool busy = requests->in_progress();
  if (busy && !schedule) return ctx.reply.Error("ERR Background save already in progress");
  if (!RequestSnapshot(ctx, *requests, /*rewrite=*/false, nullptr)) return;
  ctx.reply.SimpleString(busy ? "Background saving scheduled" : "Background saving started");
}

void BgrewriteaofCommand(CommandContext& ctx) {
  SnapshotRequests* requests = ctx.server.snapshot_requests();
  if (requests == nullptr) return ctx.reply.Error(kNoSnapshots);
  BackgroundSaveStatus status = requests->Status();
  if (status.aof_rewrite_in_progress) {
    return ctx.reply.Error("ERR Background append only file rewriting already in progress");
  }
  // The log is already the append-only file: a rewrite is a rotation (the engine seals the
  // active segment through the requested LSN) plus a snapshot that makes older segments
  // archivable.
  if (!RequestSnapshot(ctx, *requests, /*rewrite=*/true, nullptr)) return;
  ctx.reply.SimpleString(status.bgsave_in_progress
                             ? "Background append only file rewriting scheduled"
                             : "Background append only file rewriting started");
}

void LastsaveCommand(CommandContext& ctx) {
  SnapshotRequests* requests = ctx.server.snapshot_requests();
  if (requests == nullptr) return ctx.reply.Error(kNoSnapshots);
  ctx.reply.Integer(requests->LastSaveUnixSeconds(ctx.now_ms));
}

// SAVE parks its client (only it) until a snapshot covers the LSN it asked for. The parked
// command is re-run with the LSN and the deadline as hidden arguments whenever the engine's
// directory scan (SnapshotRequests::Tick) saw something new.
void SaveWaitOrPark(CommandContext& ctx, SnapshotRequests& requests, uint64_t lsn,
                    int64_t deadline_ms) {
  if (requests.covered(lsn)) return ctx.reply.SimpleString("OK");
  if (ctx.now_ms >= deadline_ms) {
    requests.NoteFailure();
    return ctx.reply.Error(absl::StrCat(
        "ERR SAVE timed out after ", requests.save_timeout_ms(), " ms: no snapshot covering LSN ",
        lsn, " appeared in the persistence directory (is strongbox-snapshotter running?)"));
  }
  if (!requests.in_progress()) {
    return ctx.reply.Error(absl::StrCat("ERR SAVE failed: the snapshotter removed the request ",
                                        "without a snapshot covering LSN ", lsn, " (see its log)"));
  }
  auto& block = ctx.client.block;
  block.active = true;
  block.keys = {{0, std::string(SnapshotRequests::kSaveWaitKey)}};
  block.deadline_ms = 0;  // SAVE's own deadline gives its own error, not a null reply
  block.rerun_argv = {"save", absl::StrCat(lsn), absl::StrCat(deadline_ms)};
}

void SaveCommand(CommandContext& ctx) {
  if (ctx.argv.size() != 1 && !ctx.client.serving_blocked) {
    return ctx.reply.Error("ERR wrong number of arguments for 'save' command");
  }
  if (ctx.client.in_exec) return ctx.reply.Error("ERR Command not allowed inside a transaction");
  SnapshotRequests* requests = ctx.server.snapshot_requests();
  if (requests == nullptr) return ctx.reply.Error(kNoSnapshots);
  auto lsn_waited = ctx.argv.size() == 3 ? ParseInt(ctx.argv[1]) : std::nullopt;
  auto deadline_ms = ctx.argv.size() == 3 ? ParseInt(ctx.argv[2]) : std::nullopt;
  if (lsn_waited && deadline_ms) {
    return SaveWaitOrPark(ctx, *requests, static_cast<uint64_t>(*lsn_waited), *deadline_ms);
  }
  uint64_t lsn = 0;
  if (!RequestSnapshot(ctx, *requests, /*rewrite=*/false, &lsn)) return;
  SaveWaitOrPark(ctx, *requests, lsn, ctx.now_ms + requests->save_timeout_ms());
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Every acknowledged write is already durable, so
// a shutdown only drains: input stops, pending records and replies complete, the active segment
// is sealed, the process exits (the caller gets no reply, as with Redis). SAVE also asks the
// snapshotter for a snapshot of everything before the exit; NOW and FORCE change nothing here
// (no replicas to wait for, nothing to save that can fail).
void ShutdownCommand(CommandContext& ctx) {
  if (ctx.client.in_multi) {  // kNoMulti runs it at once: refuse it, and fail the transaction
    ctx.client.multi_error = true;
    return ctx.reply.Error("ERR Command not allowed inside a transaction");
  }
  bool nosave = false, save = false, other = false, abort = false;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    std::string option = ToLower(ctx.argv[i]);
    if (option == "nosave") {
      nosave = true;
    } else if (option == "save") {
      save = true;
    } else if (option == "now" || option == "force") {
      other = true;
    } else if (option == "abort") {
      abort = true;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) return ctx.reply.Error(kErrSyntax);
  if (abort) return ctx.reply.Error("ERR No shutdown in progress.");
  if (save) {
    SnapshotRequests* requests = ctx.server.snapshot_requests();
    if (requests == nullptr) return ctx.reply.Error(kNoSnapshots);
    if (!RequestSnapshot(ctx, *requests, /*rewrite=*/false, nullptr)) return;
  }
  ctx.server.RequestShutdown();
}

}  // namespace

void RegisterPersistenceCommands(CommandRegistry& r) {
  r.Add({"shutdown", -1, kAdmin | kNoScript | kNoMulti, 0, 0, 0, ShutdownCommand});
  r.Add({"bgsave", -1, kAdmin | kNoScript, 0, 0, 0, BgsaveCommand});
  r.Add({"bgrewriteaof", 1, kAdmin | kNoScript, 0, 0, 0, BgrewriteaofCommand});
  r.Add({"lastsave", 1, kFast, 0, 0, 0, LastsaveCommand});
  // Readonly: a may-block command reads or writes data (registry rule); SAVE reads all of it.
  r.Add({"save", -1, kAdmin | kNoScript | kReadonly | kMayBlock, 0, 0, 0, SaveCommand});
}

}  // namespace strongbox::engine
