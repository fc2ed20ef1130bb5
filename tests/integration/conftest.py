"""Shared by every folder: the harness on the import path, the autouse fixture that stops
whatever a test started, and the `engine` fixture."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))

from strongbox_harness import Engine, RedisServer, stop_processes_left_running  # noqa: E402,F401


@pytest.fixture
def engine(tmp_path):
    """A started engine on its own directory; it must shut down cleanly (seal, exit 0)."""
    e = Engine(tmp_path / "data").start()
    yield e
    assert e.stop() == 0, "the engine must shut down cleanly (seal, exit 0)"


@pytest.fixture
def engine_and_redis(tmp_path):
    """An engine and Debian's redis-server side by side, for differential tests."""
    e = Engine(tmp_path / "data").start()
    r = RedisServer(tmp_path / "redis").start()
    yield e, r
    r.stop()
    assert e.stop() == 0, "the engine must shut down cleanly (seal, exit 0)"
