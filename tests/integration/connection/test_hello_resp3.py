"""HELLO on a raw socket: the RESP3 handshake map, RESP3 encodings after HELLO 3 (maps, nulls,
doubles, sets), and HELLO 2 going back to RESP2 arrays."""
import re

from strongbox_harness import RawConnection

HELLO_FIELDS = {b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"}


def check_hello(reply, proto):
    assert isinstance(reply, dict), reply
    assert set(reply) == HELLO_FIELDS
    assert reply[b"server"] == b"redis"
    assert re.fullmatch(rb"\d+\.\d+\.\d+", reply[b"version"]), reply[b"version"]
    assert reply[b"proto"] == proto
    assert isinstance(reply[b"id"], int) and reply[b"id"] > 0
    assert reply[b"mode"] == b"standalone"
    assert reply[b"role"] == b"master"
    assert reply[b"modules"] == []


def test_resp3_hello(engine):
    conn = RawConnection(engine.port)
    conn.send(("HELLO", "3"))
    check_hello(conn.read_reply(), 3)  # a dict: the reply was a RESP3 map (%7)
    conn.send(("HSET", "h", "a", "1"), ("HGETALL", "h"), ("GET", "missing"),
              ("ZADD", "z", "1.5", "m"), ("ZSCORE", "z", "m"), ("SMEMBERS", "h2"))
    assert conn.read_reply() == 1
    assert conn.read_exact(len(b"%1\r\n$1\r\na\r\n$1\r\n1\r\n")) == b"%1\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert conn.read_exact(3) == b"_\r\n"  # RESP3 null, not $-1
    assert conn.read_reply() == 1
    assert conn.read_exact(6) == b",1.5\r\n"  # RESP3 double, not a bulk string
    assert conn.read_exact(4) == b"~0\r\n"  # RESP3 set
    conn.send(("HELLO", "2"), ("HGETALL", "h"), ("GET", "missing"))
    assert conn.read_exact(5) == b"*14\r\n"  # the same fields, as a flat RESP2 array
    flat = [conn.read_reply() for _ in range(14)]
    check_hello(dict(zip(flat[::2], flat[1::2])), 2)
    assert conn.read_exact(len(b"*2\r\n$1\r\na\r\n$1\r\n1\r\n")) == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert conn.read_exact(5) == b"$-1\r\n"
    conn.send(("HELLO", "4"))
    assert conn.read_reply() == ("error", "NOPROTO unsupported protocol version")
    conn.close()
