#!/usr/bin/env python3
"""bench/wire_clusters: pairwise precision, recall and F1 of the wire desk's story clusters.

Builds a labelled set of invented wire copy (bench/wire_corpus.py: several agencies'
versions of the same events, updates, resends, and hard negatives that share people and
places), writes it as RSS, Atom and ninjs files, runs `dateline wire-cluster DIR --json`
(the desk's own clustering, no database) and compares its clusters with the labels over
every pair of reports. The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from wire_corpus import generate, write_feeds  # noqa: E402

TARGET_F1 = 0.94


def pairwise(labels: dict[str, int], predicted: dict[str, int]) -> dict[str, float]:
    keys = sorted(labels)
    tp = fp = fn = 0
    for a, b in itertools.combinations(keys, 2):
        same = labels[a] == labels[b]
        said = predicted[a] == predicted[b]
        tp += same and said
        fp += said and not same
        fn += same and not said
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs_true": tp + fn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--seeds", default="1,2,3", help="Comma-separated seeds, one set each")
    parser.add_argument("--keep", help="Write the feeds and labels to this folder and keep them")
    args = parser.parse_args()
    dateline = HERE.parent / ".venv" / "bin" / "dateline"
    runs = []
    for seed in (int(s) for s in args.seeds.split(",")):
        reports = generate(seed, args.events, datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC))
        labels = {r.guid: r.event for r in reports}
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(args.keep) / f"seed-{seed}" if args.keep else Path(tmp)
            write_feeds(reports, folder)
            (folder / "labels.json.txt").write_text(json.dumps(labels))
            started = time.perf_counter()
            out = subprocess.run(
                [
                    str(dateline),
                    "wire-cluster",
                    *map(str, sorted(folder.glob("*.*[a-z]"))),
                    "--json",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            seconds = time.perf_counter() - started
        predicted = json.loads(out.strip().splitlines()[-1])
        missing = set(labels) - set(predicted)
        if missing:
            print(f"seed {seed}: {len(missing)} reports not clustered", file=sys.stderr)
            return 1
        scores = pairwise(labels, predicted)
        scores.update(
            seed=seed,
            reports=len(labels),
            events=len(set(labels.values())),
            clusters=len(set(predicted.values())),
            seconds=round(seconds, 2),
        )
        runs.append(scores)
        print(
            f"seed {seed}: {scores['reports']} reports of {scores['events']} events -> "
            f"{scores['clusters']} clusters; P {scores['precision']:.3f} R {scores['recall']:.3f} "
            f"F1 {scores['f1']:.3f} ({seconds:.1f} s)"
        )
    f1 = sum(r["f1"] for r in runs) / len(runs)
    summary = {
        "bench": "wire_clusters",
        "f1_mean": round(f1, 4),
        "precision_mean": round(sum(r["precision"] for r in runs) / len(runs), 4),
        "recall_mean": round(sum(r["recall"] for r in runs) / len(runs), 4),
        "target_f1": TARGET_F1,
        "met": f1 >= TARGET_F1,
        "runs": runs,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
