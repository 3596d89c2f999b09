"""The mail of an alert and of a written issue: the Nu Html Checker and caniemail.

Beside test_html_validity's and test_caniemail's digest: the same checks over the
other kinds' templates, and over a digest and an alert carrying a live blog.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wagtail.rich_text import RichText

from dateline.digests import issuemail
from dateline.digests.models import DigestIssue
from dateline.newsletter.models import Newsletter
from tests.conformance.test_caniemail import run_caniemail, unexpected
from tests.conformance.validators import run_vnu
from tests.digests.helpers import make_issue
from tests.digests.test_issue_kinds import make_alert, make_written
from tests.factories import make_article, make_photo
from tests.live.helpers import make_live_blog

pytestmark = pytest.mark.django_db


def mails(world) -> dict[str, str]:
    """Each kind's HTML part (with its placeholders) and its browser page."""
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
    blog = make_live_blog(world, "Storm Odile: live", lead_image=make_photo(credit="Ida Sen"))
    bare_blog = make_live_blog(world, "Count night: live")  # no photo, no credit
    live_digest = make_issue([blog, article, bare_blog])
    live_alert = make_alert(blog)
    pages: dict[str, str] = {}
    issue: DigestIssue
    for name, issue in (
        ("alert", alert),
        ("written", written),
        ("live-digest", live_digest),
        ("live-alert", live_alert),
    ):
        group = issuemail.preview_group(issue)
        assert group is not None
        pages[f"{name}-mail"] = group.html
        pages[f"{name}-in-browser"] = issuemail.browser_html(issue)
    for name in ("live-digest-mail", "live-alert-in-browser"):
        assert "Follow it live" in pages[name] and "Storm Odile: live" in pages[name]
    return pages


def test_alert_and_written_issue_html_pass_the_nu_html_checker(world, tmp_path: Path) -> None:
    files = []
    for name, html in mails(world).items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html)
    errors = run_vnu(files)
    report = "\n".join(
        f"{Path(e['url']).name}:{e.get('lastLine')}: {e['message']}\n    {e.get('extract', '')!r}"
        for e in errors
    )
    assert not errors, f"{len(errors)} errors from the Nu Html Checker:\n{report}"


def test_alert_and_written_issue_use_only_what_the_major_clients_support(
    world, tmp_path: Path
) -> None:
    files = {}
    for name, html in mails(world).items():
        if name.endswith("-mail"):
            files[name] = tmp_path / f"{name}.html"
            files[name].write_text(html)
    report = run_caniemail(list(files.values()))
    found = {name: unexpected(report[str(path)]["errors"]) for name, path in files.items()}
    assert found == {name: [] for name in files}
