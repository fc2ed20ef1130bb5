"""Property: a random sequence of commands over every type leaves a keyspace that is exactly
the same after kill -9 and restart, and after a snapshot is taken, restored and loaded."""
import random
import time

from strongbox_harness import (Engine, Snapshotter, dump, snapshotter_tool, wait_for,
                               SANITIZED)

OPS = 1500 if SANITIZED else 6000


def random_command(rng):
    k = rng.randrange(40)
    v = rng.randrange(1000)
    choices = [
        ("SET", f"s{k}", v), ("SET", f"s{k}", v, "PX", rng.randrange(1, 400)),
        ("APPEND", f"s{k}", "x"), ("INCRBY", f"n{k}", v), ("INCRBYFLOAT", f"f{k}", "0.1"),
        ("DEL", f"s{k}", f"h{k}"), ("EXPIRE", f"s{k}", rng.randrange(100, 300)), ("PERSIST", f"s{k}"),
        ("HSET", f"h{k}", f"f{v % 7}", v), ("HDEL", f"h{k}", f"f{v % 7}"),
        ("HINCRBY", f"h{k}", "c", 1), ("RPUSH", f"l{k}", v, v + 1), ("LPOP", f"l{k}"),
        ("LTRIM", f"l{k}", 1, -1), ("LREM", f"l{k}", 0, v), ("LMOVE", f"l{k}", f"l{k + 1}",
                                                            "LEFT", "RIGHT"),
        ("SADD", f"t{k}", v, v % 5), ("SREM", f"t{k}", v % 5), ("SPOP", f"t{k}", 2),
        ("SMOVE", f"t{k}", f"t{k + 1}", v % 5), ("SUNIONSTORE", f"t{k}", f"t{k + 1}", f"t{k + 2}"),
        ("ZADD", f"z{k}", v * 0.25, f"m{v % 9}"), ("ZINCRBY", f"z{k}", 1.5, f"m{v % 9}"),
        ("ZPOPMIN", f"z{k}"), ("ZREMRANGEBYSCORE", f"z{k}", 0, v * 0.1),
        ("RENAME", f"h{k}", f"h{k + 1}"), ("SELECT", rng.randrange(3)),
    ]
    return rng.choice(choices)


def run_random(client, n, seed):
    rng = random.Random(seed)
    for _ in range(n):
        cmd = random_command(rng)
        try:
            client.execute_command(*cmd)
        except Exception as e:  # WRONGTYPE, no such key...: part of the property
            assert "WRONGTYPE" in str(e) or "no such key" in str(e) or "not" in str(e), e
    client.execute_command("SELECT", 0)


def test_random_commands_survive_kill9_and_snapshot_restore(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, "--segment-bytes", "32768", "--rotate-interval", "1").start()
    snap = Snapshotter(data, "--snapshot-every", "2", "--snapshot-interval", "1",
                       "--rescan-interval-ms", "200").start()
    c = engine.client(single_connection_client=True)
    run_random(c, OPS, 7)
    time.sleep(0.5)  # let short expiries pass: expired keys are compared as absent
    before = dump(engine.client())
    lsn = engine.client().info("persistence")["lsn_durable"]
    engine.kill9()
    engine.start()
    assert dump(engine.client()) == before
    engine.stop()
    wait_for(lambda: any(n.name.endswith(".snap.zst") for n in data.iterdir()), 60, "snapshot")
    time.sleep(1.5)
    snap.stop()
    rc, out = snapshotter_tool("verify", "--dir", str(data))
    assert rc == 0, out
    target = tmp_path / "restored"
    rc, out = snapshotter_tool("restore", "--dir", str(data), "--to-lsn", str(lsn),
                               "--target", str(target))
    assert rc == 0, out
    restored = Engine(target).start()
    assert dump(restored.client()) == before
    restored.stop()
