"""Shared by the RDB tests: fills a server with every type in several encodings (small ones
Redis packs, big ones it does not), and reads a key or a whole server back for comparison."""
from strongbox_harness import plain_value, stream_entries


def fill(client, prefix="", db_count=1):
    """Every type, small and big, in databases 0..db_count-1; some keys with expiries."""
    for db in range(db_count):
        client.execute_command("SELECT", db)
        p = f"{prefix}{db}:"
        client.set(p + "str", "hello")
        client.set(p + "int", "123456")
        client.set(p + "neg", "-5")
        client.set(p + "long", "x" * 300)  # LZF in Redis's RDB
        client.set(p + "bin", bytes(range(256)))
        client.set(p + "ttl", "v", px=3_600_000)
        client.rpush(p + "list", "a", "1", "-7", "b" * 80)
        client.rpush(p + "biglist", *[f"item{i}" for i in range(700)])
        client.rpush(p + "hugeelem", "y" * 10000, "z")
        client.sadd(p + "intset", 1, 2, 3, -100000, 2**40)
        client.sadd(p + "set", "a", "b", "c")
        client.sadd(p + "bigset", *[f"m{i}" for i in range(600)])
        client.hset(p + "hash", mapping={"f1": "v1", "n": "42"})
        client.hset(p + "bighash", mapping={f"f{i}": f"v{i}" * 3 for i in range(300)})
        client.hset(p + "longhash", mapping={"f": "v" * 100})
        client.zadd(p + "zset", {"a": 1.5, "b": -2, "c": 1e20})
        client.zadd(p + "bigzset", {f"m{i}": i / 7 for i in range(300)})
        client.zadd(p + "infzset", {"top": float("inf"), "bottom": float("-inf")})
        client.expire(p + "bigzset", 7200)
        for i in range(1, 260):
            client.xadd(p + "stream", {"a": str(i), "b": "x" * (i % 5)}, id=f"{i}-{i % 3}")
        client.xadd(p + "stream", {"other": "fields"}, id="1000-0")
        client.xdel(p + "stream", "5-2")
        client.xadd(p + "smallstream", {"k": "v"}, id="7-7")
        client.xadd(p + "emptystream", {"k": "v"}, id="9-1")
        client.xdel(p + "emptystream", "9-1")
        add_groups(client, p + "stream", p + "emptystream")
    client.execute_command("SELECT", 0)


def add_groups(client, stream, empty_stream):
    """Consumer groups: pending entries with several owners and delivery counts, a consumer
    without any, a group whose read counter is unknown, and a group on an empty stream."""
    client.xgroup_create(stream, "g1", id="0")
    client.xgroup_create(stream, "g2", id="3-0")
    client.xreadgroup("g1", "alice", {stream: ">"}, count=3)
    client.xreadgroup("g1", "bob", {stream: ">"}, count=150)
    client.xgroup_createconsumer(stream, "g1", "carol")
    client.xclaim(stream, "g1", "carol", 0, ["2-2", "40-1"], retrycount=5)
    client.xack(stream, "g1", "3-0", "41-2")
    client.xreadgroup("g2", "dave", {stream: ">"}, count=2)
    client.xgroup_create(empty_stream, "lonely", id="$")


def groups_of(client, key):
    """XINFO STREAM FULL's groups (Redis keeps every time in them as loaded: nothing masked)."""
    info = client.execute_command("XINFO", "STREAM", key, "FULL", "COUNT", "0")
    return dict(zip(info[::2], info[1::2]))[b"groups"]


def value_of(client, key):
    """(type, value) of one key in the selected database; streams with their counters."""
    t = client.type(key)
    if t != b"stream":
        return t, plain_value(client, key, t)
    # XINFO's counters, not its radix-tree sizes (node sizes differ between writers).
    info = client.execute_command("XINFO", "STREAM", key)
    fields = dict(zip(info[::2], info[1::2]))
    counters = tuple(fields.get(k) for k in (b"length", b"last-generated-id",
                                             b"max-deleted-entry-id", b"entries-added"))
    v = (stream_entries(client, key), counters, groups_of(client, key))
    return t, v


def full_dump(client):
    """Every key of the 16 databases: {(db, key): (type, value, TTL rounded to minutes)}."""
    out = {}
    for db in range(16):
        client.execute_command("SELECT", db)
        for key in client.scan_iter(count=1000):
            ttl_ms = client.pttl(key)
            out[(db, key)] = value_of(client, key) + (round(ttl_ms / 60_000) if ttl_ms > 0 else ttl_ms,)
    client.execute_command("SELECT", 0)
    return out


def crc64(data):
    """Redis's CRC-64 (Jones, reflected), bit by bit: to forge payloads with a valid footer."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc
