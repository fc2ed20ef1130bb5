"""Differential tests for Redis 7.0 Functions: the same FUNCTION / FCALL commands against the
engine and Debian's redis-server 7.0, reply by reply on a raw socket (RESP2 and RESP3), errors
and their texts included. FUNCTION DUMP's payload is not Redis's RDB encoding, so DUMP/RESTORE
is checked on the engine alone."""
import pytest
import redis

from strongbox_harness import Engine, RawConnection
from test_lua_parity import connect, servers  # noqa: F401 (servers is a fixture)

LIB = """#!lua name=lib1
redis.register_function('echo', function(keys, args) return {keys, args} end)
redis.register_function{function_name='ro', callback=function(keys)
  return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function{function_name='wr', callback=function(keys, args)
  return redis.call('set', keys[1], args[1]) end}
redis.register_function{function_name='sneaky', callback=function()
  return redis.call('set', 'x', 1) end, flags={'no-writes'}}
local function helper(n) return redis.call('incrby', 'cnt', n) end
redis.register_function('inc', function(keys, args) return helper(tonumber(args[1])) end)
redis.register_function('boom', function() return redis.call('nosuch') end)
redis.register_function('err', function() error('plain') end)
"""

BAD_LOADS = [
    "no shebang", "#!lua", "#!lua name=x", "#!lua\nreturn 1", "#!lua name=x foo=bar\n",
    "#!lua name=x name=y\n", "#!js name=x\n", "#!lua name=bad-name\n",
    "#!lua name=l2\nreturn 1", "#!lua name=l2\nredis.register_function()",
    "#!lua name=l2\nredis.register_function('a')", "#!lua name=l2\nredis.register_function(1, 2)",
    "#!lua name=l2\nredis.register_function('a', 2)",
    "#!lua name=l2\nredis.register_function{function_name='a'}",
    "#!lua name=l2\nredis.register_function{callback=function() end}",
    "#!lua name=l2\nredis.register_function{function_name='a', callback=function() end, x=1}",
    "#!lua name=l2\nredis.register_function{function_name='a', callback=function() end, "
    "flags={'bogus'}}",
    "#!lua name=l2\nredis.register_function{function_name='a', callback=function() end, "
    "flags='no-writes'}",
    "#!lua name=l2\nredis.register_function('bad-name', function() end)",
    "#!lua name=l2\nredis.register_function('a', function() end)\n"
    "redis.register_function('a', function() end)",
    "#!lua name=l2\nredis.register_function('echo', function() end)",
    "#!lua name=l2\nredis.call('ping')", "#!lua name=l2\nerror('x')", "#!lua name=l2\nx = 1",
    "#!lua name=l2\nsyntax error", "#!lua name=lib1\nredis.register_function('z', function() end)",
]

COMMANDS = [
    ("FUNCTION", "LOAD", LIB),
    *[("FUNCTION", "LOAD", code) for code in BAD_LOADS],
    ("FUNCTION", "LOAD", "BOGUS", LIB), ("FUNCTION", "LOAD"),
    ("FCALL", "echo", "2", "k1", "k2", "a1", "a2"), ("FCALL", "echo", "0"),
    ("FCALL", "wr", "1", "key", "value"), ("FCALL", "ro", "1", "key"),
    ("FCALL_RO", "ro", "1", "key"), ("FCALL_RO", "wr", "1", "key", "v"),
    ("FCALL", "sneaky", "0"), ("FCALL", "inc", "0", "5"), ("FCALL", "inc", "0", "2"),
    ("FCALL", "boom", "0"), ("FCALL", "err", "0"), ("FCALL", "nope", "0"),
    ("FCALL", "echo", "x"), ("FCALL", "echo", "3", "a"), ("FCALL", "echo", "-1"),
    ("FCALL", "echo"), ("FUNCTION", "LIST"), ("FUNCTION", "LIST", "WITHCODE"),
    ("FUNCTION", "LIST", "LIBRARYNAME", "lib*"), ("FUNCTION", "LIST", "LIBRARYNAME", "zz*"),
    ("FUNCTION", "LIST", "LIBRARYNAME"), ("FUNCTION", "LIST", "BOGUS"), ("FUNCTION", "STATS"),
    ("FUNCTION", "KILL"), ("FUNCTION", "RESTORE", "garbage"),
    ("FUNCTION", "RESTORE", "garbage", "BOGUS"), ("FUNCTION", "DELETE", "nope"),
    ("FUNCTION", "FLUSH", "BOGUS"), ("FUNCTION", "BOGUS"), ("FUNCTION", "DUMP", "x"),
    ("FUNCTION", "LOAD", "REPLACE", LIB.replace("'echo'", "'echo2'")),
    ("FCALL", "echo", "0"), ("FCALL", "echo2", "1", "k"),
    ("EVAL", "return redis.call('fcall', 'echo2', 0)", "0"),
    ("FUNCTION", "DELETE", "lib1"), ("FCALL", "echo2", "0"), ("FUNCTION", "LIST"),
    ("FUNCTION", "LOAD", LIB), ("FUNCTION", "FLUSH", "ASYNC"), ("FUNCTION", "LIST"),
    ("FUNCTION", "STATS"),
]


