"""Geo commands against Debian's redis-server, reply by reply (raw RESP, errors included):
GEOADD (NX/XX/CH, coordinate limits), GEODIST units and 4-decimal rounding, GEOHASH strings,
GEOPOS floats compared as the exact bulk strings, GEORADIUS[BYMEMBER][_RO] and GEOSEARCH with
every option, GEOSEARCHSTORE / STORE / STOREDIST results (ZRANGE WITHSCORES), RESP3 replies,
and the stored geo sets after a restart."""
import random

import pytest

from strongbox_harness import RawConnection, dump, raw_reply

SICILY = [
    ("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
     "Catania"),
    ("GEOADD", "Sicily", "CH", "13.583333", "37.316667", "Agrigento", "15.087269", "37.502669",
     "Catania"),
]

# Members at the limits: the poles of Web Mercator, the antimeridian, the origin.
EDGES = [
    ("GEOADD", "edge", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "o",
     "180", "0", "am_e", "-180", "0", "am_w", "179.9999", "-85", "s1", "-179.9999", "85", "n1",
     "0.0000001", "-0.0000001", "tiny"),
    ("GEOPOS", "edge", "ne", "sw", "o", "am_e", "am_w", "s1", "n1", "tiny", "missing"),
    ("GEOHASH", "edge", "ne", "sw", "o", "am_e", "am_w", "s1", "n1", "tiny", "missing"),
    ("ZRANGE", "edge", "0", "-1", "WITHSCORES"),
    ("GEODIST", "edge", "ne", "sw"),
    ("GEODIST", "edge", "am_e", "am_w", "km"),
    ("GEODIST", "edge", "o", "tiny", "ft"),
    ("GEODIST", "edge", "o", "o"),
    ("GEOSEARCH", "edge", "FROMLONLAT", "180", "0", "BYRADIUS", "100", "km", "ASC", "WITHDIST"),
    ("GEOSEARCH", "edge", "FROMLONLAT", "0", "85.05112878", "BYRADIUS", "20000", "km", "ASC"),
    ("GEOSEARCH", "edge", "FROMMEMBER", "sw", "BYBOX", "40000", "40000", "km", "DESC",
     "WITHCOORD", "WITHDIST", "WITHHASH"),
    ("GEORADIUS", "edge", "-180", "-85.05112878", "1", "m", "WITHDIST"),
    ("GEORADIUS", "edge", "0", "0", "0", "m", "WITHDIST"),
    ("GEORADIUS", "edge", "0", "0", "1e10", "km", "ASC"),
]

ADD_OPTIONS = [
    ("GEOADD", "g", "NX", "1", "1", "a", "2", "2", "b"),
    ("GEOADD", "g", "NX", "5", "5", "a", "3", "3", "c"),
    ("GEOADD", "g", "XX", "CH", "5", "5", "a", "4", "4", "d"),
    ("GEOADD", "g", "ch", "xx", "5", "5", "a"),
    ("ZRANGE", "g", "0", "-1", "WITHSCORES"),
    ("GEOADD", "g", "NX", "XX", "1", "1", "a"),
    ("GEOADD", "g", "GT", "1", "1", "a"),
    ("GEOADD", "g", "1", "1"),
    ("GEOADD", "g", "1", "1", "a", "2"),
    ("GEOADD", "g", "NX", "CH", "XX"),
    ("GEOADD", "g", "181", "1", "a"),
    ("GEOADD", "g", "-180.0000001", "1", "a"),
    ("GEOADD", "g", "1", "85.05112879", "a"),
    ("GEOADD", "g", "1", "-86", "a"),
    ("GEOADD", "g", "1e300", "1", "a"),
    ("GEOADD", "g", "inf", "1", "a"),
    ("GEOADD", "g", "1", "1", "a", "200", "1", "b"),
    ("GEOADD", "g", "x", "1", "a"),
    ("GEOADD", "g", "1", "nan", "a"),
    ("GEOADD", "g", " 1", "1", "a"),
    ("SET", "str", "v"),
    ("GEOADD", "str", "1", "1", "a"),
    ("GEOADD", "str", "1", "100", "a"),
    ("GEOADD", "g"),
    ("GEOADD", "g", "1", "1"),
]

