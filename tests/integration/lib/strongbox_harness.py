"""Process harness for integration tests: start/stop/kill the real binaries on free loopback
ports in temporary directories, and read their segment files. Every process it starts is
stopped after its test, passed or failed (the autouse fixture below)."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import time

import pytest
import redis

ENGINE_BIN = os.environ.get("STRONGBOX_ENGINE_BIN", "")
SNAPSHOTTER_BIN = os.environ.get("STRONGBOX_SNAPSHOTTER_BIN", "")
SANITIZED = os.environ.get("STRONGBOX_SANITIZED", "0") == "1"


# ---- processes: every one the harness starts is stopped after its test ---------------------
_running = []  # Popen objects started by this pytest process and not yet reaped
# PR_SET_PDEATHSIG through setpriv (it execs, so the pid stays the one we track): if pytest
# itself is killed (a ctest timeout), the kernel kills what it started.
_SETPRIV = shutil.which("setpriv")


def _dies_with_pytest(cmd):
    return [_SETPRIV, "--pdeathsig", "KILL", "--"] + list(cmd) if _SETPRIV else list(cmd)


def spawn(cmd, **kw):
    """Starts a long-running process; the autouse fixture stops it after the test."""
    proc = subprocess.Popen(_dies_with_pytest(cmd), **kw)
    _running.append(proc)
    return proc


def run(cmd, timeout):
    """Runs a command to its end (killed at the timeout), output captured."""
    return subprocess.run(_dies_with_pytest(cmd), capture_output=True, timeout=timeout)


def kill_all_started():
    """SIGKILLs and reaps every process this pytest process started that still runs; returns
    their command lines."""
    left = []
    while _running:
        proc = _running.pop()
        if proc.poll() is None:
            left.append(" ".join(str(a) for a in proc.args))
            proc.kill()
            proc.wait(60)
    return left


@pytest.fixture(autouse=True)
def stop_processes_left_running():
    """Imported by every conftest.py: a test that fails (or forgets) never leaves an engine,
    snapshotter or redis-server behind for the next test or the machine."""
    yield
    kill_all_started()


def free_port():
    """A free port below the kernel's ephemeral range (32768+), so that a restarted server
    never finds its port taken by some client's outgoing connection."""
    import random
    for _ in range(1000):
        port = random.randint(12000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


class Engine:
    def __init__(self, data_dir, *args, port=None, metrics_port=0):
        self.dir = str(data_dir)
        self.port = port or free_port()
        self.metrics_port = metrics_port
        self.args = list(args)
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(self.dir.rstrip("/")),
                                     f"engine-{self.port}.log")

    def start(self, wait=True, timeout=60):
        # Tests run in parallel: a port free when picked can be taken by another test's
        # server before a restart; then move to a fresh port (clients follow self.port).
        for _ in range(5):
            before = len(self.output())
            cmd = [ENGINE_BIN, "--dir", self.dir, "--port", str(self.port),
                   "--metrics-port", str(self.metrics_port)] + self.args
            with open(self.log_path, "ab") as log:
                self.proc = spawn(cmd, stdout=log, stderr=subprocess.STDOUT)
            if not wait:
                return self
            try:
                self.wait_ready(timeout)
                return self
            except RuntimeError:
                if "Address already in use" not in self.output()[before:]:
                    raise
                self.port = free_port()
        raise RuntimeError("no free port for the engine")

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"engine exited with {self.proc.returncode}: {self.output()}")
            try:
                if self.client().ping():
                    return
            except redis.exceptions.AuthenticationError:
                return  # --requirepass: answering NOAUTH is being ready
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise TimeoutError("engine did not become ready: " + self.output())

    def client(self, **kw):
        kw.setdefault("socket_timeout", 30)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self.proc = None

    def run_to_exit(self, timeout=30):
        """Starts the engine expecting it to refuse to start; returns (rc, output)."""
        cmd = [ENGINE_BIN, "--dir", self.dir, "--port", str(self.port), "--metrics-port",
               str(self.metrics_port)] + self.args
        p = run(cmd, timeout)
        return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


class RedisServer:
    """Debian's redis-server on a free loopback port, no persistence: the reference the
    parity tests compare the engine's replies with."""

    def __init__(self, work_dir, config_file=None):
        self.dir = str(work_dir)
        self.port = free_port()
        self.proc = None
        self.config = [str(config_file)] if config_file else []  # CONFIG REWRITE writes it

    def start(self, timeout=30):
        os.makedirs(self.dir, exist_ok=True)
        self.proc = spawn(
            ["redis-server"] + self.config +
            ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--logfile", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.client().ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not become ready")

    def client(self, **kw):
        kw.setdefault("socket_timeout", 30)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.proc = None


