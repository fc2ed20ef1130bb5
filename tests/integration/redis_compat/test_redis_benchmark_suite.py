"""redis-benchmark's whole default suite (no -t) runs against the engine without errors."""
from strongbox_harness import Engine, run, SANITIZED


def test_default_suite_runs_without_errors(tmp_path):
    e = Engine(tmp_path / "data").start()
    n = "500" if SANITIZED else "3000"
    p = run(["redis-benchmark", "-p", str(e.port), "-q", "-n", n, "-c", "10", "--csv"], 300)
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode == 0, out
    tests = [line.split(",")[0].strip('"') for line in p.stdout.decode().splitlines()[1:]]
    for name in ("SET", "GET", "LPUSH", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
                 "LRANGE_600 (first 600 elements)", "MSET (10 keys)"):
        assert name in tests, (name, tests)
    assert "ERR" not in out and "WRONGTYPE" not in out, out
    assert e.stop() == 0
