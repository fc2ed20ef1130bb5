"""Garbage and oversized requests: an error and a closed connection, others keep working,
memory stays bounded."""
import socket
import time

from strongbox_harness import Engine


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raw(engine, payload, read_timeout=5):
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
        b"*abc\r\n",
        b"*2\r\n$3\r\nGET\r\n:1\r\n",
        b"*1\r\n$99999999999\r\n",
        b"*1\r\n$2000000\r\n",         # larger than --proto-max-bulk-len
        b"*99999999999\r\n",
        b"*1\r\n$3\r\nGETXX\r\n",      # bulk not terminated by CRLF
        b"\"unbalanced\r\n",
        b"A" * 70000,                   # inline line without a newline, too long
    ]
    for payload in cases:
        data, closed = raw(engine, payload)
        assert data.startswith(b"-ERR Protocol error"), (payload[:20], data)
        assert closed, payload[:20]
        assert other.get("alive") == b"yes"
    engine.stop()


def test_oversized_and_flooding_clients_keep_memory_bounded(tmp_path):
    engine = Engine(tmp_path / "data", "--proto-max-bulk-len", "1048576",
                    "--client-query-buffer-limit", "4194304").start()
    before = rss_kib(engine.proc.pid)
    # Many clients each announcing a huge argument count and then sending garbage.
    for _ in range(20):
        data, closed = raw(engine, b"*1048577\r\n")
        assert data.startswith(b"-ERR Protocol error") and closed
    # A client that streams a never-ending bulk inside the limit of one bulk but past the
    # query buffer: the server must cut it off, not buffer it all.
    s = socket.create_connection(("127.0.0.1", engine.port), timeout=10)
    s.sendall(b"*2\r\n$3\r\nSET\r\n$1000000\r\n")
    sent = 0
    closed = False
    try:
        while sent < 64 * 1024 * 1024:
            s.sendall(b"x" * 65536)
            sent += 65536
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    s.close()
    time.sleep(0.2)
    after = rss_kib(engine.proc.pid)
    assert after - before < 60 * 1024, (before, after)
    assert engine.client().ping()
    engine.stop()


def test_maxclients_refuses_with_an_error(tmp_path):
    engine = Engine(tmp_path / "data", "--maxclients", "2").start()
    a, b = engine.client(), engine.client()
    a.ping()
    b.ping()
    data, closed = raw(engine, b"")
    assert b"max number of clients reached" in data and closed
    a.close()
    b.close()
    engine.stop()


def test_inline_and_pipelined_commands(tmp_path):
    engine = Engine(tmp_path / "data").start()
    s = socket.create_connection(("127.0.0.1", engine.port), timeout=5)
    s.sendall(b"SET a 1\r\nINCR a\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n")
    buf = b""
    while buf.count(b"\r\n") < 5:
        buf += s.recv(4096)
    assert buf == b"+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n"
    s.close()
    engine.stop()
