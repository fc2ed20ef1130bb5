"""Stream consumer groups against Debian's redis-server 7.0, reply by reply (errors included):
XGROUP (CREATE with MKSTREAM/ENTRIESREAD, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
XREADGROUP (COUNT, NOACK, `>`, history, BLOCK woken by XADD, -NOGROUP when the group is
destroyed, inside MULTI), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO GROUPS/CONSUMERS/STREAM FULL
and the entries-read / lag rules; then durability: after kill -9 and from a snapshot the groups,
consumers and pending lists (delivery times and counts included) are exactly as they were."""
import threading
import time

from strongbox_harness import (Engine, Snapshotter, keep_only_snapshots, raw_replies_match,
                               raw_reply, verify_and_restore, wait_for_new_snapshot)

# Reply positions that hold the server's clock: compared as "a number", not by value.
CLOCK = "<clock>"


def _mask_full(reply):
    """XINFO STREAM FULL: delivery times and seen times are absolute clock readings."""
    if not isinstance(reply, list) or b"groups" not in reply:
        return reply
    out = list(reply)
    groups = out[out.index(b"groups") + 1]
    masked = []
    for g in groups:
        g = list(g)
        pending = g[g.index(b"pending") + 1]
        g[g.index(b"pending") + 1] = [[p[0], p[1], CLOCK, p[3]] for p in pending]
        consumers = []
        for c in g[g.index(b"consumers") + 1]:
            c = list(c)
            c[c.index(b"seen-time") + 1] = CLOCK
            c[c.index(b"pending") + 1] = [[p[0], CLOCK, p[2]] for p in c[c.index(b"pending") + 1]]
            consumers.append(c)
        g[g.index(b"consumers") + 1] = consumers
        masked.append(g)
    out[out.index(b"groups") + 1] = masked
    return out


def normalize(cmd, reply):
    """Masks idle times and clock readings, which differ between two servers by nature."""
    name = cmd[0].upper()
    sub = cmd[1].upper() if len(cmd) > 1 else ""
    if isinstance(reply, tuple):  # an error
        return reply
    if isinstance(reply, list) and name == "EXEC":  # errors inside EXEC come as exceptions
        return [("error", str(r)) if isinstance(r, Exception) else r for r in reply]
    if name == "XPENDING" and len(cmd) > 3 and isinstance(reply, list):
        return [[p[0], p[1], CLOCK, p[3]] for p in reply]
    if name == "XINFO" and sub == "CONSUMERS" and isinstance(reply, list):
        return [[c[0], c[1], c[2], c[3], c[4], CLOCK] for c in reply]
    if name == "XINFO" and sub == "STREAM" and "FULL" in [str(a).upper() for a in cmd]:
        return _mask_full(reply)
    return reply


def match(pair, script):
    e, r = pair
    ec, rc = e.client(), r.client()
    for cmd in script:
        got, want = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        got, want = normalize(cmd, got), normalize(cmd, want)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"
    return ec, rc


