"""COMMAND DOCS, COMMAND INFO's key specs and COMMAND GETKEYS(ANDFLAGS) against Debian's
redis-server 7.0: for every command both servers know, the documentation (since, group,
complexity, deprecation, the argument grammar with names, types, tokens and flags, the
subcommands) and the key specs equal Redis's, in RESP3 and RESP2; the keys and flags of
representative command lines equal Redis's; redis-cli's help, built from COMMAND DOCS, reads
the engine's docs as it reads Redis's."""
import os
import re
import subprocess
import sys

from strongbox_harness import RawConnection, raw_reply

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts",
                                "command_docs"))
from gen_command_docs import UNIMPLEMENTED_SUBCOMMANDS  # noqa: E402

# Documented differences, the only ones allowed:
# - "summary": written in this project's own words (Redis's doc strings are not copied);
# - "history": Redis's change notes are prose, not reproduced;
# - key spec "notes": prose too, in the project's own words (present where Redis has one).
# - the subcommands the engine does not implement (gen_command_docs.py lists them; checked by
#   test_documented_subcommands_are_implemented).
UNIMPLEMENTED = {name.encode() for name in UNIMPLEMENTED_SUBCOMMANDS}
NOT_COMPARED = {b"summary", b"history", b"notes"} | UNIMPLEMENTED


class Resp3Connection(RawConnection):
    """RawConnection whose sets become ("set", tuple) in wire order (they hold arrays and maps)."""

    def read_reply(self):
        while b"\r\n" not in self.buf:
            self._fill()
        kind = self.buf[:1]
        if kind == b"~":
            n = int(self.read_line()[1:])
            return ("set", tuple(self.read_reply() for _ in range(n)))
        if kind == b"%":
            n = int(self.read_line()[1:])
            return {self.read_reply(): self.read_reply() for _ in range(n)}
        if kind == b"*":
            n = int(self.read_line()[1:])
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        return super().read_reply()


def call(conn, *args):
    conn.send(args)
    return conn.read_reply()


def connect(server, protocol):
    conn = Resp3Connection(server.port)
    if protocol == 3:
        call(conn, "HELLO", "3")
    return conn


def strip(value):
    """The reply without the fields NOT_COMPARED, at any depth."""
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in NOT_COMPARED}
    if isinstance(value, list):
        return [strip(v) for v in value]
    if isinstance(value, tuple):
        return tuple(strip(v) for v in value)
    return value


def strip_resp2(value):
    """strip() for RESP2, where a map is a flat [key, value, ...] array: such an array becomes
    a dict (Redis orders subcommands by its hash table), minus the keys NOT_COMPARED."""
    if not isinstance(value, list):
        return value
    if len(value) % 2 == 0 and value and all(isinstance(k, bytes) for k in value[::2]):
        return {k: strip_resp2(v) for k, v in zip(value[::2], value[1::2])
                if k not in NOT_COMPARED}
    return [strip_resp2(v) for v in value]


