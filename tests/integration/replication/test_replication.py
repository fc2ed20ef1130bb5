"""Replication: a replica catches up from empty and equals its primary under write load, resumes
by PSYNC after a restart of either side (no full resync), resyncs in full only when the
primary's segments are gone or the histories diverged, refuses writes with Redis's error, and
reports ROLE / INFO replication; WAIT and WAITAOF count acknowledging replicas."""
import contextlib
import os
import threading
import time

import pytest
import redis

from strongbox_harness import (Engine, RedisServer, plain_value, raw_reply, snapshotter_tool,
                               stream_entries)

READONLY = "You can't write against a read only replica."


def info(engine, section="replication"):
    return engine.client().info(section)


def wait_synced(primary, replica, timeout=60):
    """Until the replica's link is up and it holds every durable record of the primary."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        want = info(primary)["master_repl_offset"]
        last = info(replica)
        if last.get("master_link_status") == "up" and last.get("slave_repl_offset") == want:
            return want
        time.sleep(0.05)
    raise AssertionError(f"replica not in sync: primary at {want}, replica {last}\n"
                         f"{replica.output()[-3000:]}")


def dump(client):
    """Every key of every type with its value and whether it expires: the full state."""
    out = {}
    for db in range(16):
        c = redis.Redis(port=client.connection_pool.connection_kwargs["port"], db=db)
        for key in c.scan_iter(count=1000):
            t = c.type(key)
            value = stream_entries(c, key) if t == b"stream" else plain_value(c, key, t)
            out[(db, key)] = (t, value, c.pttl(key) > 0)
    return out


def fill(client, prefix, n):
    p = client.pipeline(transaction=False)
    for i in range(n):
        p.set(f"{prefix}:s:{i}", f"v{i}")
        p.hset(f"{prefix}:h:{i % 7}", f"f{i}", i)
        p.rpush(f"{prefix}:l:{i % 5}", i)
        p.sadd(f"{prefix}:set", i)
        p.zadd(f"{prefix}:z", {f"m{i}": i * 0.5})
        if i % 10 == 0:
            p.set(f"{prefix}:ttl:{i}", "x", ex=1000)
            p.xadd(f"{prefix}:stream", {"i": i})
    p.execute()


@pytest.fixture
def primary(tmp_path):
    e = Engine(tmp_path / "primary").start()
    yield e
    assert e.stop() == 0


def start_replica(tmp_path, primary, name="replica", *args):
    return Engine(tmp_path / name, "--replicaof", "127.0.0.1", str(primary.port), *args).start()


@contextlib.contextmanager
def replica_of(tmp_path, primary, name="replica"):
    """A replica of `primary` for the block; it must shut down cleanly after it."""
    replica = start_replica(tmp_path, primary, name)
    try:
        yield replica
    finally:
        assert replica.stop() == 0, replica.output()[-2000:]


def assert_same_state(primary, replica):
    """Once the replica holds every durable record of the primary, both hold the same keys."""
    offset = wait_synced(primary, replica)
    assert dump(replica.client()) == dump(primary.client())
    return offset


def test_replica_catches_up_from_empty_and_equals_the_primary(tmp_path, primary):
    fill(primary.client(), "a", 300)
    with replica_of(tmp_path, primary) as replica:
        assert_same_state(primary, replica)
        assert info(primary)["sync_full"] == 1
        assert info(replica)["replica_full_syncs"] == 1
        fill(primary.client(), "b", 100)  # the live stream after the full resync
        assert_same_state(primary, replica)


def test_replica_equals_primary_under_concurrent_write_load(tmp_path, primary):
    fill(primary.client(), "pre", 100)
    stop = threading.Event()
    errors = []

    def writer(n):
        c = primary.client()
        i = 0
        try:
            while not stop.is_set():
                c.set(f"w{n}:{i % 500}", i)
                c.incr(f"counter:{n}")
                c.lpush(f"wl:{n}", i)
                c.ltrim(f"wl:{n}", 0, 50)
                c.zincrby("wz", 1, f"m{i % 30}")
                i += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    with replica_of(tmp_path, primary) as replica:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        try:
            time.sleep(3)
            assert int(info(replica)["slave_repl_offset"]) > 0  # it follows during the load
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert not errors
        assert_same_state(primary, replica)


def test_replica_restart_resumes_by_psync_continue(tmp_path, primary):
    fill(primary.client(), "a", 200)
    with replica_of(tmp_path, primary) as replica:
        wait_synced(primary, replica)
        assert replica.stop() == 0
        fill(primary.client(), "b", 200)  # written while the replica is down
        replica.start()
        assert_same_state(primary, replica)
        i = info(primary)
        assert i["sync_full"] == 1, "the restart must not cause a full resync"
        assert i["sync_partial_ok"] == 1
        assert info(replica)["replica_full_syncs"] == 0
        assert info(replica)["replica_partial_syncs"] == 1


def test_primary_restart_resumes_by_psync_continue(tmp_path, primary):
    fill(primary.client(), "a", 200)
    with replica_of(tmp_path, primary) as replica:
        wait_synced(primary, replica)
        port = primary.port
        assert primary.stop() == 0
        primary.start()
        if primary.port != port:  # the harness moved it: point the replica there
            replica.client().replicaof("127.0.0.1", primary.port)
        fill(primary.client(), "b", 100)
        assert_same_state(primary, replica)
        i = info(primary)
        assert i["sync_full"] == 0 and i["sync_partial_ok"] == 1


def test_full_resync_when_the_primary_no_longer_has_the_segments(tmp_path):
    primary = Engine(tmp_path / "primary").start()
    fill(primary.client(), "a", 100)
    with replica_of(tmp_path, primary) as replica:
        wait_synced(primary, replica)
        assert replica.stop() == 0
        fill(primary.client(), "b", 100)
        lsn = info(primary, "persistence")["lsn_assigned"]
        assert primary.stop() == 0
        # The primary comes back from a snapshot alone: the records the replica lacks are gone.
        target = tmp_path / "restored"
        rc, out = snapshotter_tool("restore", "--dir", primary.dir, "--to-lsn", str(lsn),
                                   "--target", str(target))
        assert rc == 0, out
        moved = Engine(target).start()
        try:
            replica.args[-1] = str(moved.port)
            replica.start()
            assert_same_state(moved, replica)
            assert info(moved)["sync_full"] == 1
            assert info(replica)["replica_full_syncs"] == 1
            assert any(n.startswith("replaced-") for n in os.listdir(replica.dir))
            # Without a snapshot either, the primary serialises its state for the next one.
            for n in os.listdir(moved.dir):
                if n.startswith("snapshot-"):
                    os.unlink(os.path.join(moved.dir, n))
            fill(moved.client(), "c", 20)
            with replica_of(tmp_path, moved, "fresh") as fresh:
                assert_same_state(moved, fresh)
            assert info(moved)["sync_full"] == 2
            assert os.listdir(os.path.join(moved.dir, "replication-snapshots"))
        finally:
            assert moved.stop() == 0


def test_a_replica_of_another_history_resyncs_in_full(tmp_path, primary):
    other = Engine(tmp_path / "other").start()
    try:
        fill(primary.client(), "a", 50)
        fill(other.client(), "other", 30)
        with replica_of(tmp_path, primary) as replica:
            wait_synced(primary, replica)
            assert replica.client().replicaof("127.0.0.1", other.port)
            assert_same_state(other, replica)
            assert info(replica)["master_replid"] == info(other)["master_replid"]
    finally:
        assert other.stop() == 0


def test_replica_refuses_writes_with_redis_error_and_serves_reads(tmp_path, primary):
    primary.client().set("k", "v")
    with replica_of(tmp_path, primary) as replica:
        wait_synced(primary, replica)
        c = replica.client()
        with pytest.raises(redis.exceptions.ReadOnlyError) as e:
            c.set("k", "other")
        assert str(e.value) == READONLY
        with pytest.raises(redis.exceptions.ReadOnlyError):
            c.delete("k")
        assert c.get("k") == b"v"
        reply = c.execute_command("REPLICAOF", "127.0.0.1", str(primary.port))
        assert reply == b"OK Already connected to specified master"


def test_replicated_writes_wake_readers_and_fail_watches_on_the_replica(tmp_path, primary):
    primary.client().xadd("s", {"f": "0"}, id="1-0")
    primary.client().set("w", "0")
    with replica_of(tmp_path, primary) as replica:
        wait_synced(primary, replica)
        got = {}
        reader = threading.Thread(target=lambda: got.update(
            r=replica.client().xread({"s": "$"}, block=20000)))
        reader.start()
        c = replica.client()
        deadline = time.time() + 10
        while c.info("clients")["blocked_clients"] < 1 and time.time() < deadline:
            time.sleep(0.02)
        assert c.info("clients")["blocked_clients"] == 1
        watcher = replica.client().pipeline()
        watcher.watch("w")
        primary.client().xadd("s", {"f": "1"}, id="2-0")
        primary.client().set("w", "1")
        reader.join(30)
        assert got["r"] == [[b"s", [(b"2-0", {b"f": b"1"})]]]
        wait_synced(primary, replica)
        watcher.multi()
        watcher.get("w")
        with pytest.raises(redis.exceptions.WatchError):
            watcher.execute()


def test_role_and_info_replication_fields(tmp_path, primary):
    primary.client().set("k", "v")
    with replica_of(tmp_path, primary) as replica:
        offset = wait_synced(primary, replica)
        deadline = time.time() + 10
        while time.time() < deadline:  # the first ACK
            role = primary.client().execute_command("ROLE")
            if role[2] and int(role[2][0][2]) == offset:
                break
            time.sleep(0.05)
        assert role[0] == b"master" and role[1] == offset
        assert role[2] == [[b"127.0.0.1", str(replica.port).encode(), str(offset).encode()]]
        assert replica.client().execute_command("ROLE") == [
            b"slave", b"127.0.0.1", primary.port, b"connected", offset]
        p = info(primary)
        assert p["role"] == "master" and p["connected_slaves"] == 1
        assert p["slave0"]["ip"] == "127.0.0.1" and p["slave0"]["port"] == replica.port
        assert p["slave0"]["state"] == "online" and p["slave0"]["offset"] == offset
        r = info(replica)
        assert r["role"] == "slave" and r["master_host"] == "127.0.0.1"
        assert r["master_port"] == primary.port and r["master_link_status"] == "up"
        assert r["master_sync_in_progress"] == 0 and r["slave_read_only"] == 1
        assert r["slave_priority"] == 100 and r["replica_announced"] == 1
        assert r["master_replid"] == p["master_replid"] and len(p["master_replid"]) == 40
        assert "master_last_io_seconds_ago" in r


def test_replicaof_no_one_promotes_with_a_new_history(tmp_path, primary):
    primary.client().set("k", "v")
    with replica_of(tmp_path, primary) as replica:
        offset = wait_synced(primary, replica)
        old = info(replica)["master_replid"]
        assert replica.client().replicaof("NO", "ONE")
        r = info(replica)
        assert r["role"] == "master" and r["master_replid"] != old
        assert r["master_replid2"] == old and r["second_repl_offset"] == offset + 1
        assert replica.client().set("k2", "after")
        # A replica of the old history continues from the promoted node.
        with replica_of(tmp_path, replica, "third") as third:
            assert_same_state(replica, third)


def test_wait_and_waitaof(tmp_path, primary):
    c = primary.client()
    c.set("k", "v")
    assert c.execute_command("WAIT", 0, 0) == 0
    assert c.execute_command("WAIT", 1, 100) == 0  # no replica: the timeout answers
    assert c.execute_command("WAITAOF", 1, 0, 0) == [1, 0]
    with pytest.raises(redis.exceptions.ResponseError, match="timeout is negative"):
        c.execute_command("WAIT", 1, -1)
    with replica_of(tmp_path, primary) as replica:
        wait_synced(primary, replica)
        c.set("k", "v2")
        assert c.execute_command("WAIT", 1, 0) == 1  # blocks until the ACK
        assert c.execute_command("WAITAOF", 1, 1, 0) == [1, 1]
        started = time.time()
        assert c.execute_command("WAIT", 2, 300) == 1  # only one replica: times out
        assert time.time() - started >= 0.25
        with pytest.raises(redis.exceptions.ResponseError, match="replica instances"):
            replica.client().execute_command("WAIT", 1, 0)


def test_replica_replies_match_redis(tmp_path, primary):
    """The same commands against a redis-server replica of a redis-server and against an engine
    replica of an engine: the same replies, errors included."""
    redis_primary = RedisServer(tmp_path / "redis-primary").start()
    redis_replica = RedisServer(tmp_path / "redis-replica").start()
    try:
        with replica_of(tmp_path, primary) as replica:
            redis_replica.client().replicaof("127.0.0.1", redis_primary.port)
            wait_synced(primary, replica)
            script = ("SET k v|DEL k|GET k|WAIT 1 0|REPLICAOF 127.0.0.1 70000|"
                      "REPLICAOF 127.0.0.1 x|REPLICAOF no two|WAIT 0")
            for command in [line.split() for line in script.split("|")]:
                ours = raw_reply(replica.client(), *command)
                theirs = raw_reply(redis_replica.client(), *command)
                assert ours == theirs, command
            on_primary = ("WAIT 0 -1", "WAIT 0 x", "ROLE x", "REPLCONF foo bar")
            for command in [c.split() for c in on_primary]:
                assert raw_reply(primary.client(), *command) == raw_reply(
                    redis_primary.client(), *command), command
    finally:
        redis_replica.stop()
        redis_primary.stop()


def test_min_replicas_ack_holds_replies_until_a_replica_made_the_write_durable(tmp_path):
    primary = Engine(tmp_path / "primary", "--min-replicas-ack", "1").start()
    try:
        with pytest.raises(redis.exceptions.ResponseError) as e:
            primary.client().set("refused", "v")  # no replica: refused rather than held
        assert str(e.value) == "NOREPLICAS Not enough good replicas to write."
        with replica_of(tmp_path, primary) as replica:
            deadline = time.time() + 30
            while info(primary).get("slave0", {}).get("state") != "online":
                assert time.time() < deadline, "the replica never came online"
                time.sleep(0.05)
            c = primary.client()
            assert c.set("k", "v")  # answered once the replica acknowledged it
            assert int(info(primary)["slave0"]["offset"]) >= c.info("persistence")["lsn_durable"]
            assert replica.client().get("k") == b"v"
            assert replica.client().get("refused") is None
    finally:
        assert primary.stop() == 0


def test_min_replicas_to_write_refuses_writes_without_good_replicas(tmp_path):
    primary = Engine(tmp_path / "primary", "--min-replicas-to-write", "1",
                     "--min-replicas-max-lag", "10").start()
    try:
        with pytest.raises(redis.exceptions.ResponseError) as e:
            primary.client().set("k", "v")
        assert str(e.value) == "NOREPLICAS Not enough good replicas to write."
        assert primary.client().get("k") is None  # reads go on
        with replica_of(tmp_path, primary) as replica:
            wait_synced(primary, replica)
            deadline = time.time() + 10
            while info(primary)["slave0"]["state"] != "online" and time.time() < deadline:
                time.sleep(0.05)
            assert primary.client().set("k", "v")
    finally:
        assert primary.stop() == 0


def test_stale_replica_refuses_reads_when_told_and_writable_replicas_are_refused(tmp_path):
    primary = Engine(tmp_path / "primary").start()
    primary.client().set("k", "v")
    replica = Engine(tmp_path / "replica", "--replica-serve-stale-data", "no", "--replicaof",
                     "127.0.0.1", str(primary.port)).start()
    try:
        wait_synced(primary, replica)
        assert replica.client().get("k") == b"v"
        assert primary.stop() == 0
        deadline = time.time() + 10
        while info(replica)["master_link_status"] != "down" and time.time() < deadline:
            time.sleep(0.05)
        with pytest.raises(redis.exceptions.ResponseError) as e:
            replica.client().get("k")
        assert str(e.value) == ("MASTERDOWN Link with MASTER is down and "
                                "replica-serve-stale-data is set to 'no'.")
        assert replica.client().ping()  # what Sentinel uses still answers
        assert replica.client().execute_command("ROLE")[0] == b"slave"
    finally:
        assert replica.stop() == 0
    rc, out = Engine(tmp_path / "writable", "--replica-read-only", "no").run_to_exit()
    assert rc != 0 and "writable replicas are not supported" in out
