"""The cost of counting one request, as the page cache's hit path pays it.

Runs ``dateline.ops.observe.record`` (prometheus_client counters) in a child process in
multiprocess mode, as under ``dateline serve``, and in one without, against the
reference measured in the same process: a Counter under a lock, what the hand-made
tally did before prometheus_client. Also ``labels(...).inc()`` on every call, which
``record`` avoids with bound children. Prints microseconds a call and the difference
to the reference; the last line is one JSON object with every figure.

    bench/metrics                # about 20 s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLS = 200_000
REPEAT = 7

CHILD = r"""
import collections, json, os, sys, threading, timeit
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
import django
django.setup()
from dateline.ops import observe

lock = threading.Lock()
counts = collections.Counter()

def reference(method, status, seconds):
    with lock:
        counts[(method if method in observe.KNOWN_METHODS else "OTHER", f"{status // 100}xx")] += 1

def best(stmt):
    runs = timeit.repeat(stmt, globals=globals(), number=CALLS, repeat=REPEAT)
    return min(runs) / CALLS * 1e6

figures = {}
for _ in range(2):  # the second round, warm, is kept
    figures = {
        "reference_us": best("reference('GET', 200, 0.0)"),
        "record_hit_us": best("observe.record('GET', 200, 0.0)"),
        "record_django_us": best("observe.record('GET', 200, 0.004)"),
        "labels_inc_us": best("observe.REQUESTS.labels('GET', '2xx').inc()"),
    }
print(json.dumps({k: round(v, 3) for k, v in figures.items()}))
"""


def measure(multiprocess: bool) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env.setdefault("DATELINE_VAR_DIR", tempfile.mkdtemp(prefix="dateline-bench-metrics-"))
    with tempfile.TemporaryDirectory(prefix="dateline-bench-metrics-") as folder:
        if multiprocess:
            env["PROMETHEUS_MULTIPROC_DIR"] = folder
        code = CHILD.replace("CALLS", str(CALLS)).replace("REPEAT", str(REPEAT))
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    load = os.getloadavg()[0]
    result: dict[str, object] = {"bench": "metrics", "load_before": round(load, 2)}
    for mode, multiprocess in (("multiprocess", True), ("one_process", False)):
        figures = measure(multiprocess)
        extra = figures["record_hit_us"] - figures["reference_us"]
        print(
            f"{mode}: record {figures['record_hit_us']:.3f} us a hit "
            f"({figures['record_django_us']:.3f} with time), labels().inc() "
            f"{figures['labels_inc_us']:.3f}, reference {figures['reference_us']:.3f}: "
            f"{extra:+.3f} us a hit"
        )
        result[mode] = {**figures, "record_hit_minus_reference_us": round(extra, 3)}
    result["load_after"] = round(os.getloadavg()[0], 2)
    result["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
