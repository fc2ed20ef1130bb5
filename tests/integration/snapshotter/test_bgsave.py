"""BGSAVE / SAVE / LASTSAVE / BGREWRITEAOF through the request file the snapshotter watches,
and the snapshotter's default CPU priority (SCHED_IDLE)."""
import os
import time

from strongbox_harness import Engine, Snapshotter, raw_reply, wait_for

# Segments seal only on request or when full: the snapshot a test sees comes from its request.
ENGINE_ARGS = ("--rotate-interval", "3600")
SNAP_ARGS = ("--snapshot-every", "1000", "--snapshot-interval", "3600",
             "--rescan-interval-ms", "60000")


def snapshots(d):
    return sorted(n for n in os.listdir(d) if n.startswith("snapshot-") and n.endswith(".snap.zst"))


def requests(d):
    return sorted(n for n in os.listdir(d) if n.startswith("snapshot-request-"))


def snapshot_lsn(name):
    return int(name[len("snapshot-"):-len(".snap.zst")])


def persistence_info(c):
    return c.info("persistence")


def engine_and_snapshotter(tmp_path, keys):
    """An engine with `keys` keys written and a snapshotter that snapshots only on request."""
    data = tmp_path / "data"
    engine = Engine(data, *ENGINE_ARGS).start()
    snap = Snapshotter(data, *SNAP_ARGS).start()
    c = engine.client()
    for i in range(keys):
        c.set(f"k{i}", i)
    return data, engine, snap, c


def stop_both(engine, snap):
    assert snap.stop() == 0
    assert engine.stop() == 0


def test_bgsave_writes_a_snapshot_covering_the_lsn_and_lastsave_advances(tmp_path):
    data, engine, snap, c = engine_and_snapshotter(tmp_path, 200)
    before = c.lastsave()
    lsn = persistence_info(c)["lsn_assigned"]
    assert persistence_info(c)["rdb_changes_since_last_save"] == lsn
    time.sleep(1.1)  # LASTSAVE has a one-second resolution
    assert c.bgsave() is True
    wait_for(lambda: snapshots(data), 60, "the requested snapshot")
    assert snapshot_lsn(snapshots(data)[-1]) >= lsn
    wait_for(lambda: not requests(data), 30, "the request removed")
    wait_for(lambda: persistence_info(c)["rdb_bgsave_in_progress"] == 0, 30, "bgsave done")
    info = persistence_info(c)
    assert info["rdb_changes_since_last_save"] == 0
    assert info["rdb_last_bgsave_status"] == "ok"
    assert c.lastsave() > before
    assert "served snapshot-request-" in snap.output()
    stop_both(engine, snap)


def test_bgsave_while_one_is_pending_is_refused_as_redis_does(tmp_path):
    engine = Engine(tmp_path / "data").start()  # no snapshotter: the request stays pending
    c = engine.client()
    c.set("a", 1)
    assert raw_reply(c, "BGSAVE") == b"Background saving started"
    assert persistence_info(c)["rdb_bgsave_in_progress"] == 1
    assert raw_reply(c, "BGSAVE") == ("error", "Background save already in progress")
    assert raw_reply(c, "BGSAVE", "SCHEDULE") == b"Background saving scheduled"
    assert raw_reply(c, "BGSAVE", "NOW") == ("error", "syntax error")
    assert raw_reply(c, "SAVE", "x") == ("error",
                                         "wrong number of arguments for 'save' command")
    assert engine.stop() == 0


def test_save_returns_once_the_snapshot_exists(tmp_path):
    data, engine, snap, c = engine_and_snapshotter(tmp_path, 100)
    lsn = persistence_info(c)["lsn_assigned"]
    assert c.save() is True
    names = snapshots(data)
    assert names and snapshot_lsn(names[-1]) >= lsn
    # Other clients are served while one waits in SAVE.
    assert engine.client().ping()
    stop_both(engine, snap)


def test_save_without_a_snapshotter_times_out_with_a_clear_error(tmp_path):
    engine = Engine(tmp_path / "data", "--save-timeout-ms", "700").start()
    c = engine.client()
    c.set("a", 1)
    other = engine.client()
    started = time.monotonic()
    reply = raw_reply(c, "SAVE")
    assert time.monotonic() - started >= 0.6
    assert reply[0] == "error"
    assert "SAVE timed out after 700 ms" in reply[1]
    assert "strongbox-snapshotter running" in reply[1]
    assert other.get("a") == b"1"
    assert persistence_info(other)["rdb_last_bgsave_status"] == "err"
    assert engine.stop() == 0


def test_bgrewriteaof_rotates_and_snapshots(tmp_path):
    data, engine, snap, c = engine_and_snapshotter(tmp_path, 50)
    lsn = persistence_info(c)["lsn_assigned"]
    assert raw_reply(c, "BGREWRITEAOF") == b"Background append only file rewriting started"
    wait_for(lambda: persistence_info(c)["lsn_sealed"] >= lsn, 30, "the log sealed through it")
    wait_for(lambda: snapshots(data) and snapshot_lsn(snapshots(data)[-1]) >= lsn, 60,
             "the snapshot")
    wait_for(lambda: persistence_info(c)["aof_rewrite_in_progress"] == 0, 30, "rewrite done")
    stop_both(engine, snap)


def test_a_request_left_behind_by_a_crash_is_served_after_restart(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, *ENGINE_ARGS).start()
    c = engine.client()
    for i in range(100):
        c.set(f"k{i}", i)
    lsn = persistence_info(c)["lsn_assigned"]
    assert c.bgsave() is True
    engine.kill9()
    assert requests(data)
    engine.start()
    snap = Snapshotter(data, *SNAP_ARGS).start()
    wait_for(lambda: snapshots(data) and snapshot_lsn(snapshots(data)[-1]) >= lsn, 60,
             "the snapshot the crashed engine asked for")
    wait_for(lambda: not requests(data), 30, "the request removed")
    assert engine.client().get("k99") == b"99"
    stop_both(engine, snap)


def test_redis_py_bgsave_and_lastsave(tmp_path):
    _, engine, snap, c = engine_and_snapshotter(tmp_path, 1)
    first = c.lastsave()  # a datetime, like Redis's
    time.sleep(1.1)
    c.bgsave()
    wait_for(lambda: c.lastsave() > first, 60, "LASTSAVE to advance")
    stop_both(engine, snap)


def scheduler_policy(pid):
    with open(f"/proc/{pid}/sched") as f:
        for line in f:
            if line.startswith("policy"):
                return int(line.split(":")[1])
    return None


def test_snapshotter_runs_sched_idle_by_default_and_normal_on_request(tmp_path):
    sched_idle = 5
    data = tmp_path / "data"
    engine = Engine(data).start()
    snap = Snapshotter(data, default_priority=True).start()
    wait_for(lambda: "cpu priority" in snap.output(), 30, "the priority log line")
    assert scheduler_policy(snap.proc.pid) == sched_idle
    assert os.sched_getscheduler(snap.proc.pid) == os.SCHED_IDLE
    assert "cpu priority idle (SCHED_IDLE)" in snap.output()
    assert snap.stop() == 0
    normal = Snapshotter(data, "--cpu-priority", "normal", "--io-priority", "best-effort").start()
    wait_for(lambda: "cpu priority normal" in normal.output(), 30, "the priority log line")
    assert os.sched_getscheduler(normal.proc.pid) == os.SCHED_OTHER
    assert normal.stop() == 0
    assert engine.stop() == 0
