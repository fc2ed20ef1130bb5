"""The admin surface tools use: COPY across types and databases, OBJECT, MEMORY USAGE,
CONFIG SET of encoding thresholds rejected (they would do nothing), FUNCTION/SCRIPT FLUSH."""
import pytest
import redis

from strongbox_harness import Engine


def test_copy_object_memory_config(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    c.zadd("z", {"a": 1, "b": 2})
    c.rpush("l", 1, 2)
    c.set("s", "v", ex=100)
    assert c.copy("z", "z2") is True and c.zrange("z2", 0, -1, withscores=True) == [
        (b"a", 1.0), (b"b", 2.0)]
    assert c.copy("l", "l", destination_db=3) is True
    assert c.copy("s", "z2") is False
    assert c.copy("s", "z2", replace=True) is True and c.get("z2") == b"v"
    assert 0 < c.ttl("z2") <= 100
    assert c.copy("z", "z3") is True
    c.zadd("z", {"c": 3})
    assert c.zcard("z3") == 2  # a deep copy: independent of its source
    assert c.object("encoding", "z") == b"listpack"
    assert c.object("encoding", "s") == b"embstr"
    c.set("n", 12345)
    assert c.object("encoding", "n") == b"int"
    assert c.object("refcount", "z") == 1
    assert c.memory_usage("l") > 0 and c.memory_usage("missing") is None
    # Encoding thresholds change nothing here, so they are not accepted (config_registry.h).
    with pytest.raises(redis.ResponseError, match="Unknown option"):
        c.config_set("hash-max-listpack-entries", 256)
    with pytest.raises(redis.ResponseError, match="Unknown option"):
        c.config_set("no-such-parameter", 1)
    assert c.execute_command("FUNCTION", "FLUSH") == b"OK"
    assert c.execute_command("SCRIPT", "FLUSH") == b"OK"
    e.kill9()
    e.start()
    c = e.client()
    assert c.get("z2") == b"v" and c.zcard("z") == 3
    c.execute_command("SELECT", 3)
    assert c.lrange("l", 0, -1) == [b"1", b"2"]
    assert e.stop() == 0


def test_encodings_switch_at_listpack_limits_and_memory_is_reported(tmp_path):
    """Small hashes and sorted sets are packed up to 128 entries / 64-byte elements (Redis's
    defaults), switch to node-based containers past them, and keep every element across the
    switch and a restart. INFO memory reports allocator bytes, RSS and their ratio."""
    e = Engine(tmp_path / "data").start()
    c = e.client()
    c.hset("h", mapping={f"f{i}": f"v{i}" for i in range(128)})
    c.zadd("z", {f"m{i}": i for i in range(128)})
    assert c.object("encoding", "h") == b"listpack"
    assert c.object("encoding", "z") == b"listpack"
    small_usage = c.memory_usage("h")
    c.hset("h", "f128", "v128")
    c.zadd("z", {"m128": 128})
    assert c.object("encoding", "h") == b"hashtable"
    assert c.object("encoding", "z") == b"skiplist"
    assert c.memory_usage("h") > small_usage
    c.hset("long", "f", "x" * 65)
    assert c.object("encoding", "long") == b"hashtable"
    c.zadd("longz", {"m" * 65: 1})
    assert c.object("encoding", "longz") == b"skiplist"
    info = c.info("memory")
    assert info["used_memory"] > 0 and info["used_memory_rss"] > 0
    assert info["mem_fragmentation_ratio"] > 0
    want_h = {f"f{i}".encode(): f"v{i}".encode() for i in range(129)}
    want_z = [(f"m{i}".encode(), float(i)) for i in range(129)]
    assert c.hgetall("h") == want_h and c.zrange("z", 0, -1, withscores=True) == want_z
    e.kill9()
    e.start()
    c = e.client()
    assert c.hgetall("h") == want_h and c.zrange("z", 0, -1, withscores=True) == want_z
    assert c.zrank("z", "m100") == 100 and c.zrevrank("z", "m100") == 28
    assert e.stop() == 0


def test_touch_and_shutdown_like_redis(tmp_path):
    from strongbox_harness import RawConnection, RedisServer
    e = Engine(tmp_path / "data").start()
    r = RedisServer(tmp_path / "redis").start()
    try:
        for c in (e.client(), r.client()):
            c.set("a", "1")
            c.rpush("l", "x")
        for cmd in [("TOUCH", "a", "l", "missing", "a"), ("TOUCH",), ("SHUTDOWN", "ABORT"),
                    ("SHUTDOWN", "NOSAVE", "SAVE"), ("SHUTDOWN", "ABORT", "NOW"),
                    ("SHUTDOWN", "BOGUS"), ("SHUTDOWN", "NOW", "FORCE", "ABORT")]:
            replies = []
            for c in (e.client(), r.client()):
                try:
                    replies.append(c.execute_command(*cmd))
                except redis.ResponseError as err:
                    replies.append(str(err))
            assert replies[0] == replies[1], cmd
        for server in (e, r):  # SHUTDOWN refused inside MULTI, and the transaction fails
            conn = RawConnection(server.port)
            conn.send(("MULTI",), ("SET", "t", "1"), ("SHUTDOWN",), ("EXEC",))
            replies.append([conn.read_reply() for _ in range(4)])
            conn.close()
        assert replies[-1] == replies[-2] and replies[-1][2][1].startswith("ERR Command not")
        c = e.client()
        c.set("after", "2")
        with pytest.raises(redis.ConnectionError):
            c.execute_command("SHUTDOWN", "NOW")  # no reply: the connection closes
        assert e.proc.wait(30) == 0
        assert "SHUTDOWN asked by a client" in e.output()
        e.proc = None
        e.start()
        assert e.client().get("after") == b"2"
    finally:
        r.stop()
        assert e.stop() == 0
