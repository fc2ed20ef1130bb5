// PFADD PFCOUNT PFMERGE, as Redis 7.0 (hyperloglog.h holds the representation). The value is a
// plain string, so GET/SET/DUMP see Redis's exact bytes.
//
// The cached cardinality: Redis's PFCOUNT stores the estimate in the header (a write it never
// propagates). Here PFCOUNT is read-only and leaves the bytes alone: the in-memory value is
// always what replaying the log gives, and a stale cache only costs a recount (16384 registers).
// PFADD and PFMERGE mark the cache stale exactly as Redis does, so their bytes match Redis's;
// a value whose cache is valid (SET from a Redis dump) is answered from the cache, as Redis does.
#include <string>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/hyperloglog.h"
#include "engine/commands/string_patch.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kErrNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kErrCorrupt = "INVALIDOBJ Corrupted HLL object detected";

// Looks up an HLL: *hll is empty-with-*exists=false when absent; false after an error reply.
bool LookupHll(CommandContext& ctx, std::string_view key, std::string_view* hll, bool* exists) {
  state::Entry* e;
  if (!LookupTyped(ctx, key, state::ValueType::kString, &e)) return false;
  *exists = e != nullptr;
  *hll = e ? *e->str() : std::string_view();
  if (*exists && !hll::LooksValid(*hll)) return ctx.reply.Error(kErrNotHll), false;
  return true;
}

void Pfadd(CommandContext& ctx) {
  std::string_view key = ctx.argv[1], prev;
  bool exists;
  if (!LookupHll(ctx, key, &prev, &exists)) return;
  std::string next = exists ? std::string(prev) : hll::NewSparse();
  bool updated = !exists;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    int r = hll::Add(next, ctx.argv[i]);
    if (r < 0) return ctx.reply.Error(kErrCorrupt);
    updated = updated || r == 1;
  }
  if (updated) {
    hll::InvalidateCache(next);
    ApplyStringChange(ctx, key, exists, prev, next);
  }
  ctx.reply.Integer(updated ? 1 : 0);
}

// The union of the named HLLs' registers; false after an error reply. *any_dense tells whether
// an input was dense (PFMERGE then writes a dense result, as Redis).
bool UnionRegisters(CommandContext& ctx, size_t first_key, hll::Registers& max, bool* any_dense) {
  max.fill(0);
  *any_dense = false;
  for (size_t i = first_key; i < ctx.argv.size(); ++i) {
    std::string_view value;
    bool exists;
    if (!LookupHll(ctx, ctx.argv[i], &value, &exists)) return false;
    if (!exists) continue;
    *any_dense = *any_dense || hll::IsDense(value);
    if (!hll::MergeInto(value, max)) return ctx.reply.Error(kErrCorrupt), false;
  }
  return true;
}

void Pfcount(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    hll::Registers max;
    bool any_dense;
    if (!UnionRegisters(ctx, 1, max, &any_dense)) return;
    return ctx.reply.Integer(static_cast<int64_t>(hll::Estimate(max)));
  }
  std::string_view value;
  bool exists;
  if (!LookupHll(ctx, ctx.argv[1], &value, &exists)) return;
  if (!exists) return ctx.reply.Integer(0);
  auto count = hll::Count(value);
  if (!count) return ctx.reply.Error(kErrCorrupt);
  ctx.reply.Integer(static_cast<int64_t>(*count));
}

void Pfmerge(CommandContext& ctx) {
  hll::Registers max;
  bool any_dense;
  if (!UnionRegisters(ctx, 1, max, &any_dense)) return;
  std::string_view key = ctx.argv[1], prev;
  bool exists;
  if (!LookupHll(ctx, key, &prev, &exists)) return;  // checked above: cannot fail now
  std::string next = exists ? std::string(prev) : hll::NewSparse();
  if (any_dense && !hll::ToDense(next)) return ctx.reply.Error(kErrCorrupt);
  for (int i = 0; i < hll::kRegisters; ++i) {
    // Redis ignores a corrupt destination here (it merged cleanly above, so it is not).
    if (max[i] != 0) hll::SetRegister(next, i, max[i]);
  }
  hll::InvalidateCache(next);
  ApplyStringChange(ctx, key, exists, prev, next);
  ctx.reply.SimpleString("OK");
}

}  // namespace

void RegisterHyperLogLogCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"pfadd", -2, kWrite | kDenyOom | kFast, 1, 1, 1, Pfadd});
  r.Add({"pfcount", -2, kReadonly, 1, -1, 1, Pfcount});
  r.Add({"pfmerge", -2, kWrite | kDenyOom, 1, -1, 1, Pfmerge});
}

}  // namespace strongbox::engine
