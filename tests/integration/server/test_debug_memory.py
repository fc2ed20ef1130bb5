"""DEBUG SLEEP / OBJECT / HELP and MEMORY STATS / DOCTOR / MALLOC-STATS / HELP: Redis's line
formats and field names, the engine's figures; MEMORY HELP and errors as redis-server 7.0."""
import re
import time

import pytest
import redis

from strongbox_harness import raw_reply


def test_debug_object_line(engine):
    c = engine.client()
    c.set("k", "vvv")
    line = raw_reply(c, "DEBUG", "OBJECT", "k")
    assert re.fullmatch(rb"Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:3 "
                        rb"lru:[0-9]+ lru_seconds_idle:[0-9]+", line), line
    assert raw_reply(c, "DEBUG", "OBJECT", "missing") == ("error", "no such key")
    assert raw_reply(c, "DEBUG", "nope")[0] == "error"
    assert any(b"SLEEP" in line for line in raw_reply(c, "DEBUG", "HELP"))


def test_debug_sleep_stops_the_server(engine):
    c, other = engine.client(), engine.client(socket_timeout=0.2)
    other.ping()
    c.execute_command("DEBUG", "SLEEP", "0")  # a bad or zero time sleeps not at all
    import threading
    t = threading.Thread(target=lambda: c.execute_command("DEBUG", "SLEEP", "1.5"))
    t.start()
    time.sleep(0.3)
    with pytest.raises(redis.TimeoutError):
        other.ping()  # the loop is asleep: no reply within 0.2 s
    t.join()


def test_memory_stats_fields(engine):
    c = engine.client()
    c.set("a", "1")
    c.execute_command("SELECT", 3)
    c.set("b", "2")
    raw = raw_reply(c, "MEMORY", "STATS")
    stats = dict(zip(raw[::2], raw[1::2]))
    for field in (b"peak.allocated", b"total.allocated", b"keys.count", b"dataset.bytes",
                  b"overhead.total", b"fragmentation", b"db.0", b"db.3"):
        assert field in stats
    assert stats[b"keys.count"] == 2 and stats[b"total.allocated"] > 0
    assert b"This instance" in raw_reply(c, "MEMORY", "DOCTOR") or \
        b"Allocated" in raw_reply(c, "MEMORY", "DOCTOR")
    assert b"<malloc" in raw_reply(c, "MEMORY", "MALLOC-STATS")


def test_memory_help_and_errors_match_redis(engine_and_redis):
    e, r = engine_and_redis
    for cmd in [("MEMORY", "USAGE"), ("MEMORY", "foo"), ("MEMORY", "STATS", "x")]:
        assert raw_reply(e.client(), *cmd) == raw_reply(r.client(), *cmd), cmd
    mine = raw_reply(e.client(), "MEMORY", "HELP")
    theirs = raw_reply(r.client(), "MEMORY", "HELP")
    assert [line for line in theirs if b"PURGE" not in line and b"dirty pages" not in line] \
        == mine
