"""Failover of a diverged primary: with --min-replicas-ack 1, both replicas are frozen (SIGSTOP)
so new writes become durable on the primary but are never acknowledged; the primary is killed
with SIGKILL, the replicas resume and Sentinel promotes one. The new primary holds every
acknowledged write and none of the unacknowledged ones; the old primary, restarted and
converted by Sentinel, takes a full resync (its log went past the promotion point), equals the
new primary, never serves the unacknowledged keys, and keeps its diverged records in
replaced-<ms>/ (hot files) and archived/replaced-<ms>/ (what its snapshotter had archived),
which neither its recovery, its snapshotter nor restore reads again. Sentinel's CONFIG REWRITE
kept its new role in its --config file: restarted once more, it is a replica at once."""
import os
import re
import signal
import socket
import time
import urllib.request

import pytest

from strongbox_harness import Engine, Snapshotter, snapshotter_tool
from test_replication import dump, info, wait_synced
from test_sentinel_failover import (WAIT_S, Ledger, cluster,  # noqa: F401 (the fixture)
                                    restart_as_replica, wait_sentinels_know_everything,
                                    wait_until)

UNACKED = 200  # u:<i>, written while no replica can acknowledge
# Written before them, also never acknowledged: they fill what the primary's send window and
# the kernel's socket buffers take for a frozen replica (about 3 MiB got through on loopback),
# so the u: records are still in the primary's log only when it dies.
FILLERS = 32
FILLER_BYTES = 1 << 20


def lsn_metric(engine, kind):
    url = f"http://127.0.0.1:{engine.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(f'strongbox_engine_lsn{{kind="{kind}"}}'):
                return int(float(line.split()[-1]))
    raise AssertionError("no strongbox_engine_lsn metric")


def resp(*args):
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def send_unacknowledged(port):
    """Pipelines the fillers and the u: writes on a raw socket and reads nothing: none of them
    is acknowledged (no replica can acknowledge); returns the socket (closing it is harmless)."""
    s = socket.create_connection(("127.0.0.1", port))
    filler = b"x" * FILLER_BYTES
    for i in range(FILLERS):
        s.sendall(resp("SET", f"fill:{i}", filler))
    s.sendall(b"".join(resp("SET", f"u:{i}", f"v{i}") for i in range(UNACKED)))
    return s


def keys_in_log_files(directory, prefix):
    """The keys starting with `prefix` that the segment files in `directory` hold (inspect)."""
    found = set()
    for name in os.listdir(directory):
        if not name.startswith("cmdlog-"):
            continue
        rc, out = snapshotter_tool("inspect", os.path.join(directory, name))
        assert rc == 0, out
        found.update(re.findall(r'"(%s[^"]*)"' % re.escape(prefix), out))
    return found


def unacked_in(*directories):
    return set().union(*(keys_in_log_files(d, "u:") for d in directories))


def newest_snapshot_lsn(directory):
    lsns = [int(n.split("-")[1].split(".")[0]) for n in os.listdir(directory)
            if n.startswith("snapshot-") and n.endswith(".snap.zst")]
    return max(lsns, default=-1)


def unacked_keys(client):
    return sorted(client.scan_iter("u:*", count=1000))


ALL_UNACKED = {f"u:{i}" for i in range(UNACKED)}
# Small segments sealed after a second, so the old primary's snapshotter archives the segments
# holding the unacknowledged records before the primary dies.
SNAPSHOTTER_ARGS = ("--snapshot-every", "1", "--snapshot-interval", "1", "--keep-snapshots", "1",
                    "--archive-compress", "false", "--rescan-interval-ms", "200")


@pytest.fixture
def primary_args(tmp_path):
    """With a config file: Sentinel's CONFIG REWRITE records the role it gives the node."""
    conf = tmp_path / "primary.conf"
    conf.write_text("# the old primary's file\n")
    return ("--config", str(conf), "--segment-bytes", str(4 << 20), "--rotate-interval", "1")


@pytest.fixture
def down_after_ms():
    """Longer than the replicas stay frozen: meanwhile the primary holds INFO replies (they wait
    for an acknowledgement) and the PINGs behind them on Sentinel's link, so with 1 s Sentinel
    would find the live primary down and abort a failover with no good replica (retried 20 s
    later)."""
    return 5000


def freeze_and_kill_primary(primary, replicas, ledger, snapshotter):
    """SIGSTOP both replicas, write what no replica acknowledges until it is durable on the
    primary and its snapshotter has archived it, kill -9 the primary and its snapshotter (the
    machine died), SIGCONT the replicas. Returns the primary's durable LSN."""
    for r in replicas:
        r.proc.send_signal(signal.SIGSTOP)
    sock = send_unacknowledged(primary.port)
    archive = os.path.join(primary.dir, "archived")
    wait_until("the unacknowledged writes are archived on the primary", lambda: (
        os.path.isdir(archive) and unacked_in(archive) == ALL_UNACKED), interval=0.5,
        detail=snapshotter.output)
    durable = lsn_metric(primary, "durable")
    primary.kill9()
    snapshotter.kill9()
    for r in replicas:
        r.proc.send_signal(signal.SIGCONT)
    sock.close()
    ledger.thread.join(WAIT_S)
    assert ledger.error is not None, "the writer must have seen the primary die"
    return durable


