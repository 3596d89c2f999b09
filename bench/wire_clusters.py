#!/usr/bin/env python3
"""bench/wire_clusters: pairwise precision, recall and F1 of the wire desk's story clusters.

Builds a labelled set of invented wire copy (bench/wire_corpus.py: several agencies'
versions of the same events, updates, resends, and hard negatives that share people and
places), writes it as RSS, Atom and ninjs files, runs `dateline wire-cluster DIR --json`
(the desk's own clustering, no database) and compares its clusters with the labels over
every pair of reports.

Then the written set (bench/wire_eval/, reports written by one writer per agency from
fact sheets; bench/written_set.py): the same command on its files, scored per half
(development and test) for events and for stories, pairwise and B-cubed, beside a naive
TF-IDF baseline whose threshold is chosen on the development half. The issue's target
(F1 >= 0.94, precision >= 0.95, 0.06 above the baseline) is read on the test half.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import written_set  # noqa: E402
from wire_corpus import generate, write_feeds  # noqa: E402

TARGET_F1 = 0.94


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--seeds", default="1,2,3", help="Comma-separated seeds, one set each")
    parser.add_argument("--keep", help="Write the feeds and labels to this folder and keep them")
    parser.add_argument(
        "--written-only", action="store_true", help="Only the written set, no generated corpus"
    )
    args = parser.parse_args()
    dateline = HERE.parent / ".venv" / "bin" / "dateline"
    runs = []
    seeds = [] if args.written_only else [int(s) for s in args.seeds.split(",")]
    for seed in seeds:
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
        scores = written_set.pairwise(labels, predicted)
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
    summary: dict = {"bench": "wire_clusters", "target_f1": TARGET_F1}
    if runs:
        f1 = sum(r["f1"] for r in runs) / len(runs)
        summary["generated"] = {
            "f1_mean": round(f1, 4),
            "precision_mean": round(sum(r["precision"] for r in runs) / len(runs), 4),
            "recall_mean": round(sum(r["recall"] for r in runs) / len(runs), 4),
            "runs": runs,
            "note": "our own generated corpus (bench/wire_corpus.py)",
        }
    written = run_written_set(dateline)
    if written is not None:
        summary["written"] = written
    print(json.dumps(summary))
    return 0


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def run_written_set(dateline: Path) -> dict | None:
    """Cluster the written set with the desk's command and score both halves."""
    items = written_set.load()
    files = written_set.report_files()
    if not items or not files:
        print("written set: no labelled reports yet (bench/wire_eval/labels)", file=sys.stderr)
        return None
    started = time.perf_counter()
    out = subprocess.run(
        [str(dateline), "wire-cluster", *map(str, files), "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seconds = time.perf_counter() - started
    predicted = json.loads(out.strip().splitlines()[-1])
    missing = sorted(set(items) - set(predicted))
    if missing:
        raise SystemExit(f"written set: {len(missing)} labelled items not clustered: {missing[:5]}")
    result: dict = {"items": len(items), "seconds": round(seconds, 2)}
    baseline = written_set.tfidf_baseline(items, written_set.item_texts(files))
    for half in ("dev", "test"):
        ours = written_set.scores(items, predicted, half)
        base = baseline[half]
        result[half] = {"dateline": _rounded(ours), "tfidf_baseline": _rounded(base)}
        e, b = ours["event"], base["event"]
        print(
            f"written {half}: {ours['items']} items of {ours['events']} events -> "
            f"{ours['clusters']} clusters; events P {e['precision']:.3f} R {e['recall']:.3f} "
            f"F1 {e['f1']:.3f} (B3 {e['bcubed']['f1']:.3f}); stories F1 "
            f"{ours['story']['f1']:.3f}; TF-IDF baseline F1 {b['f1']:.3f} "
            f"(threshold {baseline['threshold']} from dev)"
        )
    test = result["test"]["dateline"]["event"]
    base_f1 = result["test"]["tfidf_baseline"]["event"]["f1"]
    result["baseline_threshold"] = baseline["threshold"]
    result["met"] = (
        test["f1"] >= TARGET_F1 and test["precision"] >= 0.95 and test["f1"] >= base_f1 + 0.06
    )
    return result


if __name__ == "__main__":
    sys.exit(main())
