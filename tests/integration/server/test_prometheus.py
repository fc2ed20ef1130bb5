"""Debian's prometheus scrapes both binaries' /metrics with the compose stack's own scrape
configuration (docker/monitoring/prometheus.yml), its targets pointed at this test's ports:
both targets are up and the series a dashboard needs carry the values the engine and the
snapshotter report."""
import json
import os
import shutil
import time
import urllib.parse
import urllib.request

import yaml

from strongbox_harness import Engine, Snapshotter, free_port, spawn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
COMPOSE_CONFIG = os.path.join(REPO, "docker", "monitoring", "prometheus.yml")
PROMETHEUS = shutil.which("prometheus")


def api(port, path, **params):
    url = f"http://127.0.0.1:{port}/api/v1/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]


def query(port, expr):
    """The value of an instant query with one result (None while there is none)."""
    result = api(port, "query", query=expr)["result"]
    return float(result[0]["value"][1]) if result else None


def wait_for(what, fn, timeout_s=90):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def scrape_config(engine_port, snapshotter_port):
    with open(COMPOSE_CONFIG) as f:
        config = yaml.safe_load(f)
    config["global"]["scrape_interval"] = "1s"
    ports = {"strongbox-engine": engine_port, "strongbox-snapshotter": snapshotter_port}
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(ports) <= set(jobs), "the compose config lost a job"
    for name, port in ports.items():
        jobs[name]["static_configs"] = [{"targets": [f"127.0.0.1:{port}"]}]
    return config


def test_prometheus_scrapes_engine_and_snapshotter(tmp_path):
    assert PROMETHEUS, "prometheus is missing: scripts/install-deps.sh installs it"
    engine = Engine(tmp_path / "data", "--segment-bytes", "65536",
                    metrics_port=free_port()).start()
    snapshotter = Snapshotter(tmp_path / "data", metrics_port=free_port()).start()
    c = engine.client()
    for i in range(2000):
        c.set(f"k{i}", "v" * 64)

    config_path = tmp_path / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(
        scrape_config(engine.metrics_port, snapshotter.metrics_port)))
    web_port = free_port()
    spawn([PROMETHEUS, f"--config.file={config_path}",
           f"--storage.tsdb.path={tmp_path / 'tsdb'}",
           f"--web.listen-address=127.0.0.1:{web_port}"],
          stdout=open(tmp_path / "prometheus.log", "wb"), stderr=open(tmp_path / "p.err", "wb"))

    def both_up():
        try:
            targets = api(web_port, "targets")["activeTargets"]
        except OSError:
            return False
        health = {t["labels"]["job"]: t["health"] for t in targets}
        return health if health.get("strongbox-engine") == "up" and \
            health.get("strongbox-snapshotter") == "up" else False

    wait_for("both targets up", both_up)
    assert query(web_port, 'up{job="strongbox-engine"}') == 1
    assert query(web_port, 'up{job="strongbox-snapshotter"}') == 1

    durable = int(c.info("persistence")["lsn_durable"])
    assert durable >= 2000
    def processed():
        value = query(web_port, "strongbox_engine_commands_processed_total") or 0
        return value >= 2000

    wait_for("the engine's command counter", processed)
    engine_lsn = 'strongbox_engine_lsn{kind="durable"}'
    assert wait_for("the engine's LSN", lambda: query(web_port, engine_lsn) == durable)
    # The snapshotter replays the sealed segments (64 KiB each) and reports how far it got.
    applied = wait_for("the snapshotter's LSN",
                       lambda: query(web_port, 'strongbox_snapshotter_lsn{kind="applied"}'))
    assert 0 < applied <= durable
    assert query(web_port, "strongbox_engine_clients_connected") >= 1
    snapshotter.stop()
    assert engine.stop() == 0
