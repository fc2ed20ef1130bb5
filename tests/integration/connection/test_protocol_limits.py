"""Garbage and oversized requests: an error and a closed connection, others keep working,
memory stays bounded; maxclients; inline and pipelined commands."""
import socket

from strongbox_harness import Engine, RawConnection


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raw(engine, payload, read_timeout=60):
    s = socket.create_connection(("127.0.0.1", engine.port), timeout=read_timeout)
    if payload:
        s.sendall(payload)
    chunks = []
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    except socket.timeout:
        s.close()
        return b"".join(chunks), False
    except ConnectionResetError:
        pass  # closed with our bytes unread: a reset, after the error reply was sent
    s.close()
    return b"".join(chunks), True  # True: the server closed the connection


def test_garbage_gets_error_and_close_while_others_are_served(tmp_path):
    engine = Engine(tmp_path / "data", "--proto-max-bulk-len", "1048576").start()
    other = engine.client()
    other.set("alive", "yes")
    cases = [
        (b"*abc\r\n", "invalid multibulk length"),
        (b"*2\r\n$3\r\nGET\r\n:1\r\n", "expected '$', got ':'"),
        (b"*1\r\n$99999999999\r\n", "invalid bulk length"),
        (b"*1\r\n$2000000\r\n", "invalid bulk length"),  # larger than --proto-max-bulk-len
        (b"*99999999999\r\n", "invalid multibulk length"),
        (b"*1\r\n$3\r\nGETXX\r\n", "bulk not terminated by CRLF"),
        (b"\"unbalanced\r\n", "unbalanced quotes in request"),
        (b"A" * 70000, "too big inline request"),  # inline line without a newline, too long
    ]
    for payload, error in cases:
        data, closed = raw(engine, payload)
        assert data == b"-ERR Protocol error: " + error.encode() + b"\r\n", (payload[:20], data)
        assert closed, payload[:20]
        assert other.get("alive") == b"yes"
    assert engine.stop() == 0


QUERY_BUFFER_LIMIT = 1048576  # the smallest --client-query-buffer-limit the engine takes
QUERY_BUFFER_ERROR = (b"-ERR Protocol error: query buffer limit exceeded "
                      b"(--client-query-buffer-limit)\r\n")


def send_past_query_buffer_limit(engine):
    """A SET whose value is declared 3 MiB long (under --proto-max-bulk-len, so the parser
    waits for it) but whose unparsed input passes the 1 MiB query buffer limit: exactly
    limit + 1 bytes, in 64 KiB pieces. The server reads every byte we send (it trips on the
    last one), so it closes with nothing unread: a FIN, never a reset."""
    conn = RawConnection(engine.port, timeout=120)  # generous: a loaded machine, ASan
    header = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3145728\r\n"
    body_bytes = QUERY_BUFFER_LIMIT + 1 - len(header)
    conn.sock.sendall(header)
    while body_bytes > 0:
        piece = min(body_bytes, 65536)
        conn.sock.sendall(b"x" * piece)
        body_bytes -= piece
    return conn


def test_oversized_and_flooding_clients_keep_memory_bounded(tmp_path):
    engine = Engine(tmp_path / "data", "--proto-max-bulk-len", "4194304",
                    "--client-query-buffer-limit", str(QUERY_BUFFER_LIMIT)).start()
    other = engine.client()
    other.set("alive", "yes")
    before = rss_kib(engine.proc.pid)
    # Many clients each announcing more arguments than the multibulk limit (1048576).
    for _ in range(20):
        data, closed = raw(engine, b"*1048577\r\n")
        assert data == b"-ERR Protocol error: invalid multibulk length\r\n"
        assert closed
    # Clients whose unparsed input outgrows the query buffer: the exact error, then the close.
    # read_until_closed returns once recv gives b"" (the server closed); a timeout raises.
    for _ in range(3):
        conn = send_past_query_buffer_limit(engine)
        assert conn.read_until_closed() == QUERY_BUFFER_ERROR
        conn.close()
        assert other.get("alive") == b"yes"
    # Several at once: the server cuts each off and drops its buffer.
    conns = [send_past_query_buffer_limit(engine) for _ in range(6)]
    for conn in conns:
        assert conn.read_until_closed() == QUERY_BUFFER_ERROR
        conn.close()
    # A client that goes on streaming after the error is disconnected, not buffered: its
    # sends fail or its reads end (b"" or a reset, depending on when the close lands), and
    # nothing but the error ever comes back.
    conn = send_past_query_buffer_limit(engine)
    assert conn.read_exact(len(QUERY_BUFFER_ERROR)) == QUERY_BUFFER_ERROR
    try:
        for _ in range(16 * QUERY_BUFFER_LIMIT // 65536):
            conn.sock.sendall(b"x" * 65536)
        rest = conn.read_until_closed()
    except (BrokenPipeError, ConnectionResetError):
        rest = conn.buf
    assert rest.replace(QUERY_BUFFER_ERROR, b"") == b"", rest[:200]
    conn.close()
    after = rss_kib(engine.proc.pid)
    # Each of them made the server size a 3 MiB buffer; it goes with the connection.
    assert after - before < 60 * 1024, (before, after)
    assert engine.client().ping() and other.get("alive") == b"yes"
    assert engine.stop() == 0


def test_maxclients_refuses_with_an_error(tmp_path):
    engine = Engine(tmp_path / "data", "--maxclients", "2").start()
    a, b = engine.client(), engine.client()
    a.ping()
    b.ping()
    data, closed = raw(engine, b"")
    assert data == b"-ERR max number of clients reached\r\n" and closed
    a.close()
    b.close()
    assert engine.stop() == 0


def test_inline_and_pipelined_commands(tmp_path):
    engine = Engine(tmp_path / "data").start()
    s = socket.create_connection(("127.0.0.1", engine.port), timeout=60)
    s.sendall(b"SET a 1\r\nINCR a\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n")
    buf = b""
    while buf.count(b"\r\n") < 5:
        buf += s.recv(4096)
    assert buf == b"+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n"
    s.close()
    assert engine.stop() == 0


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_replies(s, count):
    buf = b""
    while buf.count(b"\r\n") < count:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


def test_parse_ahead_window_edges(tmp_path):
    # Commands are parsed up to 16 ahead of running them (to prefetch their keys): a pipeline
    # longer than the window, one ending in a partial command completed byte by byte, a large
    # bulk after a window, and garbage after valid commands must all behave as one at a time.
    engine = Engine(tmp_path / "data").start()
    s = socket.create_connection(("127.0.0.1", engine.port), timeout=60)
    pipeline = b"".join(resp("INCR", "n") for _ in range(37))
    partial = resp("SET", "k", "v" * 10)
    s.sendall(pipeline + partial[:7])
    got = read_replies(s, 37)
    assert got == b"".join(b":%d\r\n" % i for i in range(1, 38))
    for i in range(7, len(partial)):
        s.sendall(partial[i:i + 1])
    assert read_replies(s, 1) == b"+OK\r\n"
    big = b"x" * (3 << 20)
    s.sendall(b"".join(resp("SELECT", 0) for _ in range(20)) + resp("SET", "big", big) +
              resp("STRLEN", "big"))
    assert read_replies(s, 22) == b"+OK\r\n" * 21 + b":%d\r\n" % len(big)
    s.close()
    reply, closed = raw(engine, b"".join(resp("INCR", "m") for _ in range(20)) + b"*1\r\n$x\r\n")
    assert closed
    assert reply.startswith(b"".join(b":%d\r\n" % i for i in range(1, 21)) + b"-ERR Protocol error")
    assert engine.client().get("n") == b"37"
    assert engine.stop() == 0
