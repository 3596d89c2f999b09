#!/usr/bin/env python3
"""bench/ingest: 10,000 wire items through parsing, dedupe and clustering.

Invented wire copy (bench/wire_corpus.py) is written as RSS, Atom and ninjs files in a
temporary folder first (not timed). Then, timed: every file read and parsed by the
desk's parsers (HTML reduced with nh3, ninjs checked against IPTC's schema), every item
fingerprinted with MinHash and checked against the LSH index for near-duplicates, and
placed in a story cluster, with the same code `dateline wire-cluster` and the desk use.
No database. Reports items per second and the process's peak RSS; target >= 1,000
items/s. The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
TARGET_ITEMS_PER_S = 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--strict", action="store_true", help="Exit 1 when the target is missed")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from wire_corpus import generate, write_feeds

    from dateline.wire.clustering import Clusterer
    from dateline.wire.formats import parse, sniff_format

    start = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    # About 4.4 reports an event; generate a little more and cut to the exact count.
    reports = generate(args.seed, int(args.items / 4.2) + 10, start)[: args.items]
    if len(reports) < args.items:
        print(f"only {len(reports)} reports generated", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_feeds(reports, Path(tmp))
        files = [(p, p.read_bytes()) for p in paths]
        size = sum(len(data) for _, data in files)

        started = time.perf_counter()
        cpu_started = time.process_time()
        items = []
        problems = 0
        for _, data in files:
            result = parse(data, sniff_format(data))
            items += result.items
            problems += len(result.problems)
        parsed_at = time.perf_counter()
        clusterer = Clusterer()
        docs = [
            clusterer.document(i.guid, i.headline, i.body_text, i.version_created or start)
            for i in items
        ]
        assignments = clusterer.add_all(docs)
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started

    seconds = finished - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "bench": "ingest",
        "items": len(items),
        "files": len(files),
        "megabytes": round(size / 1e6, 2),
        "seconds": round(seconds, 2),
        "parse_seconds": round(parsed_at - started, 2),
        "cluster_seconds": round(finished - parsed_at, 2),
        "items_per_s": round(len(items) / seconds, 1),
        # The machine is shared: CPU time is what other people's work changes least.
        "cpu_seconds": round(cpu, 2),
        "items_per_cpu_s": round(len(items) / cpu, 1),
        "duplicates": sum(1 for a in assignments if a.duplicate_of),
        "clusters": len({a.cluster for a in assignments}),
        "problems": problems,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "target_items_per_s": TARGET_ITEMS_PER_S,
    }
    figures["met"] = figures["items_per_s"] >= TARGET_ITEMS_PER_S
    print(
        f"{figures['items']} items in {figures['seconds']} s "
        f"(parse {figures['parse_seconds']} s, dedupe and cluster {figures['cluster_seconds']} s): "
        f"{figures['items_per_s']} items/s ({figures['items_per_cpu_s']} per CPU second), "
        f"peak RSS {figures['peak_rss_mb']} MB, "
        f"{figures['duplicates']} duplicates, {figures['clusters']} clusters"
    )
    print(json.dumps(figures))
    return 1 if args.strict and not figures["met"] else 0


if __name__ == "__main__":
    sys.exit(main())
