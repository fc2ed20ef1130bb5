#!/usr/bin/env python3
"""Load client, PING prober and table printer of scripts/bench-stalls.sh (see its header for
how to read the numbers). Standard library only: the load goes through raw sockets with
pre-encoded RESP, so neither the loader's parsing speed nor a client library differs between
the servers under comparison.

  bench_stalls.py probe PORT CONTROL_PORT OUT
                                         PING every 1 ms until SIGTERM -> OUT
  bench_stalls.py run --port P --pid PID --control-port C --server NAME --scenario N [--scale S]
                                         one scenario against one fresh server; JSON lines
  bench_stalls.py table RESULTS          the markdown table of a run's JSON lines
"""
import argparse
import array
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

PING = b"*1\r\n$4\r\nPING\r\n"
PONG = b"+PONG\r\n"
PROBE_PERIOD_NS = 1_000_000
PIPELINE = 1000  # commands per round trip, like a redis-py pipeline of a bulk loader
MEMBERS_PER_COMMAND = 10  # SADD/HSET/ZADD carry this many members each
SERVER_LABELS = {
    "engine": "strongbox --fsync always",
    "redis-always": "redis AOF always",
    "redis-off": "redis no persistence",
}


# ---- the prober: its own process, so the loader never delays a PING -----------------------
def ping(sock):
    """-> round trip in ns of one PING, timestamps just before send and just after the reply"""
    sent_ns = time.perf_counter_ns()
    sock.sendall(PING)
    reply = b""
    while len(reply) < len(PONG):
        chunk = sock.recv(64)
        if not chunk:
            raise SystemExit("prober: server closed the connection")
        reply += chunk
    return sent_ns, time.perf_counter_ns() - sent_ns


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def probe(port, control_port, out_path):
    """Each tick: a PING to the server under test, then one to an idle control server whose
    round trip is the noise floor of this machine (scheduling of the prober, loopback)."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:  # a little ahead of the loader in the run queue; the server is what we measure
        os.nice(-5)
    except OSError:
        pass
    sock, control = connect(port), connect(control_port)
    samples = array.array("q")
    print("ready", flush=True)
    next_send_ns = time.perf_counter_ns()
    while not stopping:
        sent_ns, rtt_ns = ping(sock)
        samples.extend((sent_ns, rtt_ns, ping(control)[1]))
        # A PING slower than the period is recorded with its whole round trip; the ticks it
        # covered are skipped, not sent late in a burst that would dilute the stall.
        next_send_ns = max(next_send_ns + PROBE_PERIOD_NS, time.perf_counter_ns())
        delay_ns = next_send_ns - time.perf_counter_ns()
        if delay_ns > 0:
            time.sleep(delay_ns / 1e9)
    with open(out_path, "wb") as out:
        samples.tofile(out)


def start_prober(port, control_port):
    out = tempfile.NamedTemporaryFile(prefix="stall-probe.", delete=False)
    out.close()
    proc = subprocess.Popen([sys.executable, __file__, "probe", str(port), str(control_port),
                             out.name],
                            stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit("prober did not start")
    return proc, out.name


def stop_prober(proc, path):
    proc.send_signal(signal.SIGTERM)
    if proc.wait(timeout=30) != 0:
        raise SystemExit("prober failed")
    samples = array.array("q")
    with open(path, "rb") as f:
        samples.frombytes(f.read())
    os.unlink(path)
    return [tuple(samples[i:i + 3]) for i in range(0, len(samples), 3)]


# ---- RESP: encoding, and just enough parsing for the replies the scenarios get ------------
def encode(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def parse(buf, pos):
    """One reply at buf[pos:] -> (value, end), or None when incomplete."""
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        return None
    kind, line = buf[pos:pos + 1], buf[pos + 1:eol]
    if kind == b"-":
        raise SystemExit("server error: " + line.decode())
    if kind in (b"+", b":"):
        return line, eol + 2
    if kind == b"$":
        n = int(line)
        end = eol + 2 + max(n, 0)
        if n < 0:
            return None, eol + 2
        return (buf[eol + 2:end], end + 2) if len(buf) >= end + 2 else None
    if kind == b"*":
        items, pos = [], eol + 2
        for _ in range(int(line)):
            got = parse(buf, pos)
            if got is None:
                return None
            items.append(got[0])
            pos = got[1]
        return items, pos
    raise SystemExit("unexpected reply %r" % buf[pos:pos + 40])


class Conn:
    def __init__(self, port):
        self.sock = connect(port)
        self.buf = b""

    def round_trip(self, payload, replies):
        """Sends pre-encoded commands; returns their replies once all arrived."""
        self.sock.sendall(payload)
        out, pos = [], 0
        while len(out) < replies:
            got = parse(self.buf, pos)
            if got is None:
                self.buf = self.buf[pos:] + self._recv()
                pos = 0
                continue
            out.append(got[0])
            pos = got[1]
        self.buf = self.buf[pos:]
        return out

    def round_trip_simple(self, payload, replies):
        """round_trip for commands whose replies are one line each (+OK, :n, -ERR): counts
        lines instead of parsing, so the loader's Python is not what limits the load."""
        self.sock.sendall(payload)
        lines, got = 0, []
        while lines < replies:
            chunk = self._recv()
            lines += chunk.count(b"\n")
            got.append(chunk)
        data = b"".join(got)
        if data.startswith(b"-") or b"\n-" in data:
            raise SystemExit("server error: %r" % data[data.find(b"-"):][:200])

    def _recv(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise SystemExit("server closed the connection")
        return chunk


# ---- the load: batches are encoded before a phase starts ----------------------------------
def batches(commands):
    """[encoded command] -> [(payload of PIPELINE commands, count)]"""
    return [(b"".join(commands[i:i + PIPELINE]), len(commands[i:i + PIPELINE]))
            for i in range(0, len(commands), PIPELINE)]


def string_keys(n):
    return batches([encode("SET", "k:%d" % i, "value-%010d" % i) for i in range(n)])


def member_args(cmd, i):
    if cmd == "HSET":
        return ["f:%d" % i, "v"]
    return [i, "m:%d" % i] if cmd == "ZADD" else ["m:%d" % i]


def members(cmd, key, n):
    cmds = []
    for start in range(0, n, MEMBERS_PER_COMMAND):
        args = [cmd, key]
        for i in range(start, min(n, start + MEMBERS_PER_COMMAND)):
            args += member_args(cmd, i)
        cmds.append(encode(*args))
    return batches(cmds)


def send_all(conn, planned):
    for payload, count in planned:
        conn.round_trip_simple(payload, count)


def scan_all(conn, expected_keys):
    cursor, seen = b"0", 0
    while True:
        cursor, keys = conn.round_trip(encode("SCAN", cursor, "COUNT", 10), 1)[0]
        seen += len(keys)
        if cursor == b"0":
            break
    if seen < expected_keys:
        raise SystemExit("SCAN returned %d keys, expected at least %d" % (seen, expected_keys))


def one(*args):
    return lambda conn: conn.round_trip(encode(*args), 1)


def scenario(number, scale):
    """-> [(row label, or None for an unmeasured prefill; action(conn); settle after it?)].
    Everything a phase sends is encoded here, before any phase starts."""
    keys, big, coll = int(2_000_000 * scale), int(1_000_000 * scale), int(500_000 * scale)
    k, m, c = (human(x) for x in (keys, big, coll))

    def load(planned):
        return lambda conn: send_all(conn, planned)

    def grow_then(cmd, key, n, row, delete, delete_row):
        return [(row, load(members(cmd, key, n)), False), (delete_row, one(delete, key), True)]

    make = {
        1: lambda: [("1. SET %s keys" % k, load(string_keys(keys)), False)],
        2: lambda: [(None, load(string_keys(keys)), False),
                    ("2. SCAN COUNT 10 over %s keys" % k, lambda conn: scan_all(conn, keys),
                     False)],
        3: lambda: grow_then("SADD", "bigset", big, "3a. SADD a %s-member set" % m, "UNLINK",
                             "3b. UNLINK it"),
        4: lambda: grow_then("SADD", "bigset", big, "4a. SADD a %s-member set" % m, "DEL",
                             "4b. DEL it"),
        5: lambda: grow_then("HSET", "bighash", coll, "5a. HSET a %s-field hash" % c, "DEL",
                             "5b. DEL it"),
        6: lambda: [("6. SADD a %s-member set" % c, load(members("SADD", "set", coll)), False)],
        7: lambda: [("7. ZADD a %s-member sorted set" % c, load(members("ZADD", "zset", coll)),
                     False)],
        8: lambda: [(None, load(string_keys(keys)), False),
                    ("8. FLUSHALL ASYNC of %s keys" % k, one("FLUSHALL", "ASYNC"), True)],
    }
    return make[number]()


def human(n):
    return "%gM" % (n / 1e6) if n >= 1_000_000 else "%gk" % (n / 1e3)


# ---- measuring one phase ------------------------------------------------------------------
def cpu_s(pid):
    """User + system CPU seconds of the whole process (every thread, io_uring workers too)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid, max_s=10.0, step_s=0.2):
    """Waits until the server is idle (< 10 % of a core over step_s): a lazy free or background
    work after the reply still belongs to the phase that caused it."""
    deadline = time.monotonic() + max_s
    before = cpu_s(pid)
    while time.monotonic() < deadline:
        time.sleep(step_s)
        now = cpu_s(pid)
        if now - before < 0.1 * step_s + 1e-9:
            return
        before = now


def stats(samples, start_ns, end_ns):
    """PINGs whose round trip overlaps the window, including the one stuck across its start."""
    inside = [(rtt, noise) for sent, rtt, noise in samples
              if sent <= end_ns and sent + rtt >= start_ns]
    if not inside:
        return {"pings": 0, "p50_ms": None, "p999_ms": None, "max_ms": None, "control_max_ms": None}
    rtts = sorted(rtt for rtt, _ in inside)
    at = lambda q: rtts[max(0, math.ceil(q * len(rtts)) - 1)] / 1e6
    return {"pings": len(rtts), "p50_ms": at(0.5), "p999_ms": at(0.999), "max_ms": rtts[-1] / 1e6,
            "control_max_ms": max(noise for _, noise in inside) / 1e6}


def run(args):
    conn = Conn(args.port)
    prober, probe_path = start_prober(args.port, args.control_port)
    windows = []
    for order, (label, action, needs_settle) in enumerate(scenario(args.scenario, args.scale)):
        # A quiet gap, so that the previous phase's late PINGs do not overlap this window.
        settle(args.pid)
        time.sleep(0.1)
        cpu0, t0 = cpu_s(args.pid), time.perf_counter_ns()
        action(conn)
        t1 = time.perf_counter_ns()
        if needs_settle:
            settle(args.pid)
        t2, cpu1 = time.perf_counter_ns(), cpu_s(args.pid)
        if label:
            windows.append((order, label, t0, t1, t2, cpu1 - cpu0))
    samples = stop_prober(prober, probe_path)
    for order, label, t0, t1, t2, cpu in windows:
        row = {"scenario": args.scenario, "order": order, "row": label, "server": args.server,
               "load_s": (t1 - t0) / 1e9, "window_s": (t2 - t0) / 1e9, "cpu_s": cpu}
        row.update(stats(samples, t0, t2))
        print(json.dumps(row), flush=True)


# ---- the table ----------------------------------------------------------------------------
def table(path):
    rows, servers, cells = [], [], {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            key = (r["scenario"], r["order"])
            if key not in cells:
                rows.append((key, r["row"]))
                cells[key] = {}
            if r["server"] not in servers:
                servers.append(r["server"])
            cells[key][r["server"]] = r
    head = ["scenario"]
    for s in servers:
        head += ["%s PING p50 / p99.9 / max ms" % SERVER_LABELS.get(s, s), "load s / CPU s"]
    head.append("idle control PING max ms (same windows, per server)")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    fmt = lambda v: "-" if v is None else "%.2f" % v if v < 10 else "%.0f" % v
    for key, label in sorted(rows):
        line = [label]
        for s in servers:
            r = cells[key].get(s)
            if r is None:
                line += ["-", "-"]
                continue
            line.append("%s / %s / **%s**" % tuple(fmt(r[f]) for f in ("p50_ms", "p999_ms",
                                                                        "max_ms")))
            line.append("%.2f / %.2f" % (r["load_s"], r["cpu_s"]))
        noise = (cells[key].get(s, {}).get("control_max_ms") for s in servers)
        line.append(" / ".join(fmt(v) for v in noise))
        print("| " + " | ".join(line) + " |")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "probe":
        return probe(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    if len(sys.argv) > 1 and sys.argv[1] == "table":
        return table(sys.argv[2])
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["run"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--control-port", type=int, required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--scenario", type=int, required=True, choices=range(1, 9))
    p.add_argument("--scale", type=float, default=1.0)
    run(p.parse_args())


if __name__ == "__main__":
    main()
