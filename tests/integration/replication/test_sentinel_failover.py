"""Failover with Debian's redis-sentinel: three sentinels watch an engine primary (with
--min-replicas-ack 1) and two engine replicas. A writer keeps a ledger of acknowledged writes;
the primary is killed with SIGKILL; Sentinel promotes a replica and repoints the other. Every
acknowledged write is on the new primary, nothing that was never sent appears, the other
replica and the restarted old primary (converted to a replica by Sentinel) equal it, and
redis-py's Sentinel discovery follows the new primary."""
import signal
import threading
import time

import pytest
import redis
from redis.sentinel import Sentinel

from strongbox_harness import Engine, free_port, raw_reply, spawn
from test_replication import dump, info, wait_synced

SENTINEL_BIN = "/usr/bin/redis-sentinel"
MASTER = "mymaster"
WAIT_S = 60  # every wait below is bounded by this


def wait_until(what, predicate, timeout=WAIT_S, interval=0.1, detail=lambda: ""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except (redis.exceptions.ConnectionError, redis.exceptions.ResponseError):
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting until {what}\n{detail()}")


class Sentinels:
    """Three redis-sentinel processes monitoring MASTER at `primary_port`, quorum 2."""

    def __init__(self, tmp_path, primary_port, count=3, down_after_ms=1000):
        self.dir = tmp_path / "sentinels"
        self.dir.mkdir()
        self.ports = [free_port() for _ in range(count)]
        self.procs = []
        for i, port in enumerate(self.ports):
            conf = self.dir / f"sentinel-{i}.conf"  # Sentinel rewrites it: a writable tmp file
            conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {self.dir}\n"
                            f"logfile {self.log_path(i)}\nsentinel resolve-hostnames no\n"
                            f"sentinel monitor {MASTER} 127.0.0.1 {primary_port} 2\n"
                            f"sentinel down-after-milliseconds {MASTER} {down_after_ms}\n"
                            f"sentinel failover-timeout {MASTER} 10000\n")
            self.procs.append(spawn([SENTINEL_BIN, str(conf)]))

    def log_path(self, i):
        return self.dir / f"sentinel-{i}.log"

    def logs(self):
        return "\n".join(p.read_text() for p in (self.log_path(i) for i in range(3))
                         if p.exists())

    def client(self, i=0):
        return redis.Redis(host="127.0.0.1", port=self.ports[i], socket_timeout=5)

    def master_port(self, i=0):
        return int(self.client(i).execute_command("SENTINEL", "get-master-addr-by-name",
                                                  MASTER)[1])

    def discovery(self):
        return Sentinel([("127.0.0.1", p) for p in self.ports], socket_timeout=5)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(30)


class Ledger:
    """A writer thread: SET w:<i> = v<i> and INCR counter through redis-py, recording what was
    acknowledged and what was sent; it stops at the first error (the primary died)."""

    def __init__(self, port):
        self.client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=30)
        self.acked_sets = []  # i whose SET returned OK
        self.sent_sets = 0  # SETs sent (acknowledged or not): w:<i> for i < sent_sets
        self.acked_incr = 0  # the highest value an INCR returned
        self.sent_incrs = 0
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            while True:
                i = self.sent_sets
                self.sent_sets += 1
                assert self.client.set(f"w:{i}", f"v{i}")
                self.acked_sets.append(i)
                self.sent_incrs += 1
                self.acked_incr = self.client.incr("counter")
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
            self.error = e

    def check(self, client):
        """Every acknowledged write is on `client`'s node; no key or value never sent."""
        for i in self.acked_sets:
            assert client.get(f"w:{i}") == f"v{i}".encode(), f"acknowledged w:{i} lost"
        for key in client.scan_iter("w:*", count=1000):
            i = int(key.split(b":")[1])
            assert i < self.sent_sets, f"{key} was never sent"
            assert client.get(key) == f"v{i}".encode()
        counter = int(client.get("counter") or 0)
        assert self.acked_incr <= counter <= self.sent_incrs


