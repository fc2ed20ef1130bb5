"""kill -9 under load, many times: every acknowledged INCR is there after restart."""
import threading
import time

import pytest
import redis

from strongbox_harness import Engine, SANITIZED

ROUNDS = 4 if SANITIZED else 15
CLIENTS = 8
KEYS = 4


def hammer(engine, worker, acked, attempted, stop):
    client = engine.client(socket_timeout=5)
    i = 0
    while not stop.is_set():
        key = f"counter:{worker % KEYS}"
        attempted[key] = attempted.get(key, 0) + 1
        try:
            client.incr(key)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            return
        acked[key] = acked.get(key, 0) + 1
        i += 1


# Both ways a batch is made durable (a write linked to an fdatasync, one RWF_DSYNC write), with
# buffered and O_DIRECT writes (the partial last block rewritten by the next batch), and the
# pipelined group commit (two batches syncing at once, completing in any order).
@pytest.mark.parametrize("log_io,batches", [("buffered", 1), ("direct", 1), ("buffered", 2)])
@pytest.mark.parametrize("log_sync", ["fdatasync", "dsync-write"])
def test_kill9_never_loses_an_acknowledged_incr(tmp_path, log_sync, log_io, batches):
    data = tmp_path / "data"
    engine = Engine(data, "--segment-bytes", "262144", "--rotate-interval", "1",
                    "--log-sync", log_sync, "--log-io", log_io,
                    "--log-batches-in-flight", str(batches))
    total_acked = {}
    total_attempted = {}
    for round_no in range(ROUNDS):
        engine.start()
        stop = threading.Event()
        per_worker = [({}, {}) for _ in range(CLIENTS)]
        threads = [threading.Thread(target=hammer, args=(engine, w, a, t, stop))
                   for w, (a, t) in enumerate(per_worker)]
        for t in threads:
            t.start()
        time.sleep(0.3 + 0.1 * (round_no % 5))
        engine.kill9()
        stop.set()
        for t in threads:
            t.join(10)
        for acked, attempted in per_worker:
            for k, v in acked.items():
                total_acked[k] = total_acked.get(k, 0) + v
            for k, v in attempted.items():
                total_attempted[k] = total_attempted.get(k, 0) + v
        engine.start()
        c = engine.client()
        for key, acked in total_acked.items():
            value = int(c.get(key) or 0)
            assert value >= acked, f"round {round_no}: {key}={value} < acknowledged {acked}"
            assert value <= total_attempted[key], f"{key}={value} > attempted"
        engine.kill9()
    assert sum(total_acked.values()) > 0


def test_sigterm_seals_and_exits_zero(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data).start()
    c = engine.client()
    for i in range(100):
        c.set(f"k{i}", i)
    assert engine.stop() == 0
    names = sorted(p.name for p in data.iterdir())
    assert not any(n.endswith(".active") for n in names), names
    assert any(n.endswith("-00000000000000000100.log") for n in names), names
    engine.start()
    assert engine.client().dbsize() == 100
    assert engine.stop() == 0


@pytest.mark.parametrize("value", ["0", "5", "-1", "99999999999999999999", "two"])
def test_log_batches_in_flight_out_of_range_refuses_to_start(tmp_path, value):
    rc, out = Engine(tmp_path / "data", "--log-batches-in-flight", value).run_to_exit()
    assert rc != 0 and "--log-batches-in-flight" in out, out
