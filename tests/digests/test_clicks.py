"""Counted links in digests: opt-in, per story, signed, and nothing about the reader."""

from __future__ import annotations

import pytest

from dateline.digests import render
from dateline.digests.models import Delivery, DigestStory
from tests.digests.helpers import make_issue, reader
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_links_are_plain_unless_click_counting_is_on(world, settings):
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    [story] = render.issue_stories(issue)
    assert story.url.endswith(article.url)
    settings.DIGEST_CLICK_TRACKING = True
    [story] = render.issue_stories(issue)
    assert "/digests/c/" in story.url


def test_a_click_is_counted_and_leads_to_the_story(client, world, settings):
    settings.DIGEST_CLICK_TRACKING = True
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    entry = DigestStory.objects.get(issue=issue)
    url = render.issue_stories(issue)[0].url.removeprefix(settings.BASE_URL)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == article.full_url
    assert response["Referrer-Policy"] == "no-referrer"
    client.get(url)
    client.head(url)  # link checkers and scanners: not counted
    entry.refresh_from_db()
    assert entry.clicks == 2


def test_every_reader_gets_the_same_link(world, settings):
    settings.DIGEST_CLICK_TRACKING = True
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


@pytest.mark.parametrize("forgery", ["signature", "other story"])
def test_a_forged_link_is_refused_and_counts_nothing(client, world, settings, forgery):
    settings.DIGEST_CLICK_TRACKING = True
    issue = make_issue([make_article(world, "Dam agreement signed")])
    entry = DigestStory.objects.get(issue=issue)
    url = render.issue_stories(issue)[0].url.removeprefix(settings.BASE_URL)
    if forgery == "signature":
        url = url[:-3] + "xx/"
    else:
        url = url.replace(f"/c/{entry.pk}/", f"/c/{entry.pk + 1}/")
    assert client.get(url).status_code == 404
    entry.refresh_from_db()
    assert entry.clicks == 0
