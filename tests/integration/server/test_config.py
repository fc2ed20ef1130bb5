"""CONFIG GET/SET/REWRITE tell the truth: Redis 7.0's error texts (differential), glob and
multi-pattern GET, all-or-nothing multi-pair SET, one observable effect per settable
parameter, and a --config file rewritten and read back across a restart."""
import socket

import pytest
import redis

from strongbox_harness import Engine, raw_reply, wait_for

SAME_REPLY = [
    ("CONFIG", "SET", "no-such-parameter", "1"),
    ("CONFIG", "SET", "maxclients", "5", "maxclients", "6"),
    ("CONFIG", "SET", "maxclients", "5", "MAXCLIENTS", "6"),
    ("CONFIG", "SET", "MAXclients", "x"),
    ("CONFIG", "SET", "proto-max-bulk-len", "abc"),
    ("CONFIG", "SET", "databases", "3"),
    ("CONFIG", "SET", "notify-keyspace-events", "Z"),
    ("CONFIG", "SET", "slowlog-max-len", "-1"),
    ("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"),
    ("CONFIG", "SET"),
    ("CONFIG", "SET", "a"),
    ("CONFIG", "SET", "a", "b", "c"),
    ("CONFIG", "GET"),
    ("CONFIG", "GET", "MAXCLIENTS", "nothing-like-this"),
    ("CONFIG", "GET", "databases", "save", "appendonly-no-such"),
    ("CONFIG", "GET", "slowlog-*"),
    ("CONFIG", "SET", "lua-time-limit", "7"),
    ("CONFIG", "GET", "busy-reply-threshold", "lua-time-limit"),
    ("CONFIG", "SET", "slowlog-max-len", "9", "latency-monitor-threshold", "4"),
    ("CONFIG", "GET", "slowlog-max-len"),
    ("CONFIG", "GET", "latency-monitor-threshold"),
    ("CONFIG", "GET", "notify-keyspace-events"),
    ("CONFIG", "SET", "notify-keyspace-events", "KEA"),
    ("CONFIG", "GET", "notify-keyspace-events"),
    ("CONFIG", "REWRITE"),
    ("CONFIG", "RESETSTAT"),
    ("CONFIG", "RESETSTAT", "x"),
    ("CONFIG", "nope"),
    ("CONFIG", "HELP"),
]


def as_map(reply):
    """CONFIG GET's pairs come in the server's own order (a dict's, in Redis)."""
    if not isinstance(reply, list):
        return reply
    return dict(zip(reply[::2], reply[1::2]))


def test_config_replies_match_redis(engine_and_redis):
    e, r = engine_and_redis
    ec, rc = e.client(), r.client()
    for cmd in SAME_REPLY:
        got, want = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        if cmd[:2] == ("CONFIG", "GET"):
            got, want = as_map(got), as_map(want)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"


def test_what_tools_read_is_what_is_in_effect(engine):
    c = engine.client()
    got = c.config_get("save")
    got.update(c.config_get("appendonly"))
    got.update(c.config_get("appendfsync"))
    got.update(c.config_get("databases"))
    assert got == {"save": "", "appendonly": "yes", "appendfsync": "always", "databases": "16"}
    everything = c.config_get("*")
    # Nothing listed that the engine does not do.
    for ignored in ("hash-max-listpack-entries", "lazyfree-lazy-user-del", "latency-tracking"):
        assert ignored not in everything
    assert everything["port"] == str(engine.port)
    err = raw_reply(c, "CONFIG", "SET", "port", "1")
    assert err == ("error", "CONFIG SET failed (possibly related to argument 'port') - "
                            "can't set immutable config")


def test_multi_set_is_all_or_nothing(engine):
    c = engine.client()
    before = c.config_get("slowlog-max-len")
    # A type error: nothing applied.
    assert raw_reply(c, "CONFIG", "SET", "slowlog-max-len", "3", "maxclients", "x")[0] == "error"
    assert c.config_get("slowlog-max-len") == before
    # A setter's own refusal after one was applied: that one is put back.
    assert raw_reply(c, "CONFIG", "SET", "slowlog-max-len", "3", "client-output-buffer-limit",
                     "bogus 1 2 3")[0] == "error"
    assert c.config_get("slowlog-max-len") == before
    assert raw_reply(c, "CONFIG", "SET", "slowlog-max-len", "3", "maxclients", "50") == b"OK"
    assert c.config_get("slowlog-max-len") == {"slowlog-max-len": "3"}
    assert c.config_get("maxclients") == {"maxclients": "50"}


