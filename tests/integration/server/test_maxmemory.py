"""maxmemory and its eviction policies: noeviction refuses writes with Redis's error (reads and
DEL still work), each policy keeps used_memory near the limit while three times as much is
written and evicts only what it may, evictions survive kill -9 as the DELs they were logged as,
and CONFIG / OBJECT FREQ / IDLETIME answer as redis-server does."""
import time

import pytest
import redis

from strongbox_harness import Engine, raw_reply, replies_match

VALUE = b"v" * 1000
LIMIT_BYTES = 4 << 20  # over what the idle engine uses
SLACK_BYTES = 1 << 20  # records in flight, client buffers, allocator granularity
OOM = "OOM command not allowed when used memory > 'maxmemory'."


def used_memory(c):
    return c.info("memory")["used_memory"]


def limit_engine(c, policy):
    """Sets the policy and a maxmemory LIMIT_BYTES above what the engine uses now."""
    c.config_set("maxmemory-policy", policy)
    limit = used_memory(c) + LIMIT_BYTES
    c.config_set("maxmemory", limit)
    return limit


def write(c, prefix, count, ex=None):
    """SETs count keys of 1000 bytes in pipelined batches; returns how many were refused."""
    refused = 0
    for start in range(0, count, 100):
        p = c.pipeline(transaction=False)
        for i in range(start, min(start + 100, count)):
            p.set(f"{prefix}:{i}", VALUE, ex=ex)
        for reply in p.execute(raise_on_error=False):
            if isinstance(reply, redis.ResponseError):
                assert str(reply) == OOM
                refused += 1
    return refused


def test_noeviction_refuses_writes_like_redis(engine_and_redis):
    script = [
        ("SET", "a", "1"), ("RPUSH", "l", "x"),
        ("CONFIG", "SET", "maxmemory", "1"),  # far below what either uses
        ("MULTI",), ("GET", "a"), ("EXEC",),  # a queue that cannot grow memory runs
        ("SET", "b", "2"), ("INCR", "a"), ("RPUSH", "l", "y"), ("APPEND", "a", "z"),
        ("EVAL", "return redis.call('get', 'a')", "0"),
        ("EVAL", "return redis.call('set', 'a', '2')", "0"),
        ("GET", "a"), ("LRANGE", "l", "0", "-1"), ("EXISTS", "a", "b"),
        ("MULTI",), ("SET", "c", "3"), ("GET", "a"), ("EXEC",),
        ("DEL", "a"), ("UNLINK", "l"), ("EXPIRE", "missing", "10"), ("GET", "a"),
        ("CONFIG", "SET", "maxmemory", "0"), ("SET", "b", "2"),
    ]
    replies_match(engine_and_redis, script)


def test_exec_aborts_a_queue_that_may_grow_memory_like_redis(engine_and_redis):
    replies = []
    for server in engine_and_redis:
        queuing, admin = server.client(), server.client()
        got = [raw_reply(queuing, *cmd) for cmd in [("MULTI",), ("SET", "q", "1"), ("GET", "q")]]
        raw_reply(admin, "CONFIG", "SET", "maxmemory", "1")
        got += [raw_reply(queuing, "EXEC"), raw_reply(queuing, "EXISTS", "q")]
        raw_reply(admin, "CONFIG", "SET", "maxmemory", "0")
        replies.append(got)
    assert replies[0] == replies[1]
    assert replies[0][3] == ("error", "Transaction discarded because of: " + OOM)


def test_config_and_object_freq_idletime_like_redis(engine_and_redis):
    script = [
        ("CONFIG", "SET", "maxmemory", "100mb"), ("CONFIG", "GET", "maxmemory"),
        ("CONFIG", "SET", "maxmemory", "2GB"), ("CONFIG", "GET", "maxmemory"),
        ("CONFIG", "SET", "maxmemory", "lots"),
        ("CONFIG", "SET", "maxmemory-policy", "everything"),
        ("CONFIG", "SET", "maxmemory-samples", "0"),
        ("CONFIG", "SET", "maxmemory-samples", "ten"),
        ("CONFIG", "SET", "maxmemory-samples", "10"), ("CONFIG", "GET", "maxmemory-samples"),
        ("CONFIG", "GET", "maxmemory-policy"),
        ("SET", "k", "v"), ("OBJECT", "FREQ", "k"), ("OBJECT", "FREQ", "missing"),
    ]
    ec, rc = replies_match(engine_and_redis, script)
    for c in (ec, rc):  # just written: idle for less than a second or two
        assert 0 <= raw_reply(c, "OBJECT", "IDLETIME", "k") <= 1
    script = [
        ("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"), ("CONFIG", "GET", "maxmemory-policy"),
        ("SET", "n", "v"), ("OBJECT", "FREQ", "n"),  # a new key starts at 5
        ("GET", "n"), ("OBJECT", "FREQ", "n"),  # at 5 every access counts
        ("OBJECT", "FREQ", "n"),  # OBJECT itself is no access
        ("OBJECT", "IDLETIME", "n"), ("OBJECT", "IDLETIME", "missing"),
        ("CONFIG", "SET", "maxmemory-policy", "volatile-lfu"), ("OBJECT", "IDLETIME", "n"),
        ("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"), ("OBJECT", "FREQ", "n"),
        ("CONFIG", "SET", "maxmemory", "0"),
    ]
    replies_match(engine_and_redis, script)


