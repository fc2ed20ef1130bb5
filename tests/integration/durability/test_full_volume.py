"""A full persistence volume: the engine turns read-only with a clear error (reads go on),
loses nothing acknowledged, and resumes by itself once space is back. Runs on a small tmpfs
mounted by the test (needs root; skipped with the reason otherwise)."""
import os
import threading
import time

import pytest
import redis

from strongbox_harness import Engine, Tmpfs, wait_for


@pytest.fixture
def small_volume(tmp_path):
    with Tmpfs(tmp_path / "vol", "3m") as volume:
        yield volume


def test_full_volume_turns_read_only_and_recovers(small_volume):
    data = os.path.join(small_volume.path, "data")
    engine = Engine(data, "--segment-bytes", "1048576", "--rotate-interval", "3600").start()
    c = engine.client()
    acked = 0
    error = None
    value = "x" * 4000
    for i in range(2000):
        try:
            c.set(f"k{i}", value)
            acked += 1
        except redis.exceptions.ResponseError as e:
            error = str(e)
            break
    assert error is not None, "the volume never filled up"
    assert "persistence volume" in error and "bytes free" in error, error
    # Reads go on while writes are refused.
    assert c.get("k0") == value.encode()
    assert c.dbsize() >= acked
    with pytest.raises(redis.exceptions.ResponseError):
        c.set("another", "1")
    # Space comes back: the engine resumes by itself.
    small_volume.grow("64m")
    wait_for(lambda: _writable(c), 120, "writes to resume")
    assert "space is back" in engine.output()
    assert engine.stop() == 0
    engine.start()
    c = engine.client()
    for i in range(acked):
        assert c.get(f"k{i}") == value.encode(), i
    assert c.get("resumed") == b"1"
    engine.stop()


def _writable(c):
    try:
        return c.set("resumed", "1")
    except redis.exceptions.ResponseError:
        return False


@pytest.mark.parametrize("segment_bytes", [1048576, 524288])
def test_full_volume_never_strands_replies(tmp_path, segment_bytes):
    """Several clients pipeline writes into a volume that fills up: every write gets its reply
    (OK, or the read-only error at once), nothing waits for space, reads on a new connection
    answer, and every acknowledged write survives a restart."""
    with Tmpfs(tmp_path / "vol", "3m") as volume:
        data = os.path.join(volume.path, "data")
        engine = Engine(data, "--segment-bytes", str(segment_bytes),
                        "--rotate-interval", "3600").start()
        acked, refused = {}, []
        lock = threading.Lock()

        def writer(n):
            # A reply that never comes fails here (socket timeout), not the whole run.
            c = redis.Redis(port=engine.port, socket_timeout=30)
            for batch in range(2000):
                p = c.pipeline(transaction=False)
                keys = [f"w{n}:{batch}:{i}" for i in range(10)]
                for k in keys:
                    p.set(k, "v" * 1000)
                for k, r in zip(keys, p.execute(raise_on_error=False)):
                    if isinstance(r, redis.exceptions.ResponseError):
                        with lock:
                            refused.append(str(r))
                        return
                    with lock:
                        acked[k] = True

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert refused, "the volume never filled up: " + engine.output()[-2000:]
        assert all(r.startswith("MISCONF") and "bytes free" in r for r in refused), refused[:3]
        fresh = redis.Redis(port=engine.port, socket_timeout=30)
        assert fresh.ping()
        some = next(iter(acked))
        assert fresh.get(some) == b"v" * 1000
        # Writes are refused as soon as the pipeline's failure is seen; the log line follows at
        # the loop's next rotation check.
        wait_for(lambda: "read-only until space is back" in engine.output(), 30, "the log line")
        volume.grow("64m")
        wait_for(lambda: _writable(fresh), 120, "writes to resume")
        assert engine.stop() == 0
        engine.start()
        c = engine.client()
        missing = [k for k in acked if c.get(k) is None]
        assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:3]}"
        engine.stop()
