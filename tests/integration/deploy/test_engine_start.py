"""docker/engine-start.sh, the Kubernetes entrypoint that picks an engine pod's role: it follows
the primary a real redis-sentinel names (when that primary answers ROLE as master), stays primary
when Sentinel names this pod, and without any Sentinel falls back to pod-0 primary, others
replicas of pod-0. strongbox-engine is replaced by a stub that prints its arguments."""
import os
import pathlib
import subprocess
import time

import pytest
import redis

from strongbox_harness import Engine, free_port

REPO = pathlib.Path(__file__).resolve().parents[3]
SEED = "strongbox-0.strongbox-pods"


@pytest.fixture
def stub_path(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "strongbox-engine"
    stub.write_text('#!/bin/sh\necho "ENGINE $*"\n')
    stub.chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}"


@pytest.fixture
def sentinel(tmp_path):
    """A redis-sentinel monitoring a real strongbox primary; yields (sentinel port, primary)."""
    primary = Engine(tmp_path / "primary").start()
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(f"port {port}\ndir {tmp_path}\n"
                    f"sentinel monitor strongbox 127.0.0.1 {primary.port} 1\n")
    proc = subprocess.Popen(["redis-sentinel", str(conf)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while True:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                assert time.time() < deadline, "redis-sentinel did not start"
                time.sleep(0.05)
        yield port, primary
    finally:
        proc.kill()
        proc.wait()
        assert primary.stop() == 0


def start(path, pod, sentinels, pod_ip="10.255.0.9"):
    env = dict(os.environ, PATH=path, POD_NAME=pod, POD_IP=pod_ip, STRONGBOX_SEED_PRIMARY=SEED,
               STRONGBOX_SENTINELS=" ".join(sentinels))
    out = subprocess.run(["sh", str(REPO / "docker/engine-start.sh"), "--extra"], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return [l for l in out.splitlines() if l.startswith("ENGINE")][0].split()[1:]


def test_follows_the_primary_sentinel_names(stub_path, sentinel):
    port, primary = sentinel
    assert start(stub_path, "strongbox-0", [f"127.0.0.1:{port}"]) == [
        "--port", "6379", "--replicaof", "127.0.0.1", str(primary.port), "--extra"]


def test_stays_primary_when_sentinel_names_this_pod(stub_path, sentinel):
    port, _ = sentinel
    assert start(stub_path, "strongbox-2", [f"127.0.0.1:{port}"], pod_ip="127.0.0.1") == [
        "--port", "6379", "--extra"]


def test_without_sentinel_pod0_is_primary_and_the_others_follow_it(stub_path):
    dead = f"127.0.0.1:{free_port()}"
    assert start(stub_path, "strongbox-0", [dead]) == ["--port", "6379", "--extra"]
    assert start(stub_path, "strongbox-1", [dead]) == [
        "--port", "6379", "--replicaof", SEED, "6379", "--extra"]


def test_a_primary_that_no_longer_answers_is_not_followed(stub_path, sentinel):
    port, primary = sentinel
    assert primary.stop() == 0  # Sentinel still names it (down-after not reached)
    try:
        assert start(stub_path, "strongbox-2", [f"127.0.0.1:{port}"]) == [
            "--port", "6379", "--replicaof", SEED, "6379", "--extra"]
    finally:
        primary.start()
