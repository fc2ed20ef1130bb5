"""Function libraries are data: FUNCTION LOAD / DELETE / FLUSH / RESTORE are logged, so the
libraries survive kill -9, and snapshots carry them, so an engine started from a snapshot (its
segments archived away) still runs them."""
import shutil

import pytest
import redis

from strongbox_harness import Engine, Snapshotter, wait_for

LIB = """#!lua name=counters
redis.register_function('bump', function(keys, args)
  return redis.call('incrby', keys[1], args[1]) end)
"""
OTHER = "#!lua name=other\nredis.register_function('seven', function() return 7 end)"


def test_libraries_survive_kill9_and_their_changes_replay(tmp_path):
    engine = Engine(tmp_path / "data").start()
    c = engine.client()
    assert c.function_load(LIB) == b"counters"
    c.function_load(OTHER)
    assert c.fcall("bump", 1, "k", 5) == 5
    engine.kill9()
    engine.start()
    c = engine.client()
    assert c.fcall("bump", 1, "k", 2) == 7, "the library came back with its data"
    assert c.fcall("seven", 0) == 7
    c.function_delete("other")
    payload = c.function_dump()
    c.function_flush()
    c.function_restore(payload)
    engine.kill9()
    engine.start()
    c = engine.client()
    with pytest.raises(redis.ResponseError, match="Function not found"):
        c.fcall("seven", 0)
    assert c.fcall("bump", 1, "k", 1) == 8
    assert [lib[1] for lib in c.function_list()] == [b"counters"]  # library_name
    assert engine.stop() == 0


def test_a_snapshot_carries_the_libraries(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, "--segment-bytes", "16384", "--rotate-interval", "1").start()
    snap = Snapshotter(data, "--snapshot-every", "1", "--snapshot-interval", "1",
                       "--rescan-interval-ms", "200").start()
    c = engine.client()
    c.function_load(LIB)
    c.fcall("bump", 1, "k", 3)
    # Enough writes to seal segments after the load, so the snapshot covers it.
    for i in range(600):
        c.set(f"pad{i}", "x" * 64)
    wait_for(lambda: list(data.glob("snapshot-*.snap.zst")), 60, "a snapshot")
    assert engine.stop() == 0
    assert snap.stop() == 0
    # Without the segments the library can only come from the snapshot.
    newest = max(data.glob("snapshot-*.snap.zst"), key=lambda p: int(p.name.split("-")[1]
                                                                      .split(".")[0]))
    away = tmp_path / "away"
    away.mkdir()
    for p in list(data.iterdir()):
        if p.name.startswith("cmdlog-") or (p.name.startswith("snapshot-") and p != newest):
            shutil.move(str(p), str(away / p.name))
    if (data / "archived").exists():
        shutil.move(str(data / "archived"), str(away / "archived"))
    engine.start()
    c = engine.client()
    assert "loaded" in engine.output()
    assert c.fcall("bump", 1, "k", 1) == 4
    assert engine.stop() == 0
