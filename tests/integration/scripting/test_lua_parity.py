"""Differential tests: the same EVAL / EVALSHA / SCRIPT commands against the engine and Debian's
redis-server 7.0, reply by reply on a raw socket (RESP2 and RESP3), errors and their texts
included: the Lua <-> RESP conversions, redis.* helpers, the sandbox and script errors."""
import pytest

from strongbox_harness import Engine, RawConnection, RedisServer


@pytest.fixture
def servers(tmp_path):
    tmp = tmp_path
    e = Engine(tmp / "data").start()
    r = RedisServer(tmp / "redis").start()
    yield e, r
    r.stop()
    assert e.stop() == 0


def connect(servers, resp=2):
    conns = [RawConnection(s.port) for s in servers]
    for c in conns:
        c.send(("FLUSHALL",), ("SCRIPT", "FLUSH"))
        c.read_reply(), c.read_reply()
        if resp == 3:
            c.send(("HELLO", "3"))
            c.read_reply()
    return conns


def same_replies(servers, commands, resp=2):
    engine, redis = connect(servers, resp)
    for cmd in commands:
        engine.send(cmd)
        redis.send(cmd)
        got, want = engine.read_reply(), redis.read_reply()
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"
    engine.close()
    redis.close()


SETUP = [
    ("SET", "str", "hello"),
    ("RPUSH", "list", "a", "b", "c"),
    ("HSET", "hash", "f1", "v1", "f2", "v2"),
    ("SADD", "set", "m1"),
    ("ZADD", "zset", "1.5", "x", "2", "y"),
]

# Return values of every Lua type, nested tables and the special tables.
CONVERSIONS = [
    "return 1", "return -7", "return 3.99", "return -3.7", "return 1e20", "return 0/0 == 0/0",
    "return 'text'", "return ''", "return true", "return false", "return nil", "return {}",
    "return {1, 2, 3}", "return {1, 'two', {3, {4, 'five'}}}", "return {1, 2, nil, 4}",
    "return {1, false, 3}", "return {1, true, 3}", "return {x = 1, y = 2}",
    "return {ok = 'fine'}", "return {ok = 'a\\r\\nb'}", "return {err = 'MYCODE custom'}",
    "return {err = 'no code'}", "return {1, {ok = 'o'}, {err = 'e'}, 2.5}",
    "return redis.status_reply('STATUS')", "return redis.error_reply('x')",
    "return redis.error_reply('-x')", "return redis.error_reply('ERR x')",
    "return redis.error_reply('WRONGTYPE nope')", "return {double = 3.5}",
    "return {big_number = '1234567890123456789012'}", "return {map = {a = 1}}",
    "return {set = {a = true}}", "return {verbatim_string = {format = 'txt', string = 'hi'}}",
    "return KEYS", "return ARGV", "return {KEYS[1], ARGV[1], #KEYS, #ARGV}",
    "return redis.call('get', 'str')", "return redis.call('get', 'missing')",
    "return redis.call('lrange', 'list', 0, -1)", "return redis.call('hgetall', 'hash')",
    "return redis.call('smembers', 'set')", "return redis.call('zrange', 'zset', 0, -1, 'withscores')",
    "return redis.call('incr', 'counter')", "return redis.call('set', 'k', 'v')",
    "return redis.call('ping')", "return type(redis.call('get', 'missing'))",
    "return redis.pcall('incr', 'str')", "return redis.pcall('nosuchcommand')",
    "return redis.pcall('get')", "return type(redis.pcall('incr', 'str'))",
    "return redis.pcall('incr', 'str')['err']", "return redis.call('exists', 'str', 'list')",
    "return redis.sha1hex('')", "return redis.sha1hex('abc')",
    "return cjson.encode({1, 2, 3})", "return cjson.decode('[1,2,3]')[2]",
    "return cjson.decode('{\"a\":5}').a", "return bit.band(0xff, 0x0f)", "return bit.tohex(255)",
    "return string.format('%d-%s', 7, 'x')", "return table.concat({'a', 'b'}, ',')",
    "return math.random(0)", "return math.random(3, 1)", "return math.random(1, 2, 3)",
    "return math.floor(2.7)", "return tostring(12)", "return tonumber('42')",
    "local t = {} for i = 1, 5 do t[#t + 1] = i * i end return t",
    "redis.call('select', 3) redis.call('set', 'db3', 'x') return redis.call('get', 'db3')",
    "return redis.call('get', 'db3')", "return redis.REDIS_VERSION ~= nil",
    "return redis.call('type', 'hash')['ok']", "return redis.replicate_commands()",
    "return redis.call('set', 'n', 12.0)", "return redis.call('get', 'n')",
    "redis.call('set', 'f', 1/3) return redis.call('get', 'f')",
    "redis.call('set', 'f', 1e20) return redis.call('get', 'f')",
    "redis.call('set', 'f', -0.5) return redis.call('get', 'f')",
    "return redis.call('hset', 'h2', 1, 2.5)", "return redis.call('hgetall', 'h2')",
]

