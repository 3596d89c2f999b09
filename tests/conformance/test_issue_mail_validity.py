"""The mail of an alert and of a written issue, and their browser pages, pass the Nu Html Checker.

Beside test_html_validity's digest: the same checker over the other kinds' templates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wagtail.rich_text import RichText

from dateline.digests import issuemail
from dateline.digests.models import DigestIssue
from dateline.newsletter.models import Newsletter
from tests.conformance.validators import run_vnu
from tests.digests.test_issue_kinds import make_alert, make_written
from tests.factories import make_article, make_photo

pytestmark = pytest.mark.django_db


def test_alert_and_written_issue_html_pass_the_nu_html_checker(world, tmp_path: Path) -> None:
    article = make_article(world, "Dam agreement signed", standfirst="Signed & sealed.", photo=True)
    alert = make_alert(article)
    body = [
        (
            "paragraph",
            RichText('<p>Tides <b>rose</b>: <a href="https://example.org/t">see</a>.</p>'),
        ),
        ("subhead", "On the water"),
        ("story", {"story": article, "note": "Our pick"}),
        ("photo", {"image": make_photo(credit="Photo by Ida Sen"), "caption": "The pier"}),
        ("button", {"text": "Timetable", "url": "https://example.org/timetable"}),
    ]
    written = make_written(Newsletter.digest(), body)
    pages: dict[str, str] = {}
    issue: DigestIssue
    for name, issue in (("alert", alert), ("written", written)):
        group = issuemail.preview_group(issue)
        assert group is not None
        pages[f"{name}-mail"] = group.html
        pages[f"{name}-in-browser"] = issuemail.browser_html(issue)
    files = []
    for name, html in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html)
    errors = run_vnu(files)
    report = "\n".join(
        f"{Path(e['url']).name}:{e.get('lastLine')}: {e['message']}\n    {e.get('extract', '')!r}"
        for e in errors
    )
    assert not errors, f"{len(errors)} errors from the Nu Html Checker:\n{report}"