@pytest.fixture
def primary_args():
    """The primary's flags besides --min-replicas-ack 1 (a test module may override it)."""
    return ()


@pytest.fixture
def down_after_ms():
    """Sentinel's down-after-milliseconds (a test module may override it)."""
    return 1000


@pytest.fixture
def cluster(tmp_path, primary_args, down_after_ms):
    """A primary (--min-replicas-ack 1, metrics on), two replicas and three sentinels; all
    stopped after (a frozen replica is resumed first; a primary left dead is not restarted)."""
    primary = Engine(tmp_path / "primary", "--min-replicas-ack", "1", *primary_args,
                     metrics_port=free_port()).start()
    replicas = [Engine(tmp_path / f"replica{i}", "--replicaof", "127.0.0.1",
                       str(primary.port)).start() for i in range(2)]
    sentinels = None
    try:
        for r in replicas:
            wait_synced(primary, r)
        sentinels = Sentinels(tmp_path, primary.port, down_after_ms=down_after_ms)
        yield primary, replicas, sentinels
    finally:
        for r in replicas:
            if r.proc and r.proc.poll() is None:
                r.proc.send_signal(signal.SIGCONT)
        if sentinels:
            sentinels.stop()
        rcs = [e.stop() for e in [primary] + replicas if e.proc]
    assert rcs == [0] * len(rcs), "every engine must shut down cleanly"


def wait_sentinels_know_everything(sentinels, primary):
    """Each sentinel sees both replicas and the two other sentinels (hello over pub/sub)."""
    def ready():
        for i in range(3):
            c = sentinels.client(i)
            if len(c.execute_command("SENTINEL", "replicas", MASTER)) != 2:
                return False
            if len(c.execute_command("SENTINEL", "sentinels", MASTER)) != 2:
                return False
        return sentinels.master_port() == primary.port

    wait_until("the sentinels see 2 replicas and each other", ready, detail=sentinels.logs)


def restart_as_replica(old_primary, old_port, new_port, sentinels):
    """Restarts the killed primary on its directory and old port and waits until Sentinel has
    converted it into a replica of `new_port` with its link up."""
    old_primary.port = old_port
    old_primary.start()
    assert old_primary.port == old_port, "the old port was taken: Sentinel cannot find it"
    wait_until("Sentinel converts the old primary to a replica", lambda: (
        info(old_primary)["role"] == "slave" and info(old_primary).get("master_port") == new_port
        and info(old_primary).get("master_link_status") == "up"), detail=lambda: sentinels.logs() +
        old_primary.output()[-3000:])
    assert "+convert-to-slave" in sentinels.logs()


def test_sentinel_fails_over_without_losing_acknowledged_writes(cluster):
    primary, replicas, sentinels = cluster
    wait_sentinels_know_everything(sentinels, primary)
    discovered = sentinels.discovery().master_for(MASTER, socket_timeout=5)
    assert discovered.set("before", "1")  # discovery reaches the old primary

    ledger = Ledger(primary.port)
    wait_until("the writer has acknowledged writes", lambda: len(ledger.acked_sets) >= 200,
               interval=0.01)
    old_port = primary.port
    killed_at = time.time()
    primary.kill9()
    ledger.thread.join(WAIT_S)
    assert ledger.error is not None, "the writer must have seen the primary die"

    wait_until("+switch-master", lambda: sentinels.master_port() != old_port,
               detail=sentinels.logs)
    new_port = sentinels.master_port()
    print(f"failover: kill -9 to +switch-master {time.time() - killed_at:.1f} s; "
          f"{len(ledger.acked_sets)} SETs acknowledged, {ledger.sent_sets} sent")
    new_primary = next(r for r in replicas if r.port == new_port)
    other = next(r for r in replicas if r.port != new_port)
    wait_until("all sentinels agree", lambda: all(
        sentinels.master_port(i) == new_port for i in range(3)))
    assert info(new_primary)["role"] == "master"

    ledger.check(new_primary.client())
    assert new_primary.client().get("before") == b"1"

    # redis-py's discovery follows the new primary.
    discovered = sentinels.discovery().master_for(MASTER, socket_timeout=5)
    assert discovered.set("after", "2")
    assert new_primary.client().get("after") == b"2"

    # The other replica is repointed and equals the new primary.
    # .get: while Sentinel repoints it, the replica may be a master for a moment (no such field).
    wait_until("the other replica follows the new primary", lambda: (
        info(other).get("master_port") == new_port and
        info(other).get("master_link_status") == "up"))
    wait_synced(new_primary, other)
    assert dump(other.client()) == dump(new_primary.client())
    # It was not ahead of the promoted replica (Sentinel picks the highest offset): its link to
    # the new primary continued by PSYNC from its own log, no full resync.
    assert info(other)["replica_full_syncs"] == 0
    assert info(other)["replica_partial_syncs"] >= 1

    # The old primary comes back on its old directory and port: Sentinel converts it.
    restarted_at = time.time()
    restart_as_replica(primary, old_port, new_port, sentinels)
    print(f"old primary: restart to replica of the new primary {time.time() - restarted_at:.1f} s")
    new_primary.client().set("rejoined", "3")
    wait_synced(new_primary, primary)
    assert dump(primary.client()) == dump(new_primary.client())
    ledger.check(primary.client())
    for event in ("+sdown", "+odown", "+elected-leader", "+selected-slave", "+promoted-slave",
                  "+switch-master"):
        assert event in sentinels.logs(), event


