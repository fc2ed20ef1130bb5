"""A parked client's pipeline resumes while a receive is in flight on its socket: the bytes that
arrive afterwards must land after what was already parsed, never over it (found when CLIENT
PAUSE and BLPOP resumed a pipeline: commands were replayed)."""
import socket
import time

import redis

from strongbox_harness import Engine


def _read_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        assert chunk, "connection closed"
        data += chunk
    return data


def test_pipeline_resumed_after_blpop_then_more_input(tmp_path):
    engine = Engine(str(tmp_path / "data")).start()
    try:
        other = redis.Redis(port=engine.port, socket_timeout=30)
        s = socket.create_connection(("127.0.0.1", engine.port))
        s.settimeout(30)
        for round_ in range(20):
            s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
            time.sleep(0.05)  # parked; the engine receives again on this socket
            s.sendall(b"*2\r\n$4\r\nINCR\r\n$1\r\na\r\n" * 2)
            time.sleep(0.05)  # the INCRs wait in the input buffer behind the BLPOP
            other.rpush("q", "x")
            want = b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n"
            assert _read_exactly(s, len(want)) == want
            first, second = 2 * round_ + 1, 2 * round_ + 2
            want = b":%d\r\n:%d\r\n" % (first, second)
            assert _read_exactly(s, len(want)) == want, round_
            # New bytes now arrive through the receive armed before the pipeline resumed.
            s.sendall(b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
            want = b"$%d\r\n%d\r\n" % (len(str(second)), second)
            assert _read_exactly(s, len(want)) == want, round_
        s.close()
    finally:
        engine.stop()
