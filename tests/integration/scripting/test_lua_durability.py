"""A script's writes are effects in the ONE record of its EVAL: replay needs no Lua (a script
that reads the clock or random numbers restarts to exactly what clients saw), an error midway
keeps the writes made before it (as Redis does) in that record, and after kill -9 under a load
of multi-key scripts each script's writes are all there or none is."""
import contextlib
import os
import threading
import time

import redis

from strongbox_harness import Engine, SANITIZED, dump, read_records, segment_files

ROUNDS = 3 if SANITIZED else 8
CLIENTS = 6
GROUP_KEYS = 5


def active_records(data):
    active = [n for n in segment_files(data) if n.endswith(".active")]
    assert len(active) == 1, segment_files(data)
    return read_records(os.path.join(data, active[0]))


def test_a_script_is_one_record_and_replays_without_lua(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data).start()
    c = engine.client()
    before = len(active_records(data))
    script = """
    redis.call('SET', KEYS[1], redis.call('TIME')[1] .. '.' .. redis.call('TIME')[2])
    redis.call('SET', KEYS[2], tostring(math.random()))
    redis.call('HSET', KEYS[3], 'f', ARGV[1])
    redis.call('RPUSH', KEYS[4], 'a', 'b')
    redis.call('INCRBY', KEYS[5], 7)
    return 'done'
    """
    assert c.eval(script, 5, "clock", "random", "hash", "list", "counter", "v") == b"done"
    assert len(active_records(data)) == before + 1, "five writes, one record"
    assert c.eval("return redis.call('GET', KEYS[1])", 1, "counter") == b"7"
    assert len(active_records(data)) == before + 1, "a read-only script logs nothing"
    # An error after two writes keeps them (Redis has no rollback), in one record.
    failing = "redis.call('SET', KEYS[1], 'x') redis.call('INCR', KEYS[2]) error('late')"
    try:
        c.eval(failing, 2, "kept", "counter")
        raise AssertionError("the script should have failed")
    except redis.exceptions.ResponseError as e:
        assert "late" in str(e)
    assert len(active_records(data)) == before + 2
    seen = dump(c)
    assert engine.stop() == 0
    engine.start()
    c = engine.client()
    assert dump(c) == seen
    assert c.get("counter") == b"8" and c.get("kept") == b"x"
    assert engine.stop() == 0


# Moves one unit along a chain of keys and stamps the script's sequence number on every key:
# after a crash every key of a group carries the same count, or the script was torn.
TRANSFER = """
local n = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do
  redis.call('HSET', KEYS[i], 'seq', n)
  redis.call('HINCRBY', KEYS[i], 'units', 1)
end
return n
"""


def hammer(engine, worker, acked, attempted, stop):
    client = engine.client(socket_timeout=5)
    keys = [f"g{worker}:seq"] + [f"g{worker}:k{i}" for i in range(GROUP_KEYS - 1)]
    while not stop.is_set():
        attempted[worker] = attempted.get(worker, 0) + 1
        try:
            acked[worker] = client.eval(TRANSFER, len(keys), *keys)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            return


def check_groups(c, acked, attempted, round_no):
    for worker in range(CLIENTS):
        seq = int(c.get(f"g{worker}:seq") or 0)
        assert acked.get(worker, 0) <= seq <= attempted.get(worker, 0)
        for i in range(GROUP_KEYS - 1):
            h = c.hgetall(f"g{worker}:k{i}")
            assert int(h.get(b"seq", 0)) == seq, f"round {round_no}: group {worker} torn: {h}"
            assert int(h.get(b"units", 0)) == seq, f"round {round_no}: group {worker} torn: {h}"


@contextlib.contextmanager
def script_load(engine, acked, attempted):
    """CLIENTS threads run TRANSFER until the engine goes away."""
    stop = threading.Event()
    workers = [threading.Thread(target=hammer, args=(engine, w, acked, attempted, stop))
               for w in range(CLIENTS)]
    for w in workers:
        w.start()
    try:
        yield
    finally:
        stop.set()
        for w in workers:
            w.join(10)


def test_kill9_under_script_load_is_all_or_nothing_per_script(tmp_path):
    engine = Engine(tmp_path / "data", "--segment-bytes", "262144", "--rotate-interval", "1")
    acked, attempted = {}, {}
    for round_no in range(ROUNDS):
        engine.start()
        with script_load(engine, acked, attempted):
            time.sleep(0.3 + 0.1 * (round_no % 4))
            engine.kill9()
        engine.start()
        check_groups(engine.client(), acked, attempted, round_no)
        engine.kill9()
    assert sum(acked.values()) > 0
    print(f"{ROUNDS} kill -9 rounds, {sum(acked.values())} scripts acknowledged, "
          f"{sum(attempted.values())} attempted")
