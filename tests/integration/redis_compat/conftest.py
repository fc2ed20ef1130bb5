"""The differential tests' fixture: the engine and Debian's redis-server side by side."""
import pytest

from strongbox_harness import Engine, RedisServer


@pytest.fixture
def pair(tmp_path):
    e = Engine(tmp_path / "data").start()
    r = RedisServer(tmp_path / "redis").start()
    yield e, r
    r.stop()
    assert e.stop() == 0