def test_xgroup_subcommands_and_errors(engine_and_redis):
    script = [
        ("XGROUP",), ("XGROUP", "HELP"), ("XGROUP", "help", "x"), ("XGROUP", "FOO"),
        ("XGROUP", "CREATE", "s"), ("XGROUP", "CREATE", "s", "g", "$"),
        ("XGROUP", "DESTROY", "s", "g"), ("XGROUP", "SETID", "s", "g", "0"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c"),
        ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"), ("TYPE", "s"), ("XLEN", "s"),
        ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"), ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-5"),
        ("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "x"),
        ("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD"),
        ("XGROUP", "CREATE", "s", "g2", "0", "FOO"),
        ("XGROUP", "CREATE", "s", "g2", "-"), ("XGROUP", "CREATE", "s", "g2", "1-x"),
        ("XGROUP", "CREATE", "s", "g2", "3", "MKSTREAM", "ENTRIESREAD", "2", "x"),
        ("XGROUP", "CREATE", "s", "g2", "3", "MKSTREAM", "ENTRIESREAD", "2"),
        ("XGROUP", "CREATE", "s", "g3", "0", "ENTRIESREAD", "-1"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "nog", "0"), ("XGROUP", "SETID", "missing", "g", "0"),
        ("XGROUP", "SETID", "s", "g", "5", "MKSTREAM"),
        ("XGROUP", "SETID", "s", "g", "5", "ENTRIESREAD", "3"),
        ("XGROUP", "SETID", "s", "g", "+"), ("XGROUP", "SETID", "s", "g", "-"),
        ("XGROUP", "SETID", "s", "g", "$"), ("XGROUP", "SETID", "s", "g", "x"),
        ("XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c1"), ("XGROUP", "CREATECONSUMER", "s", "g", "c1"),
        ("XGROUP", "CREATECONSUMER", "s", "nog", "c1"), ("XGROUP", "CREATECONSUMER", "s", "g"),
        ("XGROUP", "DELCONSUMER", "s", "g", "nobody"), ("XGROUP", "DELCONSUMER", "s", "g", "c1"),
        ("XGROUP", "DELCONSUMER", "s", "nog", "c1"),
        ("XGROUP", "DESTROY", "s", "nog"), ("XGROUP", "DESTROY", "s", "g3"),
        ("XGROUP", "DESTROY", "s", "g3"), ("XGROUP", "DESTROY", "s", "g", "x"),
        ("SET", "str", "v"), ("XGROUP", "CREATE", "str", "g", "$"),
        ("XGROUP", "CREATE", "str", "g", "$", "MKSTREAM"), ("XGROUP", "DESTROY", "str", "g"),
        ("XINFO", "STREAM", "s"), ("XINFO", "GROUPS", "s"),
    ]
    match(engine_and_redis, script)


def _entries(key, n, start=1):
    return [("XADD", key, f"{i}-0", "f", str(i)) for i in range(start, start + n)]


def test_xreadgroup_xack_xpending(engine_and_redis):
    script = _entries("s", 5) + [
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"),
        ("XREADGROUP", "STREAMS", "s", ">"), ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">"),
        ("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "missing", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "x"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "x", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "FOO", "STREAMS", "s", ">"),
        ("XINFO", "CONSUMERS", "s", "g"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "NOACK", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"), ("XINFO", "CONSUMERS", "s", "g"),
        ("XPENDING", "s", "g"), ("XPENDING", "s", "nog"), ("XPENDING", "missing", "g"),
        ("XPENDING", "s", "g", "-", "+", "10"), ("XPENDING", "s", "g", "-", "+", "10", "alice"),
        ("XPENDING", "s", "g", "-", "+", "10", "nobody"), ("XPENDING", "s", "g", "-", "+", "1"),
        ("XPENDING", "s", "g", "(2-0", "+", "10"), ("XPENDING", "s", "g", "-", "(4-0", "10"),
        ("XPENDING", "s", "g", "-", "+", "x"), ("XPENDING", "s", "g", "-", "+"),
        ("XPENDING", "s", "g", "-", "+", "-3"), ("XPENDING", "s", "g", "x", "+", "10"),
        ("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"),
        ("XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"),
        ("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"),
        ("XPENDING", "s", "g", "IDLE", "5", "-", "+"),
        ("XPENDING", "s", "g", "-", "+", "10", "alice", "x"),
        # History: the consumer's own pending entries, delivered again.
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-0"),
        ("XREADGROUP", "GROUP", "g", "nobody", "STREAMS", "s", "0"),
        ("XPENDING", "s", "g", "-", "+", "10"),
        ("XDEL", "s", "2-0"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
        ("XACK", "s", "g", "1-0", "1-0", "9-0"), ("XACK", "s", "g", "x"),
        ("XACK", "missing", "g", "1-0"), ("XACK", "s", "nog", "1-0"),
        ("XACK", "s", "g", "1-0", "2-0", "3-0", "4-0", "5-0"), ("XPENDING", "s", "g"),
        ("XINFO", "GROUPS", "s"), ("XINFO", "STREAM", "s", "FULL"),
        ("SET", "str", "v"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"),
        ("XACK", "str", "g", "1-0"), ("XPENDING", "str", "g"),
    ]
    match(engine_and_redis, script)


def test_xclaim_xautoclaim(engine_and_redis):
    script = _entries("s", 6) + [
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"),
        ("XCLAIM", "s", "g", "b", "0", "1-0", "2-0"),
        ("XCLAIM", "s", "g", "b", "0", "1-0", "JUSTID"),
        ("XCLAIM", "s", "g", "b", "0", "3-0", "RETRYCOUNT", "7", "JUSTID"),
        ("XCLAIM", "s", "g", "b", "100000", "4-0"),
        ("XCLAIM", "s", "g", "b", "0", "4-0", "4-0"),
        ("XCLAIM", "s", "g", "b", "0", "9-0"), ("XCLAIM", "s", "g", "b", "0", "9-0", "FORCE"),
        ("XADD", "s", "9-0", "f", "9"),
        ("XCLAIM", "s", "g", "c", "0", "9-0", "FORCE"),
        ("XCLAIM", "s", "g", "c", "0", "10-0", "FORCE", "JUSTID"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "IDLE", "5000", "TIME", "1", "JUSTID"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "LASTID", "7-0", "JUSTID"), ("XINFO", "GROUPS", "s"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "LASTID", "3-0", "JUSTID"), ("XINFO", "GROUPS", "s"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "LASTID", "x"),
        ("XCLAIM", "s", "g", "c", "x", "5-0"), ("XCLAIM", "s", "g", "c", "0", "5-0", "FOO"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "IDLE", "x"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "TIME", "x"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "RETRYCOUNT", "x"),
        ("XCLAIM", "s", "g", "c", "0", "5-0", "IDLE"), ("XCLAIM", "s", "g", "c", "0", "+"),
        ("XCLAIM", "s", "nog", "c", "0", "5-0"), ("XCLAIM", "missing", "g", "c", "0", "5-0"),
        ("XPENDING", "s", "g", "-", "+", "20"), ("XPENDING", "s", "g"),
        ("XDEL", "s", "1-0", "3-0"),
        ("XCLAIM", "s", "g", "d", "0", "1-0", "2-0"), ("XPENDING", "s", "g", "-", "+", "20"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "2"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "2", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "e", "100000", "0"), ("XAUTOCLAIM", "s", "g", "e", "0", "(4-0"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "0"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "x"),
        ("XAUTOCLAIM", "s", "g", "e", "x", "0"), ("XAUTOCLAIM", "s", "g", "e", "0", "x"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0", "FOO"), ("XAUTOCLAIM", "s", "nog", "e", "0", "0"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT"),
        ("XPENDING", "s", "g", "-", "+", "20"), ("XINFO", "CONSUMERS", "s", "g"),
        ("XDEL", "s", "5-0"), ("XAUTOCLAIM", "s", "g", "f", "0", "0"),
        ("XINFO", "STREAM", "s", "FULL"), ("XINFO", "STREAM", "s", "FULL", "COUNT", "1"),
        ("XINFO", "STREAM", "s", "FULL", "COUNT", "0"),
        ("XINFO", "STREAM", "s", "FULL", "COUNT", "-1"),
        ("XINFO", "STREAM", "s", "FULL", "COUNT"), ("XINFO", "STREAM", "s", "FULL", "X", "1"),
        ("XINFO", "STREAM", "s", "FOO"), ("XINFO", "CONSUMERS", "s"),
        ("XINFO", "CONSUMERS", "s", "nog"), ("XINFO", "CONSUMERS", "missing", "g"),
        ("XINFO", "GROUPS", "missing"), ("XINFO", "HELP"), ("XINFO", "FOO", "s"),
        ("XGROUP", "DELCONSUMER", "s", "g", "e"), ("XPENDING", "s", "g"),
        # Groups travel with COPY and RENAME.
        ("COPY", "s", "s2"), ("XINFO", "GROUPS", "s2"), ("XPENDING", "s2", "g", "-", "+", "9"),
        ("RENAME", "s2", "s3"), ("XINFO", "STREAM", "s3", "FULL"), ("DEL", "s3"),
        # Group bookkeeping does not dirty a WATCH (the key's entries did not change).
        ("WATCH", "s"), ("XREADGROUP", "GROUP", "g", "w", "STREAMS", "s", "0"),
        ("XACK", "s", "g", "9-0"), ("XCLAIM", "s", "g", "w", "0", "9-0"),
        ("XGROUP", "SETID", "s", "g", "0"), ("XGROUP", "CREATECONSUMER", "s", "g", "v"),
        ("XGROUP", "DELCONSUMER", "s", "g", "v"), ("MULTI",), ("PING",), ("EXEC",),
    ]
    match(engine_and_redis, script)


def test_entries_read_and_lag(engine_and_redis):
    script = [("XGROUP", "CREATE", "l", "g0", "$", "MKSTREAM"), ("XINFO", "GROUPS", "l")]
    script += _entries("l", 10)
    script += [
        ("XGROUP", "CREATE", "l", "g1", "0"), ("XGROUP", "CREATE", "l", "g2", "$"),
        ("XGROUP", "CREATE", "l", "g3", "5-0"), ("XGROUP", "CREATE", "l", "g4", "1-0"),
        ("XGROUP", "CREATE", "l", "g5", "0", "ENTRIESREAD", "3"), ("XINFO", "GROUPS", "l"),
        ("XREADGROUP", "GROUP", "g1", "c", "COUNT", "3", "STREAMS", "l", ">"),
        ("XREADGROUP", "GROUP", "g3", "c", "COUNT", "1", "STREAMS", "l", ">"),
        ("XINFO", "GROUPS", "l"), ("XDEL", "l", "7-0"), ("XINFO", "GROUPS", "l"),
        ("XREADGROUP", "GROUP", "g1", "c", "COUNT", "3", "STREAMS", "l", ">"),
        ("XINFO", "GROUPS", "l"), ("XDEL", "l", "1-0"), ("XTRIM", "l", "MAXLEN", "5"),
        ("XINFO", "GROUPS", "l"),
        ("XREADGROUP", "GROUP", "g1", "c", "STREAMS", "l", ">"), ("XINFO", "GROUPS", "l"),
        ("XADD", "l", "20-0", "f", "v"), ("XINFO", "GROUPS", "l"),
        ("XGROUP", "SETID", "l", "g1", "0"), ("XINFO", "GROUPS", "l"),
        ("XREADGROUP", "GROUP", "g1", "d", "COUNT", "2", "STREAMS", "l", ">"),
        ("XPENDING", "l", "g1"), ("XINFO", "GROUPS", "l"), ("XINFO", "STREAM", "l"),
        ("XSETID", "l", "30-0"), ("XINFO", "GROUPS", "l"), ("XTRIM", "l", "MAXLEN", "0"),
        ("XINFO", "GROUPS", "l"), ("XINFO", "STREAM", "l", "FULL"),
    ]
    match(engine_and_redis, script)


def test_multi_and_resp3(engine_and_redis):
    script = _entries("m", 2) + [
        ("XGROUP", "CREATE", "m", "g", "$"), ("MULTI",),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "m", ">"),
        ("XADD", "m", "3-0", "f", "3"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "m", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "m", ">"),
        ("XACK", "m", "g", "3-0"), ("XGROUP", "DESTROY", "m", "g"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "m", ">"), ("EXEC",),
    ]
    match(engine_and_redis, script)
    raw_replies_match(engine_and_redis, [
        ("HELLO", "3"), ("XADD", "p", "1-0", "a", "1"), ("XGROUP", "CREATE", "p", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "p", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "p", "0"), ("XINFO", "GROUPS", "p"),
        ("XPENDING", "p", "g"), ("XAUTOCLAIM", "p", "g", "d", "0", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "p", ">")])


def _blocked_read(server, key, group, consumer, result, block="0"):
    def reader():
        result["got"] = raw_reply(server.client(), "XREADGROUP", "GROUP", group, consumer,
                                  "BLOCK", block, "STREAMS", key, ">")
    t = threading.Thread(target=reader)
    t.start()
    return t


def test_blocking_xreadgroup_like_redis(engine_and_redis):
    """Woken by XADD (not by XACK or another key), -NOGROUP when the group is destroyed,
    nothing when the key is deleted; the same replies as redis-server."""
    outcomes = []
    for server in engine_and_redis:
        c = server.client()
        c.xadd("b", {"x": "0"}, id="1-0")
        c.execute_command("XGROUP", "CREATE", "b", "g", "$")
        woken, destroyed = {}, {}
        t = _blocked_read(server, "b", "g", "c", woken)
        time.sleep(0.3)
        c.xadd("other", {"y": "1"}, id="1-0")
        c.execute_command("XACK", "b", "g", "1-0")
        time.sleep(0.2)
        assert t.is_alive()
        c.xadd("b", {"y": "2"}, id="2-0")
        t.join(30)
        t = _blocked_read(server, "b", "g", "c", destroyed)
        time.sleep(0.3)
        c.execute_command("XGROUP", "DESTROY", "b", "g")
        t.join(30)
        timed_out = {}
        c.execute_command("XGROUP", "CREATE", "b", "g", "$")
        t = _blocked_read(server, "b", "g", "c", timed_out, block="200")
        t.join(30)
        outcomes.append((woken, destroyed, timed_out,
                         raw_reply(c, "XPENDING", "b", "g"), raw_reply(c, "XINFO", "GROUPS", "b")))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0]["got"] == [[b"b", [[b"2-0", [b"y", b"2"]]]]]


def group_state(c, keys):
    """Everything a consumer group holds, clock readings included (absolute: they must survive)."""
    out = {}
    for k in keys:
        out[k] = (c.execute_command("XINFO", "STREAM", k, "FULL", "COUNT", "0"),
                  raw_reply(c, "XPENDING", k, "g"), raw_reply(c, "XINFO", "GROUPS", k))
    return out


def write_groups(c, prefix=""):
    keys = [f"{prefix}q{i}" for i in range(3)]
    for n, k in enumerate(keys):
        for i in range(1, 40):
            c.xadd(k, {"i": str(i), "pad": "p" * (i % 5)}, id=f"{i}-{n}")
        c.execute_command("XGROUP", "CREATE", k, "g", "0")
        c.execute_command("XGROUP", "CREATE", k, "h", "$", "ENTRIESREAD", "3")
        c.execute_command("XGROUP", "CREATECONSUMER", k, "g", "idle-one")
        c.execute_command("XREADGROUP", "GROUP", "g", "a", "COUNT", "10", "STREAMS", k, ">")
        c.execute_command("XREADGROUP", "GROUP", "g", "b", "COUNT", "5", "NOACK", "STREAMS", k, ">")
        c.execute_command("XREADGROUP", "GROUP", "g", "b", "COUNT", "5", "STREAMS", k, ">")
        c.execute_command("XREADGROUP", "GROUP", "g", "a", "STREAMS", k, "0")
        c.execute_command("XACK", k, "g", f"2-{n}", f"3-{n}")
        c.execute_command("XCLAIM", k, "g", "c", "0", f"4-{n}", f"5-{n}", "RETRYCOUNT", "9")
        c.execute_command("XCLAIM", k, "g", "c", "0", f"30-{n}", "FORCE", "TIME", "12345")
        c.xdel(k, f"6-{n}")
        c.execute_command("XAUTOCLAIM", k, "g", "d", "0", "0", "COUNT", "3")
        c.execute_command("XGROUP", "SETID", k, "h", f"20-{n}")
    c.execute_command("XGROUP", "DESTROY", keys[2], "h")
    c.execute_command("XGROUP", "DELCONSUMER", keys[1], "g", "b")
    return keys


def test_kill9_restart_keeps_groups(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    keys = write_groups(c)
    before = group_state(c, keys)
    e.kill9()
    e = Engine(tmp_path / "data").start()
    assert group_state(e.client(), keys) == before
    assert e.stop() == 0


# Small segments and a snapshot after every sealed one, so a snapshot soon holds the groups.
ENGINE_ARGS = ("--segment-bytes", "16384", "--rotate-interval", "1")
SNAP_ARGS = ("--snapshot-every", "1", "--snapshot-interval", "1", "--rescan-interval-ms", "200")


def test_snapshot_round_trip_and_restore_to_lsn(tmp_path):
    data = tmp_path / "data"
    engine, snap = Engine(data, *ENGINE_ARGS).start(), Snapshotter(data, *SNAP_ARGS).start()
    c = engine.client()
    keys = write_groups(c)
    state_mid = group_state(c, keys)
    lsn_mid = c.info("persistence")["lsn_durable"]
    c.execute_command("XACK", keys[0], "g", "1-0")  # after the LSN: restore must not see it
    c.execute_command("XGROUP", "DESTROY", keys[1], "g")
    wait_for_new_snapshot(c, data, "a snapshot holding the groups")
    state_end = group_state(c, keys)
    assert state_end != state_mid
    assert engine.stop() == 0 and snap.stop() == 0
    target = tmp_path / "restored"
    verify_and_restore(data, lsn_mid, target)
    restored = Engine(target).start()
    assert group_state(restored.client(), keys) == state_mid
    assert restored.stop() == 0
    keep_only_snapshots(data)  # start from the snapshot alone (no segment to replay)
    engine.start()
    assert group_state(engine.client(), keys) == state_end
    assert engine.stop() == 0
