"""A full persistence volume: the engine turns read-only with a clear error (reads go on),
loses nothing acknowledged, and resumes by itself once space is back. Runs on a small tmpfs
mounted by the test (needs root; skipped with the reason otherwise)."""
import os
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
