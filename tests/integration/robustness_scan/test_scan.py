"""SCAN over a large keyspace (issue 10): COUNT bounds the keys a call returns, cursors stay
below 2^53 (exact in a JavaScript number), and a full iteration returns every key that exists
for its whole duration while other keys are added (the table grows) and deleted between
calls."""
import pytest

from strongbox_harness import Engine, SANITIZED

KEYS = 20_000 if SANITIZED else 200_000
JS_SAFE = 2**53


@pytest.fixture
def engine(tmp_path):
    e = Engine(tmp_path / "data").start()
    yield e
    assert e.stop() == 0, "the engine must shut down cleanly (seal, exit 0)"


def load(client, prefix, start, stop, batch=1000):
    pipe = client.pipeline(transaction=False)
    for lo in range(start, stop, batch):
        pairs = {f"{prefix}{i}": "v" for i in range(lo, min(lo + batch, stop))}
        pipe.mset(pairs)
    pipe.execute()


def scan(client, cursor, count):
    next_cursor, keys = client.execute_command("SCAN", cursor, "COUNT", count)
    return int(next_cursor), keys


def test_scan_count_bounds_each_call_and_cursors_fit_javascript(engine):
    c = engine.client()
    load(c, "k:", 0, KEYS)
    assert c.dbsize() == KEYS
    cursor, calls, returned = 0, 0, 0
    while True:
        cursor, keys = scan(c, cursor, 10)
        calls += 1
        returned += len(keys)
        # A bucket's chain may run past COUNT; never the whole table (62,500 keys before).
        assert len(keys) <= 30, f"SCAN COUNT 10 returned {len(keys)} keys"
        assert 0 <= cursor < JS_SAFE
        if cursor == 0:
            break
        assert calls < KEYS, "the scan must end"
    assert returned == KEYS  # nothing changed meanwhile: each key exactly once
    # COUNT bounds the work, so a whole scan takes about KEYS / COUNT calls, not a handful.
    assert returned / calls <= 20, f"{returned / calls:.1f} keys per call on average"


def test_full_scan_sees_every_key_while_others_come_and_go(engine):
    c = engine.client()
    load(c, "stable:", 0, KEYS)
    seen = set()
    cursor, calls, added, deleted, dbsize_max = 0, 0, 0, 0, 0
    while True:
        cursor, keys = scan(c, cursor, 100)
        assert 0 <= cursor < JS_SAFE
        assert len(keys) <= 300
        seen.update(keys)
        calls += 1
        # The first calls add keys (the table grows past its bucket count: a resize runs
        # during the scan), the later ones delete them again.
        pipe = c.pipeline(transaction=False)
        if calls <= KEYS // 200:
            pipe.mset({f"churn:{added + i}": "x" for i in range(200)})
            added += 200
        elif deleted < added:
            pipe.delete(*[f"churn:{i}" for i in range(deleted, min(added, deleted + 200))])
            deleted = min(added, deleted + 200)
        pipe.dbsize()
        dbsize_max = max(dbsize_max, pipe.execute()[-1])
        if cursor == 0:
            break
    stable = {k for k in seen if k.startswith(b"stable:")}
    assert len(stable) == KEYS, f"{KEYS - len(stable)} keys present all along were not returned"
    assert dbsize_max > KEYS * 1.5, "the keyspace should have grown during the scan"
    assert calls > KEYS // 300