READS = [
    ("GEODIST", "Sicily", "Palermo", "Catania"),
    ("GEODIST", "Sicily", "Palermo", "Catania", "km"),
    ("GEODIST", "Sicily", "Palermo", "Catania", "MI"),
    ("GEODIST", "Sicily", "Palermo", "Catania", "Ft"),
    ("GEODIST", "Sicily", "Palermo", "Catania", "yd"),
    ("GEODIST", "Sicily", "Palermo", "Catania", "km", "x"),
    ("GEODIST", "Sicily", "Palermo", "Nowhere"),
    ("GEODIST", "nokey", "Palermo", "Catania"),
    ("GEODIST", "nokey", "Palermo", "Catania", "yd"),
    ("GEODIST", "str", "a", "b"),
    ("GEODIST", "Sicily", "Palermo"),
    ("GEOHASH", "Sicily", "Palermo", "Catania", "Nowhere"),
    ("GEOHASH", "nokey", "a"),
    ("GEOHASH", "Sicily"),
    ("GEOHASH", "str", "a"),
    ("GEOPOS", "Sicily", "Palermo", "Nowhere", "Catania", "Agrigento"),
    ("GEOPOS", "nokey", "a", "b"),
    ("GEOPOS", "Sicily"),
    ("GEOPOS", "str", "a"),
    # a plain sorted set: scores that GEOADD never writes still decode as in Redis
    ("ZADD", "plain", "0", "zero", "1", "one", "-1", "neg", "4503599627370496", "big",
     "1e300", "huge", "-inf", "ninf", "inf", "pinf", "123.75", "frac"),
    ("GEOPOS", "plain", "zero", "one", "neg", "big", "huge", "ninf", "pinf", "frac"),
    ("GEOHASH", "plain", "zero", "one", "neg", "big", "huge", "ninf", "pinf", "frac"),
    ("GEODIST", "plain", "zero", "big", "km"),
    ("GEOSEARCH", "plain", "FROMLONLAT", "0", "0", "BYRADIUS", "30000", "km", "WITHHASH",
     "WITHCOORD"),
]

