#!/usr/bin/python3
"""Pipelined durable-SET load client for scripts/bench-replication.sh.

One client for every server under comparison: C connections on one asyncio loop, each keeping
P SETs in flight (one batch written, then all its replies read). With --wait, every SET is
followed by WAIT 1 0 in the same pipeline (Redis's way to know one replica has the write; its
`appendfsync always` makes the primary durable). Replies are one line each (+OK, :1): an error
reply or a WAIT answering 0 stops the run. Prints one line: "requests_per_s p99_ms requests";
the latency of a request is that of its batch (send to last reply).
"""
import argparse
import asyncio
import random
import time


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


WAIT_1 = encode(b"WAIT", b"1", b"0")


async def connection(args, deadline, latencies_s, counts):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    value = b"v" * args.value_bytes
    replies_per_batch = args.pipeline * (2 if args.wait else 1)
    while time.perf_counter() < deadline:
        batch = []
        for _ in range(args.pipeline):
            key = b"key:%d" % random.randrange(args.keyspace)
            batch.append(encode(b"SET", key, value))
            if args.wait:
                batch.append(WAIT_1)
        start = time.perf_counter()
        writer.write(b"".join(batch))
        await writer.drain()
        for _ in range(replies_per_batch):
            line = await reader.readline()
            if line[:1] == b"-" or line == b":0\r\n" or not line:
                raise RuntimeError(f"unexpected reply {line!r}")
        latencies_s.append(time.perf_counter() - start)
        counts[0] += args.pipeline
    writer.close()


async def run(args):
    latencies_s, counts = [], [0]
    start = time.perf_counter()
    deadline = start + args.seconds
    await asyncio.gather(
        *(connection(args, deadline, latencies_s, counts) for _ in range(args.clients)))
    elapsed_s = time.perf_counter() - start
    latencies_s.sort()
    p99_ms = latencies_s[int(0.99 * (len(latencies_s) - 1))] * 1e3 if latencies_s else 0
    print(f"{counts[0] / elapsed_s:.0f} {p99_ms:.3f} {counts[0]}")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pipeline", type=int, default=1)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--keyspace", type=int, default=100000)
    p.add_argument("--value-bytes", type=int, default=64)
    p.add_argument("--wait", action="store_true", help="WAIT 1 0 after every SET")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