def test_restarted_primary_with_min_replicas_ack_answers_sentinel_without_replicas(tmp_path):
    """Records from a previous run do not hold replies (else reads would wait forever for
    acknowledgements that are gone); new writes are refused until a replica is back."""
    primary = Engine(tmp_path / "primary", "--min-replicas-ack", "1").start()
    replica = Engine(tmp_path / "replica", "--replicaof", "127.0.0.1", str(primary.port)).start()
    try:
        wait_until("the replica is online", lambda: info(primary)["slave0"]["state"] == "online")
        replica.proc.send_signal(signal.SIGSTOP)
        with pytest.raises(redis.exceptions.TimeoutError):
            primary.client(socket_timeout=1).set("k", "v")  # durable here, never acknowledged
        assert primary.stop() == 0
        replica.kill9()
        primary.start()
        c = primary.client(socket_timeout=5)
        assert c.ping()
        assert info(primary)["role"] == "master"
        assert c.get("k") == b"v"
        with pytest.raises(redis.exceptions.ResponseError) as e:
            c.set("k2", "v")
        assert str(e.value) == "NOREPLICAS Not enough good replicas to write."
    finally:
        replica.kill9()
        assert primary.stop() == 0


def plain(reply):
    """A raw reply with errors as ("error", text) also inside arrays (EXEC's), comparable."""
    if isinstance(reply, list):
        return [plain(r) for r in reply]
    if isinstance(reply, Exception):
        return ("error", str(reply))
    return reply


def test_sentinel_commands_answer_as_redis_server(engine_and_redis):
    """What a Sentinel leader sends to promote and to repoint, as redis-server without a config
    file answers it (CONFIG REWRITE's error inside EXEC is what Sentinel gets from Redis too)."""
    dead_port = str(free_port())
    script = ["CLIENT SETNAME sentinel-1234abcd-cmd", "CLIENT GETNAME", "PING",
              "MULTI", "SLAVEOF NO ONE", "CONFIG REWRITE", "CLIENT KILL TYPE normal",
              "CLIENT KILL TYPE pubsub", "EXEC",
              "MULTI", f"SLAVEOF 127.0.0.1 {dead_port}", "CONFIG REWRITE",
              "CLIENT KILL TYPE normal", "EXEC", f"REPLICAOF 127.0.0.1 {dead_port}",
              "REPLICAOF NO ONE", "SCRIPT KILL", "PUBLISH __sentinel__:hello x"]
    engine, server = engine_and_redis
    ours, theirs = engine.client(), server.client()
    for line in script:
        command = line.split()
        assert plain(raw_reply(ours, *command)) == plain(raw_reply(theirs, *command)), line