SEARCH = [
    ("GEORADIUS", "Sicily", "15", "37", "200", "km"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH",
     "DESC"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "2", "DESC", "WITHDIST"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "-3"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "yd"),
    ("GEORADIUS", "Sicily", "15", "37", "-1", "km"),
    ("GEORADIUS", "Sicily", "15", "37", "abc", "km"),
    ("GEORADIUS", "Sicily", "200", "37", "200", "km"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "BOGUS"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "FROMMEMBER", "Palermo"),
    ("GEORADIUS", "nokey", "15", "37", "200", "km"),
    ("GEORADIUS", "nokey", "15", "37", "200", "yd"),
    ("GEORADIUS", "str", "15", "37", "200", "km"),
    ("GEORADIUS", "Sicily", "15", "37", "0", "km"),
    ("GEORADIUS", "Sicily", "15", "37", "166", "mi", "WITHDIST"),
    ("GEORADIUS", "Sicily", "15", "37", "600000", "ft", "WITHDIST", "ASC"),
    ("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"),
    ("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "dst"),
    ("GEORADIUSBYMEMBER", "Sicily", "Agrigento", "100", "km", "WITHDIST"),
    ("GEORADIUSBYMEMBER", "Sicily", "Agrigento", "100", "km", "WITHDIST", "ASC", "COUNT", "2"),
    ("GEORADIUSBYMEMBER", "Sicily", "Nowhere", "100", "km"),
    ("GEORADIUSBYMEMBER", "Sicily", "Palermo", "x", "km"),
    ("GEORADIUSBYMEMBER", "nokey", "Palermo", "x", "yd", "WITHDIST"),
    ("GEORADIUSBYMEMBER", "nokey", "Palermo", "x", "yd", "BOGUS"),
    ("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "300", "km", "DESC", "WITHHASH"),
    ("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "300", "km", "STOREDIST", "d"),
    ("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km", "ASC"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC",
     "WITHCOORD", "WITHDIST"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "200", "120", "km", "DESC"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "0", "0", "km"),
    ("GEOSEARCH", "Sicily", "BYRADIUS", "200", "km", "FROMLONLAT", "15", "37", "COUNT", "1",
     "WITHHASH"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "2",
     "ANY", "WITHDIST"),
    ("geosearch", "Sicily", "BYRADIUS", "200", "km"),
    ("GeoSearch", "Sicily", "FROMLONLAT", "15", "37"),
    ("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "15", "37", "BYRADIUS", "2",
     "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "2",
     "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2", "km", "BYBOX", "1",
     "1", "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "km", "BYRADIUS",
     "2", "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "w", "1", "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "h", "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "cm"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "95", "BYRADIUS", "2", "km"),
    ("GEOSEARCH", "Sicily", "FROMMEMBER", "Nowhere", "BYRADIUS", "2", "km"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ANY"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"),
    ("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "200", "km"),
    ("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "-1", "km"),
    ("GEOSEARCH", "nokey", "FROMMEMBER", "x"),
    ("GEOSEARCH", "str", "FROMMEMBER", "x", "BYRADIUS", "200", "km"),
    # infinite and enormous sizes, repeated and lower-case options, a huge COUNT
    ("GEORADIUS", "Sicily", "15", "37", "inf", "km", "WITHDIST", "ASC"),
    ("GEORADIUS", "Sicily", "15", "37", "1e308", "mi", "ASC"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "inf", "1", "km", "ASC"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1e300", "1e300", "ft", "ASC"),
    ("GEOSEARCH", "Sicily", "frommember", "Palermo", "frommember", "Catania", "byradius", "1",
     "km", "byradius", "300", "km", "withdist", "count", "9223372036854775807", "any"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "FROMLONLAT", "15", "37", "BYRADIUS",
     "300", "km", "COUNT", "9223372036854775808"),
    ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km", "ASC", "DESC"),
]

STORE = [
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r1"),
    ("ZRANGE", "r1", "0", "-1", "WITHSCORES"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "r2", "COUNT", "2", "DESC"),
    ("ZRANGE", "r2", "0", "-1", "WITHSCORES"),
    ("GEORADIUSBYMEMBER", "Sicily", "Palermo", "100", "mi", "STOREDIST", "r3"),
    ("ZRANGE", "r3", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "s1", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km"),
    ("ZRANGE", "s1", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "s2", "Sicily", "FROMMEMBER", "Catania", "BYRADIUS", "500", "km",
     "STOREDIST", "COUNT", "2"),
    ("ZRANGE", "s2", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "s2", "Sicily", "FROMMEMBER", "Catania", "BYRADIUS", "500", "km",
     "STOREDIST"),
    ("ZRANGE", "s2", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "s3", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km",
     "STOREDIST"),
    ("EXISTS", "s3"),
    ("GEOSEARCHSTORE", "s1", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
    ("EXISTS", "s1"),  # an empty result deletes the destination
    ("SET", "s4", "v"),
    ("GEOSEARCHSTORE", "s4", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km"),
    ("TYPE", "s4"),
    ("GEOSEARCHSTORE", "s4", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km"),
    ("EXISTS", "s4"),  # a missing source deletes it too
    ("GEOSEARCHSTORE", "s4", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km"),
    ("GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "r1"),
    ("EXISTS", "r1"),
    ("GEOSEARCHSTORE", "s5", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km",
     "WITHDIST"),
    ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r1", "WITHCOORD"),
    ("GEOSEARCHSTORE", "s5", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km",
     "STORE", "x"),
    ("GEOSEARCHSTORE", "Sicily", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km"),
    ("ZRANGE", "Sicily", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "s6", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km"),
]


def run_both(servers, script):
    """Each command to the engine, then to redis-server: the parsed replies must be equal."""
    clients = [server.client() for server in servers]
    for cmd in script:
        got, want = (raw_reply(client, *cmd) for client in clients)
        assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"


class ReplyBytes:
    """A raw connection that returns each reply's exact bytes (RESP3 doubles included)."""

    def __init__(self, port):
        self.conn = RawConnection(port)
        self.received = b""
        fill = self.conn._fill

        def logged_fill():
            before = len(self.conn.buf)
            fill()
            self.received += self.conn.buf[before:]
        self.conn._fill = logged_fill

    def run(self, *cmd):
        self.received = self.conn.buf
        self.conn.send(cmd)
        self.conn.read_reply()
        return self.received[:len(self.received) - len(self.conn.buf)]


@pytest.mark.parametrize("script", [SICILY + EDGES, ADD_OPTIONS, SICILY + READS, SICILY + SEARCH,
                                    SICILY + STORE],
                         ids=["edges", "geoadd-options", "reads", "search", "store"])
def test_same_replies_as_redis(engine_and_redis, script):
    run_both(engine_and_redis, script)


def test_resp3_replies_as_redis(engine_and_redis):
    e, r = engine_and_redis
    ec, rc = ReplyBytes(e.port), ReplyBytes(r.port)
    for cmd in [("HELLO", "3")] + SICILY + [
            ("GEOPOS", "Sicily", "Palermo", "Nowhere"),
            ("GEOPOS", "nokey", "Palermo"),
            ("GEODIST", "Sicily", "Palermo", "Catania", "km"),
            ("GEODIST", "Sicily", "Palermo", "Nowhere"),
            ("GEOHASH", "Sicily", "Palermo", "Nowhere"),
            ("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD",
             "WITHHASH"),
            ("GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km")]:
        got, want = ec.run(*cmd), rc.run(*cmd)
        if cmd[0] != "HELLO":
            assert got == want, f"{cmd}: engine {got!r} != redis {want!r}"


def random_points(rng, n):
    out = []
    for i in range(n):
        lon = round(rng.uniform(-180, 180), rng.choice([0, 2, 6, 9]))
        lat = round(rng.uniform(-85.05, 85.05), rng.choice([0, 2, 6, 9]))
        out += [repr(lon), repr(lat), f"m{i}"]
    return out


def test_random_searches_as_redis(engine_and_redis):
    """Many points (a big, unpacked set) and searches of every size, shape and place: the
    nine-cell scan, the step estimate and the distance filter all agree with Redis."""
    rng = random.Random(12)
    script = [("GEOADD", "w", *random_points(rng, 600))]
    for _ in range(150):
        lon, lat = repr(round(rng.uniform(-180, 180), 4)), repr(round(rng.uniform(-85, 85), 4))
        size = repr(rng.choice([0, 1, 50, 300, 1000, 5000, 20000]) * rng.random())
        unit = rng.choice(["m", "km", "mi", "ft"])
        shape = (["BYRADIUS", size, unit] if rng.random() < 0.5 else
                 ["BYBOX", size, repr(float(size) * rng.uniform(0.2, 3)), unit])
        script.append(("GEOSEARCH", "w", "FROMLONLAT", lon, lat, *shape, "ASC", "WITHDIST",
                       "WITHCOORD", "WITHHASH"))
        script.append(("GEOSEARCH", "w", "FROMMEMBER", f"m{rng.randrange(600)}", *shape,
                       "COUNT", "5", "ANY"))
    script.append(("GEOPOS", "w", *[f"m{i}" for i in range(600)]))
    script.append(("GEOHASH", "w", *[f"m{i}" for i in range(600)]))
    run_both(engine_and_redis, script)


def test_ties_in_redis_order(engine_and_redis):
    """Members at the same spots tie on distance: a full sort keeps them in scan order, COUNT
    below the number found uses Redis's partial quicksort, whose order of ties is its own."""
    rng = random.Random(7)
    script = []
    for size in [5, 7, 8, 30, 41, 200]:
        args = []
        for i in range(size):
            lon, lat = rng.choice([("10", "10"), ("10.001", "10"), ("10", "10.002")])
            args += [lon, lat, f"t{i:03d}"]
        script.append(("GEOADD", f"ties{size}", *args))
        for count in sorted({1, 2, size // 3, size // 2, size - 1, size, size + 1} - {0}):
            for order in ["ASC", "DESC"]:
                script.append(("GEOSEARCH", f"ties{size}", "FROMLONLAT", "10", "10", "BYRADIUS",
                               "10", "km", order, "COUNT", str(count)))
            script.append(("GEORADIUS", f"ties{size}", "10", "10", "10", "km", "COUNT",
                           str(count), "STORE", "dst"))
            script.append(("ZRANGE", "dst", "0", "-1", "WITHSCORES"))
    run_both(engine_and_redis, script)


def test_geo_sets_survive_restart(engine_and_redis):
    """GEOADD and the STORE forms are logged as ZADD of absolute scores: replay rebuilds the
    same sets, which still answer as Redis does."""
    e, r = engine_and_redis
    run_both(engine_and_redis, SICILY + STORE[:12] + [("GEOADD", "edge", *EDGES[0][2:])])
    before = dump(e.client())
    assert before == dump(r.client())
    assert e.stop() == 0
    e.start()
    assert dump(e.client()) == before
    run_both(engine_and_redis, READS[:19] + SEARCH[:8] + EDGES[1:4])
