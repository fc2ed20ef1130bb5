"""Stream node boundaries against Debian's redis-server: with small entries both keep nodes of
100 entries, so `~` trims (MAXLEN and MINID, with and without LIMIT, from XTRIM and from XADD)
drop the same whole nodes and reply the same counts; ranges both ways step over XDEL'd entries
and emptied nodes the same way."""
from strongbox_harness import replies_match


def fill(n, key="s"):
    return [("XADD", key, f"{i}-1", "f", f"v{i}") for i in range(1, n + 1)]


def test_approximate_trims_drop_the_same_whole_nodes(engine_and_redis):
    script = fill(350) + [
        ("XTRIM", "s", "MAXLEN", "~", "120"), ("XLEN", "s"),
        ("XTRIM", "s", "MAXLEN", "~", "120"), ("XLEN", "s"),
        ("XTRIM", "s", "MINID", "~", "299-0"), ("XLEN", "s"),
        ("XTRIM", "s", "MINID", "~", "302-0"), ("XLEN", "s"),
        ("XRANGE", "s", "-", "+", "COUNT", "3"),
    ] + fill(500, "t") + [
        ("XTRIM", "t", "MAXLEN", "~", "0", "LIMIT", "250"), ("XLEN", "t"),
        ("XTRIM", "t", "MAXLEN", "~", "0", "LIMIT", "99"), ("XLEN", "t"),
        ("XADD", "t", "MAXLEN", "~", "5", "600-1", "f", "x"), ("XLEN", "t"),
        ("XRANGE", "t", "-", "+", "COUNT", "2"), ("XREVRANGE", "t", "+", "-", "COUNT", "2"),
    ]
    replies_match(engine_and_redis, script)


def test_ranges_step_over_deleted_entries_and_nodes(engine_and_redis):
    dels = [("XDEL", "s", *[f"{i}-1" for i in range(101, 201)])]  # the whole second node
    dels += [("XDEL", "s", *[f"{i}-1" for i in range(1, 100, 2)])]  # half the first
    script = fill(300) + dels + [
        ("XLEN", "s"), ("XRANGE", "s", "90", "210"), ("XREVRANGE", "s", "210", "90"),
        ("XREVRANGE", "s", "+", "-", "COUNT", "5"), ("XRANGE", "s", "150", "150"),
        ("XREAD", "COUNT", "3", "STREAMS", "s", "99-1"),
        ("XDEL", "s", "150-1", "201-1"), ("XRANGE", "s", "199", "203"),
        ("XTRIM", "s", "MINID", "250"), ("XLEN", "s"), ("XRANGE", "s", "-", "+", "COUNT", "2"),
        ("XTRIM", "s", "MAXLEN", "10"), ("XRANGE", "s", "-", "+"), ("XREVRANGE", "s", "+", "-"),
    ]
    replies_match(engine_and_redis, script)


def test_xinfo_counts_real_nodes(engine_and_redis):
    """Half of every node deleted: Redis still holds 3 nodes, not (150 + 99) / 100."""
    script = fill(300) + [("XDEL", "s", *[f"{i}-1" for i in range(1, 301, 2)]), ("XLEN", "s")]
    replies_match(engine_and_redis, script)
    e, r = engine_and_redis
    got, want = e.client().xinfo_stream("s"), r.client().xinfo_stream("s")
    assert got["radix-tree-keys"] == want["radix-tree-keys"] == 3
    replies_match(engine_and_redis, script)


def test_xsetid_below_deleted_entries_then_xadd(engine_and_redis):
    """XSETID under XDEL'd tail entries, then XADD: the entries stay in ID order. (Redis appends
    after the flagged ones, so its MINID trims stop early there: not compared.)"""
    script = [("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "5-0", "a", "2"),
              ("XADD", "s", "6-0", "a", "3"), ("XDEL", "s", "5-0", "6-0"),
              ("XSETID", "s", "2-0"), ("XADD", "s", "3-0", "a", "4"), ("XADD", "s", "5-0", "b", "5"),
              ("XRANGE", "s", "-", "+"), ("XREVRANGE", "s", "+", "-"), ("XRANGE", "s", "4", "5"),
              ("XDEL", "s", "5-0"), ("XTRIM", "s", "MAXLEN", "1"), ("XRANGE", "s", "-", "+"),
              ("XLEN", "s")]
    replies_match(engine_and_redis, script)
