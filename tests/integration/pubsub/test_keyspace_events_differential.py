"""Keyspace notifications against Debian's redis-server: the same commands on each server, and
the messages a subscriber to __key*__:* receives must be the same, in the same order, for each
notify-keyspace-events selection; CONFIG SET/GET of the parameter, canonical text and errors;
expiry by the active cycle; writes made by a script."""
import time

import pytest
import redis

from strongbox_harness import wait_for

SENTINEL = "ksn-sentinel"

# ~40 commands, each family's writes, its no-op cases (no event) and the cases where an emptied
# collection is deleted ("del" after the command's own event).
COMMANDS = [
    ("SET", "s", "1"), ("SET", "s", "2", "EX", "100"), ("SETNX", "s", "x"), ("SETNX", "s2", "x"),
    ("SETEX", "s3", "100", "v"), ("PSETEX", "s4", "100000", "v"), ("GETSET", "s", "3"),
    ("MSET", "m1", "a", "m2", "b"), ("MSETNX", "m3", "c", "m4", "d"), ("APPEND", "s", "x"),
    ("SETRANGE", "s", "1", "yy"), ("INCR", "n"), ("DECR", "n"), ("INCRBY", "n", "5"),
    ("DECRBY", "n", "2"), ("INCRBYFLOAT", "f", "1.5"), ("GETDEL", "m1"), ("GETEX", "m2", "EX", "50"),
    ("GETEX", "m2", "PERSIST"), ("GETEX", "s2", "PX", "0"),
    ("EXPIRE", "s3", "500"), ("PEXPIRE", "s3", "0"), ("EXPIRE", "missing", "5"),
    ("PERSIST", "s4"), ("PERSIST", "s4"), ("RENAME", "m3", "r1"), ("RENAMENX", "r1", "m4"),
    ("RENAME", "r1", "r1"), ("DEL", "r1", "m4", "missing"), ("UNLINK", "s"),
    ("LPUSH", "l", "a", "b", "c"), ("RPUSH", "l", "d"), ("LPUSHX", "l", "e"), ("RPUSHX", "nol", "e"),
    ("LINSERT", "l", "BEFORE", "a", "z"), ("LSET", "l", "0", "q"), ("LREM", "l", "0", "nothere"),
    ("LREM", "l", "1", "z"), ("LPOP", "l"), ("RPOP", "l", "2"), ("LMOVE", "l", "l2", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "l", "l2"), ("LTRIM", "l2", "0", "0"), ("LTRIM", "l2", "1", "0"),
    ("HSET", "h", "a", "1", "b", "2"), ("HSETNX", "h", "a", "9"), ("HSETNX", "h", "c", "3"),
    ("HINCRBY", "h", "a", "2"), ("HINCRBYFLOAT", "h", "b", "0.5"), ("HDEL", "h", "x"),
    ("HDEL", "h", "a", "b"), ("HDEL", "h", "c"), ("HMSET", "h", "d", "4"),
    ("SADD", "st", "a", "b", "c"), ("SADD", "st", "a"), ("SREM", "st", "zz"), ("SREM", "st", "a"),
    ("SMOVE", "st", "st2", "b"), ("SMOVE", "st", "st2", "c"), ("SADD", "st3", "b", "q"),
    ("SINTERSTORE", "dst", "st2", "st3"), ("SUNIONSTORE", "dst", "st2", "st3"),
    ("SDIFFSTORE", "dst", "st2", "st2"), ("SDIFFSTORE", "dst", "st2", "st2"),
    ("SPOP", "st3", "5"),
    ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"), ("ZADD", "z", "1", "a"),
    ("ZADD", "z", "INCR", "5", "a"), ("ZINCRBY", "z", "1", "b"), ("ZREM", "z", "nothere"),
    ("ZREM", "z", "c"), ("ZPOPMIN", "z"), ("ZPOPMAX", "z"), ("ZADD", "z", "1", "x", "2", "y"),
    ("ZREMRANGEBYSCORE", "z", "5", "9"), ("ZREMRANGEBYRANK", "z", "0", "0"),
    ("ZREMRANGEBYLEX", "z", "-", "+"), ("ZADD", "z1", "1", "a", "2", "b"),
    ("ZUNIONSTORE", "zd", "1", "z1"), ("ZINTERSTORE", "zd", "2", "z1", "nokey"),
    ("ZADD", "z2", "1", "a"), ("ZDIFFSTORE", "zd", "2", "z1", "z2"),
    ("ZRANGESTORE", "zd2", "z1", "0", "-1"),
    ("XADD", "x", "MAXLEN", "1", "1-0", "a", "b"), ("XADD", "x", "MAXLEN", "1", "2-0", "a", "b"),
    ("XDEL", "x", "2-0"), ("XDEL", "x", "2-0"), ("XTRIM", "x", "MAXLEN", "0"), ("XSETID", "x", "5-0"),
    ("ZREMRANGEBYRANK", "z1", "0", "-1"),
    ("FLUSHDB",),
]

SELECTIONS = ["KEA", "Kg", "E$", "Kl", "Eh", "Ks", "Ez", "KEx", "gE", "AKEn"]