# Errors: script errors, refused commands, the sandbox, argument checks; Redis 7.0 texts.
ERRORS = [
    "error('boom')", "error({err = 'MYERR raised table'})", "return redis.call('incr', 'str')",
    "return redis.call('nosuchcommand')", "return redis.call()", "return redis.call('get')",
    "return redis.call('get', {})", "return redis.call('get', nil)", "return redis.call('multi')",
    "return redis.call('exec')", "return redis.call('watch', 'x')",
    "return redis.call('eval', 'return 1', 0)", "return redis.call('script', 'flush')",
    "return redis.call('blpop', 'list', 0)", "return redis.call('auth', 'x')",
    "return redis.call('config', 'get', 'maxmemory')", "return redis.call('client', 'id')",
    "return redis.call('function', 'flush')", "return redis.call('quit')",
    "return redis.call('hello', '3')", "return redis.call('select', 99)",
    "return redis.call('subscribe', 'ch')", "return redis.call('psubscribe', 'c*')",
    "return redis.call('unsubscribe')", "return redis.call('publish', 'ch', 'm')",
    "a = 1", "return undefined_global", "string.x = 1", "rawset(_G, 'x', 1)",
    "return os.time()", "return io", "return loadfile", "return dofile", "print('x')",
    "redis.setresp(4)", "redis.setresp()", "redis.log()", "redis.log('x', 'y')",
    "redis.log(redis.LOG_WARNING, 'from a script')", "return redis.sha1hex()",
    "return redis.error_reply()", "return redis.status_reply(1, 2)", "return 1 + {}",
    "local x = nil; return x.y", "retur 1", "return (", "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')",
    "#!lua flags=no-writes\nreturn redis.call('get', 'str')", "#!lua flags=bogus\nreturn 1",
    "#!notlua\nreturn 1", "#!lua foo=bar\nreturn 1",
    "#!lua flags=no-writes,allow-oom\nreturn 1", "#!lua\nreturn 2", "local t = redis.pcall('incr', 'str') error(t)",
    "return redis.call('set', 'k')", "return pcall(function() error('inner') end)",
    # error({}) is left out: it crashes redis-server 7.0.x (the engine answers "ERR unknown error").
    "error(42)", "error()", "error(false)", "return {err = 'E1', ok = 'O1'}", "return redis.pcall('set')",
    "local ok, err = pcall(redis.call, 'incr', 'str') return err", "return math.huge",
    "return -math.huge", "return cjson.decode('{')", "return bit.tobit(0xffffffff)",
    "return loadstring('return 7')()", "return type(_G)", "return _G.redis ~= nil",
    "return tostring(nil)", "return redis.call('echo', 'x')", "return {1, {}, {{}}}",
    "local function f() return 1 + f() end return f()", "return string.nonexistent",
    "return #redis.call('lrange', 'list', 0, -1)", "return redis.call('lpush', 'str', 'x')",
]


def eval_commands(scripts, keys=("k1", "k2"), args=("a1", "a2", "a3")):
    return [("EVAL", s, str(len(keys)), *keys, *args) for s in scripts]


def test_conversions_resp2(servers):
    same_replies(servers, SETUP + eval_commands(CONVERSIONS))


def test_conversions_resp3(servers):
    resp3 = ["redis.setresp(3) return redis.call('hgetall', 'hash')",
             "redis.setresp(3) return redis.call('smembers', 'set')",
             "redis.setresp(3) return redis.call('zscore', 'zset', 'x')",
             "redis.setresp(3) return redis.call('get', 'missing')",
             "redis.setresp(3) return true", "redis.setresp(3) return false",
             "redis.setresp(3) return type(redis.call('get', 'missing'))",
             "redis.setresp(3) local m = redis.call('hgetall', 'hash') return m['map']['f1']",
             "redis.setresp(3) return redis.call('zscore', 'zset', 'x')['double']"]
    for resp in (2, 3):
        same_replies(servers, SETUP + eval_commands(CONVERSIONS + resp3), resp=resp)


