"""Sorted sets through redis-py: ZADD flags, ranges by rank/score/lex, pops (also blocking),
double formatting and ±inf, durability of pops across kill -9."""
import threading
import time

import pytest
import redis

from strongbox_harness import Engine, RawConnection, wait_for


def test_zset_commands(engine):
    c = engine.client()
    assert c.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert c.zadd("z", {"a": 5}, nx=True) == 0 and c.zscore("z", "a") == 1.0
    assert c.zadd("z", {"a": 0.5}, gt=True, ch=True) == 0
    assert c.zadd("z", {"a": 1.5, "d": 4}, ch=True) == 2
    assert c.zadd("z", {"a": 2.5}, incr=True) == 4.0
    assert c.zincrby("z", 0.1, "b") == pytest.approx(2.1)
    raw = RawConnection(engine.port)
    raw.sock.sendall(b"ZSCORE z b\r\n")
    assert raw.read_exact(25) == b"$18\r\n2.1000000000000001\r\n"  # %.17g, like Redis 7.0
    raw.close()
    assert c.zadd("z", {"inf": "+inf", "ninf": "-inf"}) == 2
    assert c.zrange("z", 0, -1, withscores=True)[0] == (b"ninf", float("-inf"))
    assert c.zrange("z", 0, 1) == [b"ninf", b"b"]
    assert c.zrevrange("z", 0, 0) == [b"inf"]
    assert c.zrangebyscore("z", "(2.1", 4) == [b"c", b"a", b"d"]
    assert c.zrevrangebyscore("z", "+inf", 3, start=0, num=2) == [b"inf", b"d"]
    assert c.zcount("z", "-inf", "(3") == 2
    assert c.zrank("z", "c") == 2 and c.zrevrank("z", "c") == 3
    assert c.zmscore("z", ["a", "nope"]) == [4.0, None]
    assert c.zcard("z") == 6
    assert c.zpopmin("z") == [(b"ninf", float("-inf"))]
    assert c.zpopmax("z", 2) == [(b"inf", float("inf")), (b"d", 4.0)]
    assert c.zremrangebyscore("z", 0, 2.5) == 1
    assert c.zrange("z", 0, -1) == [b"c", b"a"]
    assert c.zremrangebyrank("z", 0, -1) == 2 and c.exists("z") == 0
    c.zadd("lex", {"a": 0, "b": 0, "c": 0, "d": 0})
    assert c.zrangebylex("lex", "[b", "(d") == [b"b", b"c"]
    assert c.zlexcount("lex", "-", "+") == 4
    assert c.zremrangebylex("lex", "-", "[b") == 2
    assert c.execute_command("ZRANGE", "lex", "+", "-", "BYLEX", "REV") == [b"d", b"c"]
    assert c.zrandmember("lex") in (b"c", b"d")
    c.zadd("big", {f"m{i}": i for i in range(150)})
    assert len(dict(c.zscan_iter("big", count=9))) == 150
    c.set("s", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.zadd("s", {"x": 1})
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        c.zadd("z2", {"x": "abc"})
    assert c.type("big") == b"zset"


def test_bzpopmin_woken_by_zadd(engine):
    waiter = engine.client()
    result = {}
    t = threading.Thread(target=lambda: result.update(v=waiter.bzpopmin(["pq"], 20)))
    t.start()
    wait_for(lambda: engine.client().info("clients")["blocked_clients"] == 1, 60,
             "BZPOPMIN to block")
    engine.client().zadd("pq", {"low": 1, "high": 9})
    t.join(60)
    assert result["v"] == (b"pq", b"low", 1.0)
    assert engine.client().bzpopmax(["none"], 0.2) is None


def test_zset_survives_kill9(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    c.zadd("lb", {f"p{i}": i * 1.25 for i in range(100)})
    c.zpopmin("lb", 10)
    c.zincrby("lb", 0.1, "p50")
    before = c.zrange("lb", 0, -1, withscores=True)
    e.kill9()
    e.start()
    assert e.client().zrange("lb", 0, -1, withscores=True) == before
    e.stop()
