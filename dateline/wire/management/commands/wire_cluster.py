"""``dateline wire-cluster PATH... --json``: cluster feed files without touching the database.

The same clustering code as the desk, on files: how clustering is evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.wire.clustering import Clusterer
from dateline.wire.formats import FeedError, parse, sniff_format


class Command(BaseCommand):
    help = "Cluster the items of feed files (RSS, Atom, ninjs, NewsML-G2); prints guid → cluster."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Feed files or folders of them")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        files: list[Path] = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.is_file())
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"No such file or folder: {name}")
        clusterer = Clusterer()
        docs = {}
        for path in files:
            try:
                result = parse(path.read_bytes(), sniff_format(path.read_bytes()))
            except FeedError as exc:
                self.stderr.write(f"{path}: skipped, {exc}")
                continue
            for problem in result.problems:
                self.stderr.write(f"{path}: {problem.kind}: {problem.reason} {problem.guid}")
            for item in result.items:
                assert item.version_created is not None
                docs[item.guid] = clusterer.document(
                    item.guid, item.headline, item.body_text, item.version_created, item.dateline
                )
        assignments = clusterer.add_all(docs.values())
        mapping = {a.key: a.cluster for a in sorted(assignments, key=lambda a: a.key)}
        if options["json"]:
            self.stdout.write(json.dumps(mapping, ensure_ascii=False))
            return
        for cluster_id in sorted(set(mapping.values())):
            self.stdout.write(f"cluster {cluster_id}: {clusterer.clusters[cluster_id].headline}")
            for guid, cid in mapping.items():
                if cid == cluster_id:
                    self.stdout.write(f"  {guid}")
