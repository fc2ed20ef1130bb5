"""HyperLogLog against Debian's redis-server: PFADD/PFCOUNT/PFMERGE replies for 0..100k
elements, the bytes GET returns (sparse and dense) equal to Redis's, an HLL made by Redis and SET
into the engine counts the same, corrupted values answer Redis's WRONGTYPE / INVALIDOBJ texts,
and the bytes after kill -9 and restart (replay) equal the bytes before."""
from strongbox_harness import Engine, dump, raw_reply, replies_match

CACHE = slice(8, 16)  # the cached cardinality: Redis's PFCOUNT writes it, the engine's does not


def same_hll(ec, rc, key, with_cache=True):
    got, want = ec.get(key), rc.get(key)
    if not with_cache and got is not None and want is not None:
        got, want = got[:8] + got[16:], want[:8] + want[16:]
    assert got == want, f"{key}: engine {got[:40]!r}... != redis {want[:40]!r}..."


def add_and_compare(ec, rc, key, elements, counted=False):
    """PFADD on both; the bytes must be identical, the cache bytes too unless Redis's PFCOUNT
    (`counted`) wrote its estimate there (a later PFADD only sets the stale bit)."""
    got, want = raw_reply(ec, "PFADD", key, *elements), raw_reply(rc, "PFADD", key, *elements)
    assert got == want, f"PFADD {key} {elements[:3]}...: {got} != {want}"
    same_hll(ec, rc, key, with_cache=not counted)


def test_pfadd_pfcount_bytes_up_to_100k(engine_and_redis):
    e, r = engine_and_redis
    ec, rc = e.client(), r.client()
    # One element per command through the sparse range: every split and merge of opcodes.
    for i in range(400):
        add_and_compare(ec, rc, "h", [f"e{i}"])
        add_and_compare(ec, rc, "counted", [f"e{i}"], counted=True)
        if i % 37 == 0:
            assert raw_reply(ec, "PFCOUNT", "counted") == raw_reply(rc, "PFCOUNT", "counted")
    assert rc.get("h")[4] == 1, "still sparse in Redis at 400 elements"
    # Then batches past the promotion to dense, up to 100k.
    n = 400
    while n < 100_000:
        batch = [f"e{i}" for i in range(n, n + 1000)]
        add_and_compare(ec, rc, "h", batch, counted=n > 400)
        n += 1000
        assert raw_reply(ec, "PFCOUNT", "h") == raw_reply(rc, "PFCOUNT", "h"), n
    assert rc.get("h")[4] == 0, "dense in Redis"
    same_hll(ec, rc, "h", with_cache=False)
    add_and_compare(ec, rc, "h", ["e5", "e6"], counted=True)  # nothing changes: reply 0
    for k in range(0, 300, 7):  # small counts: the estimator's low range
        add_and_compare(ec, rc, f"small{k}", [f"x{k}-{i}" for i in range(k)])
        assert raw_reply(ec, "PFCOUNT", f"small{k}") == raw_reply(rc, "PFCOUNT", f"small{k}")
    replies_match(engine_and_redis, [
        ("PFADD", "empty"), ("GET", "empty"), ("PFADD", "empty"), ("PFCOUNT", "empty"),
        ("PFCOUNT", "missing"), ("PFADD", "bin", "\x00", "", "\xff" * 100),
        ("GET", "bin"), ("PFCOUNT", "bin")])


def test_pfmerge_and_union_count(engine_and_redis):
    e, r = engine_and_redis
    ec, rc = e.client(), r.client()
    for c in (ec, rc):
        c.pfadd("s1", *[f"a{i}" for i in range(50)])
        c.pfadd("s2", *[f"a{i}" for i in range(25, 120)])
        c.pfadd("d1", *[f"b{i}" for i in range(5000)])
        c.pfadd("d2", *[f"a{i}" for i in range(3000)])
    script = [("PFCOUNT", "s1", "s2"), ("PFCOUNT", "s1", "d1", "missing"),
              ("PFCOUNT", "s1", "s2", "d1", "d2"),
              ("PFMERGE", "m1", "s1", "s2"), ("GET", "m1"), ("PFCOUNT", "m1"),
              ("PFMERGE", "m2", "s1", "d1"), ("GET", "m2"), ("PFCOUNT", "m2"),
              ("PFMERGE", "s1", "s2"), ("GET", "s1"), ("PFCOUNT", "s1"),
              ("PFMERGE", "s2", "d2", "d1"), ("GET", "s2"), ("PFCOUNT", "s2"),
              ("PFMERGE", "m3"), ("GET", "m3"), ("PFCOUNT", "m3"),
              ("PFMERGE", "m4", "missing"), ("GET", "m4"),
              ("PFMERGE", "d1", "d1"), ("GET", "d1"),
              ("SET", "t", "x"), ("PFMERGE", "m5", "s1", "t"), ("EXISTS", "m5"),
              ("PFMERGE", "t", "s1"), ("HSET", "h", "f", "v"), ("PFMERGE", "m5", "h"),
              ("PFCOUNT", "s1", "h"), ("PFCOUNT", "s1", "t"),
              ("SET", "ttl", "v"), ("DEL", "ttl"), ("PFADD", "ttl", "a"), ("EXPIRE", "ttl", "100"),
              ("PFMERGE", "ttl", "s1"), ("TTL", "ttl"), ("PFADD", "ttl", "zz"), ("TTL", "ttl")]
    replies_match(engine_and_redis, script)


