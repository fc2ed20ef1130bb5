"""Scripts as client libraries write them: redis-py's Lock (register_script: EVALSHA with a
NOSCRIPT fallback to EVAL), a rate limiter and a reliable queue in the same style; each runs
against the engine and against Debian's redis-server, which must agree. Also: a runaway or
memory-hungry script fails with an error and leaves the engine serving."""
import threading
import time

import pytest
import redis
from redis.exceptions import LockNotOwnedError, NoScriptError, ResponseError

from strongbox_harness import Engine, RedisServer


@pytest.fixture(params=["engine", "redis"])
def client(request, tmp_path):
    if request.param == "engine":
        server = Engine(tmp_path / "data").start()
        yield server.client()
        assert server.stop() == 0
    else:
        server = RedisServer(tmp_path / "redis").start()
        yield server.client()
        server.stop()


def test_redis_py_lock_acquire_extend_release(client):
    lock = client.lock("resource", timeout=10)
    assert lock.acquire(blocking=False)
    assert not client.lock("resource", timeout=10).acquire(blocking=False)
    assert lock.extend(20)
    assert 20000 < client.pttl("resource") <= 30000
    assert lock.reacquire()
    assert client.pttl("resource") <= 10000
    # A Lock object with another token is not the owner: its release and extend are refused.
    intruder = client.lock("resource", timeout=10)
    intruder.local.token = b"not-the-owner"
    with pytest.raises(LockNotOwnedError):
        intruder.release()
    intruder.local.token = b"not-the-owner"  # release() cleared it before asking the server
    with pytest.raises(LockNotOwnedError):
        intruder.extend(5)
    assert client.exists("resource") == 1
    lock.release()
    assert client.exists("resource") == 0
    with pytest.raises(LockNotOwnedError):
        lock.do_release(b"stale-token")


def test_lock_survives_script_flush(client):
    lock = client.lock("flushed", timeout=10)
    assert lock.acquire(blocking=False)
    client.script_flush()  # the next EVALSHA gets NOSCRIPT; redis-py falls back to EVAL
    assert lock.extend(5)
    lock.release()
    assert client.exists("flushed") == 0


# A fixed-window rate limiter as libraries write it: INCR, set the window on the first hit.
RATE_LIMIT = """
local current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if current > tonumber(ARGV[1]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
return {1, tonumber(ARGV[1]) - current}
"""


def call_script(client, body, keys, args):
    """EVALSHA first, EVAL when the server answers NOSCRIPT: the pattern of client libraries."""
    sha = client.register_script(body).sha
    try:
        return client.evalsha(sha, len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(body, len(keys), *keys, *args)


def test_rate_limiter_with_noscript_fallback(client):
    results = [call_script(client, RATE_LIMIT, ["rl:user1"], [5, 60000]) for _ in range(7)]
    assert [r[0] for r in results] == [1, 1, 1, 1, 1, 0, 0]
    assert [r[1] for r in results[:5]] == [4, 3, 2, 1, 0]
    assert 0 < results[5][1] <= 60000
    assert client.script_exists(client.register_script(RATE_LIMIT).sha) == [True]
    client.script_flush()
    assert call_script(client, RATE_LIMIT, ["rl:user2"], [1, 60000]) == [1, 0]
    assert call_script(client, RATE_LIMIT, ["rl:user2"], [1, 60000])[0] == 0


# A reliable queue: move a job to the processing list and stamp when it was taken, atomically.
TAKE_JOB = """
local job = redis.call('RPOP', KEYS[1])
if not job then return false end
redis.call('LPUSH', KEYS[2], job)
redis.call('HSET', KEYS[3], job, ARGV[1])
return job
"""


def test_reliable_queue_script(client):
    take = client.register_script(TAKE_JOB)
    client.lpush("queue", "job1", "job2")
    assert take(keys=["queue", "processing", "taken"], args=[1000]) == b"job1"
    assert take(keys=["queue", "processing", "taken"], args=[1001]) == b"job2"
    assert take(keys=["queue", "processing", "taken"], args=[1002]) is None
    assert client.lrange("processing", 0, -1) == [b"job2", b"job1"]
    assert client.hgetall("taken") == {b"job1": b"1000", b"job2": b"1001"}


def test_runaway_script_is_stopped_by_script_kill_and_engine_serves_again(tmp_path):
    # A script is never stopped for time alone (Redis 7.0): past lua-time-limit others get
    # BUSY and SCRIPT KILL ends it, even when it catches errors with pcall.
    engine = Engine(tmp_path / "data").start()
    c = engine.client(socket_timeout=60)
    c.config_set("lua-time-limit", "100")
    killer = engine.client(socket_timeout=60)
    outcome = {}

    def run():
        try:
            c.eval("while true do pcall(function() while true do end end) end", 0)
        except ResponseError as e:
            outcome["error"] = str(e)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            killer.script_kill()
            break
        except ResponseError as e:
            assert "NOTBUSY" in str(e) or "BUSY" in str(e)
            time.sleep(0.05)
    t.join(30)
    assert "Script killed by user with SCRIPT KILL" in outcome["error"]
    assert c.ping()
    assert c.eval("return 'alive'", 0) == b"alive"
    assert engine.stop() == 0


def test_script_memory_is_capped(tmp_path):
    engine = Engine(tmp_path / "data").start()
    c = engine.client(socket_timeout=60)
    with pytest.raises(ResponseError, match="not enough memory"):
        c.eval("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1048576) .. i end", 0)
    with pytest.raises(ResponseError, match="not enough memory"):
        c.eval("return string.rep('x', 300 * 1048576)", 0)
    assert c.eval("return #string.rep('x', 1048576)", 0) == 1048576
    assert engine.stop() == 0
