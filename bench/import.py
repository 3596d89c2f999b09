#!/usr/bin/env python3
"""bench/import: a 10,000-post WordPress export with its media imported, twice.

Writes an invented WXR 1.2 export with bench/wxr_generator.py (10,000 posts, 2,000
images as small JPEGs in a media folder, 30,000 comments; not timed) in a throwaway
folder, or takes one with --export/--media/--map. Then a fresh site as in production
(DATELINE_ENV=production, a random SECRET_KEY, SQLite unless --postgres, `dateline
migrate`, a home page) and, timed, `dateline import wordpress EXPORT --media DIR --map
FILE` as its own process: wall time, CPU time and peak RSS (the process's own, from
wait4). Then the same command again, which must find nothing new: its time is the
second figure. Rows are counted after each run (articles, photos, comments, redirects),
and must not change in the second.

Targets: first run < 10 minutes, peak RSS < 1 GB, second run < 1 minute, the second
run creating and updating nothing; `--strict` exits 1 when one is missed. Prints
progress lines starting with "# ", a summary, then as its last line one JSON object
with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages
from pages import HOST, BenchError, say, tail
from signup import SignupRun
from wxr_generator import generate

TARGETS = {
    "first_run_s": ("<", 600.0),
    "peak_rss_mb": ("<", 1024.0),
    "second_run_s": ("<", 60.0),
    "second_run_changes": ("==", 0),
}
# make_home is what `dateline demo` uses to put the home page in place of Wagtail's.
HOME = """
from dateline.newsroom.demo.loader import make_home
make_home()
print("HOME", make_home().pk)
"""
COUNT = """
import json
from django.db.models import Count
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Revision
from dateline.comments.models import Comment
from dateline.importers.models import ImportedItem
from dateline.newsroom.models import ArticlePage, Author, Photo, SectionPage
print("COUNTS", json.dumps({
    "articles": ArticlePage.objects.count(),
    "live": ArticlePage.objects.filter(live=True).count(),
    "photos": Photo.objects.count(),
    "articles_with_lead_photo": ArticlePage.objects.exclude(lead_image=None).count(),
    "comments": Comment.objects.count(),
    "replies": Comment.objects.exclude(parent=None).count(),
    "redirects": Redirect.objects.count(),
    "authors": Author.objects.count(),
    "sections": SectionPage.objects.count(),
    "imported_items": ImportedItem.objects.count(),
    "revisions": Revision.objects.count(),
}))
"""
SUMMARY = {
    "created": r"New, created\D*?([\d,]+)",
    "updated": r"Changed, updated\D*?([\d,]+)",
    "unchanged": r"Unchanged since the last run\D*?([\d,]+)",
    "skipped": r"Skipped\D*?([\d,]+)",
    "missing_images": r"Missing images\D*?([\d,]+)",
    "comments_imported": r"Comments imported\D*?([\d,]+)",
}


class ImportRun(SignupRun):
    """A fresh site as bench/signup sets it up (and its PostgreSQL handling), no server."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._workspace(args, "import")
        self.database: str | None = None
        self.env = self._env()
        self.env["LOG_LEVEL"] = "WARNING"
        if args.postgres:
            self.database = f"bench_import_{os.getpid()}"
            self.env["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{self.database}"
        self.run_id = secrets.token_hex(4)

    def source_files(self) -> tuple[Path, Path | None, Path | None, dict[str, Any]]:
        a = self.args
        if a.export:
            say(f"# export {a.export}, media {a.media or '(none)'}, mapping {a.map or '(none)'}")
            return Path(a.export), a.media and Path(a.media), a.map and Path(a.map), {}
        started = time.monotonic()
        made = generate(self.tmp / "export", a.posts, a.images, a.comments, a.seed)
        c = made.counts
        expected = {
            "posts": c.posts,
            "published": c.published,
            "drafts": c.drafts,
            "private": c.private,
            "images": c.images,
            "images_referenced": len(c.images_referenced),
            "comments": c.comments,
            "replies": c.replies,
            "export_mb": round(made.export.stat().st_size / 1e6, 1),
        }
        say(
            f"# generated in {time.monotonic() - started:.1f} s: {c.posts} posts "
            f"({c.published} published, {c.drafts} drafts, {c.private} private), {c.images} "
            f"images, {c.comments} comments, {expected['export_mb']} MB of XML"
        )
        return made.export, made.media, made.mapping, expected

    def counts(self, name: str) -> dict[str, int]:
        return self.shell(name, COUNT, "COUNTS")

    def import_once(self, name: str, argv: list[str]) -> dict[str, Any]:
        """One `dateline import` as a child of ours, so wait4 gives its own peak RSS."""
        started = time.monotonic()
        proc = self.start(name, argv)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        log = self.logs / f"{name}.log"
        if proc.returncode != 0:
            raise BenchError(f"{name} failed ({proc.returncode}):\n{tail(log)}")
        text = log.read_text(errors="replace")
        summary = {}
        for key, pattern in SUMMARY.items():
            found = re.search(pattern, text)
            summary[key] = int(found.group(1).replace(",", "")) if found else None
        return {
            "seconds": round(seconds, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
            **summary,
        }

    def measure(self) -> dict[str, Any]:
        a = self.args
        r: dict[str, Any] = {"bench": "import", "load_before": round(os.getloadavg()[0], 2)}
        say(f"# temporary folder {self.tmp}")
        export, media, mapping, expected = self.source_files()
        self.create_database()
        seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 300)
        say(f"# migrate: {seconds:.1f} s")
        self.shell("home", HOME, "HOME")
        argv = [*self.dateline, "import", "wordpress", str(export)]
        if media:
            argv += ["--media", str(media)]
        if mapping:
            argv += ["--map", str(mapping)]

        say("# first run ...")
        first = self.import_once("import-1", argv)
        after_first = self.counts("counts-1")
        say(
            f"# first run: {first['seconds']} s, {first['cpu_s']} s CPU, peak RSS "
            f"{first['peak_rss_mb']} MB; {after_first}"
        )
        say("# second run (nothing new) ...")
        second = self.import_once("import-2", argv)
        after_second = self.counts("counts-2")
        say(
            f"# second run: {second['seconds']} s, {second['cpu_s']} s CPU, peak RSS "
            f"{second['peak_rss_mb']} MB"
        )

        changed = {
            k: (after_first[k], after_second[k])
            for k in after_first
            if after_first[k] != after_second[k]
        }
        posts = expected.get("posts") or after_first["articles"]
        r.update(
            {
                "database": "postgresql" if self.database else "sqlite",
                "generated": not a.export,
                "expected": expected,
                "rows": after_first,
                "rows_changed_by_second_run": changed,
                "first": first,
                "second": second,
                "first_run_s": first["seconds"],
                "first_run_cpu_s": first["cpu_s"],
                "posts_per_s": round(posts / first["seconds"], 1) if first["seconds"] else None,
                "second_run_s": second["seconds"],
                "peak_rss_mb": max(first["peak_rss_mb"], second["peak_rss_mb"]),
                "second_run_changes": (second["created"] or 0)
                + (second["updated"] or 0)
                + len(changed),
                "load_after": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
            }
        )
        if expected:
            kept = expected["published"] + expected["drafts"]
            r["checks"] = {
                "articles": (after_first["articles"], kept),
                "photos": (after_first["photos"], expected["images_referenced"]),
                "comments": (after_first["comments"], expected["comments"]),
                "replies": (after_first["replies"], expected["replies"]),
                "unchanged_second_run": (second["unchanged"], kept),
            }
            wrong = {k: v for k, v in r["checks"].items() if v[0] != v[1]}
            if wrong:
                raise BenchError(f"the import did not bring in what was generated: {wrong}")
        r["targets"] = {k: f"{op} {value}" for k, (op, value) in TARGETS.items()}
        r["targets_met"] = {
            k: (r[k] < value if op == "<" else r[k] == value) for k, (op, value) in TARGETS.items()
        }
        r["own_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        return r


def report(r: dict[str, Any]) -> None:
    say("")
    rows = r["rows"]
    say(
        f"WordPress import on {r['database']}: {rows['articles']} articles "
        f"({rows['live']} live, {rows['articles_with_lead_photo']} with a lead photo), "
        f"{rows['photos']} photos, {rows['comments']} comments ({rows['replies']} replies), "
        f"{rows['redirects']} redirects, {rows['authors']} authors, {rows['sections']} sections"
    )
    first, second = r["first"], r["second"]
    say(
        f"first run: {first['seconds']} s ({r['posts_per_s']} posts/s), {first['cpu_s']} s CPU "
        f"of the import process, peak RSS {first['peak_rss_mb']} MB; "
        f"created {first['created']}, skipped {first['skipped']}, "
        f"missing images {first['missing_images']}"
    )
    say(
        f"second run: {second['seconds']} s, {second['cpu_s']} s CPU, peak RSS "
        f"{second['peak_rss_mb']} MB; created {second['created']}, updated {second['updated']}, "
        f"unchanged {second['unchanged']}; "
        f"rows changed: {r['rows_changed_by_second_run'] or 'none'}"
    )
    say(f"load average {r['load_before']} before, {r['load_after']} after ({r['cpus']} CPUs)")
    for key, met in r["targets_met"].items():
        say(f"target {key} {r['targets'][key]}: {r[key]} -> {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts to generate")
    parser.add_argument("--images", type=int, help="images to generate (default: posts / 5)")
    parser.add_argument("--comments", type=int, help="comments to generate (default: posts x 3)")
    parser.add_argument("--seed", type=int, default=23, help="the generator's seed")
    parser.add_argument("--export", metavar="FILE", help="import this WXR instead of generating")
    parser.add_argument("--media", metavar="DIR", help="with --export: its uploads folder")
    parser.add_argument("--map", metavar="FILE", help="with --export: the mapping (TOML)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="postgres://postgres@127.0.0.1:5432",
        metavar="URL",
        help="run on PostgreSQL: a throwaway database bench_import_<pid> on this server "
        "(default postgres://postgres@127.0.0.1:5432), dropped at the end",
    )
    pages.add_run_arguments(parser, time_limit=1800, serves=False)
    args = parser.parse_args()
    if (args.media or args.map) and not args.export:
        parser.error("--media and --map go with --export")
    if args.postgres and not args.postgres.startswith(("postgres://", "postgresql://")):
        parser.error("--postgres takes a postgres:// URL")
    if args.postgres and urllib.parse.urlsplit(args.postgres).hostname not in (HOST, "localhost"):
        parser.error("--postgres must be on 127.0.0.1")
    if not os.access(pages.DATELINE, os.X_OK):
        say(f"bench/import needs {pages.DATELINE}")
        return 2
    return pages.run_bench(
        "bench/import", ImportRun(args), args, report, logs=("migrate", "import-1", "import-2")
    )


if __name__ == "__main__":
    sys.exit(main())
