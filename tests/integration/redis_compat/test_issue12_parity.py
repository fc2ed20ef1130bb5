"""Issue 12, reply by reply against Debian's redis-server (raw RESP, errors included): the
wrong replies it lists (ZPOPMIN 0, ZADD INCR with GT/LT, LPOP arity, SMOVE and WATCH, blocked
clients and a key that changes type, BLMPOP and a key moved into place) and the commands it
found missing (ZMPOP, BZMPOP, ZINTERCARD, LCS, MOVE, SWAPDB, SORT, SORT_RO); then the same
writes replayed after kill -9."""
import threading

import pytest

from strongbox_harness import RawConnection, dump, raw_reply, wait_for
from test_redis_parity import run_both


WRONG_REPLIES = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"),
    ("ZPOPMIN", "z", "0"),
    ("ZPOPMAX", "z", "0"),
    ("ZCARD", "z"),
    ("ZPOPMIN", "z", "-1"),
    ("ZADD", "z", "LT", "INCR", "5", "a"),
    ("ZADD", "z", "GT", "INCR", "-5", "a"),
    ("ZADD", "z", "GT", "INCR", "0", "a"),
    ("ZADD", "z", "GT", "INCR", "5", "a"),
    ("ZADD", "z", "NX", "INCR", "5", "a"),
    ("ZADD", "z", "XX", "INCR", "5", "nope"),
    ("ZADD", "z", "INCR", "0", "b"),
    ("ZADD", "big", "1" + "7976931348623157" + "0" * 292 + ".5", "m"),
    ("ZSCORE", "big", "m"),
    ("RPUSH", "a", "x"),
    ("LPOP", "a", "b", "c"),
    ("RPOP", "a", "1", "2"),
    ("SADD", "s1", "m", "n"),
    ("SADD", "s2", "m"),
    ("SMOVE", "s1", "s2", "m"),
    ("SMEMBERS", "s2"),
    ("SISMEMBER", "s1", "m"),
    # the error texts the issue lists
    ("SRANDMEMBER", "s1", "-9223372036854775808"),
    ("ZRANDMEMBER", "z", "-9223372036854775808"),
    ("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"),
    ("SET", "f", "1.5"),
    ("INCRBYFLOAT", "f", "inf"),
    ("HSET", "h", "f", "1.5"),
    ("HINCRBYFLOAT", "h", "f", "inf"),
    ("HINCRBYFLOAT", "h", "f", "-inf"),
]

ZMPOP = [
    ("ZADD", "z1", "1", "a", "2", "b", "3", "c"),
    ("ZADD", "z2", "5", "x"),
    ("ZMPOP", "2", "none", "z1", "MIN"),
    ("ZMPOP", "2", "none", "z1", "max", "COUNT", "10"),
    ("EXISTS", "z1"),
    ("ZMPOP", "1", "z2", "MIN", "count", "1"),
    ("ZMPOP", "1", "z2", "MIN"),
    ("ZMPOP", "0", "z2", "MIN"),
    ("ZMPOP", "-1", "z2", "MIN"),
    ("ZMPOP", "x", "z2", "MIN"),
    ("ZMPOP", "2", "z2", "MIN"),
    ("ZMPOP", "1", "z2", "LEFT"),
    ("ZMPOP", "1", "z2", "MIN", "COUNT", "0"),
    ("ZMPOP", "1", "z2", "MIN", "COUNT", "x"),
    ("ZMPOP", "1", "z2", "MIN", "COUNT", "1", "COUNT", "1"),
    ("ZMPOP", "1", "z2", "MIN", "COUNT"),
    ("ZMPOP", "1", "z2"),
    ("SET", "str", "v"),
    ("ZMPOP", "2", "none", "str", "MIN"),
    ("ZADD", "z3", "1", "a", "-inf", "b", "inf", "c"),
    ("BZMPOP", "0.1", "1", "z3", "MAX", "COUNT", "2"),
    ("BZMPOP", "0", "2", "str", "z3", "MIN"),
    ("BZMPOP", "0", "2", "z3", "str", "MIN"),
    ("BZMPOP", "-1", "1", "z3", "MIN"),
    ("BZMPOP", "abc", "1", "z3", "MIN"),
    ("BZMPOP", "abc", "0", "z3", "MIN"),  # which error comes first
    ("BZMPOP", "-1", "1", "z3", "UP"),
    ("BLMPOP", "abc", "0", "l", "LEFT"),
    ("BLMPOP", "-1", "1", "l", "UP"),
    ("RPUSH", "l", "v"),
    ("BLMPOP", "abc", "1", "l", "LEFT"),
    ("BZMPOP", "abc", "1", "z3", "MIN"),
    ("ZCARD", "z3"),
    ("BZMPOP", "0", "0", "z3", "MIN"),
    ("BZMPOP", "0", "1", "z3", "UP"),
    ("BZMPOP", "0.01", "1", "none", "MIN"),
    ("ZADD", "z4", "1", "a"),
    ("ZMPOP", "1", "z4", "MIN"),
    ("ZADD", "z4", "1", "a", "2", "b"),
    ("BZMPOP", "1", "1", "z4", "MAX", "COUNT", "5"),
    ("ZMPOP", "1", "none", "MIN"),
]

