#!/usr/bin/env python3
"""bench/lighthouse: Lighthouse's four scores, LCP, CLS and bytes for the reader pages.

Starts the site as in production in a throwaway folder, as bench/pages does
(DATELINE_ENV=production, a random SECRET_KEY, SQLite and the SQLite cache, `dateline
demo` content, `dateline serve`), then runs Lighthouse (npm `lighthouse`, pinned in
package-lock.json; `make test` or `npm ci` installs it) with Debian's Chromium
(CHROME_PATH=/usr/bin/chromium), the default mobile preset (a mid-range phone on a slow
4G line, simulated), against each page in turn:

  home        /
  section     the first section front in the navigation
  article     the newest demo article (the front page's lead story)
  search      /search/?q=<a word from that article's headline>
  newsletter  /newsletter/

Each page is loaded once before it is measured, so the figures are the page cache's, as
readers get them. Prints a table, then as its last line one JSON object with every
figure. Targets: each of the four scores >= 95 on every page, CLS 0, and the article under
100 KB transferred excluding images. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pages
from pages import HOST, BenchError, http_get, say, tail

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE = pages.ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Chromium stays on 127.0.0.1: without these flags it calls Google's services at start-up.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
MIN_SCORE = 95
ARTICLE_MAX_BYTES = 100 * 1024

# Run inside `dateline shell`: the paths of the section front and the article measured.
PICK_PAGES = """
import json
from dateline.newsroom.models import ArticlePage, SectionPage
article = ArticlePage.objects.live().public().order_by("-published_at", "-pk").first()
section = SectionPage.objects.live().public().order_by("path").first()
word = max(article.title.split(), key=len).strip(",.:;'\\"")
print("PICK_JSON " + json.dumps({
    "article": article.url, "section": section.url, "word": word.lower(),
}))
"""


# Scrolls down the page a screen at a time, then back up, and waits for every photo.
LOAD_LAZY_IMAGES = """async () => {
    for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
        scrollTo(0, y);
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
    scrollTo(0, 0);
}"""


class LighthouseRun(pages.Run):
    """The site as bench/pages runs it; the process helpers are pages.Run's."""

    def __init__(self, args: argparse.Namespace) -> None:
        # What pages.Run's helpers (_env, command, start, stop_all, wait_for) use.
        self._workspace(args, "lighthouse")
        self.reports = Path(args.reports).resolve() if args.reports else self.tmp / "reports"
        self.reports.mkdir(parents=True, exist_ok=True)
        self.env = self._env()
        self.env["LOG_LEVEL"] = "WARNING"

    def setup_site(self) -> dict[str, str]:
        say(f"# temporary folder {self.tmp}")
        seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 150)
        say(f"# migrate: {seconds:.1f} s")
        collect = self.start("collectstatic", [*self.dateline, "collectstatic", "--no-input"])
        # Production refuses the demo (its login is published): load it as development.
        seconds = self.command(
            "demo", [*self.dateline, "demo"], 150, env={"DATELINE_ENV": "development"}
        )
        say(f"# demo content: {seconds:.1f} s")
        # The search index is kept by tasks that `dateline worker` runs; no worker runs
        # here, so the index is built once, as `make run`'s worker would have.
        seconds = self.command("update_index", [*self.dateline, "update_index"], 150)
        say(f"# search index: {seconds:.1f} s")
        if collect.wait(timeout=90) != 0:
            raise BenchError(f"collectstatic failed:\n{tail(self.logs / 'collectstatic.log')}")
        done = subprocess.run(
            [*self.dateline, "shell", "-c", PICK_PAGES],
            env=self.env,
            cwd=self.source,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith("PICK_JSON ")), "")
        if not line:
            raise BenchError(f"picking the pages failed:\n{done.stdout}\n{done.stderr[-3000:]}")
        picked = json.loads(line.removeprefix("PICK_JSON "))
        argv = [*self.dateline, "serve", "--host", HOST, "--port", str(self.app_port)]
        argv += ["--workers", str(self.args.workers), "--no-collectstatic"]
        server = self.start("server", argv)
        started = time.monotonic()
        self.wait_for(self.app_port, "/", server, "server")
        say(f"# dateline serve answering after {time.monotonic() - started:.1f} s")
        return {
            "home": "/",
            "section": picked["section"],
            "article": picked["article"],
            "search": f"/search/?q={picked['word']}",
            "newsletter": "/newsletter/",
        }

    def lighthouse(self, name: str, path: str) -> dict[str, Any]:
        """Lighthouse --runs times on one page; the run with the median Performance score.

        Performance moves by several points between runs on a shared machine (Total
        Blocking Time multiplies whatever else the CPU is doing by the 4x slowdown);
        Lighthouse's own advice for that is several runs and the median one.
        """
        # The page cache's copy is what readers get: fill it first.
        status, _, _ = http_get(self.app_port, path)
        if status != 200:
            raise BenchError(f"{path} answered {status}")
        runs = [self.lighthouse_once(f"{name}-{n}", path) for n in range(1, self.args.runs + 1)]
        ordered = sorted(runs, key=lambda r: r["scores"]["performance"])
        median = ordered[(len(ordered) - 1) // 2]
        return {
            **median,
            "performance_runs": [r["scores"]["performance"] for r in runs],
            "tbt_runs_ms": [r["tbt_ms"] for r in runs],
        }

    def lighthouse_once(self, name: str, path: str) -> dict[str, Any]:
        output = self.reports / f"{name}.json"
        argv = [
            str(LIGHTHOUSE),
            f"http://{HOST}:{self.app_port}{path}",
            "--output=json",
            f"--output-path={output}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join(CHROME_FLAGS)}",
            "--quiet",
        ]
        log = self.logs / f"lighthouse-{name}.log"
        # On a busy machine Lighthouse now and then loses the trace (NO_NAVSTART, NO_FCP);
        # the page is the same on a second try, so a failed run is repeated once.
        for attempt in range(1, self.args.tries + 1):
            output.unlink(missing_ok=True)
            with log.open("wb") as out:
                done = subprocess.run(
                    argv,
                    env={**os.environ, "CHROME_PATH": CHROMIUM},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=self.args.page_timeout,
                    check=False,
                )
            if done.returncode == 0 and output.exists():
                return {**summarise(json.loads(output.read_text())), "attempts": attempt}
            say(f"# lighthouse on {path}, try {attempt}, failed: {tail(log, 1)}")
        raise BenchError(f"lighthouse on {path} failed ({done.returncode}):\n{tail(log)}")

    def measure(self) -> dict[str, Any]:
        load_before = os.getloadavg()[0]
        paths = self.setup_site()
        results: dict[str, Any] = {}
        for name, path in paths.items():
            if self.args.only and name not in self.args.only:
                continue
            started = time.monotonic()
            results[name] = {"path": path, **self.lighthouse(name, path)}
            say(f"# {name} {path}: {time.monotonic() - started:.1f} s")
        r: dict[str, Any] = {
            "lighthouse": lighthouse_version(),
            "chromium": CHROMIUM,
            "preset": "mobile (Lighthouse's default: simulated slow 4G, 4x CPU slowdown)",
            "runs_per_page": self.args.runs,
            "pages": results,
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
            "reports": str(self.reports) if self.args.reports else None,
        }
        r["targets_met"] = targets_met(results)
        if self.args.screenshots:
            r["screenshots"] = self.screenshots(paths, Path(self.args.screenshots))
        return r

    def screenshots(self, paths: dict[str, str], folder: Path) -> int:
        """Each page at phone and desktop widths in both themes: <page>-<width>-<theme>.png."""
        from playwright.sync_api import sync_playwright

        folder.mkdir(parents=True, exist_ok=True)
        widths = {
            "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
            "desktop": {"viewport": {"width": 1280, "height": 800}},
        }
        taken = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROME_FLAGS[1:], headless=True
            )
            for theme in ("light", "dark"):
                for width, options in widths.items():
                    context = browser.new_context(color_scheme=theme, **options)
                    page = context.new_page()
                    for name, path in paths.items():
                        page.goto(f"http://{HOST}:{self.app_port}{path}", wait_until="load")
                        # Lazy photos load only near the viewport: pass them all first.
                        page.evaluate(LOAD_LAZY_IMAGES)
                        page.screenshot(path=folder / f"{name}-{width}-{theme}.png", full_page=True)
                        taken += 1
                    context.close()
            browser.close()
        say(f"# {taken} screenshots in {folder}")
        return taken

    def cleanup(self) -> None:
        self.stop_all()
        if self.args.keep:
            say(f"# kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def summarise(lhr: dict[str, Any]) -> dict[str, Any]:
    """The figures this bench reports, from one Lighthouse result (LHR)."""
    audits = lhr["audits"]
    scores = {c: round(100 * (lhr["categories"][c]["score"] or 0)) for c in CATEGORIES}
    by_type = {
        item["resourceType"]: item["transferSize"]
        for item in audits["resource-summary"]["details"]["items"]
    }
    total = round(audits["total-byte-weight"]["numericValue"])
    # Audits that cost points, so a missed score says why.
    failed = sorted(
        {
            audit_id
            for category in CATEGORIES
            for ref in lhr["categories"][category]["auditRefs"]
            if ref["weight"] > 0
            and (audit_id := ref["id"]) in audits
            and audits[audit_id]["score"] is not None
            and audits[audit_id]["score"] < 0.9
        }
    )
    return {
        "scores": scores,
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
        "total_bytes": total,
        "image_bytes": by_type.get("image", 0),
        "bytes_without_images": total - by_type.get("image", 0),
        "requests": len(audits["network-requests"]["details"]["items"]),
        "failed_audits": failed,
        # Lighthouse's measure of this machine's speed (a fast desktop is over 1,500).
        "benchmark_index": round(lhr["environment"]["benchmarkIndex"]),
        "warnings": lhr.get("runWarnings", []),
    }


def targets_met(results: dict[str, Any]) -> dict[str, bool]:
    met = {}
    for name, r in results.items():
        met[f"{name}_scores_>=_{MIN_SCORE}"] = min(r["scores"].values()) >= MIN_SCORE
        met[f"{name}_cls_0"] = r["cls"] == 0
    if "article" in results:
        met["article_<_100KB_without_images"] = (
            results["article"]["bytes_without_images"] < ARTICLE_MAX_BYTES
        )
    return met


def lighthouse_version() -> str:
    package = pages.ROOT / "node_modules" / "lighthouse" / "package.json"
    return str(json.loads(package.read_text())["version"])


def report(r: dict[str, Any]) -> None:
    say("")
    say(f"Lighthouse {r['lighthouse']}, {r['preset']}, {r['chromium']}")
    say(f"each page: the median of {r['runs_per_page']} runs by Performance score")
    say(
        f"{'page':<12}{'perf':>6}{'a11y':>6}{'best':>6}{'seo':>6}{'LCP ms':>9}{'CLS':>8}"
        f"{'bytes':>10}{'no images':>11}  path"
    )
    for name, p in r["pages"].items():
        s = p["scores"]
        say(
            f"{name:<12}{s['performance']:>6}{s['accessibility']:>6}{s['best-practices']:>6}"
            f"{s['seo']:>6}{p['lcp_ms']:>9,}{p['cls']:>8.3f}{p['total_bytes']:>10,}"
            f"{p['bytes_without_images']:>11,}  {p['path']}"
        )
        runs = ", ".join(str(x) for x in p["performance_runs"])
        say(
            f"{'':<12}performance in {len(p['performance_runs'])} runs: {runs}; TBT ms: "
            f"{', '.join(str(x) for x in p['tbt_runs_ms'])}"
        )
        if p["failed_audits"]:
            say(f"{'':<12}audits below 0.9: {', '.join(p['failed_audits'])}")
        for warning in p["warnings"]:
            say(
                f"{'':<12}warning: {warning.split('. ')[0]} (benchmarkIndex {p['benchmark_index']})"
            )
    say(f"load average {r['load_before']} before, {r['load_after']} after")
    for key, met in r["targets_met"].items():
        say(f"target {key}: {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/lighthouse", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=["home", "section", "article", "search", "newsletter"],
        help="measure only this page (repeatable)",
    )
    parser.add_argument("--reports", help="keep Lighthouse's JSON reports in this folder")
    parser.add_argument(
        "--screenshots", help="afterwards, photograph each page (2 widths, 2 themes) into here"
    )
    parser.add_argument("--page-timeout", type=float, default=120, help="seconds per page")
    parser.add_argument("--runs", type=int, default=5, help="runs per page; the median counts")
    parser.add_argument("--tries", type=int, default=2, help="attempts at each run at most")
    pages.add_run_arguments(parser, time_limit=1500)
    args = parser.parse_args()
    for tool, hint in (
        (str(pages.DATELINE), "make test or make run creates it"),
        (str(LIGHTHOUSE), "npm ci installs it"),
        (CHROMIUM, "apt-get install chromium"),
    ):
        if not os.access(tool, os.X_OK):
            say(f"bench/lighthouse needs {tool} ({hint})")
            return 2
    return pages.run_bench("bench/lighthouse", LighthouseRun(args), args, report)


if __name__ == "__main__":
    sys.exit(main())
