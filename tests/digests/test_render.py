"""Rendering once per group and splicing each reader's values into the bytes."""

from __future__ import annotations

import email
import email.policy

import pytest

from dateline.digests import render
from dateline.digests.models import Delivery
from dateline.newsletter import tokens
from dateline.newsroom.models import ArticlePage
from tests.digests.test_engine import make_issue, reader
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def test_placeholders_survive_encoding_and_values_round_trip(world):
    long_title = "Überschwemmung: " + "sehr lange Überschrift " * 8
    issue = make_issue(
        [
            make_article(world, long_title, priority=ArticlePage.Priority.TOP, photo=True),
            make_article(world, "Council approves bus lane", standfirst="x" * 300),
        ]
    )
    stories = render.issue_stories(issue)
    group = render.render_group(issue, stories, None)
    assert group is not None
    # Every placeholder of the group is whole in the pre-encoded bytes.
    placeholders = {c for i, c in enumerate(group.chunks) if i % 2}
    assert {b"@@DLTO@@", b"@@DLHMANAGE@@", b"@@DLTUNSUB@@", b"@@DLMSGID@@"} <= placeholders

    for address in ("a=b&c@example.org", "plain@example.org"):
        subscriber = reader(address)
        delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=address)
        data = group.message_for(delivery, subscriber)
        assert b"@@DL" not in data
        assert all(len(line) <= 998 for line in data.split(b"\r\n"))
        message = parse(data)
        assert message["Subject"] == " ".join(long_title.split())
        assert message["To"] == address
        assert message["Message-ID"] == render.message_id(delivery)
        html = message.get_body(preferencelist=("html",)).get_content()
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f'href="{tokens.unsubscribe_url(subscriber)}"' in html
        assert f'href="{tokens.manage_url(subscriber)}"' in html
        assert address.replace("&", "&amp;") in html
        assert tokens.unsubscribe_url(subscriber) in text and address in text
        assert "Überschwemmung" in html and "Überschwemmung" in text
        assert "x" * 300 in text


def test_preheader_and_subject_from_the_top_story(world):
    issue = make_issue(
        [
            make_article(world, "Dam agreement signed", standfirst="The valley gets water."),
            make_article(world, "Council approves bus lane"),
            make_article(world, "Ferry talks resume"),
        ]
    )
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    assert group.subject == "Dam agreement signed"
    assert "The valley gets water. And 2 more stories." in group.html
    assert 'class="preheader"' in group.html


def test_group_with_no_stories_renders_nothing(world, home):
    from tests.factories import make_section

    sport = make_section(home, "Sport")
    issue = make_issue([make_article(world)])
    stories = render.issue_stories(issue)
    assert render.render_group(issue, stories, frozenset({sport.pk})) is None
    assert render.render_group(issue, stories, None, frozenset({stories[0].article.pk})) is None


def test_dropped_stories_are_left_out(world):
    issue = make_issue([make_article(world, "Dam agreement signed"), make_article(world, "Other")])
    issue.stories.filter(position=1).update(dropped=True)
    assert [s.article.title for s in render.issue_stories(issue)] == ["Other"]