def notifications(server, flags, commands):
    """Runs the commands with `flags` set; returns [(channel, data)] a subscriber received."""
    r = server.client()
    r.flushall()
    r.config_set("notify-keyspace-events", flags)
    p = r.pubsub()
    p.psubscribe("__key*__:*")
    p.subscribe(SENTINEL)
    for _ in range(2):
        p.get_message(timeout=10)
    for cmd in commands:
        try:
            r.execute_command(*cmd)
        except redis.ResponseError:
            pass
    r.publish(SENTINEL, "end")
    got = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        m = p.get_message(timeout=5)
        if m is None:
            continue
        if m["channel"] == SENTINEL.encode():
            break
        got.append((m["channel"], m["data"]))
    p.close()
    r.config_set("notify-keyspace-events", "")
    return got


@pytest.mark.parametrize("flags", SELECTIONS)
def test_command_notifications_match_redis(engine_and_redis, flags):
    e, r = engine_and_redis
    want = notifications(r, flags, COMMANDS)
    got = notifications(e, flags, COMMANDS)
    if flags == "KEA":
        assert len(want) > 100  # the sequence exercises every family
    assert got == want


# Reads of missing keys: `keymiss` for Redis's lookupKeyRead (reads, and the read side of GETDEL,
# GETEX, COPY, SORT ... BY), none for writes' lookups or OBJECT; keyspace_misses counts both.
KEY_MISS_COMMANDS = [
    ("SET", "present", "v"), ("GET", "m1"), ("GET", "present"), ("MGET", "m2", "present", "m3"),
    ("EXISTS", "m4"), ("TOUCH", "m5", "present"), ("TYPE", "m6"), ("TTL", "m7"), ("PTTL", "m8"),
    ("HGET", "m9", "f"), ("LRANGE", "m10", "0", "-1"), ("SMEMBERS", "m11"), ("ZSCORE", "m12", "x"),
    ("XRANGE", "m13", "-", "+"), ("STRLEN", "m14"), ("DUMP", "m15"),
    ("INCR", "m17"), ("GETDEL", "m18"), ("GETEX", "m19", "PERSIST"), ("LCS", "m20", "present"),
    ("EXPIRE", "m21", "10"), ("SUNION", "m22", "m23"), ("LPOP", "m24"), ("SORT", "m25"),
    ("PFCOUNT", "m26"), ("GETBIT", "m27", "0"), ("COPY", "m28", "m29"), ("RENAME", "m30", "m31"),
    ("GEOPOS", "m32", "a"), ("LINDEX", "m33", "0"), ("SET", "m34", "v", "GET"),
]


def test_keymiss_and_keyspace_misses_match_redis(engine_and_redis):
    got_want = []
    for server in engine_and_redis:
        c = server.client()
        c.config_resetstat()
        events = notifications(server, "Em", KEY_MISS_COMMANDS)
        assert c.object("encoding", "m16") is None  # a miss without keymiss
        stats = c.info("stats")
        got_want.append((events, stats["keyspace_hits"], stats["keyspace_misses"]))
    assert len(got_want[1][0]) > 20
    assert got_want[0] == got_want[1]


def test_nothing_is_published_when_disabled(engine):
    assert notifications(engine, "", COMMANDS) == []


def test_script_writes_notify_like_commands(engine_and_redis):
    script = ("redis.call('SET', KEYS[1], 'v') redis.call('LPUSH', KEYS[2], 'a') "
              "redis.call('LPOP', KEYS[2]) return 1")
    cmds = [("EVAL", script, "2", "k", "lst")]
    e, r = engine_and_redis
    assert notifications(e, "KEA", cmds) == notifications(r, "KEA", cmds)


def test_active_expiry_publishes_expired(engine_and_redis):
    for server in engine_and_redis:
        c = server.client()
        c.config_set("notify-keyspace-events", "Ex")
        p = c.pubsub()
        p.subscribe("__keyevent@0__:expired")
        p.get_message(timeout=10)
        c.set("gone", "1", px=50)
        c.set("stays", "1")
        messages = []
        wait_for(lambda: (m := p.get_message(timeout=1)) is not None and
                 messages.append((m["channel"], m["data"])) is None, timeout=20,
                 what="the expired event")
        assert messages == [(b"__keyevent@0__:expired", b"gone")]
        p.close()


CONFIG_VALUES = ["", "A", "KEA", "AKE", "gKE", "Kg$lshzxetd", "KEg$lshzxetdmn", "KEAmn", "An",
                 "E", "lK", "Em", "mn", "xxK", "t", "d", "e"]


@pytest.mark.parametrize("value", CONFIG_VALUES)
def test_config_get_canonical_text_matches_redis(engine_and_redis, value):
    answers = []
    for server in engine_and_redis:
        c = server.client()
        c.config_set("notify-keyspace-events", value)
        answers.append(c.config_get("notify-keyspace-events"))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("value", ["KEQ", "?", "K E", "a"])
def test_config_set_errors_match_redis(engine_and_redis, value):
    errors = []
    for server in engine_and_redis:
        c = server.client()
        with pytest.raises(redis.ResponseError) as err:
            c.execute_command("CONFIG", "SET", "notify-keyspace-events", value)
        errors.append(str(err.value))
        assert c.config_get("notify-keyspace-events") == {"notify-keyspace-events": ""}
    assert errors[0] == errors[1]
