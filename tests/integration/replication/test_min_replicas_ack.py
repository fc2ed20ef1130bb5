"""--min-replicas-ack N keeps a primary observable: a write arriving while fewer than N replicas
are good is refused with Redis's NOREPLICAS (MULTI/EXEC and scripts as redis-server with
min-replicas-to-write); a write accepted before its replica stopped stays unanswered until a
replica acknowledges it, while what Sentinel and operators use (INFO, ROLE, CONFIG, CLIENT,
COMMAND, SLOWLOG, HELLO, pub/sub on __sentinel__:hello, Sentinel's MULTI ... EXEC) answers from
another connection, and reads that could reveal the held write keep waiting."""
import os
import signal
import socket
import time

import pytest
import redis

from strongbox_harness import (Engine, RawConnection, RedisServer, free_port, raw_replies_match,
                               raw_reply,
                               spawn)
from test_replication import info, start_replica, wait_synced

NOREPLICAS = "NOREPLICAS Not enough good replicas to write."
SENTINEL_BIN = "/usr/bin/redis-sentinel"


def wait_until(what, predicate, timeout=60, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except redis.exceptions.ConnectionError:
            pass  # not listening yet
        time.sleep(interval)
    raise AssertionError(f"timed out waiting until {what}")


def wait_online(primary, count=1):
    """Until `count` replicas are past their full sync (what makes them good)."""
    def online():
        i = info(primary)
        return i["connected_slaves"] == count and all(
            i[f"slave{n}"]["state"] == "online" for n in range(count))
    wait_until(f"{count} replica(s) online", online)


def assert_no_reply(conn, wait_s=1.0):
    """Nothing arrives on `conn` for wait_s seconds."""
    conn.sock.settimeout(wait_s)
    try:
        with pytest.raises((socket.timeout, TimeoutError)):
            conn.read_reply()
    finally:
        conn.sock.settimeout(60)


NOREPLICAS_SCRIPT = [
    ("SET", "k", "v"), ("GET", "k"), ("INCR", "n"), ("DEL", "k"), ("EXPIRE", "k", "10"),
    ("PUBLISH", "ch", "m"),
    # Refused when queued: the EXEC aborts.
    ("MULTI",), ("SET", "k", "v"), ("GET", "k"), ("EXEC",),
    ("MULTI",), ("GET", "k"), ("EXEC",),
    ("MULTI",), ("SET", "k", "v"), ("DISCARD",),
    # An old-style script fails at its write; a shebang one declared writable before it runs.
    ("EVAL", "return redis.call('set','k','v')", "0"),
    ("EVAL", "redis.call('get','x'); return redis.call('set','k','v')", "0"),
    ("EVAL", "return redis.call('get','k')", "0"),
    ("EVAL", "#!lua\nreturn redis.call('set','k','v')", "0"),
    ("EVAL", "#!lua\nreturn 1", "0"),
    ("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','k')", "0"),
    ("EVAL_RO", "return redis.call('get','k')", "0"),
    ("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"),
]


def test_writes_without_good_replicas_are_refused_as_redis(tmp_path):
    engine = Engine(tmp_path / "primary", "--min-replicas-ack", "1").start()
    server = RedisServer(tmp_path / "redis").start()
    try:
        server.client().config_set("min-replicas-to-write", 1)
        raw_replies_match((engine, server), NOREPLICAS_SCRIPT)
        assert engine.client().get("k") is None  # nothing was written
    finally:
        server.stop()
        assert engine.stop() == 0


def queue_then_lose_the_replica(primary_client, stop_replica, primary_info):
    """MULTI SET while the replica is good; the replica goes; the EXEC's reply."""
    conn = RawConnection(primary_client.connection_pool.connection_kwargs["port"])
    try:
        conn.send(("MULTI",), ("SET", "k", "v"))
        assert conn.read_reply() == b"OK" and conn.read_reply() == b"QUEUED"
        stop_replica()
        wait_until("the replica is gone", lambda: primary_info()["connected_slaves"] == 0)
        conn.send(("EXEC",), ("GET", "k"))
        return conn.read_reply(), conn.read_reply()
    finally:
        conn.close()


def test_exec_aborts_as_redis_when_the_replicas_went_after_queueing(tmp_path):
    redis_primary = RedisServer(tmp_path / "redis-primary").start()
    redis_replica = RedisServer(tmp_path / "redis-replica").start()
    primary = Engine(tmp_path / "primary", "--min-replicas-ack", "1").start()
    replica = start_replica(tmp_path, primary)
    try:
        redis_replica.client().replicaof("127.0.0.1", redis_primary.port)
        wait_until("the redis replica is online", lambda: redis_primary.client().info(
            "replication").get("slave0", {}).get("state") == "online")
        redis_primary.client().config_set("min-replicas-to-write", 1)
        wait_online(primary)
        theirs = queue_then_lose_the_replica(redis_primary.client(), redis_replica.stop,
                                             lambda: redis_primary.client().info("replication"))
        ours = queue_then_lose_the_replica(primary.client(), lambda: replica.stop(),
                                           lambda: info(primary))
        assert theirs[0] == ("error", "EXECABORT Transaction discarded because of: " + NOREPLICAS)
        assert ours == theirs
    finally:
        redis_replica.stop()
        redis_primary.stop()
        replica.stop()
        assert primary.stop() == 0


def check_observable(primary):
    """What Sentinel and operators use answers from a fresh connection."""
    admin = primary.client(socket_timeout=5)
    assert admin.info("replication")["role"] == "master"
    assert admin.info()["redis_version"]
    assert admin.execute_command("ROLE")[0] == b"master"
    assert admin.config_get("maxmemory") == {"maxmemory": "0"}
    assert "cmd=" in admin.execute_command("CLIENT", "LIST").decode()
    assert admin.client_setname("operator") and admin.client_getname() == "operator"
    assert raw_reply(admin, "COMMAND", "COUNT") > 100
    assert isinstance(raw_reply(admin, "SLOWLOG", "LEN"), int)
    assert isinstance(raw_reply(admin, "LATENCY", "LATEST"), list)
    assert raw_reply(admin, "HELLO", "2")[0] == b"server"
    assert raw_reply(admin, "WAIT", "1", "100") in (0, 1)  # the count now (it wrote nothing)
    # Sentinel's hello channel: the subscription and the message both arrive.
    sub = primary.client(socket_timeout=5).pubsub()
    sub.subscribe("__sentinel__:hello")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    assert admin.publish("__sentinel__:hello", "127.0.0.1,26379,x,0") == 1
    assert sub.get_message(timeout=5)["data"] == b"127.0.0.1,26379,x,0"
    sub.close()
    # Sentinel's reconfiguration transaction (without the SLAVEOF, which would demote).
    pipe = admin.pipeline(transaction=True)
    pipe.execute_command("CONFIG", "GET", "maxmemory")
    pipe.execute_command("CLIENT", "GETNAME")
    assert pipe.execute() == [[b"maxmemory", b"0"], b"operator"]


def test_a_stopped_replica_holds_writes_but_not_what_sentinel_uses(tmp_path):
    primary = Engine(tmp_path / "primary", "--min-replicas-ack", "1").start()
    replica = start_replica(tmp_path, primary)
    writer = reader = None
    try:
        wait_online(primary)
        assert primary.client().set("before", "1")  # a replica acknowledges: answered
        os.kill(replica.proc.pid, signal.SIGSTOP)
        writer = RawConnection(primary.port)
        writer.send(("SET", "held", "v"), ("PING",), ("INFO", "server"))
        assert_no_reply(writer)  # the write, and what follows it on its connection, wait
        check_observable(primary)
        reader = RawConnection(primary.port)
        reader.send(("GET", "held"))
        assert_no_reply(reader)  # a read could reveal the held write: it waits for the replica
        # The replica's connection goes: a new write is refused, the held one stays held.
        os.kill(replica.proc.pid, signal.SIGKILL)
        replica.proc.wait(30)
        wait_until("the primary sees the replica gone", lambda: info(primary)["connected_slaves"]
                   == 0)
        with pytest.raises(redis.exceptions.ResponseError) as e:
            primary.client(socket_timeout=5).set("new", "1")
        assert str(e.value) == NOREPLICAS
        check_observable(primary)
        assert_no_reply(writer)
        # The replica comes back, acknowledges the held write: it is answered, in order.
        replica.start()
        assert writer.read_reply() == b"OK"
        assert writer.read_reply() == b"PONG"
        assert writer.read_reply().startswith(b"# Server")
        assert reader.read_reply() == b"v"
        wait_synced(primary, replica)
        assert replica.client().get("held") == b"v"
        assert replica.client().get("new") is None
        assert replica.stop() == 0
    finally:
        for conn in (writer, reader):
            if conn:
                conn.close()
        if replica.proc:
            replica.kill9()  # a failure left it stopped or killed
        assert primary.stop() == 0


def test_sentinel_keeps_seeing_a_primary_whose_replica_stopped(tmp_path):
    """Sentinel's INFO refreshes keep arriving while a write waits for the stopped replica (it
    would stop refreshing if INFO waited for acknowledgements), and the primary stays up."""
    primary = Engine(tmp_path / "primary", "--min-replicas-ack", "1").start()
    replica = start_replica(tmp_path, primary)
    sentinel_dir = tmp_path / "sentinel"
    sentinel_dir.mkdir()
    port = free_port()
    conf = sentinel_dir / "sentinel.conf"
    conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {sentinel_dir}\n"
                    f"logfile {sentinel_dir}/sentinel.log\n"
                    f"sentinel monitor m 127.0.0.1 {primary.port} 1\n"
                    "sentinel down-after-milliseconds m 1000\n")
    proc = spawn([SENTINEL_BIN, str(conf)])
    writer = None
    try:
        wait_online(primary)
        sentinel = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)

        def master():
            fields = sentinel.execute_command("SENTINEL", "MASTER", "m")
            return dict(zip(fields[::2], fields[1::2]))

        wait_until("the sentinel sees the replica", lambda: master()[b"num-slaves"] == b"1")
        os.kill(replica.proc.pid, signal.SIGSTOP)
        writer = RawConnection(primary.port)
        writer.send(("SET", "held", "v"))
        stalled_at = time.time()
        # Sentinel sends INFO every 10 s: one answered after the stall began must show.
        wait_until("an INFO answered during the stall", lambda: int(master()[b"info-refresh"])
                   < (time.time() - stalled_at) * 1000 - 500, timeout=30, interval=0.2)
        assert_no_reply(writer)  # the write is still held
        assert master()[b"flags"] == b"master"  # not s_down
    finally:
        proc.kill()
        proc.wait(30)
        if writer:
            writer.close()
        os.kill(replica.proc.pid, signal.SIGCONT)
        replica.stop()
        assert primary.stop() == 0
