"""HSCAN/SSCAN/ZSCAN over big collections: COUNT bounds what a call returns (the work of a call
is proportional to COUNT, not to the collection), cursors stay below 2^53 (exact in a
JavaScript number: node-redis v4 reads them as numbers), and a full scan returns every member
present for its whole duration while others are added and removed (the table grows and
shrinks between calls). Small collections: same replies as Debian's redis-server."""
import pytest

from strongbox_harness import Engine, RedisServer, SANITIZED, raw_reply

MEMBERS = 20_000 if SANITIZED else 200_000
JS_SAFE = 2**53
BATCH = 1000


@pytest.fixture
def engine(tmp_path):
    e = Engine(tmp_path / "data").start()
    yield e
    assert e.stop() == 0, "the engine must shut down cleanly (seal, exit 0)"


# Per type: the command adding a batch of members, removing some, and scanning.
KINDS = {
    "set": ("SADD", "SREM", "SSCAN"),
    "hash": ("HSET", "HDEL", "HSCAN"),
    "zset": ("ZADD", "ZREM", "ZSCAN"),
}


def add_args(kind, names):
    if kind == "set":
        return list(names)
    if kind == "hash":
        return [x for n in names for x in (n, "v")]
    return [x for i, n in enumerate(names) for x in (str(i), n)]


def add(client, kind, key, names):
    pipe = client.pipeline(transaction=False)
    for lo in range(0, len(names), BATCH):
        pipe.execute_command(KINDS[kind][0], key, *add_args(kind, names[lo : lo + BATCH]))
    pipe.execute()


def remove(client, kind, key, names):
    if names:
        client.execute_command(KINDS[kind][1], key, *names)


def scan(client, kind, key, cursor, count):
    """One call: the next cursor and the member names it returned (scores/values dropped)."""
    # raw_reply: redis-py's own callbacks would turn HSCAN's reply into a dict.
    next_cursor, items = raw_reply(client, KINDS[kind][2], key, cursor, "COUNT", count)
    names = items if kind == "set" else items[::2]
    return int(next_cursor), names


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_count_bounds_each_call_and_cursors_fit_javascript(engine, kind):
    c = engine.client()
    names = [f"m:{i}" for i in range(MEMBERS)]
    add(c, kind, "big", names)
    cursor, calls, returned = 0, 0, []
    while True:
        cursor, got = scan(c, kind, "big", cursor, 10)
        calls += 1
        returned.extend(got)
        # A bucket's chain may run past COUNT; never a large share of the collection.
        assert len(got) <= 30, f"{KINDS[kind][2]} COUNT 10 returned {len(got)} members"
        assert 0 <= cursor < JS_SAFE
        if cursor == 0:
            break
        assert calls <= MEMBERS, "the scan must end"
    # Nothing changed meanwhile: each member exactly once.
    assert len(returned) == MEMBERS
    assert set(returned) == {n.encode() for n in names}
    assert len(returned) / calls <= 20, f"{len(returned) / calls:.1f} members per call"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_full_scan_sees_every_member_while_others_come_and_go(engine, kind):
    c = engine.client()
    add(c, kind, "big", [f"stable:{i}" for i in range(MEMBERS)])
    seen = set()
    cursor, calls, added, removed, size_max = None, 0, 0, 0, 0
    size_cmd = {"set": "SCARD", "hash": "HLEN", "zset": "ZCARD"}[kind]
    while cursor != 0:
        cursor, got = scan(c, kind, "big", cursor or 0, 100)
        assert 0 <= cursor < JS_SAFE
        assert len(got) <= 300
        seen.update(got)
        calls += 1
        # Growing first (a resize runs during the scan), then shrinking back: churn members
        # come 200 a call, then go 400 a call.
        growing = calls <= MEMBERS // 200
        if growing:
            add(c, kind, "big", [f"churn:{added + i}" for i in range(200)])
            added += 200
        upto = removed if growing else min(added, removed + 400)
        remove(c, kind, "big", [f"churn:{i}" for i in range(removed, upto)])
        removed = upto
        size_max = max(size_max, c.execute_command(size_cmd, "big"))
    missed = MEMBERS - sum(1 for m in seen if m.startswith(b"stable:"))
    assert missed == 0, f"{missed} members present for the whole scan were not returned"
    assert size_max > MEMBERS * 1.4, "the collection should have grown during the scan"
    assert calls > MEMBERS // 300


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


SMALL = [
    ("HSET", "h", "f1", "a", "f2", "b", "other", "c", "f3", "d"),
    ("ZADD", "z", "3", "c", "1", "a", "2.5", "b", "-1", "neg"),
    ("SADD", "s", "x", "y", "zz", "w"),
    ("SADD", "ints", "3", "1", "2"),
    ("SET", "str", "v"),
]

# Packed hashes and sorted sets come whole with cursor 0, in the same order as Redis's
# listpacks, whatever cursor and COUNT say; errors have Redis's text.
SAME_REPLY = [
    ("HSCAN", "h", "0"),
    ("HSCAN", "h", "0", "COUNT", "1"),
    ("HSCAN", "h", "17", "COUNT", "2"),
    ("HSCAN", "h", "0", "MATCH", "f*"),
    ("HSCAN", "h", "0", "MATCH", "nothing"),
    ("ZSCAN", "z", "0"),
    ("ZSCAN", "z", "0", "COUNT", "1"),
    ("ZSCAN", "z", "5"),
    ("ZSCAN", "z", "0", "MATCH", "[ab]"),
    ("HSCAN", "missing", "0"),
    ("SSCAN", "missing", "0"),
    ("ZSCAN", "missing", "0"),
    ("SSCAN", "s", "0", "MATCH", "nothing"),
    ("HSCAN", "str", "0"),
    ("SSCAN", "h", "0"),
    ("ZSCAN", "s", "0"),
    ("HSCAN", "h", "x"),
    ("SSCAN", "s", "0", "COUNT", "0"),
    ("ZSCAN", "z", "0", "COUNT", "x"),
    ("HSCAN", "h", "0", "NOPE", "1"),
    ("SSCAN", "s", "0", "TYPE", "string"),
]

# Small sets: the same members in one call with cursor 0; the order is the hash table's.
SAME_MEMBERS = [
    ("SSCAN", "s", "0"),
    ("SSCAN", "s", "0", "MATCH", "?"),
    ("SSCAN", "ints", "0"),
    ("SSCAN", "ints", "0", "COUNT", "1"),
]


def test_small_collections_reply_as_redis(engine, redis_server):
    ec, rc = engine.client(), redis_server.client()
    for cmd in SMALL:
        assert raw_reply(ec, *cmd) == raw_reply(rc, *cmd)
    for cmd in SAME_REPLY:
        got, want = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"
    for cmd in SAME_MEMBERS:
        (got_cursor, got), (want_cursor, want) = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        assert (got_cursor, sorted(got)) == (want_cursor, sorted(want)), cmd
        assert got_cursor == b"0"