def test_requirepass_takes_effect(engine):
    c = engine.client()
    assert c.config_set("requirepass", "s3cret")
    with pytest.raises(redis.AuthenticationError):
        engine.client().ping()
    authed = engine.client(password="s3cret")
    assert authed.ping()
    assert authed.config_set("requirepass", "")
    assert engine.client().ping()


def test_maxclients_takes_effect(engine):
    c = engine.client()
    c.ping()
    assert c.config_set("maxclients", "1")
    with socket.create_connection(("127.0.0.1", engine.port), timeout=30) as s:
        assert s.recv(1024) == b"-ERR max number of clients reached\r\n"
    assert c.config_set("maxclients", "100")
    assert engine.client().ping()


def test_proto_max_bulk_len_takes_effect(engine):
    c = engine.client()
    assert c.config_set("proto-max-bulk-len", "2kb")
    assert c.config_get("proto-max-bulk-len") == {"proto-max-bulk-len": "2048"}
    with pytest.raises(redis.ResponseError, match="invalid bulk length"):
        engine.client().set("k", "x" * 4096)
    assert engine.client().set("k", "x" * 1024)


def test_client_query_buffer_limit_takes_effect(engine):
    c = engine.client()
    assert c.config_set("client-query-buffer-limit", "1mb")
    s = socket.create_connection(("127.0.0.1", engine.port), timeout=30)
    try:
        s.sendall(b"*2\r\n$4\r\nECHO\r\n$3000000\r\n")  # a bulk bigger than the query limit
        with pytest.raises((ConnectionResetError, BrokenPipeError)):
            for _ in range(40):
                s.sendall(b"x" * 100_000)
            assert s.recv(1 << 16).startswith(b"-ERR Protocol error: query buffer limit")
            raise ConnectionResetError  # answered and closed: the limit took effect
    finally:
        s.close()


def test_slowlog_and_latency_parameters_take_effect(engine):
    c = engine.client()
    assert c.config_set("slowlog-log-slower-than", "0")
    assert c.config_set("slowlog-max-len", "2")
    for i in range(5):
        c.set(f"k{i}", "v")
    assert c.slowlog_len() == 2
    assert c.config_set("slowlog-log-slower-than", "-1")
    c.slowlog_reset()
    c.set("k", "v")
    assert c.slowlog_len() == 0


def test_notify_keyspace_events_takes_effect(engine):
    c = engine.client()
    p = engine.client().pubsub()
    p.psubscribe("__keyspace@0__:*")
    wait_for(lambda: p.get_message(timeout=1) is not None, what="psubscribe confirmation")
    assert c.config_set("notify-keyspace-events", "K$")
    c.set("watched", "1")
    msg = None
    for _ in range(20):
        msg = p.get_message(timeout=1)
        if msg:
            break
    assert msg and msg["channel"] == b"__keyspace@0__:watched" and msg["data"] == b"set"
    p.close()


def test_rewrite_round_trip_across_restart(tmp_path):
    conf = tmp_path / "strongbox.conf"
    conf.write_text("# kept comment\n"
                    "daemonize no\n"
                    "slowlog-max-len 5\n"
                    "maxclients 50\n"
                    "slowlog-max-len 6\n")
    e = Engine(tmp_path / "data", "--config", str(conf), "--maxclients", "60").start()
    c = e.client()
    assert c.config_get("slowlog-max-len") == {"slowlog-max-len": "6"}  # the last line wins
    assert c.config_get("maxclients") == {"maxclients": "60"}  # the flag overrides the file
    assert c.config_set("slowlog-max-len", "9")
    assert c.config_set("notify-keyspace-events", "KEA")
    assert c.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 10")
    assert c.config_rewrite()
    text = conf.read_text()
    assert text.startswith("# kept comment\ndaemonize no\nslowlog-max-len 9\nmaxclients 60\n")
    assert text.count("slowlog-max-len") == 1
    assert "notify-keyspace-events AKE\n" in text
    assert not (tmp_path / "strongbox.conf.rewrite.tmp").exists()
    assert e.stop() == 0
    e.args = ["--config", str(conf)]
    e.start()
    c = e.client()
    assert c.config_get("slowlog-max-len") == {"slowlog-max-len": "9"}
    assert c.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
    assert c.config_get("maxclients") == {"maxclients": "60"}
    assert c.config_get("client-output-buffer-limit")["client-output-buffer-limit"].endswith(
        "pubsub 1048576 524288 10")
    assert e.stop() == 0


def test_bad_config_file_refuses_to_start(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("slowlog-max-len many\n")
    rc, out = Engine(tmp_path / "data", "--config", str(conf)).run_to_exit()
    assert rc != 0 and "slowlog-max-len" in out
