#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ (committed; rerun after changing an
input format). The commands target picks a command by its index in AllCommands(), so this
reads the registration order from engine/commands/ the way command_registry.cc calls it."""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# command_registry.cc's order: the files in the order their Register... functions run (sort
# at the end of key's, stream_read at the end of stream's).
FAMILIES = ["connection", "client", "server", "string", "bitmap", "bitfield", "hyperloglog", "key",
            "sort_command", "hash", "list", "set", "zset", "admin", "transaction", "pubsub",
            "monitor", "scripting", "geo", "function", "stream", "stream_read"]


def command_order():
    names = []
    for fam in FAMILIES:
        name = fam + ".cc" if fam.endswith("_command") else fam + "_commands.cc"
        src = open(os.path.join(ROOT, "engine/commands", name)).read()
        names += re.findall(r'r\.Add\(\{"([a-z0-9_]+)"', src)
    return names


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def bulk(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def resp_seeds():
    write("resp_parser", "ping", b"\x00" + bulk("PING"))
    write("resp_parser", "pipeline", b"\x00" + bulk("SET", "k", "v") + bulk("GET", "k") +
          b"PING\r\n" + bulk("DEL", "k"))
    write("resp_parser", "inline", b"\x00SET 'a b' \"c d\" e\t f\r\nGET a\n")
    write("resp_parser", "limits", b"\x15" + bulk("SET", "key", "0123456789abcdefXYZ"))
    write("resp_parser", "empty", b"\x00*0\r\n*-1\r\n\r\n" + bulk("", b"\x00\xff"))
    write("resp_parser", "partial", b"\x00" + bulk("SET", "k", "v")[:-5])


def ops_payload(ops):
    out = struct.pack("<I", len(ops))
    for db, argv in ops:
        out += struct.pack("<BI", db, len(argv))
        for a in argv:
            a = a.encode() if isinstance(a, str) else a
            out += struct.pack("<I", len(a)) + a
    return out


def record_seeds():
    lsn = struct.pack("<Q", 7)
    write("record_codec", "set", b"\x01" + lsn + ops_payload([(0, ["SET", "k", "v"])]))
    write("record_codec", "effects", b"\x01" + lsn + ops_payload([
        (0, ["HSET", "h", "f", "v"]), (1, ["RPUSH", "l", "a", "b"]), (0, ["SADD", "s", "m"]),
        (0, ["ZADD", "z", "1.5", "m"]), (0, ["PEXPIREAT", "h", "99"]), (0, ["SETRANGE", "k", "3", "x"]),
        (0, ["COPY", "h", "2", "h2"]), (2, ["FLUSHDB"]), (0, ["LPOP", "l", "1"]),
        (0, ["LINSERT", "l", "BEFORE", "b", "c"]), (0, ["DEL", "k", "s"])]))
    write("record_codec", "bad_db", b"\x01" + lsn + ops_payload([(200, ["SET", "k", "v"])]))
    write("record_codec", "seal", b"\x02" + lsn + struct.pack("<QQ", 7, 1))


def segment_seeds():
    # mode byte: bit0 sealed, bit1 dataset expected, bit2 failing callback, bits 3.. shape.
    records = bytes([0, 1, ord("k"), 1, ord("v"), 0]) * 3
    write("segment_scan", "records", bytes([2 << 3 | 2, 1]) + records)
    write("segment_scan", "sealed", bytes([2 << 3 | 3, 1]) + records + bytes([3, 0]))
    write("segment_scan", "torn", bytes([2 << 3, 1]) + records + bytes([6, 5]))
    write("segment_scan", "rot", bytes([2 << 3, 1]) + records + bytes([7, 0, 80, 3]))
    write("segment_scan", "zeros", bytes([2 << 3, 1]) + records + bytes([5, 100]))
    write("segment_scan", "header_then_bytes", bytes([1 << 3, 5]) + b"\x00" * 40)


def snapshot_seeds():
    # mode byte: bits 0-1 shape (0 raw, 1 framed content, 2-3 built), bit2 dataset, bit3 fault.
    header = b"SBXSNP01" + struct.pack("<I", 1) + bytes(range(16)) + struct.pack("<QQQ", 1, 2, 0)
    write("snapshot_load", "empty_content", b"\x01" + header + b"SBXEND01" + struct.pack("<QQ", 0, 0))
    entry = lambda kind, key, *vals: bytes([kind]) + bytes([len(key)]) + key + b"".join(vals)
    write("snapshot_load", "every_type", bytes([2 | 4, 6]) +
          entry(0, b"s", b"\x03abc") +                          # string
          entry(1 << 2, b"h", b"\x02", b"\x01f\x01v", b"\x01g\x01w") +  # hash: 2 fields
          entry(2 << 2, b"l", b"\x02", b"\x01a", b"\x01b") +     # list
          entry(3 << 2, b"t", b"\x02", b"\x01a", b"\x01b") +     # set
          entry(4 << 2, b"z", b"\x01", b"\x00" * 7 + b"\x3f", b"\x01m") +  # zset
          entry(5 << 2, b"x", b"\x09\x02\x01\x00\x03", b"\x02",    # stream: ids, 2 entries
                b"\x01\x02\x01f\x01v", b"\x03\x02\x01g\x01w") +
          b"\x00")
    write("snapshot_load", "spoiled", bytes([3, 1]) + entry(0x20, b"k", b"\x01v") + b"\x04")


def command_seeds():
    order = command_order()
    idx = {n: i for i, n in enumerate(order)}
    # Argument bytes (commands_fuzz.cc): 0x00-0x2f a key, 0x30-0x7f <index> an edge value,
    # 0x80-0x9f the integers -8..23, 0xa0-0xe7 <len> raw bytes, 0xe8- a command name.
    key = {k: i for i, k in enumerate(["str", "int", "float", "hash", "bighash", "list", "set",
                                       "intset", "zset", "bigzset", "ttl", "missing", "dst"])}
    int_ = lambda v: 0x80 + v + 8
    raw = lambda s: bytes([0xa0, len(s)]) + s

    def cmd(name, *args):
        return bytes([idx[name], 0x80 | len(args)]) + b"".join(
            bytes([a]) if isinstance(a, int) else a for a in args)

    write("commands", "strings", cmd("set", key["dst"], raw(b"v")) + cmd("incr", key["int"]) +
          cmd("append", key["str"], raw(b"xyz")) + cmd("setrange", key["str"], int_(20), raw(b"!")) +
          cmd("getrange", key["str"], int_(-5), int_(-1)) + cmd("incrbyfloat", key["float"], int_(2)))
    write("commands", "collections", cmd("hincrby", key["hash"], raw(b"f2"), int_(5)) +
          cmd("lrange", key["list"], int_(0), int_(-1)) + cmd("lmove", key["list"], key["dst"],
                                                              raw(b"LEFT"), raw(b"RIGHT")) +
          cmd("sinterstore", key["dst"], key["set"], key["intset"]) +
          cmd("zrange", key["bigzset"], int_(0), int_(10), raw(b"WITHSCORES")) +
          cmd("zunionstore", key["dst"], int_(2), key["zset"], key["bigzset"]) +
          cmd("hrandfield", key["bighash"], int_(-5), raw(b"WITHVALUES")))
    write("commands", "keys", cmd("expire", key["str"], int_(10)) + bytes([0xfb]) +
          cmd("ttl", key["str"]) + cmd("rename", key["hash"], key["dst"]) +
          cmd("copy", key["zset"], key["missing"]) + cmd("keys", raw(b"*s*")) +
          cmd("scan", int_(0), raw(b"MATCH"), raw(b"b*"), raw(b"COUNT"), int_(3)))
    write("commands", "multi", cmd("watch", key["str"]) + bytes([0xff]) + cmd("set", key["str"], raw(b"x")) +
          bytes([0xff]) + cmd("multi") + cmd("incr", key["int"]) + cmd("lpush", key["list"], raw(b"q")) +
          cmd("exec") + cmd("hello", int_(3)) + cmd("hgetall", key["hash"]) + cmd("blpop", key["missing"], int_(0)))
    stream = 16  # kKeys[16]
    write("commands", "streams", cmd("xadd", stream, raw(b"MAXLEN"), raw(b"~"), int_(1), raw(b"*"),
                                     raw(b"f"), raw(b"v")) +
          cmd("xadd", stream, raw(b"7-*"), raw(b"g"), raw(b"w")) +
          cmd("xrange", stream, raw(b"(1-1"), raw(b"+"), raw(b"COUNT"), int_(2)) +
          cmd("xrevrange", stream, raw(b"+"), raw(b"-")) +
          cmd("xread", raw(b"COUNT"), int_(1), raw(b"STREAMS"), stream, key["str"], raw(b"0"), raw(b"$")) +
          cmd("xdel", stream, raw(b"1-1")) + cmd("xtrim", stream, raw(b"MINID"), raw(b"6")) +
          cmd("xsetid", stream, raw(b"9-9"), raw(b"ENTRIESADDED"), int_(9)) +
          cmd("xinfo", raw(b"STREAM"), stream) + cmd("xlen", stream))


if __name__ == "__main__":
    resp_seeds()
    record_seeds()
    segment_seeds()
    snapshot_seeds()
    command_seeds()
