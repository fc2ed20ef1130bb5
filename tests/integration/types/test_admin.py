"""The admin surface tools use: COPY across types and databases, OBJECT, MEMORY USAGE,
CONFIG SET/GET of encoding thresholds (unknown parameters rejected), FUNCTION/SCRIPT FLUSH."""
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
    assert c.config_set("hash-max-listpack-entries", 256)
    assert c.config_get("hash-max-listpack-entries") == {"hash-max-listpack-entries": "256"}
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
