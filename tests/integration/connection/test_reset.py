"""RESET returns a connection to a new one's state, reply by reply as Debian's redis-server 7.0:
transaction and watches dropped, subscriptions gone, RESP2 again, database 0, no name, the
default user."""
from strongbox_harness import RawConnection, raw_replies_match


def test_reset_matches_redis(engine_and_redis):
    e, r = engine_and_redis
    raw_replies_match((e, r), [
        ("SELECT", "3"), ("SET", "k", "v3"), ("CLIENT", "SETNAME", "worker"),
        ("WATCH", "k"), ("MULTI",), ("SET", "k", "x"),
        ("RESET",),
        ("EXEC",),  # the transaction is gone
        ("GET", "k"),  # database 0 again
        ("CLIENT", "GETNAME"),
        ("SELECT", "3"), ("GET", "k"),  # nothing queued ran
        ("HELLO", "3"), ("RESET",), ("PING",),  # RESP2 again: +PONG, not a RESP3 simple string
        ("SUBSCRIBE", "ch"), ("RESET",), ("PING",),  # no longer a subscriber
        ("RESET", "extra"),
    ], unchecked=("HELLO", "CLIENT"))


def test_reset_returns_to_the_default_user(engine_and_redis):
    e, r = engine_and_redis
    for server in (e, r):
        admin = RawConnection(server.port)
        admin.send(("ACL", "SETUSER", "alice", "on", ">pw", "~*", "+@all"))
        assert admin.read_reply() == b"OK"
        admin.send(("CONFIG", "SET", "requirepass", "secret"))
        assert admin.read_reply() == b"OK"
        c = RawConnection(server.port)
        c.send(("AUTH", "alice", "pw"))
        assert c.read_reply() == b"OK"
        c.send(("ACL", "WHOAMI"))
        assert c.read_reply() == b"alice"
        c.send(("RESET",))
        assert c.read_reply() == b"RESET"
        c.send(("GET", "k"))  # the default user needs its password again
        reply = c.read_reply()
        assert reply[0] == "error" and reply[1].startswith("NOAUTH"), reply
        admin.send(("CONFIG", "SET", "requirepass", ""))
        assert admin.read_reply() == b"OK"


def test_reset_turns_replies_back_on(engine_and_redis):
    for server in engine_and_redis:
        c = RawConnection(server.port)
        c.send(("CLIENT", "REPLY", "OFF"), ("SET", "k", "v"), ("RESET",), ("ECHO", "on"))
        assert c.read_reply() == b"RESET"
        assert c.read_reply() == b"on"