def check_new_primary(new_primary, ledger, old_durable):
    c = new_primary.client()
    ledger.check(c)
    assert unacked_keys(c) == [], "an unacknowledged write reached the new primary"
    promoted_at = info(new_primary)["second_repl_offset"] - 1
    assert promoted_at < old_durable, "the old primary's log must go past the promotion point"
    fillers_kept = len(list(c.scan_iter("fill:*")))
    print(f"promoted at LSN {promoted_at}, old primary durable to {old_durable}; "
          f"{fillers_kept}/{FILLERS} fillers reached the new primary")


def check_set_aside(old_dir):
    """The diverged records are in replaced-<ms>/ and archived/replaced-<ms>/ only."""
    archive = os.path.join(old_dir, "archived")
    aside = [os.path.join(old_dir, n) for n in os.listdir(old_dir) if n.startswith("replaced-")]
    archive_aside = [os.path.join(archive, n) for n in os.listdir(archive)
                     if n.startswith("replaced-")]
    assert len(aside) == 1 and len(archive_aside) == 1, (os.listdir(old_dir), os.listdir(archive))
    assert unacked_in(aside[0], archive_aside[0]) == ALL_UNACKED
    assert unacked_in(old_dir, archive) == set()


def check_snapshotter_and_restore(primary, new_primary, tmp_path):
    """The old primary's snapshotter, restarted after the resync (as docs/operations.md says),
    snapshots the new log; restore and recovery from it hold no unacknowledged key."""
    c = new_primary.client()
    snapshotter = Snapshotter(primary.dir, *SNAPSHOTTER_ARGS).start()
    try:
        for i in range(50):
            c.set(f"later:{i}", "x" * 100_000)
        want = wait_synced(new_primary, primary)
        wait_until("the old primary's snapshotter snapshots the new log",
                   lambda: newest_snapshot_lsn(primary.dir) >= want, detail=snapshotter.output)
    finally:
        assert snapshotter.stop() == 0
    assert primary.stop() == 0
    rc, out = snapshotter_tool("verify", "--dir", primary.dir)
    assert rc == 0, out
    target = tmp_path / "restored"
    rc, out = snapshotter_tool("restore", "--dir", primary.dir, "--to-lsn", str(want), "--target",
                               str(target))
    assert rc == 0, out
    restored = Engine(target).start()
    try:
        assert unacked_keys(restored.client()) == []
        assert dump(restored.client()) == dump(c)
    finally:
        assert restored.stop() == 0
    # Recovery from the new snapshot; the rewritten file makes it a replica again at once.
    primary.start()
    assert primary.client().execute_command("ROLE")[:3] == [
        b"slave", b"127.0.0.1", new_primary.port]
    assert unacked_keys(primary.client()) == []
    wait_synced(new_primary, primary)
    assert dump(primary.client()) == dump(c)
    assert info(primary)["replica_full_syncs"] == 0, "its own log continues by PSYNC"


def test_diverged_old_primary_sets_its_unacknowledged_records_aside(cluster, tmp_path):
    primary, replicas, sentinels = cluster
    snapshotter = Snapshotter(primary.dir, *SNAPSHOTTER_ARGS).start()
    try:
        wait_sentinels_know_everything(sentinels, primary)
        ledger = Ledger(primary.port)
        wait_until("the writer has acknowledged writes", lambda: len(ledger.acked_sets) >= 200,
                   interval=0.01)
        old_port = primary.port
        old_durable = freeze_and_kill_primary(primary, replicas, ledger, snapshotter)
    finally:
        snapshotter.kill9()
    killed_at = time.time()

    wait_until("+switch-master", lambda: sentinels.master_port() != old_port,
               detail=sentinels.logs)
    print(f"diverged failover: kill -9 to +switch-master {time.time() - killed_at:.1f} s")
    new_port = sentinels.master_port()
    new_primary = next(r for r in replicas if r.port == new_port)
    wait_until("the new primary takes writes", lambda: info(new_primary)["role"] == "master")
    check_new_primary(new_primary, ledger, old_durable)

    # The old primary comes back on its directory and port; Sentinel converts it.
    restarted_at = time.time()
    restart_as_replica(primary, old_port, new_port, sentinels)
    wait_synced(new_primary, primary)
    print(f"old primary: restart to resynced replica {time.time() - restarted_at:.1f} s")
    assert unacked_keys(primary.client()) == [], "the old primary serves unacknowledged writes"
    assert dump(primary.client()) == dump(new_primary.client())
    assert info(primary)["replica_full_syncs"] == 1, "a diverged log is never continued"
    check_set_aside(primary.dir)
    check_snapshotter_and_restore(primary, new_primary, tmp_path)
