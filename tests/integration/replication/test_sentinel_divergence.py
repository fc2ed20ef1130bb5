"""Failover of a diverged primary: with --min-replicas-ack 1, both replicas are frozen (SIGSTOP)
so new writes become durable on the primary but are never acknowledged; the primary is killed
with SIGKILL, the replicas resume and Sentinel promotes one. The new primary holds every
acknowledged write and none of the unacknowledged ones; the old primary, restarted and
converted by Sentinel, takes a full resync (its log went past the promotion point), equals the
new primary, never serves the unacknowledged keys, and keeps its diverged records in
replaced-<ms>/, which neither its recovery nor its snapshotter replays."""
import os
import re
import signal
import socket
import urllib.request

from strongbox_harness import Engine, snapshotter_tool
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


def unacked_keys(client):
    return sorted(client.scan_iter("u:*", count=1000))


def freeze_and_kill_primary(primary, replicas, ledger):
    """SIGSTOP both replicas, write what no replica acknowledges until it is durable on the
    primary, kill -9 the primary, SIGCONT the replicas. Returns the primary's durable LSN."""
    for r in replicas:
        r.proc.send_signal(signal.SIGSTOP)
    sock = send_unacknowledged(primary.port)
    # Durable on the primary: its durable LSN stops moving once the pipeline ran.
    last = [-1]

    def settled():
        durable = lsn_metric(primary, "durable")
        done = durable == last[0] and durable == lsn_metric(primary, "assigned")
        last[0] = durable
        return done and durable > 0

    wait_until("the unacknowledged writes are durable on the primary", settled, interval=0.5)
    durable = last[0]
    primary.kill9()
    for r in replicas:
        r.proc.send_signal(signal.SIGCONT)
    sock.close()
    ledger.thread.join(WAIT_S)
    assert ledger.error is not None, "the writer must have seen the primary die"
    return durable


def test_diverged_old_primary_sets_its_unacknowledged_records_aside(cluster, tmp_path):
    primary, replicas, sentinels = cluster
    wait_sentinels_know_everything(sentinels, primary)
    ledger = Ledger(primary.port)
    wait_until("the writer has acknowledged writes", lambda: len(ledger.acked_sets) >= 200,
               interval=0.01)
    old_port = primary.port
    old_durable = freeze_and_kill_primary(primary, replicas, ledger)
    # The divergence is real: the u: records are durable in the old primary's log.
    assert keys_in_log_files(primary.dir, "u:") == {f"u:{i}" for i in range(UNACKED)}

    wait_until("+switch-master", lambda: sentinels.master_port() != old_port,
               detail=sentinels.logs)
    new_port = sentinels.master_port()
    new_primary = next(r for r in replicas if r.port == new_port)
    wait_until("the new primary takes writes", lambda: info(new_primary)["role"] == "master")
    c = new_primary.client()
    ledger.check(c)
    assert unacked_keys(c) == [], "an unacknowledged write reached the new primary"
    promoted_at = info(new_primary)["second_repl_offset"] - 1
    assert promoted_at < old_durable, "the old primary's log must go past the promotion point"
    fillers_kept = len(list(c.scan_iter("fill:*")))
    print(f"promoted at LSN {promoted_at}, old primary durable to {old_durable}; "
          f"{fillers_kept}/{FILLERS} fillers reached the new primary")
    c.set("after-failover", "1")

    # The old primary comes back on its directory and port; Sentinel converts it.
    restart_as_replica(primary, old_port, new_port, sentinels)
    wait_synced(new_primary, primary)
    old = primary.client()
    assert unacked_keys(old) == [], "the old primary serves unacknowledged writes"
    assert dump(old) == dump(c)
    assert info(primary)["replica_full_syncs"] == 1, "a diverged log is never continued"

    # Its diverged records are kept aside, in replaced-<ms>/, and nowhere else.
    aside = [n for n in os.listdir(primary.dir) if n.startswith("replaced-")]
    assert len(aside) == 1, os.listdir(primary.dir)
    assert keys_in_log_files(os.path.join(primary.dir, aside[0]), "u:") == {
        f"u:{i}" for i in range(UNACKED)}
    assert keys_in_log_files(primary.dir, "u:") == set()

    # Neither recovery nor the snapshotter replays them.
    assert primary.stop() == 0
    rc, out = snapshotter_tool("verify", "--dir", primary.dir)
    assert rc == 0, out
    target = tmp_path / "restored"
    lsn = info(new_primary)["master_repl_offset"]
    rc, out = snapshotter_tool("restore", "--dir", primary.dir, "--to-lsn", str(lsn), "--target",
                               str(target))
    assert rc == 0, out
    restored = Engine(target).start()
    try:
        assert unacked_keys(restored.client()) == []
        assert dump(restored.client()) == dump(c)
    finally:
        assert restored.stop() == 0
    primary.start()
    assert unacked_keys(primary.client()) == []
    assert primary.client().get("after-failover") == b"1"
