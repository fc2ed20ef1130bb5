"""DUMP / RESTORE against Debian's redis-server 7.0: a value dumped by Redis (every type and
encoding, streams with consumer groups) restores into the engine with the same content, the
engine's payload restores into Redis, and RESTORE's errors are Redis's, byte for byte."""
import struct

from rdb_fill import add_groups, crc64, fill, value_of
from strongbox_harness import raw_reply


def keys_of(client):
    return sorted(client.scan_iter(count=1000))


def test_redis_payloads_restore_in_the_engine_and_back(pair):
    e, r = pair
    ec, rc = e.client(), r.client()
    fill(rc)
    keys = keys_of(rc)
    assert len(keys) > 15
    for key in keys:
        payload = rc.dump(key)
        ttl = max(rc.pttl(key), 0)
        assert ec.restore(key, ttl, payload) == b"OK"
        assert value_of(ec, key) == value_of(rc, key), key
        assert (ec.pttl(key) > 0) == (ttl > 0), key
        ours = ec.dump(key)
        assert rc.restore(b"back:" + key, 0, ours) == b"OK", key
        assert value_of(rc, b"back:" + key) == value_of(rc, key), key


def test_restore_survives_a_restart(pair, tmp_path):
    e, r = pair
    ec, rc = e.client(), r.client()
    rc.rpush("l", *range(100))
    rc.hset("h", mapping={"a": "b"})
    for key in ("l", "h"):
        ec.restore(key, 0, rc.dump(key))
    before = {k: value_of(ec, k) for k in (b"l", b"h")}
    assert e.stop() == 0
    e.start()
    ec = e.client()
    assert {k: value_of(ec, k) for k in (b"l", b"h")} == before


def test_restored_groups_survive_a_kill_9(pair):
    """RESTORE logs the groups as effects with the payload's times: replay after a crash
    rebuilds them exactly, and the engine's DUMP still restores into Redis with them."""
    e, r = pair
    ec, rc = e.client(), r.client()
    for i in range(1, 30):
        rc.xadd("s", {"n": str(i)}, id=f"{i}-0")
    rc.xadd("empty", {"k": "v"}, id="1-1")
    rc.xdel("empty", "1-1")
    add_groups(rc, "s", "empty")
    for key in ("s", "empty"):
        assert ec.restore(key, 0, rc.dump(key)) == b"OK"
    want = {k: value_of(rc, k) for k in (b"s", b"empty")}
    assert {k: value_of(ec, k) for k in want} == want
    e.kill9()
    e.start()
    ec = e.client()
    assert {k: value_of(ec, k) for k in want} == want
    for key in want:
        assert rc.restore(b"back:" + key, 0, ec.dump(key)) == b"OK"
        assert value_of(rc, b"back:" + key) == want[key]


def forged(body):
    """A payload with a valid footer around any body."""
    data = body + struct.pack("<H", 10)
    return data + struct.pack("<Q", crc64(data))


def test_errors_match_redis(pair):
    e, r = pair
    ec, rc = e.client(), r.client()
    for c in (ec, rc):
        c.set("exists", "x")
    good = rc.dump("exists")
    bad_crc = good[:-1] + bytes([good[-1] ^ 1])
    newer = good[:-10] + struct.pack("<H", 11) + good[-8:]
    script = [
        ("DUMP", "missing"),
        ("RESTORE", "exists", "0", good),
        ("RESTORE", "new", "abc", good),
        ("RESTORE", "new", "-1", good),
        ("RESTORE", "new", "0", bad_crc),
        ("RESTORE", "new", "0", newer),
        ("RESTORE", "new", "0", b"short"),
        ("RESTORE", "new", "0", forged(b"\x2a")),
        ("RESTORE", "new", "0", forged(b"\x02\x00")),  # an empty set
        ("RESTORE", "new", "0", forged(b"\x01\x85\x00")),  # a list cut short
        ("RESTORE", "new", "0", good, "BOGUS"),
        ("RESTORE", "new", "0", good, "IDLETIME", "-1"),
        ("RESTORE", "new", "0", good, "IDLETIME", "x"),
        ("RESTORE", "new", "0", good, "FREQ", "256"),
        ("RESTORE", "new", "0", good, "IDLETIME", "1", "FREQ", "1"),
        ("RESTORE", "new", "0", good, "IDLETIME"),
        ("RESTORE", "new", "0", good, "REPLACE", "ABSTTL", "FREQ", "3"),
        ("GET", "new"),
        ("RESTORE", "exists", "1", good, "REPLACE", "ABSTTL"),  # expired at once: deleted
        ("EXISTS", "exists"),
        ("RESTORE", "t", "100000", good),
        ("TYPE", "t"),
        ("RESTORE",),
    ]
    for cmd in script:
        got, want = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        assert got == want, f"{cmd[:2]}: engine {got!r} != redis {want!r}"
    assert 0 < ec.pttl("t") <= 100000
