"""A full resync from a primary whose log no longer reaches back far enough and that has no
snapshot: the state is serialised off the loop (a forked child), so the primary answers its
clients while the snapshot is written, and the replica ends equal to the primary."""
import os
import time

from strongbox_harness import Engine, snapshotter_tool
from test_replication import dump, fill, info, replica_of, wait_synced

# Enough for the child to write for a while (the sanitizer build is slower per key).
KEYS = 100_000 if os.environ.get("STRONGBOX_SANITIZED") == "1" else 400_000
PER_MSET = 2_000


def big_state(client):
    for start in range(0, KEYS, PER_MSET):
        args = []
        for i in range(start, start + PER_MSET):
            args += [f"big:{i}", f"{i:08d}" * 12]
        client.mset(dict(zip(args[::2], args[1::2])))


def assert_same_state(primary, replica):
    """The big keys compared in batches (a dump of them would take minutes), then the rest."""
    wait_synced(primary, replica)
    p, r = primary.client(), replica.client()
    assert r.dbsize() == p.dbsize()
    for start in range(0, KEYS, PER_MSET):
        keys = [f"big:{i}" for i in range(start, start + PER_MSET)]
        assert r.mget(keys) == p.mget(keys)
    # The rest by the full dump, once the primary's DELs of the big keys replicated.
    for start in range(0, KEYS, PER_MSET):
        p.delete(*[f"big:{i}" for i in range(start, start + PER_MSET)])
    wait_synced(primary, replica)
    assert dump(r) == dump(p)


def sync_files(data_dir):
    d = os.path.join(data_dir, "replication-snapshots")
    return os.listdir(d) if os.path.isdir(d) else []


def writing(data_dir):
    """The child is writing: its temporary file exists and no finished snapshot yet."""
    names = sync_files(data_dir)
    return any(n.endswith(".tmp") for n in names) and not any(
        n.endswith(".snap.zst") for n in names)


def test_a_full_resync_without_snapshot_or_segments_does_not_stall_the_loop(tmp_path):
    first = Engine(tmp_path / "first").start()
    big_state(first.client())
    lsn = info(first, "persistence")["lsn_assigned"]
    assert first.stop() == 0
    # A primary whose state exists only in memory: restored from a snapshot, then the snapshot
    # is gone and its log starts after it.
    target = tmp_path / "primary"
    rc, out = snapshotter_tool("restore", "--dir", first.dir, "--to-lsn", str(lsn), "--target",
                               str(target))
    assert rc == 0, out
    primary = Engine(target).start()
    try:
        for n in os.listdir(target):
            if n.startswith("snapshot-"):
                os.unlink(os.path.join(target, n))
        fill(primary.client(), "after", 50)
        client = primary.client()
        answered_while_writing = 0
        with replica_of(tmp_path, primary) as replica:
            # Between two looks that both see the child writing, a PING answered: the loop was
            # not the one writing (a loop busy writing answers only after the file is renamed).
            deadline = time.time() + 120
            while not any(n.endswith(".snap.zst") for n in sync_files(target)):
                assert time.time() < deadline, primary.output()[-2000:]
                if writing(target) and client.ping() and writing(target):
                    answered_while_writing += 1
                time.sleep(0.005)
            assert_same_state(primary, replica)
            assert info(primary)["sync_full"] == 1
        assert answered_while_writing > 0, primary.output()[-2000:]
        assert "in a child process" in primary.output()
    finally:
        assert primary.stop() == 0
