"""SLOWLOG and LATENCY on a running engine: CONFIG SET takes effect, entries have Redis's
shape (id, unix time, µs, trimmed argv, addr:port, name), LEN/RESET/max-len; latency events
appear for a slow command; the loop-turn histogram and slow-log counter are on /metrics."""
import time
import urllib.request

import pytest

from strongbox_harness import Engine, free_port, raw_reply, wait_for

MANY_KEYS = 100_000


@pytest.fixture
def engine_with_metrics(tmp_path):
    e = Engine(tmp_path / "data", metrics_port=free_port()).start()
    yield e
    assert e.stop() == 0


def log_everything(c):
    assert c.config_set("slowlog-log-slower-than", 0) is True
    assert c.config_get("slowlog-log-slower-than") == {"slowlog-log-slower-than": "0"}
    c.execute_command("SLOWLOG", "RESET")


def test_entries_have_redis_shape_newest_first(engine):
    c = engine.client()
    log_everything(c)
    c.execute_command("CLIENT", "SETNAME", "probe")
    c.set("k", "v")
    c.get("k")
    before = int(time.time())
    entries = raw_reply(c, "SLOWLOG", "GET")
    assert [e[3] for e in entries[:3]] == [[b"GET", b"k"], [b"SET", b"k", b"v"],
                                           [b"CLIENT", b"SETNAME", b"probe"]]
    newest = entries[0]
    assert len(newest) == 6
    entry_id, unix_s, duration_us, argv, peer, name = newest
    assert entry_id > entries[1][0]
    assert abs(unix_s - before) <= 5 and duration_us >= 0
    assert peer.startswith(b"127.0.0.1:") and int(peer.split(b":")[1]) > 0
    assert name == b"probe"


def test_len_reset_get_count_and_max_len(engine):
    c = engine.client()
    log_everything(c)
    for i in range(20):
        c.set(f"k{i}", i)
    assert c.execute_command("SLOWLOG", "LEN") == 21  # the RESET too
    assert len(raw_reply(c, "SLOWLOG", "GET")) == 10
    assert len(raw_reply(c, "SLOWLOG", "GET", -1)) == 23
    assert len(raw_reply(c, "SLOWLOG", "GET", 2)) == 2
    assert c.config_set("slowlog-max-len", 3) is True
    c.ping()
    assert c.execute_command("SLOWLOG", "LEN") == 3
    assert c.execute_command("SLOWLOG", "RESET") in (b"OK", True)
    assert c.execute_command("SLOWLOG", "LEN") == 1
    assert c.config_set("slowlog-log-slower-than", -1) is True
    c.ping()
    assert c.execute_command("SLOWLOG", "LEN") == 2  # the RESET and a LEN; off since


def test_long_commands_are_trimmed(engine):
    c = engine.client()
    log_everything(c)
    c.execute_command("RPUSH", "l", *[str(i) for i in range(40)])
    c.set("big", "x" * 300)
    big, rpush = raw_reply(c, "SLOWLOG", "GET", 2)
    assert rpush[3][:3] == [b"RPUSH", b"l", b"0"]
    assert len(rpush[3]) == 32 and rpush[3][-1] == b"... (11 more arguments)"
    assert big[3] == [b"SET", b"big", b"x" * 128 + b"... (172 more bytes)"]


def test_config_validation_matches_redis_texts(engine):
    c = engine.client()
    with pytest.raises(Exception, match="argument must be between -1 and 9223372036854775807"):
        c.config_set("slowlog-log-slower-than", -5)
    with pytest.raises(Exception, match="couldn't be parsed into an integer"):
        c.config_set("latency-monitor-threshold", "soon")
    assert c.config_get("latency-monitor-threshold") == {"latency-monitor-threshold": "0"}
    assert c.config_get("slowlog-max-len") == {"slowlog-max-len": "128"}


def fill(c, keys):
    for start in range(0, keys, 10_000):
        args = []
        for i in range(start, min(keys, start + 10_000)):
            args += [f"key:{i}", "v"]
        c.execute_command("MSET", *args)


def test_latency_events_for_a_slow_command(engine):
    c = engine.client()
    fill(c, MANY_KEYS)
    assert c.config_set("latency-monitor-threshold", 1) is True

    def command_event_seen():
        c.execute_command("KEYS", "*")  # O(N) over 100k keys: well above 1 ms on any box
        return any(row[0] == b"command" for row in c.execute_command("LATENCY", "LATEST"))

    wait_for(command_event_seen, timeout=60, what="a 'command' latency event")
    rows = {row[0]: row for row in c.execute_command("LATENCY", "LATEST")}
    name, unix_s, latest_ms, max_ms = rows[b"command"]
    assert abs(unix_s - time.time()) < 120 and 1 <= latest_ms <= max_ms
    assert b"loop-turn" in rows  # the turn that ran KEYS took at least as long
    history = c.execute_command("LATENCY", "HISTORY", "command")
    assert history and all(len(s) == 2 and s[1] >= 1 for s in history)
    assert [s[0] for s in history] == sorted(s[0] for s in history)
    graph = c.execute_command("LATENCY", "GRAPH", "command")
    assert graph.startswith(b"command - high ")
    assert b"command" in c.execute_command("LATENCY", "DOCTOR")
    assert c.execute_command("LATENCY", "RESET", "command", "nosuch") == 1
    assert c.execute_command("LATENCY", "HISTORY", "command") == []


def scrape(engine):
    url = f"http://127.0.0.1:{engine.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def entries_total(text):
    line = [x for x in text.splitlines() if x.startswith("strongbox_slowlog_entries_total ")]
    return int(line[0].split()[1]) if line else 0


def test_loop_turn_histogram_and_slowlog_counter_on_metrics(engine_with_metrics):
    c = engine_with_metrics.client()
    log_everything(c)
    for i in range(5):
        c.set(f"k{i}", i)
    # CONFIG SET, CONFIG GET, SLOWLOG RESET and 5 SETs were logged.
    wait_for(lambda: entries_total(scrape(engine_with_metrics)) >= 8, timeout=30,
             what="the slow-log counter")
    text = scrape(engine_with_metrics)
    assert 'strongbox_loop_turn_seconds_bucket{le="5e-05"}' in text
    assert 'strongbox_loop_turn_seconds_bucket{le="1"}' in text
    assert 'strongbox_loop_turn_seconds_bucket{le="+Inf"}' in text
    count = [line for line in text.splitlines()
             if line.startswith("strongbox_loop_turn_seconds_count ")]
    assert count and int(count[0].split()[1]) >= 6
