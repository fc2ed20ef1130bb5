"""Debian's python3-rq (1.13) against the engine: it stores results with XADD ... MAXLEN ~ 10
inside MULTI and reads them with XREVRANGE key + - COUNT 1, so a job run by a burst worker
must end finished with its result."""
import os
import subprocess
import sys

import pytest

rq = pytest.importorskip("rq")

HERE = os.path.dirname(os.path.abspath(__file__))


def test_burst_worker_runs_a_job(engine):
    sys.path.insert(0, HERE)
    import rq_jobs  # noqa: E402  (the worker imports the same module by name)

    c = engine.client()
    job = rq.Queue("default", connection=c).enqueue(rq_jobs.add, 2, 3)
    url = f"redis://127.0.0.1:{engine.port}"
    p = subprocess.run(["/usr/bin/python3", "-m", "rq.cli", "worker", "--burst", "--url", url,
                        "default"], cwd=HERE, capture_output=True, timeout=120)
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode == 0, out
    job.refresh()
    assert job.get_status() == "finished", out
    assert job.result == 5, out
    assert c.xlen(f"rq:results:{job.id}") >= 1
