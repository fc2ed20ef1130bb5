// The effect vocabulary (deterministic operations logged in records and replayed by recovery
// and the snapshotter) and ApplyOp, the one way the engine and replay change state.

// Every effect — name, arity, apply function, the keys it touches, a one-line summary — is one
// row of the table kEffects at the end of apply.cc; docs/format.md lists the same effects
// (tests/unit/state/effects_doc_test.cc keeps the two equal). An unknown effect, a wrong arity or
// a wrong type is an error naming the op: replay treats it as damage, never as something to skip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "common/state/state.h"

namespace strongbox::state {

// Which keys an effect writes, for WATCH and for clients blocked on a key.
enum class EffectKeys : uint8_t {
  kFirstArg,      // argv[1] in the op's database
  kEveryArg,      // argv[1..] in the op's database (DEL's keys, RENAME's src and dst)
  kCopyTarget,    // argv[3] in database argv[2] (COPY src dst_db dst)
  kDatabase,      // every key of the op's database (FLUSHDB)
  kAllDatabases,  // every key of every database (FLUSHALL)
  kNone,          // no key (function libraries, consumer-group bookkeeping)
};

// Changes `state` (`db` is the op's database in it); argv's size is already within the arity.
using EffectFn = absl::Status (*)(State& state, Db& db, std::span<const std::string_view> argv);

inline constexpr size_t kArgcUnbounded = std::numeric_limits<size_t>::max();

struct EffectSpec {
  std::string_view name;  // upper case, as the engine logs it
  std::string_view args;  // the arguments after the name, as docs/format.md writes them
  size_t argc_min;        // argv.size(), the name included
  size_t argc_max;        // kArgcUnbounded: no upper bound
  EffectKeys keys;
  EffectFn apply;
  std::string_view summary;  // one line, for docs/format.md
};

// Every effect, in the order docs/format.md lists them.
std::span<const EffectSpec> EffectTable();
// Case-insensitive; nullptr for an unknown name. Allocation-free: ApplyOp runs it every write.
const EffectSpec* FindEffect(std::string_view name);

absl::Status ApplyOp(State& state, uint8_t db, std::span<const std::string_view> argv);

enum class TouchScope : uint8_t {
  kKeys,          // exactly the keys passed to the callback
  kDatabase,      // every key of the op's database
  kAllDatabases,  // every key of every database
};

// What an effect ApplyOp accepted wrote: calls on_key(db, key) for each key it writes and
// returns kKeys, or returns kDatabase / kAllDatabases without calling on_key. For an effect
// ApplyOp would refuse it answers kAllDatabases (over-reporting only costs a spurious wake-up).
TouchScope ForEachTouchedKey(uint8_t db, std::span<const std::string_view> argv,
                             absl::FunctionRef<void(uint8_t db, std::string_view key)> on_key);

}  // namespace strongbox::state
