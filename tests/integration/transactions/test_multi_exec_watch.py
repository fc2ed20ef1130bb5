"""MULTI/EXEC/WATCH: a transaction's replies, WATCH aborting on another client's write, and
EXECABORT after an error while queueing."""
import pytest
import redis


def test_multi_exec_watch(engine):
    c = engine.client()
    p = c.pipeline(transaction=True)
    p.set("x", 1).incr("x").get("x")
    assert p.execute() == [True, 2, b"2"]
    other = engine.client()
    with c.pipeline() as p:
        p.watch("w")
        other.set("w", "changed")
        p.multi()
        p.set("w", "mine")
        with pytest.raises(redis.WatchError):
            p.execute()
    assert c.get("w") == b"changed"
    raw = engine.client()
    assert raw.execute_command("MULTI") == b"OK"
    with pytest.raises(redis.ResponseError):
        raw.execute_command("NOSUCHCOMMAND")
    with pytest.raises(redis.exceptions.ExecAbortError):
        raw.execute_command("EXEC")