def check_within_bounds(c, limit):
    assert used_memory(c) <= limit + SLACK_BYTES
    assert c.info("stats")["evicted_keys"] > 0


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
def test_allkeys_policies_evict_within_bounds(engine, policy):
    c = engine.client()
    limit = limit_engine(c, policy)
    total = 3 * LIMIT_BYTES // len(VALUE)
    assert write(c, "k", total) == 0
    check_within_bounds(c, limit)
    assert 0 < c.dbsize() < total
    c.config_set("maxmemory", 0)


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_ttl(engine, policy):
    c = engine.client()
    limit = limit_engine(c, policy)
    persistent = LIMIT_BYTES // 4 // len(VALUE)
    assert write(c, "keep", persistent) == 0
    assert write(c, "ttl", 3 * LIMIT_BYTES // len(VALUE), ex=3600) == 0
    check_within_bounds(c, limit)
    assert all(c.exists(f"keep:{i}") for i in range(persistent))
    # Once only persistent keys are left, nothing is evictable: writes are refused.
    c.config_set("maxmemory", used_memory(c) - LIMIT_BYTES // 2)
    assert write(c, "more", LIMIT_BYTES // len(VALUE)) > 0
    assert all(c.exists(f"keep:{i}") for i in range(persistent))
    assert c.get("keep:0") == VALUE  # reads still work
    c.config_set("maxmemory", 0)


def test_volatile_ttl_evicts_the_nearest_expiries_first(engine):
    c = engine.client()
    limit = limit_engine(c, "volatile-ttl")
    count = 2 * LIMIT_BYTES // len(VALUE)
    for start in range(0, count, 100):
        p = c.pipeline(transaction=False)
        for i in range(start, min(start + 100, count)):
            p.set(f"t:{i}", VALUE, ex=10_000 + i)  # later keys expire later
        p.execute()
    check_within_bounds(c, limit)
    alive = [i for i in range(count) if c.exists(f"t:{i}")]
    assert 0 < len(alive) < count
    # What is left is exactly the latest expiries (the expiry index is ordered).
    assert alive == list(range(count - len(alive), count))
    c.config_set("maxmemory", 0)


def test_allkeys_lru_keeps_a_recently_read_hot_set(engine):
    c = engine.client()
    limit_engine(c, "allkeys-lru")
    old = LIMIT_BYTES * 3 // 4 // len(VALUE)
    assert write(c, "old", old) == 0
    assert c.info("stats")["evicted_keys"] == 0
    time.sleep(2.2)  # the LRU clock has a resolution of seconds, as Redis's
    hot = range(0, old, 10)
    for i in hot:
        assert c.get(f"old:{i}") == VALUE
    assert write(c, "new", old) == 0
    assert c.info("stats")["evicted_keys"] > len(hot)
    kept = sum(1 for i in hot if c.exists(f"old:{i}"))
    # Random eviction would keep about half of them.
    assert kept >= 0.9 * len(hot), f"only {kept} of {len(hot)} hot keys kept"
    c.config_set("maxmemory", 0)


def test_evictions_survive_kill9_as_dels(tmp_path):
    e = Engine(tmp_path / "data", "--maxmemory-policy", "allkeys-random").start()
    c = e.client()
    c.config_set("notify-keyspace-events", "Ee")
    events = c.pubsub()
    events.subscribe("__keyevent@0__:evicted")
    c.config_set("maxmemory", used_memory(c) + LIMIT_BYTES)
    assert write(c, "k", 3 * LIMIT_BYTES // len(VALUE)) == 0
    assert c.info("stats")["evicted_keys"] > 0
    evicted = [events.get_message(timeout=5) for _ in range(3)]  # subscribe confirmation first
    assert any(m and m["type"] == "message" and m["data"].startswith(b"k:") for m in evicted)
    events.close()
    before = set(c.keys("*"))
    e.kill9()
    e.start()
    assert set(e.client().keys("*")) == before
    assert e.stop() == 0


def test_maxmemory_flags_and_info(tmp_path):
    e = Engine(tmp_path / "data", "--maxmemory", "1gb", "--maxmemory-policy", "allkeys-lfu",
               "--maxmemory-samples", "7").start()
    c = e.client()
    info = c.info("memory")
    assert info["maxmemory"] == 1 << 30 and info["maxmemory_policy"] == "allkeys-lfu"
    assert info["used_memory"] > 0 and info["mem_allocator"] in ("jemalloc-5.3.0", "libc")
    assert c.config_get("maxmemory-samples") == {"maxmemory-samples": "7"}
    assert e.stop() == 0
    bad = Engine(tmp_path / "bad", "--maxmemory-policy", "lru")
    rc, out = bad.run_to_exit()
    assert rc != 0 and "--maxmemory-policy" in out
