"""`scripts/deploy.sh status hosts` (the table `status` prints for compose and k8s too): each
engine's role, its primary, the link status and the lag, read from INFO replication of a real
primary and replica."""
import pathlib
import subprocess
import time

import pytest

from strongbox_harness import Engine

REPO = pathlib.Path(__file__).resolve().parents[3]


def status(*engines):
    out = subprocess.run(
        ["bash", str(REPO / "scripts/deploy.sh"), "status", "hosts",
         *(f"127.0.0.1:{e}" for e in engines)], capture_output=True, text=True, timeout=60,
        check=True).stdout
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ENGINE", "ROLE", "PRIMARY", "LINK"]
    rows = {}
    for line in lines[1:]:
        if line.startswith("WARNING"):
            rows["warning"] = line
            continue
        node, role, primary, link, offset, lag, last_io = line.split()
        rows[int(node.rsplit(":", 1)[1])] = dict(role=role, primary=primary, link=link,
                                                 offset=offset, lag=lag)
    return rows


@pytest.fixture
def pair(tmp_path):
    primary = Engine(tmp_path / "primary").start()
    replica = Engine(tmp_path / "replica", "--replicaof", "127.0.0.1", str(primary.port)).start()
    yield primary, replica
    replica.stop()
    assert primary.stop() == 0


def wait_link_up(replica, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if replica.client().info("replication").get("master_link_status") == "up":
            return
        time.sleep(0.05)
    raise AssertionError("the replica's link never came up")


def test_status_shows_roles_primary_link_and_lag(pair):
    primary, replica = pair
    c = primary.client()
    for i in range(50):
        c.set(f"k{i}", i)
    wait_link_up(replica)
    assert c.wait(1, 5000) == 1  # the replica holds every write: lag 0
    rows = status(primary.port, replica.port)
    offset = str(c.info("replication")["master_repl_offset"])
    assert rows[primary.port] == dict(role="primary", primary="-", link="-", offset=offset, lag="-")
    assert rows[replica.port] == dict(role="replica", primary=f"127.0.0.1:{primary.port}",
                                      link="up", offset=offset, lag="0")
    assert "warning" not in rows


def test_status_flags_an_unreachable_engine_and_a_missing_primary(pair):
    primary, replica = pair
    wait_link_up(replica)
    assert primary.stop() == 0
    rows = status(primary.port, replica.port)
    assert rows[primary.port]["role"] == "unreachable"
    assert rows[replica.port]["role"] == "replica"
    assert rows[replica.port]["lag"] == "-"  # no primary to measure against
    assert "0 primaries" in rows["warning"]
    primary.start()
