"""The written wire set (bench/wire_eval/): labels, scores and the naive baseline.

The set is made by people, not by bench/wire_corpus.py: fact sheets
(``events/E*.toml``), then one writer per agency who saw only the sheets and the
agency's style (``reports/CODE/``, ``labels/CODE.toml``); bench/wire_eval/README.md
says how. Here it is read back and scored:

* ``load()``: every labelled item by guid, with its event, story and half. Versions of
  one guid (ninjs and NewsML-G2 updates, re-sends) are one item, as the desk keeps them.
* ``pairwise()`` and ``bcubed()``: the scores, over the items of one half. The clusterer
  sees both halves together (as a desk would see one fortnight of copy), and only pairs
  inside a half are counted, so tuning on the development half reads nothing of the test
  half's labels.
* ``tfidf_baseline()``: TF-IDF cosine, single link, its threshold chosen on the
  development half: the naive reference the issue asks the clusterer to beat.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET_DIR = HERE / "wire_eval"


@dataclass(frozen=True)
class Labelled:
    guid: str
    event: str
    story: str
    split: str


def load(root: Path = SET_DIR) -> dict[str, Labelled]:
    splits = {}
    for sheet in sorted((root / "events").glob("E*.toml")):
        event = tomllib.loads(sheet.read_text())
        splits[event["id"]] = event["split"]
    items: dict[str, Labelled] = {}
    for labels in sorted((root / "labels").glob("*.toml")):
        for report in tomllib.loads(labels.read_text())["report"]:
            event = report["event"]
            item = Labelled(report["guid"], event, report["story"], splits[event])
            seen = items.setdefault(item.guid, item)
            if seen.event != item.event:
                raise ValueError(
                    f"{labels.name}: {item.guid} is labelled both {seen.event} and {event}"
                )
    return items


def report_files(root: Path = SET_DIR) -> list[Path]:
    return sorted(p for p in (root / "reports").rglob("*") if p.is_file())


def pairwise(labels: Mapping[str, object], predicted: Mapping[str, int]) -> dict[str, float]:
    """Pairwise precision, recall and F1 over every pair of the labelled items."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(labels), 2):
        same = labels[a] == labels[b]
        said = predicted[a] == predicted[b]
        tp += same and said
        fp += said and not same
        fn += same and not said
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def bcubed(labels: dict[str, str], predicted: dict[str, int]) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin), over the given items only."""
    by_label: dict[str, set[str]] = {}
    by_cluster: dict[int, set[str]] = {}
    for key, label in labels.items():
        by_label.setdefault(label, set()).add(key)
        by_cluster.setdefault(predicted[key], set()).add(key)
    precision = recall = 0.0
    for key, label in labels.items():
        cluster = by_cluster[predicted[key]]
        truth = by_label[label]
        right = len(cluster & truth)
        precision += right / len(cluster)
        recall += right / len(truth)
    n = len(labels) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def scores(items: dict[str, Labelled], predicted: dict[str, int], split: str) -> dict:
    """Event-level and story-level scores of one half."""
    half = {g: i for g, i in items.items() if i.split == split}
    events = {g: i.event for g, i in half.items()}
    stories = {g: i.story for g, i in half.items()}
    return {
        "items": len(half),
        "events": len(set(events.values())),
        "clusters": len({predicted[g] for g in half}),
        "event": {**pairwise(events, predicted), "bcubed": bcubed(events, predicted)},
        "story": {**pairwise(stories, predicted), "bcubed": bcubed(stories, predicted)},
    }


WORD = re.compile(r"\w+", re.UNICODE)


def _vectors(texts: dict[str, str]) -> dict[str, dict[str, float]]:
    counts = {key: Counter(WORD.findall(text.lower())) for key, text in texts.items()}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = len(texts)
    vectors = {}
    for key, c in counts.items():
        v = {t: (1 + math.log(f)) * math.log((1 + n) / (1 + df[t])) for t, f in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[key] = {t: x / norm for t, x in v.items()}
    return vectors


def _single_link(keys: list[str], similar: list[tuple[float, str, str]], threshold: float) -> dict:
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for sim, a, b in similar:
        if sim < threshold:
            break
        parent[find(a)] = find(b)
    roots: dict[str, int] = {}
    return {k: roots.setdefault(find(k), len(roots)) for k in keys}


def tfidf_baseline(items: dict[str, Labelled], texts: dict[str, str]) -> dict:
    """Cosine of TF-IDF vectors (headline and body), single link at one threshold.

    The threshold is the one with the best event F1 on the development half, from a
    grid of 0.05 to 0.80; the test half is scored at it once.
    """
    keys = sorted(g for g in items if g in texts)
    vectors = _vectors({k: texts[k] for k in keys})
    similar = []
    for a, b in itertools.combinations(keys, 2):
        va, vb = vectors[a], vectors[b]
        if len(vb) < len(va):
            va, vb = vb, va
        sim = sum(x * vb.get(t, 0.0) for t, x in va.items())
        if sim >= 0.05:
            similar.append((sim, a, b))
    similar.sort(reverse=True)
    best = None
    for step in range(16):
        threshold = 0.05 + 0.05 * step
        predicted = _single_link(keys, similar, threshold)
        dev = scores(items, predicted, "dev")
        if best is None or dev["event"]["f1"] > best[1]["event"]["f1"]:
            best = (threshold, dev, predicted)
    assert best is not None
    threshold, dev, predicted = best
    return {"threshold": round(threshold, 2), "dev": dev, "test": scores(items, predicted, "test")}


def item_texts(files: list[Path]) -> dict[str, str]:
    """Headline and body text of every item, read by Dateline's own parsers."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    django.setup()
    from dateline.wire.formats import parse, sniff_format

    texts = {}
    for path in files:
        data = path.read_bytes()
        for item in parse(data, sniff_format(data)).items:
            texts[item.guid] = f"{item.headline}\n{item.body_text}"
    return texts
