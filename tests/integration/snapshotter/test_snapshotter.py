"""The snapshotter with the real engine: snapshots, archive (also across filesystems),
restart from the hot directory alone, restore, fallback from a damaged snapshot, kill -9."""
import os
import random
import shutil
import subprocess
import time

import pytest

from strongbox_harness import (Engine, Snapshotter, Tmpfs, dump, snapshotter_tool, wait_for,
                               SANITIZED)

ENGINE_ARGS = ("--segment-bytes", "16384", "--rotate-interval", "1")
SNAP_ARGS = ("--snapshot-every", "3", "--snapshot-interval", "1", "--rescan-interval-ms", "200")


def write_mix(c, n, seed):
    rng = random.Random(seed)
    for i in range(n):
        k = rng.randrange(300)
        op = rng.randrange(12)
        if op == 0:
            c.set(f"s:{k}", f"v{i}")
        elif op == 1:
            c.incr(f"n:{k % 20}")
        elif op == 2:
            c.hset(f"h:{k % 30}", f"f{k}", i)
        elif op == 3:
            c.delete(f"s:{(k + 1) % 300}")
        elif op == 4:
            c.set(f"t:{k}", i, ex=3600)
        elif op == 5:
            c.execute_command("SELECT", 2)
            c.set(f"db2:{k}", i)
            c.execute_command("SELECT", 0)
        elif op == 6:
            c.rpush(f"l:{k % 10}", i, f"x{i}")
        elif op == 7:
            c.lpop(f"l:{k % 10}")
        elif op == 8:
            c.sadd(f"set:{k % 10}", i, k)
        elif op == 9:
            c.spop(f"set:{k % 10}")
        elif op == 10:
            c.zadd(f"z:{k % 10}", {f"m{k}": i * 0.5})
        else:
            c.zpopmin(f"z:{k % 10}")


def files(d, suffix):
    return sorted(n for n in os.listdir(d) if n.endswith(suffix)) if os.path.isdir(d) else []


def test_end_to_end_snapshots_archive_and_restart_from_hot_dir_alone(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, *ENGINE_ARGS).start()
    snap = Snapshotter(data, *SNAP_ARGS).start()
    c = engine.client()
    write_mix(c, 3000, 1)
    wait_for(lambda: len(files(data / "archived", ".log.zst")) >= 2, 60, "archived segments")
    wait_for(lambda: len(files(data, ".snap.zst")) >= 2, 60, "two hot snapshots")
    wait_for(lambda: files(data / "archived", ".snap.zst"), 60, "an archived snapshot")
    before = dump(c)
    assert len(before) > 100
    assert engine.stop() == 0
    assert snap.stop() == 0
    rc, out = snapshotter_tool("verify", "--dir", str(data))
    assert rc == 0, out
    assert "replay to LSN" in out
    shutil.move(str(data / "archived"), str(tmp_path / "archive-away"))
    engine.start()
    assert dump(engine.client()) == before
    assert "loaded" in engine.output()
    engine.stop()


def test_archive_on_another_filesystem_uses_copy_verify_unlink(tmp_path):
    archive = tmp_path / "tmpfs-archive"
    with Tmpfs(archive, "64m"):
        data = tmp_path / "data"
        engine = Engine(data, *ENGINE_ARGS).start()
        snap = Snapshotter(data, *SNAP_ARGS, "--archive-dir", str(archive)).start()
        write_mix(engine.client(), 2000, 2)
        wait_for(lambda: len(files(archive, ".log.zst")) >= 2, 60, "archived segments on tmpfs")
        assert os.stat(archive).st_dev != os.stat(data).st_dev
        before = dump(engine.client())
        engine.stop()
        snap.stop()
        rc, out = snapshotter_tool("verify", "--dir", str(data), "--archive-dir", str(archive))
        assert rc == 0, out
        # Nothing is in both places and nothing was lost: restore from the beginning of the
        # archive reproduces the live state.
        hot = set(files(data, ".log")) | set(files(data, ".snap.zst"))
        cold = set(n[:-4] if n.endswith(".log.zst") else n for n in files(archive, ".zst"))
        assert not (hot & cold)
        engine.start()
        assert dump(engine.client()) == before
        engine.stop()


