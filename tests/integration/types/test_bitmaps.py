"""Bitmaps against Debian's redis-server reply by reply (raw RESP, errors included): SETBIT and
GETBIT at edge offsets, BITCOUNT and BITPOS in every form (BYTE|BIT, negatives), BITOP with
inputs of different lengths, BITFIELD / BITFIELD_RO with every overflow mode; then the bytes
after kill -9 and restart (replay of the logged patches) equal the bytes before."""
import random

from strongbox_harness import Engine, dump, replies_match as run_both

OFFSET_MAX = 4294967295  # 2^32 - 1: the last bit of a 512 MB string


def test_setbit_getbit_edges(engine_and_redis):
    script = [("SETBIT", "b", "0", "1"), ("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "0"),
              ("SETBIT", "b", "100", "1"), ("GET", "b"), ("GETBIT", "b", "0"),
              ("GETBIT", "b", "100"), ("GETBIT", "b", "101"), ("GETBIT", "b", "99999"),
              ("GETBIT", "missing", "5"), ("GETBIT", "b", str(OFFSET_MAX)),
              ("STRLEN", "b")]
    for bad in ["-1", str(OFFSET_MAX + 1), "abc", "1.5", "", "9223372036854775808"]:
        script += [("SETBIT", "b", bad, "1"), ("GETBIT", "b", bad)]
    for bad_bit in ["2", "-1", "x", ""]:
        script.append(("SETBIT", "b", "3", bad_bit))
    script += [("SET", "s", "\xff"), ("SETBIT", "s", "0", "0"), ("GET", "s"),
               ("HSET", "h", "f", "v"), ("SETBIT", "h", "1", "1"), ("GETBIT", "h", "1"),
               ("SETBIT", "ttl", "3", "1"), ("EXPIRE", "ttl", "100"), ("SETBIT", "ttl", "9", "1"),
               ("TTL", "ttl"), ("GET", "ttl")]
    run_both(engine_and_redis, script)
    # The largest offset grows the string to 512 MB: once, on the engine alone (memory).
    ec = engine_and_redis[0].client()
    assert ec.setbit("big", OFFSET_MAX, 1) == 0
    assert ec.strlen("big") == 512 * 1024 * 1024 and ec.getbit("big", OFFSET_MAX) == 1
    assert ec.bitcount("big") == 1 and ec.bitpos("big", 1) == OFFSET_MAX
    ec.delete("big")


def range_forms(key, first_args):
    forms = [()]
    for a, b in [(0, -1), (1, 2), (-3, -1), (-1, -3), (5, 2), (-100, 100), (2, 2), (0, 0),
                 (-2, -2), (3, 1000)]:
        forms += [(str(a), str(b)), (str(a), str(b), "BYTE"), (str(a), str(b), "bit")]
    return [(first_args[0], key) + first_args[1:] + f for f in forms]


def test_bitcount_and_bitpos(engine_and_redis):
    values = {"k": "\x00\xff\xf0\x0f\x81\x00", "ones": "\xff\xff\xff", "zeros": "\x00\x00",
              "empty": "", "one": "\x10"}
    script = [("SET", k, v) for k, v in values.items()]
    for k in list(values) + ["missing"]:
        script += range_forms(k, ("BITCOUNT",))
        script += range_forms(k, ("BITPOS", "1"))
        script += range_forms(k, ("BITPOS", "0"))
        for start in ["0", "1", "-1", "-2", "3", "-20", "20"]:
            script += [("BITPOS", k, "0", start), ("BITPOS", k, "1", start)]
    script += [("BITCOUNT", "k", "0"), ("BITCOUNT", "missing", "0"),
               ("BITCOUNT", "k", "0", "1", "WORD"), ("BITCOUNT", "k", "x", "1"),
               ("BITCOUNT", "k", "0", "1", "BIT", "extra"), ("BITPOS", "k", "2"),
               ("BITPOS", "missing", "2"), ("BITPOS", "k", "x"), ("BITPOS", "k", "1", "x"),
               ("BITPOS", "k", "1", "0", "x"), ("BITPOS", "k", "1", "0", "1", "WORD"),
               ("BITPOS", "k", "1", "0", "1", "BIT", "x"), ("BITPOS", "missing", "1", "x"),
               ("HSET", "h", "f", "v"), ("BITCOUNT", "h"), ("BITPOS", "h", "1")]
    run_both(engine_and_redis, script)


def test_bitcount_bitpos_random(engine_and_redis):
    rng = random.Random(7)
    script = []
    for i in range(40):
        value = bytes(rng.choice([0, 255, rng.randrange(256)]) for _ in range(rng.randrange(1, 40)))
        script.append(("SET", f"r{i}", value))
        for _ in range(5):
            a, b = rng.randrange(-330, 330), rng.randrange(-330, 330)
            unit = rng.choice(["BIT", "BYTE"])
            script += [("BITCOUNT", f"r{i}", a, b, unit), ("BITPOS", f"r{i}", rng.randrange(2),
                                                            a, b, unit),
                       ("BITPOS", f"r{i}", rng.randrange(2), a)]
    run_both(engine_and_redis, script)


def test_bitop(engine_and_redis):
    script = [("SET", "a", "\x01\x02\xff\x80"), ("SET", "b", "\xf0"), ("SET", "c", "\x0f\x0f\x0f"),
              ("SET", "empty", "")]
    for op in ["AND", "or", "XOR"]:
        script += [("BITOP", op, "d", "a", "b", "c"), ("GET", "d"),
                   ("BITOP", op, "d", "a", "missing"), ("GET", "d"),
                   ("BITOP", op, "d", "b"), ("GET", "d")]
    script += [("BITOP", "NOT", "d", "a"), ("GET", "d"), ("BITOP", "NOT", "d", "a", "b"),
               ("BITOP", "NAND", "d", "a"), ("SET", "d", "x"), ("EXPIRE", "d", "100"),
               ("BITOP", "OR", "d", "a"), ("TTL", "d"),
               ("BITOP", "AND", "d", "missing", "empty"), ("EXISTS", "d"),
               ("BITOP", "NOT", "d", "missing"), ("EXISTS", "d"),
               ("BITOP", "AND", "a", "a", "c"), ("GET", "a"),
               ("HSET", "h", "f", "v"), ("BITOP", "OR", "d", "a", "h"), ("BITOP", "OR", "h", "a"),
               ("TYPE", "h")]
    run_both(engine_and_redis, script)


def test_bitfield(engine_and_redis):
    script = [
        ("BITFIELD", "f", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0"),
        ("BITFIELD", "f", "INCRBY", "u8", "0", "10", "INCRBY", "i5", "100", "-3"),
        ("GET", "f"),
        ("BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000", "INCRBY", "i8", "8",
         "-1000", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "INCRBY", "i8", "8", "-1",
         "OVERFLOW", "wrap", "INCRBY", "u8", "0", "300"),
        ("BITFIELD", "f", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1",
         "GET", "i64", "0", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1",
         "INCRBY", "i64", "0", "-9223372036854775808",
         "INCRBY", "i64", "0", "-9223372036854775808"),
        ("BITFIELD", "f", "SET", "u63", "0", "9223372036854775807", "GET", "u63", "0",
         "INCRBY", "u63", "0", "1", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "-5",
         "INCRBY", "u63", "0", "9223372036854775807", "SET", "u63", "1", "-1"),
        ("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u2", "0", "4", "SET", "i2", "0", "-3",
         "SET", "u2", "0", "3", "OVERFLOW", "WRAP", "SET", "u2", "0", "-1", "SET", "i3", "0", "5"),
        ("BITFIELD", "f", "SET", "u4", "#3", "15", "GET", "u4", "#3", "GET", "u4", "12",
         "INCRBY", "i16", "#2", "-7", "GET", "i16", "32"),
        ("GET", "f"),
        ("BITFIELD", "g", "OVERFLOW", "FAIL", "INCRBY", "u8", "40", "1000"), ("GET", "g"),
        ("BITFIELD", "f"), ("BITFIELD", "missing", "GET", "u8", "0"), ("EXISTS", "missing"),
        ("BITFIELD_RO", "f", "GET", "u8", "0", "GET", "i4", "#1"),
        ("BITFIELD_RO", "f", "SET", "u8", "0", "1"),
        ("BITFIELD_RO", "f", "GET", "u8", "0", "INCRBY", "u8", "0", "1"),
        # errors
        ("BITFIELD", "f", "GET", "u64", "0"), ("BITFIELD", "f", "GET", "i65", "0"),
        ("BITFIELD", "f", "GET", "I8", "0"), ("BITFIELD", "f", "GET", "u0", "0"),
        ("BITFIELD", "f", "GET", "x8", "0"), ("BITFIELD", "f", "GET", "u8", "-1"),
        ("BITFIELD", "f", "GET", "u8", "#-1"), ("BITFIELD", "f", "GET", "u8", "4294967296"),
        ("BITFIELD", "f", "GET", "u8", "#536870912"), ("BITFIELD", "f", "GET", "u8", "#x"),
        ("BITFIELD", "f", "GET", "u8"), ("BITFIELD", "f", "SET", "u8", "0"),
        ("BITFIELD", "f", "SET", "u8", "0", "x"), ("BITFIELD", "f", "OVERFLOW", "BAD"),
        ("BITFIELD", "f", "OVERFLOW"), ("BITFIELD", "f", "FROB", "u8", "0"),
        ("BITFIELD", "f", "SET", "u8", "0", "1", "GET", "u8", "x"), ("GET", "f"),
        ("HSET", "h", "f", "v"), ("BITFIELD", "h", "GET", "u8", "0"),
        ("BITFIELD", "h", "SET", "u8", "0", "1"), ("BITFIELD_RO", "h", "SET", "u8", "0", "1"),
        ("BITFIELD_RO", "h", "GET", "u8", "0"),
    ]
    run_both(engine_and_redis, script)


def test_bitfield_random(engine_and_redis):
    rng = random.Random(11)
    script = []
    for _ in range(300):
        args = ["BITFIELD", "r"]
        for _ in range(rng.randrange(1, 4)):
            signed = rng.random() < 0.5
            bits = rng.randrange(1, 65 if signed else 64)
            kind = ("i" if signed else "u") + str(bits)
            offset = rng.randrange(0, 200)
            op = rng.choice(["GET", "SET", "INCRBY", "OVERFLOW"])
            if op == "OVERFLOW":
                args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"])]
            elif op == "GET":
                args += ["GET", kind, offset]
            else:
                value = rng.choice([rng.randrange(-2**63, 2**63), rng.randrange(-300, 300),
                                    2**63 - 1, -2**63, 2**bits, -2**(bits - 1)])
                value = max(-2**63, min(2**63 - 1, value))
                args += [op, kind, offset, value]
        script.append(tuple(args))
    script.append(("GET", "r"))
    run_both(engine_and_redis, script)


def test_bitmap_writes_replay_to_identical_bytes(tmp_path):
    e = Engine(tmp_path / "data").start()
    c = e.client()
    rng = random.Random(3)
    for _ in range(200):
        c.setbit("s", rng.randrange(5000), rng.randrange(2))
        c.execute_command("BITFIELD", "f", "OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"]),
                          "INCRBY", f"i{rng.randrange(1, 65)}", rng.randrange(300),
                          rng.randrange(-1000, 1000))
    c.set("a", b"\x0f" * 10)
    c.bitop("XOR", "x", "s", "f", "a")
    c.bitop("NOT", "n", "f")
    c.setbit("ttl", 10, 1)
    c.expire("ttl", 1000)
    c.setbit("ttl", 90, 1)
    before = dump(c)
    e.kill9()  # no clean shutdown: the state comes back from replaying the log
    e.start()
    assert dump(e.client()) == before
    assert e.stop() == 0
