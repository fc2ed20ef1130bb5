"""A replica's own snapshotter: it snapshots and archives the replica's log under write load, goes
on across a full resync (the replica's files replaced by another history's) without mixing the
two histories in a snapshot or in the archive, and the replica then recovers from its snapshot
and segments to equal its primary; `strongbox-snapshotter verify` finds its directory clean."""
import os
import threading
import time

import pytest
import redis

from strongbox_harness import (Engine, Snapshotter, newest_snapshot_lsn, snapshotter_tool,
                               wait_for)
from test_replication import dump, fill, info, wait_synced

# Small segments sealed every second and a snapshot per sealed segment: the snapshotters act
# many times during the test.
ENGINE_ARGS = ("--segment-bytes", "16384", "--rotate-interval", "1")
SNAP_ARGS = ("--snapshot-every", "1", "--snapshot-interval", "1", "--rescan-interval-ms", "200",
             "--keep-snapshots", "1")


class WriteLoad:
    """Writers on `engine` until stopped (a primary, so every write is acknowledged)."""

    def __init__(self, engine, prefix):
        self.engine, self.prefix = engine, prefix
        self.stop_event = threading.Event()
        self.errors = []
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(2)]

    def _run(self, n):
        c = self.engine.client()
        i = 0
        try:
            while not self.stop_event.is_set():
                c.set(f"{self.prefix}:{n}:{i % 300}", "v" * 100 + str(i))
                c.hset(f"{self.prefix}:h:{n}", f"f{i % 50}", i)
                c.incr(f"{self.prefix}:count:{n}")
                i += 1
        except redis.exceptions.RedisError as e:
            self.errors.append(e)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for t in self.threads:
            t.join()
        assert not self.errors


def archived(data_dir):
    a = os.path.join(data_dir, "archived")
    return sorted(n for n in os.listdir(a) if n.startswith("cmdlog-")) if os.path.isdir(a) else []


def replaced(data_dir):
    return sorted(n for n in os.listdir(data_dir) if n.startswith("replaced-"))


def assert_snapshotter_alive(snap):
    assert snap.proc.poll() is None, snap.output()[-3000:]
    assert "replay stalled" not in snap.output(), snap.output()[-3000:]


def wait_for_replica_snapshot_after(replica, snap, lsn, what):
    """Until the replica's own snapshotter wrote a snapshot past `lsn` and archived a segment
    past it; the replica's log advances with its primary's writes meanwhile."""

    def done():
        assert_snapshotter_alive(snap)
        past = [n for n in archived(replica.dir) if int(n.split("-")[2].split(".")[0]) > lsn]
        return newest_snapshot_lsn(replica.dir) > lsn and past

    wait_for(done, 90, what)