ZINTERCARD = [
    ("ZADD", "a", "1", "x", "2", "y", "3", "z"),
    ("ZADD", "b", "1", "y", "2", "z", "3", "w"),
    ("SADD", "s", "z", "y", "q"),
    ("ZINTERCARD", "2", "a", "b"),
    ("ZINTERCARD", "3", "a", "b", "s"),
    ("ZINTERCARD", "2", "a", "b", "LIMIT", "1"),
    ("ZINTERCARD", "2", "a", "b", "limit", "0"),
    ("ZINTERCARD", "2", "a", "b", "LIMIT", "10"),
    ("ZINTERCARD", "2", "a", "missing"),
    ("ZINTERCARD", "1", "missing"),
    ("ZINTERCARD", "0", "a"),
    ("ZINTERCARD", "x", "a"),
    ("ZINTERCARD", "3", "a", "b"),
    ("ZINTERCARD", "2", "a", "b", "LIMIT", "-1"),
    ("ZINTERCARD", "2", "a", "b", "LIMIT", "x"),
    ("ZINTERCARD", "2", "a", "b", "LIMIT"),
    ("ZINTERCARD", "2", "a", "b", "WITHSCORES"),
    ("ZINTERCARD", "2", "a", "b", "WEIGHTS", "1", "2"),
    ("SET", "str", "v"),
    ("ZINTERCARD", "2", "a", "str"),
]

