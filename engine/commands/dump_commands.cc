// DUMP and RESTORE with Redis 7.0's payload (common/rdb). RESTORE is logged as the ordinary
// effects that build the value (rdb::ForEachEffect), so replay needs no RDB decoder.
#include <limits>

#include "common/rdb/dump_payload.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kErrBusyKey = "BUSYKEY Target key name already exists.";
constexpr std::string_view kErrBadPayload = "ERR DUMP payload version or checksum are wrong";
constexpr std::string_view kErrBadFormat = "ERR Bad data format";
constexpr int64_t kFreqMax = 255;

void Dump(CommandContext& ctx) {
  const state::Entry* e = LookupRead(ctx, ctx.argv[1]);
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(rdb::MakeDumpPayload(*e));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
};

// REPLACE ABSTTL IDLETIME s FREQ f, in Redis 7.0's order of checks (IDLETIME and FREQ exclude
// each other: the second one is a syntax error). Access times are not tracked, so the values
// are only validated.
bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* opts) {
  bool idle_seen = false, freq_seen = false;
  for (size_t i = 4; i < ctx.argv.size(); ++i) {
    bool has_value = i + 1 < ctx.argv.size();
    std::string_view opt = ctx.argv[i];
    if (EqualsIgnoreCase(opt, "replace")) {
      opts->replace = true;
    } else if (EqualsIgnoreCase(opt, "absttl")) {
      opts->absttl = true;
    } else if (EqualsIgnoreCase(opt, "idletime") && has_value && !freq_seen) {
      auto idle = ParseInt(ctx.argv[++i]);
      if (!idle) return ctx.reply.Error(kErrNotInteger), false;
      if (*idle < 0) return ctx.reply.Error("ERR Invalid IDLETIME value, must be >= 0"), false;
      idle_seen = true;
    } else if (EqualsIgnoreCase(opt, "freq") && has_value && !idle_seen) {
      auto freq = ParseInt(ctx.argv[++i]);
      if (!freq) return ctx.reply.Error(kErrNotInteger), false;
      if (*freq < 0 || *freq > kFreqMax) {
        return ctx.reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255"), false;
      }
      freq_seen = true;
    } else {
      return ctx.reply.Error(kErrSyntax), false;
    }
  }
  return true;
}

// The absolute expiry RESTORE sets (0 = none), or nullopt with the error replied.
std::optional<int64_t> RestoreExpiry(CommandContext& ctx, const RestoreOptions& opts) {
  auto ttl = ParseInt(ctx.argv[2]);
  if (!ttl) return ctx.reply.Error(kErrNotInteger), std::nullopt;
  if (*ttl < 0) return ctx.reply.Error("ERR Invalid TTL value, must be >= 0"), std::nullopt;
  if (*ttl == 0 || opts.absttl) return *ttl;
  if (*ttl > std::numeric_limits<int64_t>::max() - ctx.now_ms) {
    return std::numeric_limits<int64_t>::max();
  }
  return *ttl + ctx.now_ms;
}

void Restore(CommandContext& ctx) {
  RestoreOptions opts;
  if (!ParseRestoreOptions(ctx, &opts)) return;
  std::string_view key = ctx.argv[1];
  bool exists = CurrentDb(ctx).Find(key, ctx.now_ms) != nullptr;
  if (!opts.replace && exists) return ctx.reply.Error(kErrBusyKey);
  auto expire_at_ms = RestoreExpiry(ctx, opts);
  if (!expire_at_ms) return;
  if (!rdb::DumpPayloadFooterOk(ctx.argv[3])) return ctx.reply.Error(kErrBadPayload);
  auto value = rdb::DecodeDumpPayload(ctx.argv[3]);
  if (!value.ok()) return ctx.reply.Error(kErrBadFormat);

  DropIfExpired(ctx, key);
  if (exists) Apply(ctx, {"DEL", key});
  if (*expire_at_ms != 0 && *expire_at_ms <= ctx.now_ms) {
    // Already expired: Redis drops the old value and creates nothing.
    if (exists) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
    return ctx.reply.SimpleString("OK");
  }
  rdb::ForEachEffect(key, *value, *expire_at_ms,
                     [&ctx](std::span<const std::string_view> argv) { Apply(ctx, argv); });
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "restore", key);
  ctx.reply.SimpleString("OK");
}

}  // namespace

void RegisterDumpCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"dump", 2, kReadonly, 1, 1, 1, Dump});
  r.Add({"restore", -4, kWrite | kDenyOom, 1, 1, 1, Restore});
}

}  // namespace strongbox::engine