def test_restore_to_lsn_and_time_reproduces_the_state_at_that_point(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, *ENGINE_ARGS).start()
    snap = Snapshotter(data, *SNAP_ARGS).start()
    c = engine.client()
    write_mix(c, 1500, 3)
    lsn_mid = c.info("persistence")["lsn_durable"]
    state_mid = dump(c)
    time.sleep(0.05)
    t_mid_ms = int(time.time() * 1000)
    time.sleep(0.05)
    write_mix(c, 1500, 4)
    wait_for(lambda: files(data / "archived", ".log.zst"), 60, "archived segments")
    state_end = dump(c)
    assert state_end != state_mid
    engine.stop()
    snap.stop()
    for how, value in (("--to-lsn", str(lsn_mid)), ("--to-time", str(t_mid_ms))):
        target = tmp_path / f"restored{how}"
        rc, out = snapshotter_tool("restore", "--dir", str(data), how, value, "--target",
                                   str(target))
        assert rc == 0, out
        restored = Engine(target).start()
        assert dump(restored.client()) == state_mid, how
        # The restored directory is a normal data set: it takes writes and restarts.
        restored.client().set("after-restore", "1")
        restored.stop()
        restored.start()
        assert restored.client().get("after-restore") == b"1"
        restored.stop()


def test_damaged_newest_snapshot_falls_back_to_the_older_one(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, *ENGINE_ARGS).start()
    snap = Snapshotter(data, *SNAP_ARGS).start()
    c = engine.client()
    write_mix(c, 2000, 5)
    wait_for(lambda: len(files(data, ".snap.zst")) >= 2, 60, "two snapshots")
    before = dump(c)
    engine.stop()
    time.sleep(1.5)
    snap.stop()
    newest = data / files(data, ".snap.zst")[-1]
    raw = bytearray(newest.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    newest.write_bytes(bytes(raw))
    engine.start()
    assert dump(engine.client()) == before
    assert "falling back" in engine.output()
    # No snapshots from this one: with three segments past the older snapshot it would rewrite
    # the damaged one at the same LSN before it is stopped, and verify would find nothing.
    snap2 = Snapshotter(data, "--snapshot-every", "1000", "--snapshot-interval", "3600",
                        "--rescan-interval-ms", "200").start()
    wait_for(lambda: "falling back" in snap2.output(), 120, "snapshotter fallback")
    snap2.stop()
    engine.stop()
    rc, out = snapshotter_tool("verify", "--dir", str(data))
    assert rc == 1 and newest.name in out


def test_kill9_of_the_snapshotter_loses_and_duplicates_nothing(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, *ENGINE_ARGS).start()
    c = engine.client()
    rounds = 3 if SANITIZED else 8
    for r in range(rounds):
        snap = Snapshotter(data, *SNAP_ARGS).start()
        write_mix(c, 400, 100 + r)
        time.sleep(0.2 + 0.15 * (r % 4))
        snap.kill9()
    snap = Snapshotter(data, *SNAP_ARGS).start()
    wait_for(lambda: files(data / "archived", ".log.zst"), 60, "archive")
    before = dump(c)
    engine.stop()
    time.sleep(1.5)
    snap.stop()
    leftovers = [n for n in os.listdir(data) + os.listdir(data / "archived") if n.endswith(".tmp")]
    assert not leftovers
    rc, out = snapshotter_tool("verify", "--dir", str(data))
    assert rc == 0, out
    shutil.rmtree(data / "archived")
    engine.start()
    assert dump(engine.client()) == before
    engine.stop()


def test_full_archive_volume_keeps_hot_files_and_resumes(tmp_path):
    archive = tmp_path / "small-archive"
    with Tmpfs(archive, "40k") as volume:
        data = tmp_path / "data"
        engine = Engine(data, *ENGINE_ARGS).start()
        snap = Snapshotter(data, *SNAP_ARGS, "--archive-dir", str(archive),
                           "--archive-compress", "false").start()
        c = engine.client()
        for i in range(3000):
            c.set(f"big:{i % 500}", "v" * 200)
        wait_for(lambda: "kept on the hot volume" in snap.output(), 60, "an archive failure")
        assert not [n for n in os.listdir(archive) if n.endswith(".tmp")]
        before = dump(c)
        volume.grow("64m")
        hot_logs = lambda: len(files(data, ".log"))
        wait_for(lambda: files(archive, ".log") and hot_logs() <= 6, 90, "archiving to resume")
        engine.stop()
        time.sleep(1)
        snap.stop()
        rc, out = snapshotter_tool("verify", "--dir", str(data), "--archive-dir", str(archive))
        assert rc == 0, out
        engine.start()
        assert dump(engine.client()) == before
        engine.stop()
