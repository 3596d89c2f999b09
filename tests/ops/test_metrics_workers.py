"""/metrics of a real `dateline serve` with two worker processes (prometheus_client's
multiprocess mode): whichever worker answered a request, one scrape counts it once, and
a new start counts from zero again."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.processes import REPO, Processes, fetch, free_port, site_env


def requests_counted(port: int) -> dict[tuple[str, str], float]:
    status, _headers, body = fetch(port, "/metrics")
    assert status == 200, body[:500]
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    return {
        (s.labels["method"], s.labels["status"]): s.value
        for s in families["dateline_http_requests"].samples
        if s.name == "dateline_http_requests_total"
    }


def counted_by_each_process(folder: Path) -> list[float]:
    """GET 2xx in each worker's own file, read alone by prometheus_client's collector."""
    counts = []
    for path in sorted(folder.glob("counter_*.db")):
        with tempfile.TemporaryDirectory() as alone:
            shutil.copy(path, alone)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=alone)
            labels = {"method": "GET", "status": "2xx"}
            counts.append(registry.get_sample_value("dateline_http_requests_total", labels) or 0)
    return counts


def test_every_worker_process_is_counted_and_a_restart_starts_afresh(site_var, tmp_path):
    env = site_env(site_var, f"sqlite:///{site_var / 'dateline.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "-m", "dateline.cli", "migrate", "--no-input"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    port = free_port()
    processes = Processes(tmp_path / "logs")
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    args += ["--threads", "2", "--no-collectstatic"]
    try:
        processes.start("serve", args, env)
        processes.wait_until_serving("serve", port)
        before = requests_counted(port)

        folder = site_var / "metrics" / str(port)
        sent = {200: 0, 404: 0}
        # Batches until both workers have answered some (each has a file from its start).
        for _ in range(10):
            paths = ["/healthz"] * 40 + ["/no-such-page/"] * 8
            with ThreadPoolExecutor(8) as pool:
                for status in pool.map(lambda path: fetch(port, path)[0], paths):
                    sent[status] += 1
            if len(by_process := counted_by_each_process(folder)) == 2 and all(by_process):
                break
        assert len(by_process) == 2 and all(by_process), by_process
        after = requests_counted(port)
        # The first scrape is a GET answered 200 too.
        assert after[("GET", "2xx")] - before.get(("GET", "2xx"), 0) == sent[200] + 1
        assert after[("GET", "4xx")] - before.get(("GET", "4xx"), 0) == sent[404]

        processes.stop("serve")
        processes.start("serve", args, env)
        processes.wait_until_serving("serve", port)
        # Only the readiness probes of this start, not the last run's requests.
        assert requests_counted(port)[("GET", "2xx")] < 40
    finally:
        processes.stop_all()


def test_the_operators_folder_is_used_and_only_counts_are_removed(tmp_path, monkeypatch):
    from dateline.ops.observe import prepare_multiprocess_dir

    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_4242.db").write_bytes(b"\0" * 16)
    (folder / "README").write_text("the operator's own file")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    assert prepare_multiprocess_dir(8000) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["README"]

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    monkeypatch.setenv("DATELINE_VAR_DIR", str(tmp_path / "var"))
    assert prepare_multiprocess_dir(8001) == tmp_path / "var" / "metrics" / "8001"
    assert (tmp_path / "var" / "metrics" / "8001").is_dir()