def by_function_name(reply):
    """FUNCTION LIST with each library's functions sorted by name: Redis lists them in its hash
    table's order, the engine in registration order."""
    libraries = []
    for library in reply:
        fields = dict(zip(library[::2], library[1::2])) if isinstance(library, list) else library
        functions = fields[b"functions"]
        key = (lambda f: f[1]) if functions and isinstance(functions[0], list) else (
            lambda f: f[b"name"])
        fields[b"functions"] = sorted(functions, key=key)
        libraries.append(fields)
    return libraries


@pytest.mark.parametrize("resp", [2, 3])
def test_function_replies_match_redis(servers, resp):  # noqa: F811
    engine, redis_conn = connect(servers, resp)
    for conn in (engine, redis_conn):
        conn.send(("FUNCTION", "FLUSH"))
        conn.read_reply()
    for cmd in COMMANDS:
        engine.send(cmd)
        redis_conn.send(cmd)
        got, want = engine.read_reply(), redis_conn.read_reply()
        if cmd[:2] == ("FUNCTION", "LIST") and isinstance(want, list):
            got, want = by_function_name(got), by_function_name(want)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"
    engine.close()
    redis_conn.close()


def test_dump_restore_policies_on_the_engine(tmp_path):
    engine = Engine(tmp_path / "data").start()
    c = engine.client()
    c.function_load(LIB)
    payload = c.function_dump()
    with pytest.raises(redis.ResponseError, match="Library lib1 already exists"):
        c.function_restore(payload)
    with pytest.raises(redis.ResponseError, match="payload version or checksum are wrong"):
        c.function_restore(payload[:-1] + bytes([payload[-1] ^ 1]))
    assert c.function_restore(payload, "REPLACE")
    c.function_flush()
    with pytest.raises(redis.ResponseError, match="Function not found"):
        c.fcall("echo", 0)
    assert c.function_restore(payload)
    assert c.fcall("echo", 1, "k", "a") == [[b"k"], [b"a"]]
    c.function_load("#!lua name=other\nredis.register_function('o', function() return 7 end)")
    assert c.function_restore(payload, "FLUSH")
    with pytest.raises(redis.ResponseError, match="Function not found"):
        c.fcall("o", 0)
    # A failed restore changes nothing.
    c.function_load("#!lua name=clash\nredis.register_function('x1', function() return 1 end)")
    clash = c.function_dump()
    c.function_delete("clash")
    c.function_load("#!lua name=holder\nredis.register_function('x1', function() return 2 end)")
    with pytest.raises(redis.ResponseError, match="Function x1 already exists"):
        c.function_restore(clash)
    assert c.fcall("x1", 0) == 2 and c.fcall("echo", 0) == [[], []]
    assert engine.stop() == 0


def test_script_flush_keeps_functions(tmp_path):
    engine = Engine(tmp_path / "data").start()
    conn = RawConnection(engine.port)
    conn.send(("FUNCTION", "LOAD", LIB), ("SCRIPT", "FLUSH"), ("FCALL", "inc", "0", "3"))
    assert conn.read_reply() == b"lib1"
    conn.read_reply()
    assert conn.read_reply() == 3
    conn.close()
    assert engine.stop() == 0
