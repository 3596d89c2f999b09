"""Counted links in digests: signed, counted in memory in aggregate, never about the reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from wsgiref.util import setup_testing_defaults

import pytest
from django.core import signing
from django.db import DatabaseError

from dateline.digests import clicks, render
from dateline.digests.models import Delivery, LinkClicks
from dateline.lib.tally import BatchedTally
from tests.digests.helpers import make_issue, reader
from tests.factories import make_article
from tests.newsletter.helpers import editor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tally(settings):
    # Only the test's own flush writes: not the tally's thread, on its own connection.
    settings.CLICK_FLUSH_SECONDS = 3600
    clicks.TALLY.forget()
    yield
    clicks.TALLY.forget()


def sign(value, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object(value, compress=True)


def path_of(url: str, settings) -> str:
    return url.removeprefix(settings.BASE_URL)


def mailed(article, settings) -> str:
    """The story's address as the mail has it without counting."""
    return f"{settings.BASE_URL}{article.url}"


def test_story_links_are_counted_by_default_and_plain_when_turned_off(world, settings):
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    [story] = render.issue_stories(issue)
    assert "/digests/c/" in story.url
    assert clicks.read_token(story.url.split("/digests/c/")[1].rstrip("/")) == clicks.Click(
        issue.pk, article.pk, mailed(article, settings)
    )
    settings.NEWSLETTER_CLICK_TRACKING = False
    [story] = render.issue_stories(issue)
    assert story.url == mailed(article, settings)


def test_a_click_leads_to_the_story_and_is_counted_once_flushed(client, world, settings):
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    url = path_of(render.issue_stories(issue)[0].url, settings)
    response = client.get(url)
    assert response.status_code == 303
    assert response["Location"] == mailed(article, settings)
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response
    client.get(url)
    client.head(url)  # link checkers and scanners: not counted
    assert not LinkClicks.objects.exists()  # no write per click
    assert clicks.TALLY.flush() == 2
    row = LinkClicks.objects.get()
    assert (row.issue_id, row.url, row.story_id, row.clicks) == (
        issue.pk,
        mailed(article, settings),
        article.pk,
        2,
    )
    client.get(url)
    clicks.TALLY.flush()
    row.refresh_from_db()
    assert row.clicks == 3


def test_the_wsgi_layer_answers_a_good_link_without_django(world, settings):
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    passed_on = []

    def django_app(environ, start_response):
        passed_on.append(environ["PATH_INFO"])
        start_response("404 Not Found", [])
        return [b""]

    app = clicks.ClickRedirectApp(django_app)
    good = path_of(render.issue_stories(issue)[0].url, settings)

    def call(path, method="GET"):
        environ = {"PATH_INFO": path, "REQUEST_METHOD": method}
        setup_testing_defaults(environ)
        answer = {}
        app(environ, lambda status, headers: answer.update(status=status, headers=dict(headers)))
        return answer

    answer = call(good)
    assert answer["status"] == "303 See Other"
    assert answer["headers"]["Location"] == mailed(article, settings)
    assert answer["headers"]["Cache-Control"] == "no-store"
    assert passed_on == []
    assert call(good, "POST")["status"].startswith("404")  # Django's to refuse
    assert call(good[:-4] + "xx/")["status"].startswith("404")
    assert passed_on == [good, good[:-4] + "xx/"]
    assert sum(clicks.TALLY.pending().values()) == 1


@pytest.mark.parametrize("forgery", ["signature", "other target", "other salt", "bad scheme"])
def test_a_forged_link_is_refused_and_counts_nothing(client, world, settings, forgery):
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    good = path_of(render.issue_stories(issue)[0].url, settings)
    payload = [issue.pk, article.pk, mailed(article, settings)]
    if forgery == "signature":
        url = good[:-4] + "xx/"
    elif forgery == "other target":
        # Our payload with another target, under the good link's signature.
        token = good.split("/c/")[1].rstrip("/")
        forged = sign([issue.pk, article.pk, "https://evil.example/"], clicks.SALT)
        url = f"/digests/c/{forged.rsplit(':', 1)[0]}:{token.rsplit(':', 1)[1]}/"
    elif forgery == "other salt":
        url = f"/digests/c/{sign(payload, render.VIEW_SALT)}/"
    else:
        # Even signed with our key and salt, only http(s) targets are followed.
        bad = sign([issue.pk, None, "javascript:alert(1)"], clicks.SALT)
        assert signing.Signer(salt=clicks.SALT).unsign_object(bad)  # a good signature
        url = f"/digests/c/{bad}/"
    response = client.get(url)
    assert response.status_code == 404
    assert "Location" not in response
    assert clicks.TALLY.pending() == {}


