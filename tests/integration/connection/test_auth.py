"""--requirepass: commands before AUTH get NOAUTH, a wrong password WRONGPASS, the right one
works."""
import pytest
import redis

from strongbox_harness import Engine


def test_requirepass(tmp_path):
    e = Engine(tmp_path / "data", "--requirepass", "s3cret").start()  # ready = answers NOAUTH
    c = e.client()
    with pytest.raises(redis.AuthenticationError, match="NOAUTH|Authentication required"):
        c.set("a", 1)
    with pytest.raises(redis.ResponseError, match="WRONGPASS|invalid"):
        e.client(password="wrong").ping()
    ok = e.client(password="s3cret")
    assert ok.set("a", 1) and ok.get("a") == b"1"
    assert e.stop() == 0
