// Invariants of a whole State that more than one fuzz target checks.
#pragma once

#include <cstddef>

#include "common/format/dataset_id.h"
#include "common/io/fault_file_system.h"
#include "common/state/snapshot.h"
#include "common/state/state.h"
#include "common/util/check.h"

namespace strongbox::fuzz {

// A snapshot of `st` written and loaded back holds the same keys and digest.
inline void CheckSnapshotRoundTrip(const state::State& st) {
  io::FaultFileSystem fs;
  SB_CHECK(fs.CreateDir("/again").ok(), "mkdir");
  format::DatasetId dataset{};
  auto written = state::WriteSnapshot(fs, "/again", dataset, 1, 1, st, {.compression_level = 1});
  SB_CHECK(written.ok(), "WriteSnapshot: %s", written.status().ToString().c_str());
  state::State loaded;
  auto info = state::LoadSnapshot(fs, written->path, dataset, &loaded);
  SB_CHECK(info.ok(), "a written snapshot does not load: %s", info.status().ToString().c_str());
  SB_CHECK(
      state::StateDigest(loaded) == state::StateDigest(st) && loaded.TotalKeys() == st.TotalKeys(),
      "a snapshot loads back another state");
}

// What the engine keeps true of its keyspace: no empty collection (the key goes with its last
// element, streams aside) and an expiry index with exactly the keys that have an expiry.
inline void CheckKeyspace(const state::State& st) {
  for (int i = 0; i < state::kDatabaseCount; ++i) {
    const state::Db& db = st.db(i);
    size_t with_expiry = 0;
    for (const auto& e : db.table()) {
      if (e->expire_at_ms() != 0) ++with_expiry;
      size_t n = 1;
      if (const auto* h = e->hash()) n = h->size();
      if (const auto* z = e->zset()) n = z->size();
      if (const auto* l = e->list()) n = l->size();
      if (const auto* s = e->set()) n = s->size();
      // A stream may be empty (Redis keeps it), but never holds an ID past its last one.
      if (const auto* x = e->stream()) {
        SB_CHECK(x->entries.empty() || x->entries.rbegin()->first <= x->last_id,
                 "stream '%.*s' holds an entry past its last ID", int(e->key().size()),
                 e->key().data());
      }
      SB_CHECK(n > 0, "an empty collection at key '%.*s'", int(e->key().size()), e->key().data());
    }
    SB_CHECK(with_expiry == db.expires(), "db %d: %zu keys with expiry, index holds %zu", i,
             with_expiry, db.expires());
  }
}

}  // namespace strongbox::fuzz
