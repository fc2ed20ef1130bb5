"""Commands through redis-py: semantics, replies, RESP3, MULTI/EXEC/WATCH, AUTH."""
import time

import pytest
import redis

from strongbox_harness import Engine


@pytest.fixture
def engine(tmp_path):
    e = Engine(tmp_path / "data").start()
    yield e
    e.stop()


def test_strings(engine):
    c = engine.client()
    assert c.set("s", "v") is True
    assert c.set("s", "w", nx=True) is None
    assert c.set("s", "w", xx=True, get=True) == b"v"
    assert c.get("s") == b"w"
    assert c.append("s", "xyz") == 4
    assert c.getrange("s", 1, -1) == b"xyz"
    assert c.setrange("s", 6, "!") == 7 and c.get("s") == b"wxyz\x00\x00!"
    assert c.incrby("n", 5) == 5 and c.decr("n") == 4
    assert c.incrbyfloat("f", "10.5") == 10.5
    assert c.incrbyfloat("f", "0.1") == pytest.approx(10.6)
    assert c.get("f") == b"10.6"
    with pytest.raises(redis.ResponseError, match="not an integer"):
        c.incr("s")
    assert c.mset({"a": 1, "b": 2}) and c.mget("a", "b", "zz") == [b"1", b"2", None]
    assert c.msetnx({"a": 3, "c": 4}) is False
    assert c.getdel("a") == b"1" and c.get("a") is None
    assert c.strlen("b") == 1
    c.hset("h", "f", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.get("h")


def test_expiry(engine):
    c = engine.client()
    c.set("e", "v", px=150)
    assert 0 < c.pttl("e") <= 150
    assert c.expire("e", 100, gt=True) is True
    assert c.ttl("e") == 100
    assert c.persist("e") is True and c.ttl("e") == -1
    c.set("gone", "v", px=50)
    time.sleep(0.3)
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


def test_multi_exec_watch(engine):
    c = engine.client()
    p = c.pipeline(transaction=True)
    p.set("x", 1).incr("x").get("x")
    assert p.execute() == [True, 2, b"2"]
    other = engine.client()
    with c.pipeline() as p:
        p.watch("w")
        other.set("w", "changed")
        p.multi()
        p.set("w", "mine")
        with pytest.raises(redis.WatchError):
            p.execute()
    assert c.get("w") == b"changed"
    raw = engine.client()
    assert raw.execute_command("MULTI") == b"OK"
    with pytest.raises(redis.ResponseError):
        raw.execute_command("NOSUCHCOMMAND")
    with pytest.raises(redis.exceptions.ExecAbortError):
        raw.execute_command("EXEC")


def test_resp3_hello(engine):
    c = redis.Redis(host="127.0.0.1", port=engine.port, protocol=3) \
        if "protocol" in redis.Redis.__init__.__code__.co_varnames else None
    if c is None:
        import socket
        s = socket.create_connection(("127.0.0.1", engine.port))
        s.sendall(b"HELLO 3\r\nHSET h a 1\r\nHGETALL h\r\n")
        time.sleep(0.2)
        data = s.recv(65536)
        assert data.startswith(b"%7\r\n")
        assert data.endswith(b"%1\r\n$1\r\na\r\n$1\r\n1\r\n")
        s.close()


def test_requirepass(tmp_path):
    e = Engine(tmp_path / "data", "--requirepass", "s3cret")
    e.start(wait=False)
    time.sleep(0.5)
    c = e.client()
    with pytest.raises(redis.AuthenticationError, match="NOAUTH|Authentication required"):
        c.set("a", 1)
    with pytest.raises(redis.ResponseError, match="WRONGPASS|invalid"):
        e.client(password="wrong").ping()
    ok = e.client(password="s3cret")
    assert ok.set("a", 1) and ok.get("a") == b"1"
    e.stop()


def test_info_and_config(engine):
    c = engine.client()
    c.set("a", 1)
    info = c.info("persistence")
    assert info["lsn_durable"] >= 1 and info["lsn_assigned"] == info["lsn_durable"]
    assert c.info("keyspace")["db0"]["keys"] == 1
    assert c.config_get("appendfsync") == {"appendfsync": "always"}
    assert c.dbsize() == 1
    c.select(3) if hasattr(c, "select") else c.execute_command("SELECT", 3)
