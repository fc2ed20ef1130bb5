#!/usr/bin/env python3
"""Plots of the benchmark runs, for docs/benchmarks.md (Debian's python3-matplotlib).

  bench_plot.py throughput SAMPLES OUT_DIR   scripts/bench.sh's samples.txt ->
                                             OUT_DIR/bench-rps.png and OUT_DIR/bench-p99.png:
                                             median requests/s and p99 per test, -P and server,
                                             with the min..max of the rounds as error bars
  bench_plot.py stalls RESULTS OUT_PNG       scripts/bench-stalls.sh's JSON lines -> the worst
                                             PING stall per scenario and server (log scale)
"""
import collections
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

PEERS = [
    ("engine-always", "Strongbox always"),
    ("engine-interval", "Strongbox interval"),
    ("redis-always", "Redis always"),
    ("redis-everysec", "Redis everysec"),
    ("redis-off", "Redis, no persistence"),
]


def read_samples(path):
    """{(test, pipeline): {peer: {"rps": [...], "p99": [...]}}} in file order."""
    rows = collections.OrderedDict()
    with open(path) as f:
        for line in f:
            test, pipeline, _round, peer, rps, p99, _us = line.split()
            cell = rows.setdefault((test, int(pipeline)), {}).setdefault(
                peer, {"rps": [], "p99": []})
            cell["rps"].append(float(rps))
            cell["p99"].append(float(p99))
    return rows


def grouped_bars(rows, metric, ylabel, title, out_path):
    labels = ["%s -P %d" % key for key in rows]
    width = 0.8 / len(PEERS)
    fig, ax = plt.subplots(figsize=(max(8, len(labels) * 1.1), 4.5))
    for i, (peer, name) in enumerate(PEERS):
        medians, low, high = [], [], []
        for key in rows:
            values = rows[key].get(peer, {}).get(metric) or [0.0]
            m = statistics.median(values)
            medians.append(m)
            low.append(m - min(values))
            high.append(max(values) - m)
        xs = [x + (i - (len(PEERS) - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, medians, width, label=name, yerr=[low, high], capsize=2)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    plt.close(fig)


def throughput(samples, out_dir):
    rows = read_samples(samples)
    grouped_bars(rows, "rps", "requests/s (median of rounds)",
                 "scripts/bench.sh: throughput per test and server", f"{out_dir}/bench-rps.png")
    grouped_bars(rows, "p99", "p99 latency, ms (median of rounds)",
                 "scripts/bench.sh: p99 per test and server", f"{out_dir}/bench-p99.png")


def stalls(results, out_png):
    rows = collections.OrderedDict()
    with open(results) as f:
        for line in f:
            r = json.loads(line)
            rows.setdefault((r["scenario"], r["order"], r["row"]), {})[r["server"]] = r["max_ms"]
    keys = sorted(rows)
    servers = sorted({s for cells in rows.values() for s in cells})
    width = 0.8 / max(1, len(servers))
    fig, ax = plt.subplots(figsize=(max(8, len(keys) * 1.2), 4.5))
    for i, server in enumerate(servers):
        xs = [x + (i - (len(servers) - 1) / 2) * width for x in range(len(keys))]
        ax.bar(xs, [rows[k].get(server) or 0 for k in keys], width, label=server)
    ax.set_yscale("log")
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([k[2] for k in keys], rotation=45, ha="right")
    ax.set_ylabel("worst PING stall, ms (log)")
    ax.set_title("scripts/bench-stalls.sh: the longest a PING waited")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "throughput":
        throughput(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "stalls":
        stalls(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