LCS = [
    ("SET", "k1", "ohmytext"),
    ("SET", "k2", "mynewtext"),
    ("LCS", "k1", "k2"),
    ("LCS", "k1", "k2", "LEN"),
    ("LCS", "k1", "k2", "IDX"),
    ("LCS", "k1", "k2", "IDX", "MINMATCHLEN", "4"),
    ("LCS", "k1", "k2", "IDX", "MINMATCHLEN", "-3", "WITHMATCHLEN"),
    ("LCS", "k1", "k2", "IDX", "WITHMATCHLEN"),
    ("LCS", "k1", "k2", "LEN", "IDX"),
    ("LCS", "k1", "k2", "MINMATCHLEN"),
    ("LCS", "k1", "k2", "MINMATCHLEN", "x"),
    ("LCS", "k1", "k2", "FOO"),
    ("LCS", "k1", "missing"),
    ("LCS", "missing", "missing", "IDX"),
    ("SET", "r1", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA"),
    ("SET", "r2", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"),
    ("LCS", "r1", "r2"),
    ("LCS", "r1", "r2", "IDX", "WITHMATCHLEN"),
    ("LCS", "r2", "r1", "IDX", "MINMATCHLEN", "2"),
    ("SET", "n", "12345"),
    ("INCR", "n"),
    ("LCS", "n", "r1"),
    ("RPUSH", "list", "a"),
    ("LCS", "k1", "list"),
]

MOVE_SWAPDB = [
    ("SET", "k", "v"),
    ("PEXPIRE", "k", "100000"),
    ("RPUSH", "l", "1", "2"),
    ("MOVE", "k", "1"),
    ("EXISTS", "k"),
    ("MOVE", "k", "1"),
    ("MOVE", "l", "0"),
    ("MOVE", "l", "16"),
    ("MOVE", "l", "-1"),
    ("MOVE", "l", "x"),
    ("MOVE", "l", "99999999999"),
    ("SELECT", "1"),
    ("GET", "k"),
    ("PERSIST", "k"),
    ("SET", "l", "other"),
    ("SELECT", "0"),
    ("MOVE", "l", "1"),
    ("LRANGE", "l", "0", "-1"),
    ("SWAPDB", "0", "1"),
    ("GET", "k"),
    ("GET", "l"),
    ("SELECT", "1"),
    ("LRANGE", "l", "0", "-1"),
    ("SELECT", "0"),
    ("SWAPDB", "0", "0"),
    ("SWAPDB", "0", "16"),
    ("SWAPDB", "x", "1"),
    ("SWAPDB", "1", "x"),
    ("SWAPDB", "-1", "1"),
    ("SWAPDB", "99999999999", "1"),
    ("DBSIZE",),
]

SORT = [
    ("RPUSH", "l", "3", "1", "2", "10", "-1.5"),
    ("SORT", "l"),
    ("SORT", "l", "DESC"),
    ("SORT", "l", "ALPHA"),
    ("SORT", "l", "ALPHA", "DESC", "LIMIT", "1", "2"),
    ("SORT", "l", "LIMIT", "0", "-1"),
    ("SORT", "l", "LIMIT", "-5", "2"),
    ("SORT", "l", "LIMIT", "10", "2"),
    ("SORT", "l", "LIMIT", "2", "100"),
    ("SORT", "l", "LIMIT", "1"),
    ("SORT", "l", "LIMIT", "x", "1"),
    ("SORT", "l", "BY", "nosort"),
    ("SORT", "l", "BY", "nosort", "DESC"),
    ("SORT", "l", "BY", "nosort", "LIMIT", "1", "2"),
    ("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"),
    ("MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "o_1", "one", "o_3", "three"),
    ("HSET", "h_1", "f", "9", "name", "h1"),
    ("HSET", "h_2", "f", "8"),
    ("SORT", "l", "BY", "w_*"),
    ("SORT", "l", "BY", "w_*", "DESC", "GET", "#", "GET", "o_*"),
    ("SORT", "l", "BY", "h_*->f", "GET", "h_*->name", "GET", "h_*->f"),
    ("SORT", "l", "BY", "o_*", "ALPHA"),
    ("SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "o_*"),
    ("SORT", "l", "GET", "#", "GET", "nostar", "GET", "h_*->"),
    ("SORT", "l", "BY", "w_*", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("SORT", "l", "GET", "o_*", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("SORT", "l", "STORE", "l"),
    ("LRANGE", "l", "0", "-1"),
    ("SORT", "missing", "STORE", "dst"),
    ("EXISTS", "dst"),
    ("SORT", "missing"),
    ("SORT_RO", "l", "DESC"),
    ("SORT_RO", "l", "STORE", "dst"),
    ("SORT_RO", "l", "BY", "w_*", "GET", "o_*"),
    ("RPUSH", "bad", "1", "x"),
    ("SORT", "bad"),
    ("SORT", "bad", "ALPHA"),
    ("SORT", "bad", "STORE", "dst2"),
    ("EXISTS", "dst2"),
    ("SORT", "bad", "BY", "nosort"),
    ("SADD", "s", "5", "3", "40", "1"),
    ("SORT", "s"),
    ("SORT", "s", "DESC", "ALPHA"),
    ("SORT", "s", "BY", "nosort", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("ZADD", "z", "1", "c", "2", "a", "3", "b"),
    ("SORT", "z", "ALPHA"),
    ("SORT", "z", "BY", "nosort"),
    ("SORT", "z", "BY", "nosort", "DESC"),
    ("SORT", "z", "BY", "nosort", "LIMIT", "1", "5"),
    ("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "1"),
    ("SORT", "z"),
    ("SET", "str", "v"),
    ("SORT", "str"),
    ("SORT", "l", "FOO"),
    ("SORT", "l", "BY"),
    ("SORT", "l", "STORE"),
]


@pytest.mark.parametrize("script", [WRONG_REPLIES, ZMPOP, ZINTERCARD, LCS, MOVE_SWAPDB, SORT],
                         ids=["wrong-replies", "zmpop", "zintercard", "lcs", "move-swapdb",
                              "sort"])
def test_same_replies_as_redis(pair, script):
    run_both(pair, script)


def blocked_clients(client):
    return client.info("clients")["blocked_clients"]


def serve_blocked(server, command, steps):
    """Blocks `command` on one client, then runs each step (a list of commands, or a list
    queued in MULTI) from another; returns, per step, whether the waiter was still blocked
    after it, and the waiter's reply."""
    waiter, other = server.client(), server.client()
    result = {}
    t = threading.Thread(target=lambda: result.update(v=raw_reply(waiter, *command)))
    t.start()
    wait_for(lambda: blocked_clients(other) == 1, 60, "the client to block")
    still = []
    for multi, cmds in steps:
        if multi:
            p = other.pipeline(transaction=True)
            for c in cmds:
                p.execute_command(*c)
            p.execute(raise_on_error=False)
        else:
            for c in cmds:
                raw_reply(other, *c)
        still.append(blocked_clients(other) == 1 and t.is_alive())
    t.join(60)
    assert not t.is_alive()
    return still, result["v"]


# A MULTI that pushes, deletes and turns the key into a string: Redis keeps the client
# blocked (it serves only from a key of the right type); a later real push serves it.
TYPE_CHANGE = [
    (("BLPOP", "k", "0"),
     [(True, [("LPUSH", "k", "a"), ("DEL", "k"), ("SET", "k", "s")]),
      (False, [("DEL", "k"), ("RPUSH", "k", "b")])]),
    (("BLMPOP", "0", "1", "k", "LEFT"),
     [(True, [("LPUSH", "k", "a"), ("DEL", "k"), ("SET", "k", "s")]),
      (False, [("DEL", "k"), ("RPUSH", "k", "b")])]),
    (("BZPOPMIN", "k", "0"),
     [(True, [("ZADD", "k", "1", "a"), ("DEL", "k"), ("SET", "k", "s")]),
      (False, [("DEL", "k"), ("ZADD", "k", "2", "b")])]),
    (("BZMPOP", "0", "2", "k", "k2", "MAX", "COUNT", "2"),
     [(True, [("ZADD", "k", "1", "a"), ("DEL", "k"), ("SET", "k", "s")]),
      (False, [("ZADD", "k2", "1", "x", "2", "y", "3", "z")])]),
    # A key moved into place by RENAME, by LMOVE, or stored by SORT.
    (("BLMPOP", "0", "1", "k", "LEFT"),
     [(False, [("LPUSH", "src", "abc", "def", "hij"), ("RENAME", "src", "k")])]),
    (("BLPOP", "k", "0"),
     [(False, [("LPUSH", "src", "abc", "def", "hij"), ("RENAME", "src", "k")])]),
    (("BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2"),
     [(False, [("RPUSH", "src", "a", "b"), ("LMOVE", "src", "k", "LEFT", "RIGHT")])]),
    (("BLPOP", "k", "0"),
     [(False, [("RPUSH", "src", "3", "1", "2"), ("SORT", "src", "STORE", "k")])]),
    (("BZMPOP", "0", "1", "k", "MIN"),
     [(False, [("ZADD", "src", "1", "a"), ("RENAME", "src", "k")])]),
    # SWAPDB brings a list into the waiter's database; MOVE brings another one.
    (("BLPOP", "k", "0"),
     [(False, [("SELECT", "1"), ("RPUSH", "k", "v"), ("SWAPDB", "0", "1")])]),
    (("BZMPOP", "0", "1", "k", "MAX"),
     [(True, [("SELECT", "1"), ("ZADD", "k", "1", "a"), ("MOVE", "k", "0")])]),
]


@pytest.mark.parametrize("case", range(len(TYPE_CHANGE)))
def test_blocked_clients_like_redis(pair, case):
    command, steps = TYPE_CHANGE[case]
    got = serve_blocked(pair[0], command, steps)
    want = serve_blocked(pair[1], command, steps)
    assert got == want
    e, r = pair
    assert dump(e.client()) == dump(r.client())


def test_bzmpop_in_multi_does_not_block(pair):
    for server in pair:
        p = server.client().pipeline(transaction=True)
        p.execute_command("BZMPOP", "0", "1", "nothing", "MIN")
        p.execute_command("ZADD", "z", "1", "a")
        p.execute_command("BZMPOP", "0", "1", "z", "MIN")
        assert p.execute() == [None, 1, [b"z", [[b"a", b"1"]]]]


def watch_then(server, setup, writes):
    c, other = server.client(), server.client()
    for cmd in setup:
        raw_reply(other, *cmd)
    p = c.pipeline(transaction=True)
    p.watch("dst")
    for cmd in writes:
        raw_reply(other, *cmd)
    p.multi()
    p.get("x")
    try:
        return p.execute()
    except Exception as exc:  # WatchError
        return type(exc).__name__


def test_smove_of_member_in_destination_keeps_watch(pair):
    setup = [("SADD", "src", "m", "n"), ("SADD", "dst", "m")]
    for writes in ([("SMOVE", "src", "dst", "m")], [("SMOVE", "src", "dst", "n")]):
        assert watch_then(pair[0], setup, writes) == watch_then(pair[1], setup, writes)


REPLAY = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"),
    ("ZMPOP", "1", "z", "MAX", "COUNT", "2"),
    ("ZPOPMIN", "z", "0"),
    ("ZADD", "z", "LT", "INCR", "5", "a"),
    ("RPUSH", "l", "3", "1", "2"),
    ("MSET", "w_1", "3", "w_2", "2", "w_3", "1"),
    ("SORT", "l", "BY", "w_*", "STORE", "sorted"),
    ("SORT", "l", "GET", "nope_*", "STORE", "empties"),
    ("SADD", "s1", "m", "n"),
    ("SADD", "s2", "m"),
    ("SMOVE", "s1", "s2", "m"),
    ("SET", "t", "v", "PX", "600000"),
    ("MOVE", "t", "3"),
    ("HSET", "h", "f", "v"),
    ("MOVE", "h", "2"),
    ("SWAPDB", "2", "5"),
    ("SWAPDB", "0", "7"),
    ("SELECT", "7"),
    ("BZMPOP", "0.01", "1", "z", "MIN"),
    ("SORT", "l", "DESC", "STORE", "l"),
]


def test_writes_replay_after_kill9(pair):
    e = pair[0]
    c = e.client(single_connection_client=True)
    rc = pair[1].client(single_connection_client=True)
    for cmd in REPLAY:
        assert raw_reply(c, *cmd) == raw_reply(rc, *cmd), cmd
    before = dump(c)
    assert before == dump(rc)
    e.kill9()
    e.start()
    assert dump(e.client(single_connection_client=True)) == before


RESP3 = [
    ("ZADD", "z", "1", "a", "2.5", "b"),
    ("ZMPOP", "1", "z", "MAX", "COUNT", "5"),
    ("ZMPOP", "1", "z", "MAX"),
    ("ZADD", "z", "1", "a"),
    ("BZMPOP", "0", "1", "z", "MIN"),
    ("ZADD", "z", "1", "a"),
    ("ZPOPMIN", "z", "0"),
    ("ZADD", "z", "LT", "INCR", "1", "a"),
    ("SET", "k1", "ohmytext"),
    ("SET", "k2", "mynewtext"),
    ("LCS", "k1", "k2", "IDX", "WITHMATCHLEN"),
    ("RPUSH", "l", "2", "1"),
    ("SORT", "l", "GET", "#", "GET", "missing_*"),
]


def test_resp3_and_inline_replies_like_redis(pair):
    def replies(server):
        c = RawConnection(server.port)
        c.send(("HELLO", "3"))
        c.read_reply()
        out = []
        for cmd in RESP3:
            c.send(cmd)
            out.append(c.read_reply())
        c.sock.sendall(b'SET "foo bar\r\n')  # an inline command with unbalanced quotes
        out.append(c.read_reply())
        c.close()
        return out

    assert replies(pair[0]) == replies(pair[1])
