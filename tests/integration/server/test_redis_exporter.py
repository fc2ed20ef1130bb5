"""Issue 14: Debian's prometheus-redis-exporter scrapes the engine like a Redis 7.0, and its
usual series (up, uptime, clients, memory, commands, keyspace, errors, persistence,
replication) are present with the values the known writes below imply."""
import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from strongbox_harness import Engine, Snapshotter, free_port, spawn, wait_for

EXPORTER = shutil.which("prometheus-redis-exporter") or "prometheus-redis-exporter"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


class Exporter:
    def __init__(self, redis_port, work_dir):
        self.port = free_port()
        self.log_path = os.path.join(str(work_dir), f"exporter-{self.port}.log")
        cmd = [EXPORTER, "-redis.addr", f"redis://127.0.0.1:{redis_port}",
               "-web.listen-address", f"127.0.0.1:{self.port}"]
        with open(self.log_path, "ab") as log:
            self.proc = spawn(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._answers, 30, "the exporter's /metrics")

    def _answers(self):
        try:
            self.scrape_text()
            return True
        except OSError:
            return False

    def scrape_text(self):
        url = f"http://127.0.0.1:{self.port}/metrics"
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.read().decode()

    def scrape(self):
        """{(name, labels text): value} of every sample."""
        samples = {}
        for line in self.scrape_text().splitlines():
            m = SAMPLE.match(line)
            if m:
                samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
        return samples

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


@pytest.fixture
def engine_and_exporter(engine, tmp_path):
    exporter = Exporter(engine.port, tmp_path)
    yield engine, exporter
    exporter.stop()


def write_known_data(c):
    """5 SETs (5 records): 3 keys in db0 (1 with a TTL), 2 in db1; 1 hit, 1 miss, 1
    WRONGTYPE."""
    c.set("a", "1")
    c.set("b", "2")
    c.set("t", "3", ex=1000)
    c.get("a")
    c.get("missing")
    with pytest.raises(Exception, match="WRONGTYPE"):
        c.lpush("a", "x")
    c.execute_command("SELECT", 1)
    c.set("x", "1")
    c.set("y", "2")
    c.execute_command("SELECT", 0)


def test_exporter_series_match_known_writes(engine_and_exporter):
    engine, exporter = engine_and_exporter
    c = engine.client()
    write_known_data(c)
    s = exporter.scrape()
    info = c.info("everything")
    assert s[("redis_up", "")] == 1
    assert s[("redis_exporter_last_scrape_error", '{err=""}')] == 0
    assert 0 <= s[("redis_uptime_in_seconds", "")] <= info["uptime_in_seconds"] + 1
    assert abs(s[("redis_start_time_seconds", "")] - (time.time() - info["uptime_in_seconds"])) < 5
    # This test's connection and the exporter's own.
    assert s[("redis_connected_clients", "")] == 2
    assert 0.5 < s[("redis_memory_used_bytes", "")] / info["used_memory"] < 2
    assert s[("redis_memory_used_rss_bytes", "")] > 0
    assert s[("redis_memory_max_bytes", "")] == 0
    assert s[("redis_commands_processed_total", "")] >= 11
    assert s[("redis_commands_total", '{cmd="set"}')] == 5
    assert s[("redis_commands_total", '{cmd="get"}')] == 2
    assert s[("redis_commands_total", '{cmd="select"}')] == 2
    assert s[("redis_commands_failed_calls_total", '{cmd="lpush"}')] == 1
    assert s[("redis_commands_duration_seconds_total", '{cmd="set"}')] > 0
    assert s[("redis_keyspace_hits_total", "")] == 1
    assert s[("redis_keyspace_misses_total", "")] == 1
    assert s[("redis_errors_total", '{err="WRONGTYPE"}')] == 1
    assert s[("redis_total_error_replies", "")] == 1
    assert s[("redis_db_keys", '{db="db0"}')] == 3
    assert s[("redis_db_keys", '{db="db1"}')] == 2
    assert s[("redis_db_keys_expiring", '{db="db0"}')] == 1
    assert 990 <= s[("redis_db_avg_ttl_seconds", '{db="db0"}')] <= 1000
    assert s[("redis_aof_enabled", "")] == 1
    assert s[("redis_rdb_bgsave_in_progress", "")] == 0
    assert s[("redis_rdb_changes_since_last_save", "")] == 5
    # No snapshot yet: the last save is the start, as Redis says at start-up.
    assert abs(s[("redis_rdb_last_save_timestamp_seconds", "")] - time.time()) < 120
    assert s[("redis_master_repl_offset", "")] == 5
    assert s[("redis_connected_slaves", "")] == 0
    assert s[("redis_net_input_bytes_total", "")] > 0
    assert s[("redis_cpu_user_seconds_total", "")] >= 0
    role = [labels for (name, labels) in s if name == "redis_instance_info"]
    assert len(role) == 1 and 'role="master"' in role[0] and 'redis_version="7.0.0"' in role[0]


def test_exporter_counters_move_between_scrapes(engine_and_exporter):
    engine, exporter = engine_and_exporter
    c = engine.client()
    first = exporter.scrape()
    for i in range(20):
        c.set(f"k{i}", i)
    second = exporter.scrape()
    assert second[("redis_commands_total", '{cmd="set"}')] == 20
    assert (second[("redis_commands_processed_total", "")]
            >= first[("redis_commands_processed_total", "")] + 20)
    assert second[("redis_db_keys", '{db="db0"}')] == 20
    assert second[("redis_rdb_changes_since_last_save", "")] == 20
    # Each scrape is a new connection.
    assert (second[("redis_connections_received_total", "")]
            > first[("redis_connections_received_total", "")])


def test_exporter_last_save_is_the_newest_snapshot(tmp_path):
    data = tmp_path / "data"
    engine = Engine(data, "--segment-bytes", "16384", "--rotate-interval", "1").start()
    snap = Snapshotter(data, "--snapshot-every", "1", "--snapshot-interval", "1",
                       "--rescan-interval-ms", "200").start()
    exporter = Exporter(engine.port, tmp_path)
    try:
        c = engine.client()
        for i in range(600):  # enough to seal segments
            c.set(f"pad{i}", "x" * 64)
        wait_for(lambda: list(data.glob("snapshot-*.snap.zst")), 60, "a snapshot")
        assert snap.stop() == 0
        newest = max(data.glob("snapshot-*.snap.zst"),
                     key=lambda p: int(p.name.split("-")[1].split(".")[0]))
        snapshot_lsn = int(newest.name.split("-")[1].split(".")[0])
        s = exporter.scrape()
        assert s[("redis_rdb_last_save_timestamp_seconds", "")] == int(newest.stat().st_mtime)
        info = c.info("persistence")
        assert info["lsn_snapshot"] == snapshot_lsn
        assert s[("redis_rdb_changes_since_last_save", "")] == 600 - snapshot_lsn
    finally:
        exporter.stop()
        assert engine.stop() == 0