def raw_reply(client, *args):
    """Sends one command and returns the reply as parsed RESP (no redis-py response
    callbacks), or the error text as ("error", text)."""
    conn = client.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        try:
            return conn.read_response()
        except redis.exceptions.ResponseError as e:
            return ("error", str(e))
    finally:
        client.connection_pool.release(conn)


def replies_match(pair, script):
    """Runs each command on the engine and on redis-server (pair = (Engine, RedisServer)) and
    asserts the raw replies are equal; returns the two clients."""
    e, r = pair
    ec, rc = e.client(), r.client()
    for cmd in script:
        got, want = raw_reply(ec, *cmd), raw_reply(rc, *cmd)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"
    return ec, rc


def raw_replies_match(pair, script, unchecked=("HELLO",)):
    """Sends each command over a plain socket to both servers of pair and asserts the parsed
    replies are equal (RESP3 types included once HELLO 3 ran); commands named in `unchecked`
    are sent but not compared."""
    conns = [RawConnection(p.port) for p in pair]
    try:
        for cmd in script:
            got = []
            for c in conns:
                c.send(cmd)
                got.append(c.read_reply())
            if cmd[0] not in unchecked:
                assert got[0] == got[1], f"{cmd}: engine {got[0]!r} != redis {got[1]!r}"
    finally:
        for c in conns:
            c.close()


class RawConnection:
    """A plain socket to a server that reads whole RESP2/RESP3 replies, for checking bytes on
    the wire without a client library in between. Maps become dicts, sets Python sets, errors
    ("error", text), RESP3 nulls None; read_exact/read_until_closed give the raw bytes."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, *commands):
        """Sends each command (a tuple of arguments) as a multibulk, all in one write."""
        out = b""
        for cmd in commands:
            args = [a if isinstance(a, bytes) else str(a).encode() for a in cmd]
            out += b"*%d\r\n" % len(args)
            for a in args:
                out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed; unread: %r" % self.buf)
        self.buf += chunk

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_reply(self):
        line = self.read_line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return ("error", rest.decode())
        if kind == b":":
            return int(rest)
        if kind in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self.read_exact(n + 2)
            assert data.endswith(b"\r\n"), data
            return data[:-2]
        if kind in (b"*", b">"):
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        if kind == b"~":
            return {self.read_reply() for _ in range(int(rest))}
        if kind == b"%":
            pairs = [(self.read_reply(), self.read_reply()) for _ in range(int(rest))]
            return dict(pairs)
        if kind == b"_":
            return None
        if kind == b",":
            return float(rest)
        if kind == b"#":
            return {b"t": True, b"f": False}[rest]
        if kind == b"(":
            return int(rest)
        raise AssertionError("not a RESP reply: %r" % line)

    def read_until_closed(self):
        """Everything the server sends until it closes the connection (recv returns b"")."""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                data, self.buf = self.buf, b""
                return data
            self.buf += chunk

    def close(self):
        self.sock.close()


# ---- segment files (docs/format.md) -------------------------------------------------------
SEGMENT_HEADER_BYTES = 64
RECORD_HEADER_BYTES = 32


def read_records(path):
    """Returns [(offset, total_bytes, type, lsn)] of the valid records of a segment."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    pos = SEGMENT_HEADER_BYTES
    while pos + RECORD_HEADER_BYTES <= len(data):
        length, rtype = struct.unpack_from("<IB", data, pos + 8)
        if rtype not in (1, 2):
            break
        lsn = struct.unpack_from("<Q", data, pos + 16)[0]
        total = RECORD_HEADER_BYTES + length
        if pos + total > len(data):
            break
        out.append((pos, total, rtype, lsn))
        pos += total
        if rtype == 2:
            break
    return out


def segment_files(data_dir):
    names = sorted(os.listdir(data_dir))
    return [n for n in names if n.startswith("cmdlog-") and
            (n.endswith(".log") or n.endswith(".active"))]