def test_only_http_links_become_counted_links(world):
    issue = make_issue([make_article(world, "Dam agreement signed")])
    # The same link whenever it is made: nothing in it tells one rendering from another.
    assert clicks.click_url(issue.pk, "https://example.org/a/") == clicks.click_url(
        issue.pk, "https://example.org/a/"
    )
    assert clicks.click_url(issue.pk, "javascript:alert(1)") == "javascript:alert(1)"
    assert clicks.click_url(issue.pk, "mailto:desk@example.org") == "mailto:desk@example.org"
    # A Location header is ASCII: an address with other letters goes percent-encoded.
    token = clicks.click_url(issue.pk, "https://example.org/café/").split("/c/")[1][:-1]
    assert clicks.read_token(token).url == "https://example.org/caf%C3%A9/"
    long = "https://example.org/" + "a" * 2100
    assert clicks.click_url(issue.pk, long) == long


def test_nothing_about_the_reader_is_kept(client, world, settings):
    """Every reader gets the same links, and a click leaves only a count per link."""
    issue = make_issue([make_article(world, "Dam agreement signed")])
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    bodies = []
    for address in ("ana@example.org", "bo@example.org"):
        subscriber = reader(address)
        delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=address)
        bodies.append(group.message_for(delivery, subscriber))
    links = [{line for line in body.split(b"\r\n") if b"/digests/c/" in line} for body in bodies]
    assert links[0] and links[0] == links[1]
    # The reader's own links (preferences, unsubscribe, List-Unsubscribe) are never counted.
    for body in bodies:
        for line in body.split(b"\r\n"):
            if b"unsubscribe" in line.lower() or b"/newsletter/" in line:
                assert b"/digests/c/" not in line
    client.get(path_of(render.issue_stories(issue)[0].url, settings))
    clicks.TALLY.flush()
    assert {f.name for f in LinkClicks._meta.get_fields()} == {
        "id",
        "issue",
        "url",
        "story",
        "clicks",
    }
    assert not Delivery.objects.exclude(state=Delivery.State.QUEUED).exists()


def test_a_failed_flush_keeps_the_counts_and_memory_stays_bounded():
    written: list[dict[str, int]] = []
    down = True

    def write(batch):
        if down:
            raise DatabaseError("unable to open database file")
        written.append(batch)
        return sum(batch.values())

    tally: BatchedTally[str] = BatchedTally("test", write, every=lambda: 3600, max_keys=lambda: 2)
    assert tally.record("a") and tally.record("a") and tally.record("b")
    assert not tally.record("c")  # a third link waits for no memory
    assert tally.refused == 1
    assert tally.flush() == 0
    assert tally.record("a")  # counted while the database is away
    assert tally.pending() == {"a": 3, "b": 1}
    down = False
    assert tally.flush() == 4
    assert written == [{"a": 3, "b": 1}] and tally.pending() == {}


def test_the_tally_flushes_itself_on_its_clock():
    done = threading.Event()
    written = []

    def write(batch):
        written.append(batch)
        done.set()
        return sum(batch.values())

    tally: BatchedTally[str] = BatchedTally("test", write, every=lambda: 0.05, max_keys=lambda: 9)
    tally.record("a")
    assert done.wait(5)
    assert written == [{"a": 1}]


def test_clicks_on_a_deleted_issue_are_dropped_at_flush(client, world, settings):
    issue = make_issue([make_article(world, "Dam agreement signed")])
    client.get(path_of(render.issue_stories(issue)[0].url, settings))
    issue.delete()
    assert clicks.TALLY.flush() == 0
    assert clicks.TALLY.pending() == {}
    assert not LinkClicks.objects.exists()


def test_the_issue_page_shows_clicks_per_story_and_link(client, world, settings):
    dam = make_article(world, "Dam agreement signed")
    issue = make_issue([dam, make_article(world, "Glacier survey published")])
    url = path_of(render.issue_stories(issue)[0].url, settings)
    for _ in range(3):
        client.get(url)
    clicks.TALLY.flush()
    page = editor(client, "view_digestissue").get(f"/admin/newsletter/digests/{issue.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clicks per link" in html
    assert "3 clicks by all readers together" in html
    assert f'href="{mailed(dam, settings)}"' in html


def test_the_redirect_answers_when_the_database_is_unreachable(tmp_path):
    """A process whose database cannot be opened still sends the reader to the story."""
    # A directory that cannot exist (its parent is a file): no permission bits, as root runs.
    locked = tmp_path / "not-a-directory"
    locked.write_text("")
    script = """
import json
import os
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

import dateline.wsgi
from dateline.digests import clicks

url = clicks.click_url(7, "https://example.org/news/dam/", 3)
environ = {"PATH_INFO": urlsplit(url).path, "REQUEST_METHOD": "GET"}
setup_testing_defaults(environ)
got = {}
for _ in range(5):
    dateline.wsgi.application(environ, lambda s, h: got.update(status=s, headers=dict(h)))
flushed = clicks.TALLY.flush()
pending = sum(clicks.TALLY.pending().values())
print(json.dumps({"status": got["status"], "location": got["headers"]["Location"],
                  "flushed": flushed, "pending": pending}))
"""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{locked}/dateline.sqlite3",
        "PYTHONPATH": os.getcwd(),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "status": "303 See Other",
        "location": "https://example.org/news/dam/",
        "flushed": 0,  # the database is unreachable: nothing written...
        "pending": 5,  # ...and nothing lost
    }
