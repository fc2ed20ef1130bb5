"""Differential: SLOWLOG and LATENCY against Debian's redis-server 7.0. Same commands on both:
the same HELP texts (LATENCY HISTOGRAM aside: per-command histograms are not kept), the same
errors and CONFIG texts, the same argv in the same order in SLOWLOG GET (EXEC left out,
passwords redacted, trimming), and entries / LATENCY LATEST rows of the same shape."""
import pytest

from strongbox_harness import raw_reply, wait_for


def both(pair, *cmd):
    e, r = pair
    return raw_reply(e.client(), *cmd), raw_reply(r.client(), *cmd)


SAME_REPLY = [
    ("SLOWLOG", "HELP"),
    ("SLOWLOG", "GET", "-2"),
    ("SLOWLOG", "GET", "x"),
    ("SLOWLOG", "GET", "1", "2"),
    ("SLOWLOG", "LEN", "1"),
    ("SLOWLOG", "RESET", "x"),
    ("SLOWLOG", "nope"),
    ("SLOWLOG",),
    ("LATENCY",),
    ("LATENCY", "nope"),
    ("LATENCY", "HISTORY"),
    ("LATENCY", "HISTORY", "nosuch"),
    ("LATENCY", "GRAPH", "nosuch"),
    ("LATENCY", "LATEST", "x"),
    ("LATENCY", "DOCTOR"),  # monitoring off: the same text
    ("LATENCY", "RESET", "nosuch"),
    ("CONFIG", "GET", "latency-monitor-threshold"),
    ("CONFIG", "SET", "slowlog-log-slower-than", "-2"),
    ("CONFIG", "SET", "slowlog-log-slower-than", "1e3"),
    ("CONFIG", "SET", "slowlog-max-len", "-1"),
    ("CONFIG", "SET", "latency-monitor-threshold", "-1"),
    ("CONFIG", "SET", "latency-monitor-threshold", "x"),
]


@pytest.mark.parametrize("cmd", SAME_REPLY, ids=" ".join)
def test_same_reply(pair, cmd):
    got, want = both(pair, *cmd)
    assert got == want


def test_config_get_pattern_same_pairs(pair):
    got, want = both(pair, "CONFIG", "GET", "slowlog-*")
    as_pairs = lambda flat: sorted(zip(flat[::2], flat[1::2]))  # noqa: E731 (Redis: hash order)
    assert as_pairs(got) == as_pairs(want)


def test_latency_help_is_redis_without_histogram(pair):
    got, want = both(pair, "LATENCY", "HELP")
    i = want.index(b"HISTOGRAM [COMMAND ...]")
    assert got == want[:i] + want[i + 3:]


SCRIPT = [
    ("CLIENT", "SETNAME", "diff"),
    ("SET", "k", "v"),
    ("SET", "big", "x" * 300),
    ("RPUSH", "l", *[str(i) for i in range(40)]),
    ("MULTI",),
    ("INCR", "n"),
    ("GET", "k"),
    ("EXEC",),
    ("AUTH", "pw"),
    ("HELLO", "2", "AUTH", "default", "pw"),
    ("GET",),  # refused: arity
    ("NOSUCHCOMMAND",),  # refused: unknown
    ("INCR", "k"),  # ran, failed
]


def entry_types(entry):
    return [type(entry[0]), type(entry[1]), type(entry[2]), [type(a) for a in entry[3]],
            type(entry[4]), type(entry[5])]


def test_slowlog_records_the_same_commands_in_the_same_shape(pair):
    logs = []
    for server in pair:
        c = server.client()
        for cmd in [("CONFIG", "SET", "slowlog-log-slower-than", "0"), ("SLOWLOG", "RESET")]:
            raw_reply(c, *cmd)
        for cmd in SCRIPT:
            raw_reply(c, *cmd)
        assert raw_reply(c, "SLOWLOG", "LEN") == len(SCRIPT) - 3 + 1  # - EXEC, 2 refused + RESET
        logs.append(raw_reply(c, "SLOWLOG", "GET", "-1"))
    got, want = logs
    assert [e[3] for e in got] == [e[3] for e in want]
    assert [entry_types(e) for e in got] == [entry_types(e) for e in want]
    assert all(len(e) == 6 and e[5] == b"diff" for e in got[:-1])


def test_latency_latest_rows_have_the_same_shape(pair):
    rows = []
    for server in pair:
        c = server.client()
        for start in range(0, 100_000, 10_000):
            raw_reply(c, "MSET", *[x for i in range(start, start + 10_000) for x in (f"k{i}", "v")])
        raw_reply(c, "CONFIG", "SET", "latency-monitor-threshold", "1")

        def seen():
            raw_reply(c, "KEYS", "*")
            return any(r[0] == b"command" for r in raw_reply(c, "LATENCY", "LATEST"))

        wait_for(seen, timeout=60, what="a 'command' latency event")
        rows.append([r for r in raw_reply(c, "LATENCY", "LATEST") if r[0] == b"command"][0])
        history = raw_reply(c, "LATENCY", "HISTORY", "command")
        rows.append([[type(v) for v in s] for s in history][:1])
    assert [type(v) for v in rows[0]] == [type(v) for v in rows[2]] == [bytes, int, int, int]
    assert rows[1] == rows[3] == [[int, int]]
