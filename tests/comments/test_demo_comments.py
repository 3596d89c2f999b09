"""dateline/comments/demo.py: the demo's readers' comments."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from dateline.comments.demo import THREADS, add_comments
from dateline.comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db

HALVIK = "Halvik residents told to boil water after floods swamp treatment plant"


def test_a_reader_finds_a_thread_with_replies_and_a_list(client, world):
    article = make_article(world, HALVIK)
    assert add_comments() == 5
    doc = lxml_html.fromstring(client.get(article.url).content)

    assert doc.xpath("string(//a[@href='#comments'])").strip().endswith("(5 comments)")
    threads = doc.xpath("//ol[@class='comment-list']/li")
    assert len(threads) == 2
    first_replies = threads[0].xpath("./ol[@class='comment-replies']/li")
    assert len(first_replies) == 2
    # A reply to a reply, one level further in.
    assert len(first_replies[0].xpath("./ol[@class='comment-replies']/li")) == 1
    items = threads[1].xpath(".//div[contains(@class, 'comment-body')]//ul/li")
    assert [li.text_content() for li in items] == [
        "what this week has cost the city",
        "what the upgrade would have cost",
        "when the plant was last inspected",
    ]


def test_stories_the_demo_did_not_write_get_no_comments(world):
    make_article(world, "Wheat harvest beats forecasts")
    assert add_comments() == 0
    assert not Comment.objects.exists()


def test_every_thread_belongs_to_a_demo_story():
    from dateline.newsroom.demo.stories import EVENTS

    assert set(THREADS) <= {event.headline for event in EVENTS}


def test_demo_commenters_publish_at_once_next_time(client, world):
    from tests.comments.helpers import form

    article = make_article(world, HALVIK)
    add_comments()
    answer = client.post(
        "/comments/post/",
        form(article, name="Greta Sollen", email="greta.sollen@example.org"),
        HTTP_ACCEPT="application/json",
    ).json()
    assert answer["status"] == "approved"