def differences(mine, theirs, path=""):
    """Readable differences between two parsed replies."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        out = []
        for k in sorted(set(mine) | set(theirs)):
            if k not in mine or k not in theirs:
                out.append(f"{path}/{k!r}: engine {mine.get(k)!r} redis {theirs.get(k)!r}")
            else:
                out += differences(mine[k], theirs[k], f"{path}/{k.decode()}")
        return out
    return [] if mine == theirs else [f"{path}: engine {mine!r} != redis {theirs!r}"]


def test_docs_match_redis_for_every_command(engine_and_redis):
    e, r = engine_and_redis
    mine = call(connect(e, 3), "COMMAND", "DOCS")
    theirs = call(connect(r, 3), "COMMAND", "DOCS")
    listed = set(call(connect(e, 3), "COMMAND", "LIST"))
    engine_commands = {name for name in listed if b"|" not in name}
    assert set(mine) == engine_commands, "COMMAND DOCS lists every command, once"
    # COMMAND LIST also names each subcommand ("config|get", as Redis 7.0), only those documented.
    subcommands = {sub for doc in mine.values() for sub in dict(doc).get(b"subcommands", {})}
    assert listed - engine_commands == subcommands and len(subcommands) > 50
    problems = []
    for name in sorted(set(mine) & set(theirs)):
        assert mine[name][b"summary"], f"{name}: no summary"
        if mine[name][b"summary"] == theirs[name][b"summary"]:
            problems.append(f"{name}: summary copied from Redis")
        problems += differences(strip(mine[name]), strip(theirs[name]), name.decode())
    assert not problems, "\n".join(problems[:50])


def test_docs_by_name_and_resp2_shape(engine_and_redis):
    names = ("get", "set", "CONFIG", "xgroup", "zadd", "georadius", "config|get", "XINFO|stream",
             "nosuch", "get|nosuch", "client", "eval")
    for protocol in (2, 3):
        e, r = (connect(s, protocol) for s in engine_and_redis)
        mine, theirs = call(e, "COMMAND", "DOCS", *names), call(r, "COMMAND", "DOCS", *names)
        if protocol == 2:
            assert strip_resp2(mine) == strip_resp2(theirs)
        else:
            assert strip(mine) == strip(theirs)
    assert call(connect(engine_and_redis[0], 2), "COMMAND", "DOCS", "nosuch") == []


def info_rows(server):
    rows = call(connect(server, 3), "COMMAND", "INFO")
    return {row[0]: row for row in rows}


# COMMAND INFO flags the engine models (tests/integration/server/test_command_table.py).
MODELED_FLAGS = {b"write", b"readonly", b"denyoom", b"admin", b"noscript", b"blocking",
                 b"no_auth", b"skip_slowlog", b"fast", b"movablekeys"}


def info_differences(name, mine, theirs):
    """Tips and key specs of a row; for a subcommand also its arity, flags, key range and
    categories (a registered command's are test_command_table.py's)."""
    out = []
    if strip(mine[7:9]) != strip(theirs[7:9]):
        out.append(f"{name}: tips/key specs engine {strip(mine[7:9])!r}\n"
                   f"   redis {strip(theirs[7:9])!r}")
    notes = [[b"notes" in spec for spec in row[8][1]] for row in (mine, theirs)]
    if notes[0] != notes[1]:
        out.append(f"{name}: notes where Redis has one {notes}")
    if b"|" in name:
        flags = [set(row[2][1]) & MODELED_FLAGS for row in (mine, theirs)]
        categories = [set(row[6][1]) for row in (mine, theirs)]
        if mine[1] != theirs[1] or mine[3:6] != theirs[3:6] or flags[0] != flags[1] or \
                categories[0] != categories[1]:
            out.append(f"{name}: engine {mine[:7]!r}\n   redis {theirs[:7]!r}")
    return out


def test_command_info_rows_match_redis(engine_and_redis):
    mine, theirs = (info_rows(s) for s in engine_and_redis)
    problems = []
    for name in sorted(set(mine) & set(theirs)):
        problems += info_differences(name, mine[name], theirs[name])
        subs = [{row[0]: row for row in (r[9] if isinstance(r[9], list) else r[9][1])
                 if row[0] not in UNIMPLEMENTED} for r in (mine[name], theirs[name])]
        if set(subs[0]) != set(subs[1]):
            problems.append(f"{name}: subcommands {sorted(subs[0])} != {sorted(subs[1])}")
        for sub in sorted(set(subs[0]) & set(subs[1])):
            problems += info_differences(sub, subs[0][sub], subs[1][sub])
    # a command without subcommands has an empty set there, as in Redis 7.0
    assert mine[b"get"][9] == ("set", ())
    # a subcommand by its full name; unknown ones are nulls
    names = ("config|get", "OBJECT|ENCODING", "get|x", "nosuch|x", "xgroup|nosuch")
    e, r = (connect(s, 3) for s in engine_and_redis)
    got, want = call(e, "COMMAND", "INFO", *names), call(r, "COMMAND", "INFO", *names)
    assert [row and row[0] for row in got] == [row and row[0] for row in want]
    assert not info_differences(b"object|encoding", got[1], want[1])
    assert not problems, "\n".join(problems)


def test_documented_subcommands_are_implemented(engine):
    """Each subcommand COMMAND DOCS lists runs (called with its arity, it is no unknown
    subcommand), and each one left out is still unknown to the engine."""
    c = engine.client()
    docs = dict(zip(*[iter(raw_reply(c, "COMMAND", "DOCS"))] * 2))
    listed = []
    for name, doc in docs.items():
        fields = dict(zip(doc[::2], doc[1::2]))
        listed += list(fields.get(b"subcommands", [])[::2])
    info = {}
    for row in raw_reply(c, "COMMAND", "INFO", *listed):
        info[row[0]] = row[1]
    assert len(info) == len(listed) > 50
    unknown = []
    for name in listed + sorted(UNIMPLEMENTED):
        parent, sub = name.decode().split("|")
        args = [] if sub == "help" else ["x"] * (abs(info.get(name, 2)) - 2)
        reply = raw_reply(c, parent, sub, *args)
        is_unknown = isinstance(reply, tuple) and "unknown subcommand '" in reply[1]
        if is_unknown != (name in UNIMPLEMENTED):
            unknown.append(f"{name.decode()}: {reply!r}")
    assert not unknown, "\n".join(unknown)


# Command lines whose keys and key flags must equal Redis's (GETKEYS and GETKEYSANDFLAGS).
KEY_LINES = [
    ("get", "k"), ("set", "k", "v"), ("set", "k", "v", "get"), ("set", "k", "v", "EX", "1", "GET"),
    ("setnx", "k", "v"), ("getex", "k", "persist"), ("getdel", "k"), ("getset", "k", "v"),
    ("mset", "a", "1", "b", "2"), ("msetnx", "a", "1", "b", "2"), ("mget", "a", "b", "c"),
    ("append", "k", "v"), ("incr", "k"), ("incrbyfloat", "k", "1.5"), ("setrange", "k", "1", "v"),
    ("lcs", "a", "b"), ("del", "a", "b"), ("unlink", "a"), ("exists", "a", "b"),
    ("expire", "k", "10"), ("persist", "k"), ("ttl", "k"), ("type", "k"), ("rename", "a", "b"),
    ("renamenx", "a", "b"), ("copy", "a", "b"), ("move", "k", "1"), ("dump", "k"),
    ("restore", "k", "0", "x"), ("object", "encoding", "k"), ("object", "freq", "k"),
    ("memory", "usage", "k"), ("watch", "a", "b"),
    ("hset", "h", "f", "v"), ("hget", "h", "f"), ("hgetall", "h"), ("hincrby", "h", "f", "1"),
    ("hdel", "h", "f"), ("hscan", "h", "0"),
    ("lpush", "l", "a"), ("rpop", "l"), ("lmove", "a", "b", "left", "right"),
    ("rpoplpush", "a", "b"), ("blpop", "a", "b", "0"), ("brpoplpush", "a", "b", "0"),
    ("blmove", "a", "b", "left", "left", "0"), ("lmpop", "2", "a", "b", "left"),
    ("blmpop", "0", "2", "a", "b", "left"), ("lpos", "l", "x"),
    ("linsert", "l", "before", "a", "b"), ("sadd", "s", "m"), ("srem", "s", "m"),
    ("smove", "a", "b", "m"), ("sinterstore", "d", "a", "b"),
    ("sunion", "a", "b"), ("sdiffstore", "d", "a"), ("sintercard", "2", "a", "b"),
    ("sintercard", "2", "a", "b", "limit", "1"),
    ("zadd", "z", "1", "m"), ("zincrby", "z", "1", "m"), ("zunionstore", "d", "2", "a", "b"),
    ("zinterstore", "d", "2", "a", "b", "weights", "1", "2"), ("zdiffstore", "d", "1", "a"),
    ("zdiff", "2", "a", "b"), ("zunion", "2", "a", "b", "withscores"), ("zinter", "1", "a"),
    ("zrangestore", "d", "s", "0", "-1"), ("zmpop", "1", "z", "min"),
    ("bzpopmin", "a", "b", "0"), ("bzmpop", "0", "1", "z", "max"), ("zintercard", "2", "a", "b"),
    ("zrange", "z", "0", "-1"), ("zscan", "z", "0"),
    ("xadd", "s", "*", "f", "v"), ("xread", "count", "1", "streams", "a", "b", "0", "0"),
    ("xread", "block", "0", "streams", "a", "0"), ("xread", "streams", "a", "b", "c"),
    ("xreadgroup", "group", "g", "c", "streams", "s", ">"),
    ("xreadgroup", "group", "g", "c", "count", "1", "noack", "streams", "s", "t", ">", ">"),
    ("xgroup", "create", "s", "g", "$"), ("xgroup", "setid", "s", "g", "$"),
    ("xgroup", "destroy", "s", "g"), ("xinfo", "stream", "s"), ("xinfo", "groups", "s"),
    ("xack", "s", "g", "1-0"), ("xclaim", "s", "g", "c", "0", "1-0"),
    ("xautoclaim", "s", "g", "c", "0", "0"), ("xpending", "s", "g"), ("xtrim", "s", "maxlen", "1"),
    ("xdel", "s", "1-0"), ("xsetid", "s", "1-0"), ("xrange", "s", "-", "+"), ("xlen", "s"),
    ("pfadd", "h", "a"), ("pfcount", "a", "b"), ("pfmerge", "d", "a", "b"),
    ("setbit", "k", "1", "1"), ("getbit", "k", "1"), ("bitop", "and", "d", "a", "b"),
    ("bitcount", "k"), ("bitpos", "k", "1"), ("bitfield", "k", "get", "u8", "0"),
    ("bitfield", "k", "set", "u8", "0", "1"), ("bitfield", "k", "overflow", "sat"),
    ("bitfield", "k", "get", "u8"), ("bitfield_ro", "k", "get", "u8", "0"),
    ("geoadd", "g", "1", "2", "m"), ("geodist", "g", "a", "b"),
    ("georadius", "g", "1", "2", "3", "m", "store", "d"),
    ("georadius", "g", "1", "2", "3", "m", "storedist", "d", "store", "e"),
    ("georadius_ro", "g", "1", "2", "3", "m"),
    ("georadiusbymember", "g", "m", "3", "km", "store", "d"),
    ("geosearch", "g", "frommember", "m", "byradius", "1", "m"),
    ("geosearchstore", "d", "s", "frommember", "m", "byradius", "1", "m"),
    ("sort", "k"), ("sort", "k", "store", "d"),
    ("sort", "k", "by", "w", "limit", "0", "1", "get", "x", "store", "d"),
    ("sort", "k", "store", "d1", "store", "d2"), ("sort_ro", "k", "by", "w"),
    ("eval", "s", "2", "a", "b"), ("eval", "s", "0"), ("eval", "s", "3", "a"),
    ("evalsha", "x", "1", "a"), ("eval_ro", "s", "1", "a"), ("evalsha_ro", "x", "0"),
    ("fcall", "f", "1", "a"), ("fcall_ro", "f", "0"),
    ("zunionstore", "d", "0", "a"), ("zunion", "2x", "a", "b"), ("zunion", "x", "a"),
    ("lmpop", "5", "a", "left"),
    # malformed lines: the specs give up and the fallback rules decide, as in Redis
    ("georadius", "k", "1", "2", "3", "m", "store"), ("zunionstore", "d", "-1", "a"),
    ("eval", "s", "99999999999999999999", "a"), ("eval", "s", "-5", "a"), ("eval", "s", "1"),
    ("sort", "k", "limit"), ("sort", "k", "limit", "0"), ("sort", "k", "store"),
    ("bitfield", "k", "get"), ("bitfield", "k", "get", "u8"), ("xread", "streams"),
    ("xread", "count", "streams", "a", "0"), ("xreadgroup", "group", "g", "c", "streams", "a"),
    ("xreadgroup", "streams", "a", "0"), ("zinter", "1"), ("zdiff", "99999999999999999999", "a"),
    ("lmpop", "1", "a"), ("sintercard", "0", "a"), ("set", "k", "v", "get", "get"),
    ("object", "help"), ("xgroup", "create", "s", "g"), ("memory", "usage", "k", "samples", "5"),
    # no keys, unknown commands and subcommands, arity
    ("ping",), ("publish", "c", "m"), ("spublish", "c", "m"), ("ssubscribe", "c"),
    ("config", "get", "x"), ("object",), ("object", "nosuch", "k"), ("object", "encoding"),
    ("nosuch", "a"), ("get",), ("get", "a", "b"), ("xinfo", "stream"),
]


def test_getkeys_and_flags_match_redis(engine_and_redis):
    e, r = (s.client() for s in engine_and_redis)
    problems = []
    commands = set()
    for line in KEY_LINES:
        for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
            got = raw_reply(e, "COMMAND", sub, *line)
            want = raw_reply(r, "COMMAND", sub, *line)
            if got != want:
                problems.append(f"COMMAND {sub} {' '.join(line)}: engine {got!r} redis {want!r}")
        commands.add(line[0])
    assert len(commands) >= 40
    assert not problems, "\n".join(problems)


def test_getkeysandflags_resp3(engine_and_redis):
    lines = [("set", "k", "v", "get"), ("smove", "a", "b", "m"), ("sort", "k", "store", "d")]
    e, r = (connect(s, 3) for s in engine_and_redis)
    for line in lines:
        assert call(e, "COMMAND", "GETKEYSANDFLAGS", *line) == \
            call(r, "COMMAND", "GETKEYSANDFLAGS", *line)


def cli(port, *args):
    out = subprocess.run(["redis-cli", "-p", str(port), "--no-raw", *args], capture_output=True,
                         timeout=60, check=True)
    return out.stdout.decode()


def without_summary(text):
    """redis-cli's rendering of COMMAND DOCS minus the line after "summary" (its value)."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if i > 0 and lines[i - 1].endswith('"summary"'):
            continue
        out.append(line)
    return out


