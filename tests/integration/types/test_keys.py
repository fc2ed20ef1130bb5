"""Generic key commands: expiry (EXPIRE GT, TTL/PTTL, PERSIST, EXPIREAT in the past, lazy
expiry), KEYS/SCAN with MATCH and TYPE, RENAME, TYPE, RANDOMKEY, DEL."""
import time

import pytest
import redis


def test_expiry(engine):
    c = engine.client()
    # Long enough that the key cannot expire between two commands on a loaded machine.
    c.set("e", "v", px=60000)
    assert 0 < c.pttl("e") <= 60000
    assert c.expire("e", 100, gt=True) is True
    assert 99 <= c.ttl("e") <= 100  # rounded to the nearest second, like Redis
    assert c.persist("e") is True and c.ttl("e") == -1
    c.set("gone", "v", px=50)
    time.sleep(0.3)  # only ever longer than asked: the key is past its deadline
    assert c.get("gone") is None and c.exists("gone") == 0
    assert c.ttl("nokey") == -2
    c.set("k", "v")
    assert c.expireat("k", 1) is True and c.get("k") is None


def test_keys_scan_rename(engine):
    c = engine.client()
    for i in range(300):
        c.set(f"user:{i}", i)
    c.hset("hash:1", "a", "b")
    assert len(c.keys("user:*")) == 300
    assert sorted(c.keys("user:1?")) == sorted(f"user:1{i}".encode() for i in range(10))
    seen = set(c.scan_iter(match="user:*", count=7))
    assert len(seen) == 300
    assert set(c.scan_iter(_type="hash")) == {b"hash:1"}
    assert c.rename("user:1", "renamed") is True and c.get("renamed") == b"1"
    with pytest.raises(redis.ResponseError, match="no such key"):
        c.rename("missing", "x")
    assert c.type("hash:1") == b"hash" and c.type("renamed") == b"string"
    assert c.randomkey() is not None
    assert c.delete("renamed", "user:2", "nothing") == 2
