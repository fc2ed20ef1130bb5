"""COMMAND against Debian's redis-server 7.0: every command both have has the same arity, the
same key positions and the same flags among those the engine models (a documented list of
exceptions aside); COMMAND GETKEYS finds the same keys, movable ones included; COUNT, LIST
(FILTERBY), INFO's 10-element shape and the subcommand errors match."""
from strongbox_harness import raw_reply

# The flags the engine has a notion of. Redis's loading, stale, allow_busy, pubsub,
# skip_monitor, no_mandatory_keys, ... describe replication, loading and scripts' busy state,
# which the engine does not have: they are not reported.
MODELED = {"write", "readonly", "denyoom", "admin", "noscript", "blocking", "no_auth",
           "skip_slowlog", "fast", "movablekeys"}

# Container commands: Redis reports their flags and keys per subcommand (CONFIG|SET...); the
# engine registers the container once, with the flags its dispatcher enforces.
CONTAINERS = {"client", "config", "function", "latency", "memory", "object", "script",
              "slowlog", "xinfo", "command", "pubsub", "acl", "cluster", "xgroup"}

# Registrations that differ from Redis's flags (owned by each family's file): flag -> commands.
# EVAL_RO & co. are not flagged readonly: the engine's readonly flag means "reads keys through
# the lookup path" (dispatch samples, keyspace hits), which a script's own calls already are.
# SAVE parks its client like a blocking command until the snapshotter has written (blocking,
# readonly: it changes nothing) and re-runs with internal arguments (arity -1; a client's
# arguments are refused as Redis's arity error).
FLAG_EXCEPTIONS = {
    "readonly": {"eval_ro", "evalsha_ro", "fcall_ro", "save"},
    "blocking": {"save"},
}
ARITY_EXCEPTIONS = {"save"}
# Sharded pub/sub names its channel as a key in Redis (cluster slot routing); not registered.
KEY_EXCEPTIONS = {"spublish", "ssubscribe", "sunsubscribe"}
# Commands of later Redis versions (WAITAOF is 7.2's).
NEWER_THAN_7_0 = {"waitaof"}


def table(client):
    rows = {}
    for row in raw_reply(client, "COMMAND"):
        assert len(row) == 10
        rows[row[0].decode()] = row
    return rows


def test_command_table_matches_redis(engine_and_redis):
    e, r = engine_and_redis
    mine, theirs = table(e.client()), table(r.client())
    assert raw_reply(e.client(), "COMMAND", "COUNT") == len(mine)
    assert set(mine) - NEWER_THAN_7_0 <= set(theirs), "commands Redis 7.0 does not have"
    problems = []
    for name in sorted(set(mine) & set(theirs)):
        m, t = mine[name], theirs[name]
        if m[1] != t[1] and name not in ARITY_EXCEPTIONS:
            problems.append(f"{name}: arity {m[1]} != {t[1]}")
        if name in CONTAINERS:
            continue
        if name not in KEY_EXCEPTIONS and m[3:6] != t[3:6]:
            problems.append(f"{name}: keys {m[3:6]} != {t[3:6]}")
        my_flags = {f.decode() for f in m[2]}
        their_flags = {f.decode() for f in t[2]} & MODELED
        for flag in my_flags ^ their_flags:
            if name not in FLAG_EXCEPTIONS.get(flag, set()):
                problems.append(f"{name}: flag {flag} engine={flag in my_flags}")
    assert not problems, "\n".join(problems)


def test_command_info_rows(engine):
    c = engine.client()
    get = raw_reply(c, "COMMAND", "INFO", "get", "nosuchcommand")
    assert get[1] is None
    name, arity, flags, first, last, step, categories, tips, key_specs, subcommands = get[0]
    assert (name, arity, first, last, step) == (b"get", 2, 1, 1, 1)
    assert set(flags) == {b"readonly", b"fast"}
    assert b"@read" in categories and b"@fast" in categories
    assert len(key_specs) == 1 and b"begin_search" in key_specs[0]
    eval_row = raw_reply(c, "COMMAND", "INFO", "eval")[0]
    assert b"movablekeys" in eval_row[2]


GETKEYS = [
    ("COMMAND", "GETKEYS", "set", "k", "v"),
    ("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"),
    ("COMMAND", "GETKEYS", "eval", "return 1", "2", "a", "b", "c"),
    ("COMMAND", "GETKEYS", "eval", "return 1", "0"),
    ("COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b", "weights", "1", "2"),
    ("COMMAND", "GETKEYS", "zunionstore", "d", "0", "a"),
    ("COMMAND", "GETKEYS", "zinter", "2", "a", "b"),
    ("COMMAND", "GETKEYS", "xread", "count", "2", "streams", "s1", "s2", "0", "0"),
    ("COMMAND", "GETKEYS", "xread", "streams", "a"),
    ("COMMAND", "GETKEYS", "sort", "k", "by", "x", "store", "d"),
    ("COMMAND", "GETKEYS", "georadius", "k", "1", "2", "3", "m", "store", "d"),
    ("COMMAND", "GETKEYS", "lmpop", "1", "a", "left"),
    ("COMMAND", "GETKEYS", "blmpop", "0", "2", "a", "b", "left"),
    ("COMMAND", "GETKEYS", "nosuch", "a"),
    ("COMMAND", "GETKEYS", "get"),
    ("COMMAND", "GETKEYS", "get", "a", "b"),
    ("COMMAND", "GETKEYS", "ping", "x"),
    ("COMMAND", "GETKEYS"),
    ("COMMAND", "LIST", "FILTERBY", "MODULE", "x"),
    ("COMMAND", "LIST", "FILTERBY", "foo", "x"),
    ("COMMAND", "LIST", "x"),
    ("COMMAND", "COUNT", "x"),
    ("COMMAND", "nope"),
]


def test_getkeys_and_subcommand_errors_match_redis(engine_and_redis):
    e, r = engine_and_redis
    ec, rc = e.client(), r.client()
    for cmd in GETKEYS:
        got, want = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"


def test_command_list_filters(engine_and_redis):
    e, r = engine_and_redis
    mine = set(raw_reply(e.client(), "COMMAND", "LIST"))
    # LIST names subcommands too ("config|get"), as Redis 7.0's; COUNT counts commands only.
    assert len({n for n in mine if b"|" not in n}) == raw_reply(e.client(), "COMMAND", "COUNT")
    assert mine - set(raw_reply(r.client(), "COMMAND", "LIST")) == {
        name.encode() for name in NEWER_THAN_7_0}
    assert b"config|get" in mine and b"client|tracking" not in mine  # not implemented
    pattern = ("COMMAND", "LIST", "FILTERBY", "PATTERN", "z*store")
    got = set(raw_reply(e.client(), *pattern))
    want = set(raw_reply(r.client(), *pattern)) & mine
    assert got == want and b"zunionstore" in got
    blocking = set(raw_reply(e.client(), "COMMAND", "LIST", "FILTERBY", "ACLCAT", "blocking"))
    assert b"blpop" in blocking and b"get" not in blocking
