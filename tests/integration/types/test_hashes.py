"""Hashes through redis-py: HSET/HSETNX/HGETALL, HINCRBY(FLOAT), HDEL down to an empty (deleted)
key, HSCAN over a large hash, HRANDFIELD."""


def test_hashes(engine):
    c = engine.client()
    assert c.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert c.hsetnx("h", "a", "x") == 0
    assert c.hgetall("h") == {b"a": b"1", b"b": b"2"}
    assert c.hincrby("h", "a", 10) == 11
    assert c.hincrbyfloat("h", "c", 1.5) == 1.5
    assert sorted(c.hkeys("h")) == [b"a", b"b", b"c"]
    assert c.hdel("h", "a", "b", "zz") == 2
    assert c.hlen("h") == 1 and c.hstrlen("h", "c") == 3
    assert c.hdel("h", "c") == 1 and c.exists("h") == 0
    c.hset("big", mapping={f"f{i}": i for i in range(100)})
    assert len(dict(c.hscan_iter("big", count=5))) == 100
    assert c.hrandfield("big") is not None
