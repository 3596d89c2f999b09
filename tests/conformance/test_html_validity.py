"""Every kind of page Dateline serves, and the digest's HTML part, pass the Nu Html Checker.

The checker is vnu.jar from the npm package ``vnu-jar`` (package.json; ``make test``
runs ``npm ci``), run on Debian's Java. It starts slowly, so the pages are rendered
through the test client first and checked in one run.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory

from tests.conformance.helpers import Site
from tests.conformance.validators import run_vnu
from tests.newsletter.helpers import form_data, link_in, path_of

pytestmark = pytest.mark.django_db


def newsletter_pages(client: Client, mail_server: Any) -> dict[str, str]:
    """Signup, confirm (the button and the result), manage and unsubscribe, as met by a reader."""
    pages = {"signup": client.get("/newsletter/").content.decode()}
    no_newsletter = form_data("reader@example.org", newsletters=[])
    pages["signup-error"] = client.post("/newsletter/", no_newsletter).content.decode()
    response = client.post("/newsletter/", form_data("reader@example.org"), follow=True)
    pages["check-your-inbox"] = response.content.decode()
    (mail,) = mail_server.to("reader@example.org")
    confirm = path_of(link_in(mail_server.text(mail)))
    pages["confirm"] = client.get(confirm).content.decode()
    pages["confirmed"] = client.post(confirm).content.decode()
    from dateline.newsletter import tokens
    from dateline.newsletter.models import Newsletter, Subscriber

    digest_id = Newsletter.digest().pk

    token = tokens.manage_token(Subscriber.objects.get(email="reader@example.org"))
    manage = f"/newsletter/manage/{token}/"
    pages["manage"] = client.get(manage).content.decode()
    saved = {"newsletters": [digest_id], "cadence": "weekly", "sections": [], "new_email": ""}
    pages["manage-saved"] = client.post(manage, saved).content.decode()
    unsubscribe = f"/newsletter/unsubscribe/{token}/"
    pages["unsubscribe-one"] = client.get(f"{unsubscribe}digest/42/").content.decode()
    pages["unsubscribe"] = client.get(unsubscribe).content.decode()
    pages["unsubscribed"] = client.post(unsubscribe).content.decode()
    pages["manage-after-leaving"] = client.get(manage).content.decode()
    return pages


def digest_pages(site: Site) -> dict[str, str]:
    """The digest's HTML part as a reader gets it, and its "view in your browser" page."""
    from dateline.digests import render
    from dateline.digests.models import Delivery
    from tests.digests.helpers import INTRO, make_issue, reader

    issue = make_issue([site.article])
    # With an editor's introduction: bold, italic and a link, as the editor writes them.
    issue.intro = INTRO
    issue.save()
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    subscriber = reader("digest@example.org")
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    message = email.message_from_bytes(
        group.message_for(delivery, subscriber), policy=email.policy.default
    )
    return {
        "digest-mail": message.get_body(preferencelist=("html",)).get_content(),
        "digest-in-browser": render.render_browser_html(issue),
    }


def error_pages() -> dict[str, str]:
    """The 500 page, and the 503 that stands in for it when the database is away."""
    from dateline.ops.unavailable import server_error, unavailable_response

    request = RequestFactory().get("/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        crashed = server_error(request).content.decode()
    return {
        "server-error": crashed,
        "database-away": unavailable_response(request, "down").content.decode(),
    }


def test_every_page_passes_the_nu_html_checker(
    client: Client, site: Site, mail_server: Any, tmp_path: Path
) -> None:
    pages: dict[str, str] = {}
    for name, url, status in [
        ("home", "/", 200),
        ("section", site.section.url, 200),
        ("article-with-comments", site.article.url, 200),
        ("reply", f"/comments/{site.comments[0].pk}/reply/", 200),
        ("search", "/search/?q=ferry", 200),
        ("author", site.author.get_absolute_url(), 200),
        ("tag", "/tags/shipping/", 200),
        ("not-found", "/no/such/story/", 404),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        pages[name] = response.content.decode()
    assert "Tomas Brenn" in pages["article-with-comments"]
    assert "Ferry talks resume" in pages["search"]
    pages.update(newsletter_pages(client, mail_server))
    pages.update(error_pages())
    pages.update(digest_pages(site))
    # The confirmation and welcome mails the newsletter pages sent.
    for i, message in enumerate(mail_server.messages):
        pages[f"mail-{i}"] = mail_server.html(message)

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
