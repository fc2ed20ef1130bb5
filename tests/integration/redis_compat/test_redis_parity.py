"""Differential tests: the same commands against the engine and Debian's redis-server, reply
by reply (raw RESP, errors included). Covers the sorted-set algebra (ZUNION/ZINTER/ZDIFF and
their STORE forms, WEIGHTS, AGGREGATE, set inputs, ±inf), ZRANGESTORE and LMPOP/BLMPOP."""
import threading

import pytest

from strongbox_harness import Engine, dump, raw_reply, replies_match, wait_for


run_both = replies_match


SETUP = [
    ("ZADD", "a", "1", "x", "2", "y", "3", "z"),
    ("ZADD", "b", "10", "y", "20", "z", "30", "w"),
    ("ZADD", "c", "+inf", "x", "-inf", "y"),
    ("SADD", "s", "x", "w", "q"),
    ("SET", "str", "v"),
]

ALGEBRA = [
    ("ZUNION", "2", "a", "b"),
    ("ZUNION", "2", "a", "b", "WITHSCORES"),
    ("ZUNION", "3", "a", "b", "s", "WEIGHTS", "2", "0.5", "7", "WITHSCORES"),
    ("ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"),
    ("ZUNION", "2", "a", "b", "AGGREGATE", "max", "WITHSCORES"),
    ("ZUNION", "2", "a", "c", "WITHSCORES"),
    ("ZUNION", "2", "c", "c", "WEIGHTS", "1", "-1", "WITHSCORES"),  # inf + -inf = 0
    ("ZUNION", "1", "c", "WEIGHTS", "0", "WITHSCORES"),  # 0 * inf = 0
    ("ZINTER", "2", "a", "b", "WITHSCORES"),
    ("ZINTER", "3", "a", "b", "s"),
    ("ZINTER", "2", "a", "missing"),
    ("ZINTER", "2", "a", "b", "WEIGHTS", "1", "2", "AGGREGATE", "MAX", "WITHSCORES"),
    ("ZDIFF", "2", "a", "b", "WITHSCORES"),
    ("ZDIFF", "3", "a", "b", "s"),
    ("ZDIFF", "1", "missing"),
    ("ZUNIONSTORE", "u", "2", "a", "b", "WEIGHTS", "1", "3"),
    ("ZRANGE", "u", "0", "-1", "WITHSCORES"),
    ("ZINTERSTORE", "i", "2", "a", "s"),
    ("ZRANGE", "i", "0", "-1", "WITHSCORES"),
    ("ZDIFFSTORE", "d", "2", "a", "b"),
    ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
    ("ZINTERSTORE", "u", "2", "a", "missing"),  # empty result deletes the destination
    ("EXISTS", "u"),
    ("ZUNIONSTORE", "a", "2", "a", "b"),  # destination among the inputs
    ("ZRANGE", "a", "0", "-1", "WITHSCORES"),
    # errors
    ("ZUNION", "0", "a"),
    ("ZUNIONSTORE", "u", "0", "a"),
    ("ZUNION", "x", "a"),
    ("ZUNION", "3", "a", "b"),
    ("ZUNION", "2", "a", "b", "WEIGHTS", "1"),
    ("ZUNION", "2", "a", "b", "WEIGHTS", "1", "nan?"),
    ("ZUNION", "2", "a", "b", "AGGREGATE", "avg"),
    ("ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1"),
    ("ZUNIONSTORE", "u", "2", "a", "b", "WITHSCORES"),
    ("ZUNION", "2", "a", "str"),
    ("ZINTERSTORE", "u", "2", "str", "a"),
]

