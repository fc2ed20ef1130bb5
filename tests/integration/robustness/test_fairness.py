"""Fairness: one connection's huge pipeline cannot hold the event loop while another client
waits. A client blocked in BLPOP gets 200k INCRs queued behind it (the engine buffers them
while it is parked); once it is woken, the whole pipeline is ready to run at once. Another
client's GETs, sent meanwhile, must be answered while the pipeline is still running: they see
intermediate counter values. Without a per-turn bound the pipeline runs in one loop turn and
the GETs see only its end."""
import socket
import threading
import time

import redis

from strongbox_harness import Engine

N = 200_000


def _read_replies(s, want_bytes, done):
    got = 0
    while got < want_bytes:
        chunk = s.recv(1 << 20)
        assert chunk, "connection closed"
        got += len(chunk)
    done.set()


def test_a_huge_pipeline_does_not_starve_other_clients(tmp_path):
    engine = Engine(str(tmp_path / "data"), "--fsync", "interval").start()
    try:
        other = redis.Redis(port=engine.port, socket_timeout=30)
        s = socket.create_connection(("127.0.0.1", engine.port))
        s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
        s.sendall(b"*2\r\n$4\r\nINCR\r\n$1\r\nx\r\n" * N)
        want = len(b"*2\r\n$1\r\nq\r\n$1\r\n1\r\n") + sum(len(b":%d\r\n" % i)
                                                          for i in range(1, N + 1))
        done = threading.Event()
        reader = threading.Thread(target=_read_replies, args=(s, want, done))
        reader.start()
        time.sleep(1)  # the pipeline reaches the engine's input buffer while BLPOP waits
        assert other.get("x") is None
        other.rpush("q", "1")
        seen = set()
        while not done.is_set():
            v = other.get("x")
            if v is not None:
                seen.add(int(v))
        reader.join()
        s.close()
        assert int(other.get("x")) == N
        intermediate = sorted(v for v in seen if 0 < v < N)
        # ~390 turns of 512 commands; even a client starved of CPU sees a few of them.
        assert len(intermediate) >= 3, intermediate
    finally:
        engine.stop()
