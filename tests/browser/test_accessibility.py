"""axe-core checks every reader page in both themes, and each is photographed at two widths.

axe-core comes from the npm registry (package.json; `make test` runs `npm ci`). It is
added to each page from node_modules in a browser context that bypasses the page's
Content Security Policy, so a strict policy later does not stop the check. Violations of
impact serious or critical fail the test; minor and moderate ones are printed.

The screenshots go to test-artifacts/screenshots/<page>-<width>-<theme>.png; the ones in
docs/screenshots are chosen from them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Newsroom

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
SCROLL_THROUGH = """async () => {
    for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
        scrollTo(0, y);
        await new Promise(resolve => setTimeout(resolve, 30));
    }
    await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
    scrollTo(0, 0);
}"""
THEMES = ["light", "dark"]
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


def reader_pages(newsroom: Newsroom) -> dict[str, str]:
    """The pages readers see most, by the name their screenshots carry.

    The article has a comment thread with a reply (see ``with_comments``)."""
    return {
        "home": "/",
        "section": newsroom.world.url,
        "article": newsroom.top_stories[0].url,
        "search": "/search/?q=harbour",
        "newsletter": "/newsletter/",
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (or `npm ci`) to install axe-core")
    return AXE.read_text()


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now, with the selectors of the nodes at fault."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const found = await axe.run(document, {resultTypes: ["violations"]});
            return found.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )
    return list(result)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines += [f"      {n['target']}: {n['summary']}" for n in v["nodes"][:5]]
    return "\n".join(lines)


@pytest.fixture
def with_comments(newsroom: Newsroom) -> Newsroom:
    """Two approved comments on the first top story, one with a reply."""
    from tests.comments.helpers import approved

    story = newsroom.top_stories[0]
    first = approved(story, "Tomas Brenn", body="The harbour master said the same on *Monday*.")
    approved(story, "Ilse Maren", parent=first, body="> said the same\n\nAnd again today.")
    approved(story, "Pell Arden", body="Good to see the [timetable](https://example.org/t) back.")
    return newsroom


@pytest.fixture
def themed_page(new_page: Callable[..., Page]) -> Iterator[Callable[[str, str], Page]]:
    def open_page(theme: str, width: str) -> Page:
        phone = width == "phone"
        return new_page(
            color_scheme=theme,
            viewport=WIDTHS[width],
            is_mobile=phone,
            has_touch=phone,
            # axe is added as an inline script: allowed whatever policy the site sets.
            bypass_csp=True,
        )

    yield open_page


@pytest.mark.parametrize("theme", THEMES)
def test_reader_pages_have_no_serious_accessibility_violations(
    themed_page: Callable[[str, str], Page],
    with_comments: Newsroom,
    axe_source: str,
    artifacts: Path,
    theme: str,
) -> None:
    shots = artifacts / "screenshots"
    shots.mkdir(exist_ok=True)
    blocking: dict[str, list[dict[str, Any]]] = {}
    report: dict[str, Any] = {}
    for width in WIDTHS:
        page = themed_page(theme, width)
        for name, path in reader_pages(with_comments).items():
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_have_count(1)
            if name == "article":
                expect(page.locator("#comments .comment")).to_have_count(3)
            # Lazy photos load only near the viewport: pass them all, so that the
            # screenshot shows them and axe checks the page as a reader who scrolled.
            page.evaluate(SCROLL_THROUGH)
            page.screenshot(path=shots / f"{name}-{width}-{theme}.png", full_page=True)
            violations = run_axe(page, axe_source)
            report[f"{name} {width}"] = violations
            serious = [v for v in violations if v["impact"] in BLOCKING]
            if serious:
                blocking[f"{name} ({width}, {theme})"] = serious
    (artifacts / f"axe-{theme}.json").write_text(json.dumps(report, indent=1))
    minor = {k: [v["id"] for v in vs] for k, vs in report.items() if vs}
    if minor:
        print(f"axe, minor and moderate ({theme}): {minor}")
    assert not blocking, "axe found serious or critical violations:\n" + "\n".join(
        f"{where}:\n{describe(vs)}" for where, vs in blocking.items()
    )


def test_the_dark_theme_follows_the_readers_system_setting(
    themed_page: Callable[[str, str], Page], newsroom: Newsroom
) -> None:
    colours = {}
    for theme in THEMES:
        page = themed_page(theme, "desktop")
        page.goto(newsroom.top_stories[0].url)
        colours[theme] = page.evaluate(
            """() => {
                const css = el => getComputedStyle(document.querySelector(el));
                return {paper: css("body").backgroundColor, ink: css("h1").color};
            }"""
        )
    assert colours["light"] != colours["dark"]
    assert luminance(colours["light"]["paper"]) > 0.8 > 0.2 > luminance(colours["dark"]["paper"])
    assert luminance(colours["dark"]["ink"]) > 0.6 > 0.1 > luminance(colours["light"]["ink"])


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of an rgb()/rgba() colour as getComputedStyle gives it."""
    channels = [float(c) / 255 for c in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("theme", THEMES)
def test_an_issue_seen_in_the_browser_has_its_landmark(
    themed_page: Callable[[str, str], Page], newsroom: Newsroom, axe_source: str, theme: str
) -> None:
    # The "view in your browser" page is the mail's own HTML: axe once found no main
    # landmark in it (moderate), as a mail client needs none.
    from django.urls import reverse

    from dateline.digests import render
    from tests.digests.helpers import make_issue

    issue = make_issue(newsroom.top_stories[:2])
    page = themed_page(theme, "phone")
    path = reverse("digests:view", args=[issue.pk, render.view_token(issue)])
    page.goto(newsroom.live_server.url + path)
    expect(page.get_by_role("main")).to_contain_text(newsroom.top_stories[0].title)
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations)
