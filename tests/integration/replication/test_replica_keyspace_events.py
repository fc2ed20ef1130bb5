"""A replica fires keyspace notifications for the writes it replicates, as a Redis replica does:
a subscriber on the replica, writes on the primary, the same events in the same order as on a
redis-server replica of a redis-server primary."""
import time

from strongbox_harness import Engine, RedisServer
from test_replication import info, start_replica

WRITES = [
    ("SET", "a", "1"), ("SET", "b", "2", "EX", "100"), ("APPEND", "a", "x"),
    ("SETRANGE", "a", "0", "zz"), ("EXPIRE", "a", "100"), ("PERSIST", "a"),
    ("DEL", "a", "b", "nosuch"),
    ("HSET", "h", "f", "v", "g", "w"), ("HDEL", "h", "f"), ("HDEL", "h", "g"),
    ("LPUSH", "l", "1", "2", "3"), ("RPUSH", "l", "4"), ("LPOP", "l"), ("RPOP", "l"),
    ("LSET", "l", "0", "x"), ("LINSERT", "l", "BEFORE", "x", "y"), ("LREM", "l", "1", "y"),
    ("LTRIM", "l", "0", "0"), ("LPOP", "l"),
    ("SADD", "s", "m1", "m2"), ("SREM", "s", "m1", "m2"),
    ("ZADD", "z", "1", "m"), ("ZREM", "z", "m"),
    ("XADD", "x", "1-1", "f", "v"), ("XDEL", "x", "1-1"),
    ("SET", "r", "1"), ("RENAME", "r", "r2"),
    ("SET", "e", "1", "PX", "200"),  # the primary expires it: the replica fires "del"
]


def wait_until(what, predicate, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


def read_until(sub, got, last):
    """Appends the notifications `sub` receives to `got` until `last` (bounded)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        m = sub.get_message(timeout=1)
        if m is None or m["type"] != "pmessage":
            continue
        got.append((m["channel"].decode(), m["data"].decode()))
        if got[-1] == last:
            return


def events_on_replica(primary_client, replica_client):
    """Every notification the replica publishes while the primary runs WRITES, lets "e"
    expire, then writes a marker."""
    replica_client.config_set("notify-keyspace-events", "KEA")
    sub = replica_client.pubsub()
    sub.psubscribe("__key*__:*")
    assert sub.get_message(timeout=10)["type"] == "psubscribe"
    for command in WRITES:
        primary_client.execute_command(*command)
    got = []
    read_until(sub, got, ("__keyevent@0__:del", "e"))
    primary_client.set("marker", "end")
    read_until(sub, got, ("__keyevent@0__:set", "marker"))
    sub.close()
    return got


def test_replica_fires_the_keyspace_events_of_replicated_writes_as_redis(tmp_path):
    redis_primary = RedisServer(tmp_path / "redis-primary").start()
    redis_replica = RedisServer(tmp_path / "redis-replica").start()
    primary = Engine(tmp_path / "primary").start()
    replica = start_replica(tmp_path, primary)
    try:
        redis_replica.client().replicaof("127.0.0.1", redis_primary.port)
        wait_until("the redis replica is linked", lambda: redis_replica.client().info(
            "replication")["master_link_status"] == "up")
        wait_until("the replica is linked", lambda: info(replica)["master_link_status"] == "up")
        theirs = events_on_replica(redis_primary.client(), redis_replica.client())
        ours = events_on_replica(primary.client(), replica.client())
        assert theirs[-2:] == [("__keyspace@0__:marker", "set"), ("__keyevent@0__:set", "marker")]
        assert ("__keyevent@0__:del", "e") in theirs and len(theirs) > 2 * len(WRITES)
        assert ours == theirs
    finally:
        redis_replica.stop()
        redis_primary.stop()
        assert replica.stop() == 0
        assert primary.stop() == 0