# Compose and Kubernetes mount the archive volume in the snapshotter only: then the engine cannot
# set the archive's files aside and the snapshotter does it.
@pytest.mark.parametrize("engine_sees_archive", [True, False])
def test_a_replica_snapshotter_goes_on_across_full_resyncs(tmp_path, engine_sees_archive):
    primary = Engine(tmp_path / "primary", *ENGINE_ARGS).start()
    other = Engine(tmp_path / "other", *ENGINE_ARGS).start()
    primary_snap = Snapshotter(primary.dir, *SNAP_ARGS).start()
    archive_args = () if engine_sees_archive else ("--archive-dir", str(tmp_path / "elsewhere"))
    replica = Engine(tmp_path / "replica", *ENGINE_ARGS, *archive_args, "--replicaof",
                     "127.0.0.1", str(primary.port)).start()
    replica_snap = Snapshotter(replica.dir, *SNAP_ARGS).start()
    try:
        # The other primary's history is shorter: after the switch the replica's LSNs restart
        # below the ones its snapshotter has already replayed.
        fill(other.client(), "other", 20)
        with WriteLoad(primary, "p1"):
            wait_for_replica_snapshot_after(replica, replica_snap, 1000,
                                            "the replica's snapshots")
        wait_synced(primary, replica)
        lsn_before = info(replica)["slave_repl_offset"]
        generations = len(replaced(replica.dir))
        assert info(other)["master_repl_offset"] < lsn_before

        # Full resync onto another history while the replica's snapshotter runs.
        with WriteLoad(other, "o1"):
            assert replica.client().replicaof("127.0.0.1", other.port)
            wait_for(lambda: info(replica)["master_replid"] == info(other)["master_replid"],
                     60, "the switch to the other history")
            time.sleep(1)
        wait_synced(other, replica)
        # (the replica's first sync from empty replaced the files of its own empty log too)
        assert len(replaced(replica.dir)) == generations + 1
        with WriteLoad(other, "o2"):
            wait_for_replica_snapshot_after(replica, replica_snap, 0, "snapshots of the new log")
        wait_synced(other, replica)

        # And back to the first primary (its history diverged from the other's: full resync
        # again), under load on it.
        with WriteLoad(primary, "p2"):
            assert replica.client().replicaof("127.0.0.1", primary.port)
            wait_for(lambda: info(replica)["master_replid"] == info(primary)["master_replid"],
                     60, "the switch back")
            synced_lsn = info(primary)["master_repl_offset"]
            wait_for_replica_snapshot_after(replica, replica_snap, synced_lsn,
                                            "snapshots after the second resync")
        wait_synced(primary, replica)
        assert len(replaced(replica.dir)) == generations + 2
        # The archive holds the current log only; the replaced logs' archived files are aside.
        aside = replaced(os.path.join(replica.dir, "archived"))
        assert aside and set(aside) <= set(replaced(replica.dir))
        assert_snapshotter_alive(replica_snap)

        # The replica's snapshot and segments alone rebuild the primary's state.
        want = dump(primary.client())
        assert replica.stop() == 0
        assert replica_snap.stop() == 0
        rc, out = snapshotter_tool("verify", "--dir", replica.dir)
        assert rc == 0, out
        replica.start()
        assert dump(replica.client()) == want
        assert info(replica, "persistence")["lsn_durable"] == info(primary)["master_repl_offset"]
    finally:
        for s in (replica_snap, primary_snap):
            s.stop()
        for e in (replica, other, primary):
            if e.proc is not None and e.proc.poll() is None:
                assert e.stop() == 0, e.output()[-2000:]


def test_a_diverged_replica_resyncs_without_its_snapshotter_mixing_the_histories(tmp_path):
    """The same data set on both sides: a replica promoted for a while (its own writes past the
    promotion) rejoins its primary. Its new log restarts below the LSNs its snapshotter already
    replayed, with records of the same data set: only the generation tells them apart."""
    primary = Engine(tmp_path / "primary", *ENGINE_ARGS).start()
    primary_snap = Snapshotter(primary.dir, *SNAP_ARGS).start()
    replica = Engine(tmp_path / "replica", *ENGINE_ARGS, "--replicaof", "127.0.0.1",
                     str(primary.port)).start()
    replica_snap = Snapshotter(replica.dir, *SNAP_ARGS).start()
    try:
        with WriteLoad(primary, "p1"):
            wait_for_replica_snapshot_after(replica, replica_snap, 500, "the replica's snapshots")
        promoted_at = wait_synced(primary, replica)
        assert replica.client().replicaof("NO", "ONE")
        with WriteLoad(replica, "diverged"):  # records the primary's history never had
            wait_for_replica_snapshot_after(replica, replica_snap, promoted_at + 1000,
                                            "snapshots of the diverged log")
        assert newest_snapshot_lsn(primary.dir) <= promoted_at

        assert replica.client().replicaof("127.0.0.1", primary.port)
        with WriteLoad(primary, "p2"):
            wait_for(lambda: info(replica)["master_replid"] == info(primary)["master_replid"],
                     60, "the full resync")
            diverged_lsn = info(replica, "persistence")["lsn_durable"]
            wait_for_replica_snapshot_after(replica, replica_snap, promoted_at + 2000,
                                            "snapshots past the diverged LSNs")
        wait_synced(primary, replica)
        assert_snapshotter_alive(replica_snap)
        assert not replica.client().keys("diverged:*")

        want = dump(primary.client())
        assert replica.stop() == 0
        assert replica_snap.stop() == 0
        rc, out = snapshotter_tool("verify", "--dir", replica.dir)
        assert rc == 0, out
        replica.start()  # from the snapshotter's newest snapshot and the segments after it
        assert dump(replica.client()) == want, f"diverged at {diverged_lsn}"
    finally:
        for s in (replica_snap, primary_snap):
            s.stop()
        for e in (replica, primary):
            if e.proc is not None and e.proc.poll() is None:
                assert e.stop() == 0, e.output()[-2000:]