def test_redis_cli_renders_docs(engine_and_redis):
    e, r = engine_and_redis
    # commands without history or subcommands, whose rendering is otherwise identical
    for name in ("get", "lmove", "zrangestore", "blmpop", "bitfield", "sort", "xreadgroup"):
        mine, theirs = cli(e.port, "COMMAND", "DOCS", name), cli(r.port, "COMMAND", "DOCS", name)
        assert without_summary(mine) == without_summary(theirs)
    assert '"summary"' in cli(e.port, "COMMAND", "DOCS")


def cli_help(port, *command):
    """What `redis-cli help <command>` prints (built from COMMAND DOCS), without the colors,
    as {"syntax": ..., "summary": ..., "since": ..., "group": ...}."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", cli(port, "help", *command)).replace("\r", "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    fields["syntax"] = lines[0]
    return fields


def test_redis_cli_help_uses_engine_docs(engine_and_redis):
    e, r = engine_and_redis
    for command in (("zadd",), ("set",), ("xgroup", "create"), ("config", "get"), ("georadius",),
                    ("xautoclaim",), ("client", "kill"), ("bitfield",)):
        mine, theirs = cli_help(e.port, *command), cli_help(r.port, *command)
        assert mine["summary"] and mine["summary"] != theirs["summary"]
        del mine["summary"], theirs["summary"]
        assert mine == theirs, command
