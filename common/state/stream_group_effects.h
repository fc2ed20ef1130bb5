// The consumer-group effects (rows XGROUPCREATE ... XACK of the effect table in apply.cc): each
// carries resolved values — IDs, read counters, delivery times and counts — so replay rebuilds
// groups, consumers and pending entries exactly, never reading a clock.
#pragma once

#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "common/state/state.h"

namespace strongbox::state {

using EffectArgv = std::span<const std::string_view>;

// XGROUPCREATE key group ms-seq entries-read (creates an empty stream when the key is absent).
absl::Status ApplyXGroupCreate(State& state, Db& db, EffectArgv argv);
// XGROUPSETID key group ms-seq entries-read
absl::Status ApplyXGroupSetId(State& state, Db& db, EffectArgv argv);
// XGROUPDESTROY key group
absl::Status ApplyXGroupDestroy(State& state, Db& db, EffectArgv argv);
// XCONSUMER key group consumer seen-ms (creates the consumer or refreshes its seen time)
absl::Status ApplyXConsumer(State& state, Db& db, EffectArgv argv);
// XDELCONSUMER key group consumer
absl::Status ApplyXDelConsumer(State& state, Db& db, EffectArgv argv);
// XPEL key group consumer (ms-seq delivery-ms delivery-count)...
absl::Status ApplyXPel(State& state, Db& db, EffectArgv argv);
// XACK key group ms-seq...
absl::Status ApplyXAck(State& state, Db& db, EffectArgv argv);

}  // namespace strongbox::state
