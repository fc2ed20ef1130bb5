"""Sets through redis-py: semantics, WRONGTYPE, empty-key deletion, SPOP logged as its effect
(the same members are gone after a restart)."""
import pytest
import redis

from strongbox_harness import Engine


def test_set_commands(engine):
    c = engine.client()
    assert c.sadd("a", "1", "2", "3", "3") == 3
    assert c.sadd("b", "2", "3", "4") == 3
    assert c.smembers("a") == {b"1", b"2", b"3"}
    assert c.sismember("a", "1") and not c.sismember("a", "9")
    assert c.smismember("a", ["1", "9"]) == [1, 0]
    assert c.scard("a") == 3
    assert c.sinter("a", "b") == {b"2", b"3"}
    assert c.sunion("a", "b") == {b"1", b"2", b"3", b"4"}
    assert c.sdiff("a", "b") == {b"1"}
    assert c.sinterstore("i", ["a", "b"]) == 2 and c.smembers("i") == {b"2", b"3"}
    assert c.sdiffstore("d", ["a", "b", "i"]) == 1
    assert c.sunionstore("u", ["a", "nope"]) == 3
    assert c.sinterstore("empty", ["a", "nope"]) == 0 and c.exists("empty") == 0
    assert c.execute_command("SINTERCARD", 2, "a", "b") == 2
    assert c.execute_command("SINTERCARD", 2, "a", "b", "LIMIT", 1) == 1
    assert c.smove("a", "b", "1") is True and c.sismember("b", "1")
    assert c.smove("a", "b", "zz") is False
    assert c.srem("a", "2", "3", "x") == 2 and c.exists("a") == 0
    assert c.srandmember("b") in {b"1", b"2", b"3", b"4"}
    assert len(c.srandmember("b", -10)) == 10 and len(c.srandmember("b", 10)) == 4
    c.sadd("big", *range(200))
    assert len(set(c.sscan_iter("big", count=7))) == 200
    c.set("s", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.sadd("s", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.sinter("b", "s")
    assert c.type("b") == b"set"


def test_spop_is_logged_as_the_members_it_removed(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    c.sadd("pool", *range(50))
    popped = set(c.spop("pool", 7)) | {c.spop("pool")}
    before = c.smembers("pool")
    assert len(before) == 42 and not (popped & before)
    e.kill9()
    e.start()
    assert e.client().smembers("pool") == before
    e.stop()
