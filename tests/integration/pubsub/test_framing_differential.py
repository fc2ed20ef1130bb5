"""Pub/Sub framing, byte for byte, against Debian's redis-server: the same steps on a
subscriber and a publisher connection of each server, in RESP2 and RESP3 — confirmations,
message/pmessage/smessage, subscriber-mode errors, PING in subscriber mode, PUBSUB
introspection, PUBLISH inside MULTI/EXEC."""
import pytest

from strongbox_harness import RawConnection


class RecordingConnection(RawConnection):
    """Reads whole replies like RawConnection but returns their exact bytes, so a push (>) and
    an array (*) differ."""

    def read_line(self):
        line = super().read_line()
        self.log += line + b"\r\n"
        return line

    def read_exact(self, n):
        data = super().read_exact(n)
        self.log += data
        return data

    def read_raw_reply(self):
        self.log = b""
        self.read_reply()
        return self.log


def replay(port, steps, subscriber_protocol):
    """Runs steps of (connection, command or None, replies to read); returns what each read
    got, as bytes."""
    conns = {"s": RecordingConnection(port, timeout=10), "p": RecordingConnection(port, timeout=10)}
    conns["s"].send(("HELLO", subscriber_protocol))
    conns["s"].read_raw_reply()  # differs by design (version, id)
    got = []
    for name, command, replies in steps:
        c = conns[name]
        if command is not None:
            c.send(command)
        got.append([c.read_raw_reply() for _ in range(replies)])
    for c in conns.values():
        c.close()
    return got


COMMON = [
    ("s", ("UNSUBSCRIBE",), 1),  # nothing to unsubscribe: null channel, count 0
    ("s", ("PUNSUBSCRIBE",), 1),
    ("s", ("SUNSUBSCRIBE",), 1),
    ("s", ("SUBSCRIBE", "news", "sport", "news"), 3),
    # One matching pattern per message: Redis walks its patterns in hash-table order.
    ("s", ("PSUBSCRIBE", "news.*", "sp*"), 2),
    ("p", ("PUBLISH", "news", "hello"), 1),
    ("s", None, 1),
    ("p", ("PUBLISH", "news.tech", b"bin\x00\r\nary"), 1),
    ("s", None, 1),
    ("p", ("PUBLISH", "sport", ""), 1),
    ("s", None, 2),  # the message, then the pmessage of sp*
    ("p", ("PUBLISH", "nobody", "x"), 1),
    ("p", ("PUBSUB", "NUMSUB", "news", "sport", "nobody"), 1),
    ("p", ("PUBSUB", "NUMSUB"), 1),
    ("p", ("PUBSUB", "NUMPAT"), 1),
    ("p", ("PUBSUB", "CHANNELS", "s*"), 1),
    ("p", ("PUBSUB", "CHANNELS", "zzz*"), 1),
    ("p", ("PUBSUB", "NUMPAT", "x"), 1),
    ("p", ("PUBSUB", "CHANNELS", "a", "b"), 1),
    ("p", ("PUBSUB", "nope"), 1),
    ("p", ("PUBSUB",), 1),
    ("p", ("PUBSUB", "HELP"), 1),
    ("p", ("PUBLISH", "a"), 1),
    ("p", ("SUBSCRIBE",), 1),
    # Shard channels: their own namespace and counts.
    ("s", ("SSUBSCRIBE", "sh"), 1),
    ("p", ("SPUBLISH", "sh", "m"), 1),
    ("s", None, 1),
    ("p", ("PUBLISH", "sh", "m"), 1),
    ("p", ("PUBSUB", "SHARDNUMSUB", "sh", "x"), 1),
    ("p", ("PUBSUB", "SHARDCHANNELS"), 1),
    ("s", ("SUNSUBSCRIBE",), 1),
    # A transaction's PUBLISH is delivered when EXEC runs.
    ("p", ("MULTI",), 1),
    ("p", ("SET", "k", "v"), 1),
    ("p", ("PUBLISH", "sport", "in-tx"), 1),
    ("p", ("EXEC",), 1),
    ("s", None, 2),
    ("s", ("PING",), 1),
    ("s", ("PING", "hi"), 1),
    ("s", ("GET", "k"), 1),  # RESP2: refused in subscriber mode; RESP3: runs
    ("s", ("CONFIG", "GET", "maxmemory"), 1),
    ("s", ("GET",), 1),  # arity is checked first
    ("s", ("NOSUCHCOMMAND",), 1),
    ("s", ("UNSUBSCRIBE", "news"), 1),
    ("s", ("UNSUBSCRIBE", "sport", "never"), 2),
    ("s", ("PUNSUBSCRIBE", "sp*"), 1),
    ("s", ("PUNSUBSCRIBE",), 1),  # the last pattern: count 0, subscriber mode ends
    ("s", ("GET", "k"), 1),
    ("s", ("PING",), 1),
]

RESP3_ONLY = [
    ("s", ("SUBSCRIBE", "me"), 1),
    ("s", ("PUBLISH", "me", "self"), 2),  # the push, then the reply to PUBLISH
    ("s", ("SET", "k2", "v"), 1),
    ("s", ("MULTI",), 1),
    ("s", ("SUBSCRIBE", "tx"), 1),
    ("s", ("PUBLISH", "tx", "m"), 1),
    ("s", ("EXEC",), 2),  # [subscribe push, message push], then PUBLISH's :1
    ("s", ("UNSUBSCRIBE", "me", "tx"), 2),
]

RESP2_MULTI = [
    # SUBSCRIBE is queued inside MULTI (Redis 7.0); EXEC's array then holds its confirmation.
    ("s", ("MULTI",), 1),
    ("s", ("SUBSCRIBE", "tx"), 1),
    ("s", ("PUBLISH", "tx", "m"), 1),
    ("s", ("EXEC",), 2),  # [subscribe, message] in EXEC's array, then PUBLISH's :1
    ("s", ("MULTI",), 1),  # now in subscriber mode: refused
    ("s", ("UNSUBSCRIBE",), 1),
]


@pytest.mark.parametrize("protocol,steps", [(2, COMMON), (3, COMMON), (3, RESP3_ONLY),
                                            (2, RESP2_MULTI)],
                         ids=["resp2", "resp3", "resp3-self", "resp2-multi"])
def test_framing_matches_redis(engine_and_redis, protocol, steps):
    e, r = engine_and_redis
    got, want = replay(e.port, steps, protocol), replay(r.port, steps, protocol)
    for step, g, w in zip(steps, got, want):
        assert g == w, f"{step}: engine {g!r} != redis {w!r}"


def test_pubsub_channels_lists_every_active_channel(engine_and_redis):
    """Order is the hash table's in both servers: compare as sets."""
    results = []
    for port in (s.port for s in engine_and_redis):
        sub = RawConnection(port, timeout=10)
        sub.send(("SUBSCRIBE", "a1", "a2", "b1"), ("PSUBSCRIBE", "a*"))
        for _ in range(4):
            sub.read_reply()
        pub = RawConnection(port, timeout=10)
        pub.send(("PUBSUB", "CHANNELS"), ("PUBSUB", "CHANNELS", "a*"), ("PUBSUB", "NUMPAT"))
        results.append((set(pub.read_reply()), set(pub.read_reply()), pub.read_reply()))
        sub.close()
        pub.close()
    assert results[0] == results[1]
    assert results[0] == ({b"a1", b"a2", b"b1"}, {b"a1", b"a2"}, 1)
