"""Lists through redis-py: semantics, WRONGTYPE, empty-key deletion, blocking pops woken by a
push, by a timeout, inside MULTI/EXEC, and durability of queue operations across kill -9."""
import threading
import time

import pytest
import redis

from strongbox_harness import Engine, wait_for


def blocked_clients(engine):
    return engine.client().info("clients")["blocked_clients"]


def test_list_commands(engine):
    c = engine.client()
    assert c.rpush("l", "a", "b", "c") == 3
    assert c.lpush("l", "z") == 4
    assert c.lrange("l", 0, -1) == [b"z", b"a", b"b", b"c"]
    assert c.lrange("l", -2, 100) == [b"b", b"c"]
    assert c.lindex("l", -1) == b"c" and c.lindex("l", 9) is None
    assert c.lset("l", 1, "A") and c.lindex("l", 1) == b"A"
    with pytest.raises(redis.ResponseError, match="index out of range"):
        c.lset("l", 10, "x")
    assert c.linsert("l", "after", "A", "mid") == 5
    assert c.linsert("l", "before", "nope", "x") == -1
    assert c.lpos("l", "mid") == 2
    c.rpush("l", "A")
    assert c.lpos("l", "A", rank=-1) == 5
    assert c.lpos("l", "A", count=0) == [1, 5]
    assert c.lrem("l", 1, "A") == 1
    assert c.ltrim("l", 1, -2) and c.lrange("l", 0, -1) == [b"mid", b"b", b"c"]
    assert c.lpop("l") == b"mid" and c.rpop("l", 5) == [b"c", b"b"]
    assert c.exists("l") == 0, "a list popped empty disappears"
    assert c.lpop("l") is None and c.llen("l") == 0
    assert c.lpushx("l", "x") == 0 and c.exists("l") == 0
    c.rpush("src", 1, 2, 3)
    assert c.lmove("src", "dst", "LEFT", "RIGHT") == b"1"
    assert c.rpoplpush("src", "dst") == b"3"
    assert c.lrange("dst", 0, -1) == [b"3", b"1"]
    c.set("str", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.lpush("str", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.lrange("str", 0, 1)
    assert c.type("dst") == b"list"


def test_blpop_woken_by_a_push_from_another_client(engine):
    waiter, pusher = engine.client(), engine.client()
    result = {}
    t = threading.Thread(target=lambda: result.update(v=waiter.blpop(["q1", "q2"], 20)))
    t.start()
    wait_for(lambda: blocked_clients(engine) == 1, 60, "BLPOP to block")
    pusher.rpush("q2", "job")
    t.join(60)
    assert result["v"] == (b"q2", b"job")
    assert pusher.exists("q2") == 0


def test_blocking_pop_timeout_and_fifo_order(engine):
    c = engine.client()
    start = time.time()
    assert c.brpop(["empty"], 0.3) is None
    assert 0.25 <= time.time() - start < 30  # returns at the timeout, never hangs
    got = []
    clients = [engine.client() for _ in range(3)]
    threads = []
    for i, cl in enumerate(clients):
        th = threading.Thread(
            target=lambda cl=cl, i=i: got.append((i, cl.blpop(["fifo"], 20))))
        th.start()
        threads.append(th)
        # The order of blocking is the order of serving: wait until this one is parked.
        wait_for(lambda: blocked_clients(engine) == i + 1, 60, f"client {i} to block")
    c.rpush("fifo", "a", "b", "c")
    for th in threads:
        th.join(60)
    assert sorted(got) == [(0, (b"fifo", b"a")), (1, (b"fifo", b"b")), (2, (b"fifo", b"c"))]


def test_blocking_pop_inside_multi_does_not_block(engine):
    c = engine.client()
    p = c.pipeline(transaction=True)
    p.blpop(["nothing"], 10).rpush("x", 1).blpop(["x"], 10)
    start = time.time()
    assert p.execute() == [None, 1, (b"x", b"1")]
    assert time.time() - start < 9  # far below the 10 s a block would take


def test_queue_operations_survive_kill9(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    c.rpush("jobs", *[f"job{i}" for i in range(100)])
    popped = [c.lpop("jobs") for _ in range(30)]
    waiter = e.client()
    result = {}
    t = threading.Thread(target=lambda: result.update(v=waiter.blmove("empty", "done", 20,
                                                                      "LEFT", "RIGHT")))
    t.start()
    wait_for(lambda: blocked_clients(e) == 1, 60, "BLMOVE to block")
    c.rpush("empty", "moved")
    t.join(60)
    assert result["v"] == b"moved"
    e.kill9()
    e.start()
    c = e.client()
    assert c.lrange("jobs", 0, -1) == [f"job{i}".encode() for i in range(30, 100)]
    assert popped[0] == b"job0"
    assert c.lrange("done", 0, -1) == [b"moved"] and c.exists("empty") == 0
    e.stop()
