// WATCH registry: a write to a watched key (or a flush of its database) dirties exactly the
// sessions watching it; UNWATCH and closing forget them.
#include "engine/commands/watched_keys.h"

#include <catch2/catch.hpp>

using strongbox::engine::ClientSession;
using strongbox::engine::WatchedKeys;

TEST_CASE("touching a watched key dirties its watchers only") {
  WatchedKeys watched;
  ClientSession a, b;
  watched.Watch(a, 0, "k");
  watched.Watch(a, 0, "k");  // twice: still one entry for a
  watched.Watch(b, 1, "k");
  watched.Touch(0, "other");
  CHECK(!a.watch_dirty);
  watched.Touch(0, "k");
  CHECK(a.watch_dirty);
  CHECK(!b.watch_dirty);
  watched.UnwatchAll(a);
  CHECK(a.watched_keys.empty());
  a.watch_dirty = false;
  watched.Touch(0, "k");
  CHECK(!a.watch_dirty);
}

TEST_CASE("FLUSHDB dirties its database's watchers, FLUSHALL everyone's") {
  WatchedKeys watched;
  ClientSession a, b;
  watched.Watch(a, 2, "x");
  watched.Watch(b, 12, "y");
  watched.TouchDb(1);
  CHECK((!a.watch_dirty && !b.watch_dirty));
  watched.TouchDb(2);
  CHECK(a.watch_dirty);
  CHECK(!b.watch_dirty);  // "12:y" must not match the prefix of database 1 or 2
  watched.TouchDb(-1);
  CHECK(b.watch_dirty);
}