def test_redis_made_hll_counts_the_same(engine_and_redis):
    e, r = engine_and_redis
    ec, rc = e.client(), r.client()
    for name, n in [("sparse", 200), ("dense", 20000)]:
        rc.pfadd(name, *[f"{name}{i}" for i in range(n)])
        stale = rc.get(name)  # cache marked stale
        rc.pfcount(name)
        cached = rc.get(name)  # cache valid: PFCOUNT must answer it as is
        assert stale != cached
        for suffix, value in [("stale", stale), ("cached", cached)]:
            ec.set(f"{name}-{suffix}", value)
            rc.set(f"{name}-{suffix}", value)
            assert ec.pfcount(f"{name}-{suffix}") == rc.pfcount(f"{name}-{suffix}")
            add_and_compare(ec, rc, f"{name}-{suffix}", [f"more{i}" for i in range(300)],
                            counted=True)
            assert ec.pfcount(f"{name}-{suffix}") == rc.pfcount(f"{name}-{suffix}")
    # A valid cache is believed as is, even when it lies.
    forged = bytearray(rc.get("sparse"))
    forged[8:16] = (12345).to_bytes(8, "little")
    ec.set("forged", bytes(forged))
    assert ec.pfcount("forged") == 12345


def test_corrupted_hll_errors(engine_and_redis):
    e, r = engine_and_redis
    rc = r.client()
    rc.pfadd("good", "a", "b", "c")
    good = rc.get("good")
    rc.pfadd("dense", *range(5000))
    dense = rc.get("dense")
    bad_total = good[:16] + b"\x7f\xfe" + good[18:]  # the XZERO run one register short
    long_total = good + b"\x00"  # one register too many
    val_overflow = good[:16] + b"\x7f\xff" + b"\x83"  # a VAL run past the last register
    script = [("SET", "short", "HYLL"), ("SET", "magic", b"HYLX" + good[4:]),
              ("SET", "enc", good[:4] + b"\x02" + good[5:]),
              ("SET", "dense_size", dense[:-1]), ("SET", "bad_total", bad_total),
              ("SET", "long_total", long_total), ("SET", "val_overflow", val_overflow),
              ("SET", "as_dense", good[:4] + b"\x00" + good[5:]), ("HSET", "h", "f", "v"),
              ("SET", "num", "12345678901234567")]
    for key in ["short", "magic", "enc", "dense_size", "h", "num", "as_dense"]:
        script += [("PFADD", key, "x"), ("PFCOUNT", key), ("PFCOUNT", key, "good"),
                   ("PFMERGE", "dst", key), ("PFMERGE", key, "good")]
    for key in ["bad_total", "long_total", "val_overflow"]:
        script += [("PFCOUNT", key), ("PFCOUNT", key, "good"), ("PFMERGE", "dst", key),
                   ("PFADD", key, "x"), ("PFADD", key, *range(100, 400)), ("EXISTS", "dst")]
    script += [("PFADD",), ("PFCOUNT",), ("PFMERGE",)]
    replies_match(engine_and_redis, script)


def test_hll_writes_replay_to_identical_bytes(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    for i in range(0, 6000, 50):
        c.pfadd("grow", *[f"g{j}" for j in range(i, i + 50)])  # sparse, then dense
    c.pfadd("small", "a", "b")
    c.pfmerge("m", "small", "grow")
    c.pfmerge("small2", "small")
    c.pfadd("ttl", "x")
    c.expire("ttl", 1000)
    c.pfadd("ttl", "y")
    counts = {k: c.pfcount(k) for k in ["grow", "small", "m", "small2", "ttl"]}
    before = dump(c)
    e.kill9()  # no clean shutdown: the state comes back from replaying the log
    e.start()
    c = e.client()
    assert dump(c) == before
    assert {k: c.pfcount(k) for k in counts} == counts
    assert e.stop() == 0
