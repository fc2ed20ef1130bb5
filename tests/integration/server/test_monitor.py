"""MONITOR: every command any client runs reaches the monitoring client in Redis's line
format (compared with redis-server 7.0), passwords redacted, admin commands left out; and
redis-cli's monitor mode reads it."""
import re
import subprocess

from strongbox_harness import RawConnection, wait_for

LINE = re.compile(rb'^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$')


def monitor_lines(server, run_commands, count):
    """Starts MONITOR on a raw connection, runs the commands on another client and returns
    the first `count` lines' [db] and argument parts."""
    mon = RawConnection(server.port)
    try:
        mon.send(["MONITOR"])
        assert mon.read_line() == b"+OK"
        other = RawConnection(server.port)
        run_commands(other)
        other.close()
        out = []
        for _ in range(count):
            m = LINE.match(mon.read_line())
            assert m, "not a MONITOR line"
            out.append((int(m.group(3)), m.group(5)))
        return out
    finally:
        mon.close()


def script(c):
    commands = [("SET", "k", b'a "quoted"\nvalue\x01'), ("SELECT", 2), ("GET", "k"),
                ("CONFIG", "GET", "port"),  # admin: not shown
                ("LPUSH", "l", "x", "y")]
    c.send(*commands)
    for _ in commands:
        c.read_reply()


def test_monitor_lines_match_redis(engine_and_redis):
    e, r = engine_and_redis
    got = monitor_lines(e, script, 4)
    want = monitor_lines(r, script, 4)
    assert got == want
    assert got[0] == (0, b'"SET" "k" "a \\"quoted\\"\\nvalue\\x01"')
    assert got[-1] == (2, b'"LPUSH" "l" "x" "y"')


def test_monitor_redacts_auth(engine):
    mon = RawConnection(engine.port)
    try:
        mon.send(["MONITOR"])
        assert mon.read_line() == b"+OK"
        other = RawConnection(engine.port)
        other.send(["AUTH", "user", "hunter2"], ["PING"])
        other.read_reply()
        other.read_reply()
        other.close()
        line = mon.read_line()
        assert b"hunter2" not in line and b'"AUTH" "(redacted)" "(redacted)"' in line
        assert mon.read_line().endswith(b'"PING"')
    finally:
        mon.close()


def test_redis_cli_monitor(engine):
    cli = subprocess.Popen(["redis-cli", "-p", str(engine.port), "monitor"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert cli.stdout.readline().strip() == b"OK"
        c = engine.client()
        wait_for(lambda: c.set("from-cli-test", "1"), what="set")
        line = cli.stdout.readline()
        assert b'"SET" "from-cli-test" "1"' in line and line.split()[0].count(b".") == 1
    finally:
        cli.kill()
        cli.wait()