class Snapshotter:
    # Tests run the snapshotter at normal priority: at its default (SCHED_IDLE, idle I/O) it
    # runs only when a CPU is idle, and `ctest -j` on a 2-core machine rarely leaves one, so
    # waits for a snapshot would measure the load, not the code. default_priority=True keeps
    # the production default (the test of that default uses it).
    def __init__(self, data_dir, *args, metrics_port=0, default_priority=False):
        self.dir = str(data_dir)
        self.args = list(args)
        if not default_priority and "--cpu-priority" not in self.args:
            self.args += ["--cpu-priority", "normal", "--io-priority", "best-effort"]
        self.metrics_port = metrics_port
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(self.dir.rstrip("/")),
                                     f"snapshotter-{id(self)}.log")

    def start(self):
        cmd = [SNAPSHOTTER_BIN, "run", "--dir", self.dir, "--metrics-port",
               str(self.metrics_port)] + self.args
        with open(self.log_path, "ab") as log:
            self.proc = spawn(cmd, stdout=log, stderr=subprocess.STDOUT)
        return self

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        self.proc = None


def snapshotter_tool(*args, timeout=120):
    p = run([SNAPSHOTTER_BIN] + list(args), timeout)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


def plain_value(client, key, t):
    """The value of a key of type `t` other than a stream, in a comparable form."""
    if t == b"string":
        return client.get(key)
    if t == b"hash":
        return tuple(sorted(client.hgetall(key).items()))
    if t == b"list":
        return tuple(client.lrange(key, 0, -1))
    if t == b"set":
        return tuple(sorted(client.smembers(key)))
    if t == b"zset":
        return tuple(client.zrange(key, 0, -1, withscores=True))
    return None


def stream_entries(client, key):
    return tuple((i, tuple(f.items())) for i, f in client.xrange(key))


def newest_snapshot_lsn(data_dir):
    """The LSN of the newest snapshot-<lsn>.snap.zst in data_dir (0 if none)."""
    lsns = [int(n[len("snapshot-"):-len(".snap.zst")]) for n in os.listdir(data_dir)
            if n.startswith("snapshot-") and n.endswith(".snap.zst")]
    return max(lsns, default=0)


def wait_for_new_snapshot(client, data_dir, what, timeout=60):
    """Writes filler:N strings (rotating segments) until a snapshot covers every write made
    before the call. (A snapshot merely newer than the call may have been started before the
    last writes — the snapshotter runs at idle priority and can take a while.)"""
    target = int(client.info("persistence")["lsn_assigned"])
    i = 0

    def covering_snapshot():
        nonlocal i
        client.set(f"filler:{i}", "x" * 500)
        i += 1
        return newest_snapshot_lsn(data_dir) >= target

    wait_for(covering_snapshot, timeout, what)


def verify_and_restore(data_dir, lsn, target):
    """Runs the snapshotter's verify on data_dir, then restores it up to `lsn` into target."""
    rc, out = snapshotter_tool("verify", "--dir", str(data_dir))
    assert rc == 0, out
    rc, out = snapshotter_tool("restore", "--dir", str(data_dir), "--to-lsn", str(lsn),
                               "--target", str(target))
    assert rc == 0, out


def keep_only_snapshots(data_dir):
    """Removes every log segment, hot and archived, so a start loads the newest snapshot alone."""
    for name in os.listdir(data_dir):
        if name.endswith(".log") or name.endswith(".log.zst"):
            os.remove(os.path.join(data_dir, name))
    archived = os.path.join(data_dir, "archived")
    if os.path.isdir(archived):
        for name in os.listdir(archived):
            os.remove(os.path.join(archived, name))


def dump(client):
    """Full content of all 16 databases: {(db, key): (type, value, has_ttl)}."""
    out = {}
    for db in range(16):
        client.execute_command("SELECT", db)
        for key in client.scan_iter(count=1000):
            t = client.type(key)
            if t == b"stream":
                v = (stream_entries(client, key),
                     tuple(client.execute_command("XINFO", "STREAM", key)[:14]))
            else:
                v = plain_value(client, key, t)
            out[(db, key)] = (t, v, client.pttl(key) > 0)
    client.execute_command("SELECT", 0)
    return out


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("timed out waiting for " + what)


class Tmpfs:
    """A tmpfs mounted at `path` (another filesystem, a volume that can fill up). Skips the
    test with the reason when mounting is impossible (needs root)."""

    def __init__(self, path, size):
        self.path, self.size = str(path), size

    def __enter__(self):
        import pytest
        os.makedirs(self.path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs",
                            self.path], capture_output=True)
        if r.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root): " + r.stderr.decode())
        return self

    def grow(self, size):
        subprocess.run(["mount", "-o", f"remount,size={size}", self.path], check=True)

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", self.path])
