// Active expiry (see expiry_cycle.h).
#include "engine/server/expiry_cycle.h"

#include <string>

#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"
#include "engine/server/log_effect_sink.h"

namespace strongbox::engine {

size_t RunExpiryCycle(state::State& state, DurableLog& log, ServerHooks& hooks, int64_t now_ms,
                      int keys_max) {
  // The expiry index is ordered by time: take exactly the keys that are due.
  size_t removed = 0;
  int budget = keys_max;
  for (int db = 0; db < state::kDatabaseCount && budget > 0; ++db) {
    const auto& index = state.db(db).expiry_index();
    if (index.empty() || index.begin()->first > now_ms) continue;
    ClientSession session;
    session.db = static_cast<uint8_t>(db);
    std::string scratch;
    RespWriter writer(&scratch);
    LogEffectSink sink(log);
    CommandContext ctx{{}, session, state, writer, sink, hooks, now_ms};
    log.BeginRecord(now_ms);  // one record per database and tick
    while (budget-- > 0 && !index.empty() && index.begin()->first <= now_ms) {
      std::string key = index.begin()->second;
      Apply(ctx, {"DEL", key});
      NotifyKeyspaceEvent(ctx, kNotifyExpired, "expired", key);
      ++removed;
    }
    log.EndRecord();
  }
  return removed;
}

}  // namespace strongbox::engine
