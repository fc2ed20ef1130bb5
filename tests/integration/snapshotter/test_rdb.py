"""import-rdb / export-rdb round trip with Debian's redis-server 7.0: Redis writes an RDB holding
every type in several encodings (streams with consumer groups), expiries, three databases and a
function library; import-rdb makes a snapshot the engine starts from and serves identically;
export-rdb writes the state as an RDB a fresh redis-server loads, with the same full dump."""
import os
import shutil

from rdb_fill import fill, full_dump
from strongbox_harness import Engine, RedisServer, snapshotter_tool

LIBRARY = "#!lua name=rdblib\nredis.register_function('rdbfn', function() return 7 end)"


def library_names(client):
    return sorted(lib[1] for lib in client.execute_command("FUNCTION", "LIST"))


def test_redis_rdb_imports_serves_and_exports_back(tmp_path):
    src = RedisServer(tmp_path / "src").start()
    try:
        rc = src.client()
        fill(rc, db_count=3)
        rc.execute_command("FUNCTION", "LOAD", LIBRARY)
        rc.set("gone", "x", px=1)  # expired before the import: left out, as Redis does
        rc.save()
        want = full_dump(rc)
    finally:
        src.stop()
    want.pop((0, b"gone"), None)
    assert len(want) > 60

    data = tmp_path / "data"
    code, out = snapshotter_tool("import-rdb", str(tmp_path / "src" / "dump.rdb"), "--dir", str(data))
    assert code == 0, out
    e = Engine(data).start()
    try:
        ec = e.client()
        assert full_dump(ec) == want
        assert library_names(ec) == [b"rdblib"]
        ec.set("added-after-import", "1")
    finally:
        assert e.stop() == 0
    want[(0, b"added-after-import")] = (b"string", b"1", -1)

    out_dir = tmp_path / "back"
    os.makedirs(out_dir)
    code, out = snapshotter_tool("export-rdb", "--dir", str(data), "--out", str(out_dir / "dump.rdb"))
    assert code == 0, out
    back = RedisServer(out_dir).start()
    try:
        bc = back.client()
        assert full_dump(bc) == want
        assert library_names(bc) == [b"rdblib"]
        assert bc.fcall("rdbfn", 0) == 7
    finally:
        back.stop()


def test_export_at_an_lsn_and_damaged_imports(tmp_path):
    data = tmp_path / "data"
    e = Engine(data).start()
    ec = e.client()
    ec.set("k", "first")
    ec.set("k", "second")
    assert e.stop() == 0
    out = tmp_path / "at1.rdb"
    code, text = snapshotter_tool("export-rdb", "--dir", str(data), "--out", str(out), "--lsn", "1")
    assert code == 0, text
    redis_dir = tmp_path / "redis"
    os.makedirs(redis_dir)
    shutil.copy(out, redis_dir / "dump.rdb")
    r = RedisServer(redis_dir).start()
    try:
        assert r.client().get("k") == b"first"
    finally:
        r.stop()

    image = out.read_bytes()
    for i, bad in enumerate([image[:-3], image[:20], b"REDIS0099" + image[9:],
                             image[:-1] + bytes([image[-1] ^ 1])]):
        path = tmp_path / f"bad{i}.rdb"
        path.write_bytes(bad)
        code, text = snapshotter_tool("import-rdb", str(path), "--dir", str(tmp_path / f"d{i}"))
        assert code == 1 and "RDB" in text, text
