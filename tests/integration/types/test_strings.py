"""Strings through redis-py: SET flags, APPEND/GETRANGE/SETRANGE, INCR family, MSET/MGET,
GETDEL, WRONGTYPE."""
import pytest
import redis


def test_strings(engine):
    c = engine.client()
    assert c.set("s", "v") is True
    assert c.set("s", "w", nx=True) is None
    assert c.set("s", "w", xx=True, get=True) == b"v"
    assert c.get("s") == b"w"
    assert c.append("s", "xyz") == 4
    assert c.getrange("s", 1, -1) == b"xyz"
    assert c.setrange("s", 6, "!") == 7 and c.get("s") == b"wxyz\x00\x00!"
    assert c.incrby("n", 5) == 5 and c.decr("n") == 4
    assert c.incrbyfloat("f", "10.5") == 10.5
    assert c.incrbyfloat("f", "0.1") == pytest.approx(10.6)
    assert c.get("f") == b"10.6"
    with pytest.raises(redis.ResponseError, match="not an integer"):
        c.incr("s")
    assert c.mset({"a": 1, "b": 2}) and c.mget("a", "b", "zz") == [b"1", b"2", None]
    assert c.msetnx({"a": 3, "c": 4}) is False
    assert c.getdel("a") == b"1" and c.get("a") is None
    assert c.strlen("b") == 1
    c.hset("h", "f", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.get("h")