RANGESTORE = [
    ("ZADD", "src", "1", "a", "2", "b", "3", "c", "4", "d", "0", "e"),
    ("ZRANGESTORE", "dst", "src", "1", "2"),
    ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "src", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2"),
    ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "src", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"),
    ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
    ("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d"),  # BYLEX needs equal scores
    ("ZRANGESTORE", "dst", "lex", "[a", "(c", "BYLEX"),
    ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "lex", "+", "-", "BYLEX", "REV", "LIMIT", "1", "2"),
    ("ZRANGE", "dst", "0", "-1"),
    ("ZRANGESTORE", "dst", "src", "5", "9"),
    ("EXISTS", "dst"),
    ("ZRANGESTORE", "dst", "src", "0", "1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "src", "0", "1", "LIMIT", "0", "1"),
    ("SET", "plain", "v"),
    ("ZRANGESTORE", "dst", "plain", "0", "1"),
    ("ZRANGESTORE", "plain", "src", "0", "0"),  # a non-zset destination is replaced
    ("TYPE", "plain"),
]

LMPOP = [
    ("RPUSH", "l1", "a", "b", "c"),
    ("RPUSH", "l2", "x"),
    ("LMPOP", "2", "empty", "l1", "LEFT"),
    ("LMPOP", "2", "empty", "l1", "RIGHT", "COUNT", "5"),
    ("EXISTS", "l1"),
    ("LMPOP", "2", "l1", "l2", "left", "count", "1"),
    ("LMPOP", "1", "l2", "LEFT"),
    ("LMPOP", "0", "l2", "LEFT"),
    ("LMPOP", "x", "l2", "LEFT"),
    ("LMPOP", "3", "l2", "LEFT"),
    ("LMPOP", "1", "l2", "UP"),
    ("LMPOP", "1", "l2", "LEFT", "COUNT", "0"),
    ("LMPOP", "1", "l2", "LEFT", "COUNT", "1", "COUNT", "2"),
    ("SET", "str", "v"),
    ("LMPOP", "2", "missing", "str", "LEFT"),
    ("RPUSH", "l3", "1", "2"),
    ("BLMPOP", "0.1", "1", "l3", "RIGHT", "COUNT", "3"),
    ("BLMPOP", "-1", "1", "l3", "RIGHT"),
    ("BLMPOP", "abc", "1", "l3", "RIGHT"),
    ("BLMPOP", "0.05", "1", "l3", "RIGHT"),
]


@pytest.mark.parametrize("script", [SETUP + ALGEBRA, RANGESTORE, LMPOP],
                         ids=["zset-algebra", "zrangestore", "lmpop"])
def test_same_replies_as_redis(pair, script):
    run_both(pair, script)


def test_store_results_survive_kill9(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    for cmd in SETUP + ALGEBRA + RANGESTORE:
        raw_reply(c, *cmd)
    c.execute_command("ZADD", "ttl", "1", "m")
    c.execute_command("PEXPIRE", "ttl", "600000")
    c.execute_command("ZUNIONSTORE", "ttl", "1", "b")  # STORE clears the old TTL
    assert c.ttl("ttl") == -1
    before = dump(c)
    e.kill9()
    e.start()
    assert dump(e.client()) == before
    e.stop()


def test_blmpop_woken_by_push_and_logged(tmp_path):
    e = Engine(tmp_path / "data").start()
    waiter = e.client()
    result = {}
    t = threading.Thread(target=lambda: result.update(
        v=waiter.execute_command("BLMPOP", "20", "2", "q1", "q2", "LEFT", "COUNT", "2")))
    t.start()
    wait_for(lambda: e.client().info("clients")["blocked_clients"] == 1, 60, "BLMPOP to block")
    e.client().rpush("q2", "j1", "j2", "j3")
    t.join(60)
    assert result["v"] == [b"q2", [b"j1", b"j2"]]
    assert e.client().execute_command("BLMPOP", "0.1", "1", "q1", "LEFT") is None
    e.kill9()
    e.start()
    assert e.client().lrange("q2", 0, -1) == [b"j3"]
    e.stop()


def test_blmpop_in_multi_does_not_block(tmp_path):
    e = Engine(tmp_path / "data").start()
    p = e.client().pipeline(transaction=True)
    p.execute_command("BLMPOP", "0", "1", "nothing", "LEFT")
    assert p.execute() == [None]
    e.stop()