def test_script_errors(servers):
    same_replies(servers, SETUP + eval_commands(ERRORS))


# Blocking commands Redis 7.0 allows in scripts answer at once; XREAD/XREADGROUP refuse BLOCK.
BLOCKING_IN_SCRIPTS = [
    "return redis.call('xread', 'streams', 's', '0')",
    "return redis.call('XREAD', 'COUNT', 1, 'STREAMS', 's', 'missing', '0-0', '0')",
    "return redis.call('xread', 'block', 0, 'streams', 's', '0')",
    "return redis.call('XREAD', 'BLOCK', 'notanumber', 'STREAMS', 's', '0')",
    "return redis.call('xread', 'block', 10, 'streams', 's')",
    "return redis.call('xreadgroup', 'group', 'g', 'c', 'streams', 's', '>')",
    "return redis.call('xreadgroup', 'group', 'g', 'c', 'block', 0, 'streams', 's', '>')",
    "return redis.call('xreadgroup', 'group', 'g', 'c', 'streams', 's', '0')",
    "return redis.call('blmpop', 0, 1, 'list', 'LEFT')",
    "return redis.call('blmpop', 0, 1, 'nolist', 'LEFT')",
    "return redis.call('bzmpop', 0, 1, 'zset', 'MIN')",
    "return redis.call('bzmpop', 0, 1, 'nozset', 'MAX', 'COUNT', 2)",
    "return redis.call('brpop', 'list', 0)", "return redis.call('bzpopmin', 'zset', 0)",
]


def test_blocking_commands_in_scripts(servers):
    streams = [("XADD", "s", "1-1", "f", "v"), ("XADD", "s", "2-1", "g", "w"),
               ("XGROUP", "CREATE", "s", "g", "0")]
    same_replies(servers, SETUP + streams + eval_commands(BLOCKING_IN_SCRIPTS, keys=()))


def test_eval_arguments_and_script_commands(servers):
    body = "return {KEYS[1], ARGV[1]}"
    sha = "missingsha0000000000000000000000000000000"
    same_replies(servers, [
        ("EVAL", body, "2", "a"), ("EVAL", body, "-1"), ("EVAL", body, "x"),
        ("EVAL", body, "0"), ("EVAL", body, "1", "k", "a"), ("EVALSHA", sha, "0"),
        ("SCRIPT", "LOAD", body), ("SCRIPT", "EXISTS", sha, "nope"),
        ("SCRIPT", "LOAD", "retur 1"), ("SCRIPT", "FLUSH", "maybe"), ("SCRIPT", "FLUSH", "ASYNC"),
        ("SCRIPT", "FLUSH"), ("SCRIPT", "KILL"), ("SCRIPT", "NOPE"), ("SCRIPT", "LOAD"),
        ("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "str"),
        ("EVAL_RO", "return redis.call('set', KEYS[1], 'x')", "1", "str"),
        ("EVAL", "return redis.call('get', 'str')", "0"),
    ])


def test_evalsha_after_load_and_flush(servers):
    engine, redis = connect(servers)
    for conn in (engine, redis):
        conn.send(("SCRIPT", "LOAD", "return 'cached'"))
    sha = engine.read_reply()
    assert sha == redis.read_reply()
    same_replies(servers, [
        ("SCRIPT", "LOAD", "return 'cached'"), ("EVALSHA", sha, "0"),
        ("EVALSHA", sha.upper(), "0"), ("EVALSHA_RO", sha, "0"), ("SCRIPT", "EXISTS", sha),
        ("SCRIPT", "FLUSH"), ("SCRIPT", "EXISTS", sha), ("EVALSHA", sha, "0"),
    ])


def test_script_inside_multi(servers):
    same_replies(servers, [
        ("MULTI",), ("EVAL", "return redis.call('incr', KEYS[1])", "1", "c"),
        ("EVAL", "return redis.call('incr', KEYS[1])", "1", "c"), ("EXEC",), ("GET", "c"),
    ])
