"""Busy scripts (Redis 7.0): past busy-reply-threshold other clients get -BUSY instead of
waiting, SCRIPT KILL / FUNCTION KILL stop a script that has not written (UNKILLABLE once it
has), and SHUTDOWN NOSAVE is the way out of one that has."""
import threading

import pytest
import redis

from strongbox_harness import Engine, wait_for

BUSY_EVAL = ("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
             "NOSAVE.")
BUSY_FUNCTION = ("BUSY Redis is busy running a script. You can only call FUNCTION KILL or "
                 "SHUTDOWN NOSAVE.")
LOOPS = """#!lua name=loops
redis.register_function('spin', function() while true do end end)
"""


def run_in_background(fn):
    result = {}

    def target():
        try:
            result["reply"] = fn()
        except redis.ResponseError as e:
            result["error"] = str(e)
        except redis.ConnectionError:
            result["closed"] = True

    t = threading.Thread(target=target)
    t.start()
    return t, result


def busy_error(c):
    """The error another client gets while the script runs (None until it is busy)."""
    try:
        c.ping()
        return None
    except redis.ResponseError as e:
        return str(e)


@pytest.fixture
def engine(tmp_path):
    e = Engine(tmp_path / "data").start()
    e.client().config_set("busy-reply-threshold", "100")
    yield e
    e.stop()


def test_busy_reply_then_script_kill_and_the_engine_serves_again(engine):
    other = engine.client()
    assert other.config_get("lua-time-limit") == {"lua-time-limit": "100"}
    t, result = run_in_background(lambda: engine.client().eval("while true do end", 0))
    wait_for(lambda: busy_error(other) is not None, 30, "a BUSY reply")
    assert busy_error(other) == BUSY_EVAL
    with pytest.raises(redis.ResponseError, match="You can only call SCRIPT KILL"):
        other.function_kill()  # FUNCTION KILL does not stop an EVAL
    assert other.script_kill()
    t.join(30)
    assert "Script killed by user with SCRIPT KILL" in result["error"]
    assert other.ping()
    assert other.set("after", "1")


def test_function_kill_stops_a_function(engine):
    other = engine.client()
    other.function_load(LOOPS)
    t, result = run_in_background(lambda: engine.client().fcall("spin", 0))
    wait_for(lambda: busy_error(other) is not None, 30, "a BUSY reply")
    assert busy_error(other) == BUSY_FUNCTION
    assert other.function_kill()
    t.join(30)
    assert "Script killed by user" in result["error"]
    assert other.ping()


def test_a_script_that_wrote_is_unkillable_and_shutdown_nosave_exits(engine):
    other = engine.client()
    t, result = run_in_background(
        lambda: engine.client().eval("redis.call('set', 'w', 1) while true do end", 0))
    wait_for(lambda: busy_error(other) is not None, 30, "a BUSY reply")
    with pytest.raises(redis.ResponseError, match="UNKILLABLE Sorry the script already executed"):
        other.script_kill()
    with pytest.raises(redis.ConnectionError):
        other.execute_command("SHUTDOWN", "NOSAVE")
    assert engine.proc.wait(30) == 0
    t.join(30)
    assert result == {"closed": True}, "the script's client never got a reply"
