"""Rendering once per group and splicing each reader's values into the bytes."""

from __future__ import annotations

import email
import email.policy

import pytest

from dateline.digests import render
from dateline.digests.models import Delivery
from dateline.newsletter import tokens
from dateline.newsroom.models import ArticlePage
from tests.digests.helpers import make_issue, reader
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
    # The preheader: the first text in the body, hidden (MJML's mj-preview).
    body = group.html.split("<body", 1)[1]
    preheader = body.split(">", 1)[1].split("</div>", 1)[0]
    assert preheader.startswith('<div style="display:none;')
    assert preheader.endswith(">The valley gets water. And 2 more stories.")


def test_the_footer_names_the_publication_once(world, settings):
    settings.PUBLICATION_NAME = "The Dateline Ledger"
    issue = make_issue([make_article(world, "Dam agreement signed")])
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    for body in (group.html, group.text, render.render_browser_html(issue)):
        assert "the The" not in body
    assert "you subscribed to the newsletter of The Dateline Ledger." in group.html
    assert "you subscribed to the newsletter of The Dateline Ledger." in group.text
    assert "This is the newsletter of The Dateline Ledger." in render.render_browser_html(issue)


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


def test_the_smtp_payload_is_the_message_dot_stuffed(world):
    # payload_for stuffs the group's fixed bytes once; it must give exactly what stuffing
    # the reader's whole message gives (the digest's CSS has lines starting with a dot).
    from dateline.digests import smtp

    issue = make_issue([make_article(world, "Ferries run again", photo=True)])
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    links, domain = tokens.Links.from_settings(), render.mail_domain()
    assert any(b"\r\n." in chunk for chunk in group.chunks[::2])
    for address in ("reader@example.org", "a=b&c@example.org"):
        subscriber = reader(address)
        delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=address)
        whole = group.message_for(delivery, subscriber, links, domain)
        payload = group.payload_for(delivery, subscriber, links, domain)
        assert payload == smtp.stuffed(whole)
        assert payload.endswith(b"\r\n.\r\n") and b"\r\n.\r\n" not in payload[:-5]


def test_a_value_that_could_start_a_line_with_a_dot_is_stuffed_whole(world, monkeypatch):
    from dateline.digests import smtp

    issue = make_issue([make_article(world, "Ferries run again")])
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    subscriber = reader("reader@example.org")
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    links, domain = tokens.Links.from_settings(), render.mail_domain()
    # A message id is never like this; it stands for a value wrapped onto a new line.
    monkeypatch.setattr(render, "message_id", lambda delivery, domain="": "x\r\n.hidden")
    payload = group.payload_for(delivery, subscriber, links, domain)
    assert payload == smtp.stuffed(group.message_for(delivery, subscriber, links, domain))
    assert b"\r\n..hidden" in payload


def test_the_mjml_is_compiled_once_not_per_group(world, monkeypatch):
    import mjml

    from dateline.lib import mailhtml

    mailhtml.template.cache_clear()
    compiled = []
    real = mjml.mjml2html
    monkeypatch.setattr(mjml, "mjml2html", lambda *a, **k: compiled.append(1) or real(*a, **k))
    issue = make_issue([make_article(world, "Dam agreement signed"), make_article(world)])
    stories = render.issue_stories(issue)
    for exclude in (frozenset(), frozenset({stories[0].article.pk})):
        group = render.render_group(issue, stories, None, exclude)
        assert group is not None and "<table" in group.html
    render.render_browser_html(issue)
    assert len(compiled) == 1


# The editor's words ------------------------------------------------------------------

INTRO = (
    '<p data-block-key="a">A <b>big</b> week: read <a href="https://example.org/dam?a=1&amp;b=2">'
    'the dam story</a> first.</p><p data-block-key="b">Then <i>the rest</i>.</p>'
)


def words_issue(world, **words):
    issue = make_issue(
        [
            make_article(world, "Dam agreement signed", standfirst="The valley gets water."),
            make_article(world, "Council approves bus lane"),
        ]
    )
    for name, value in words.items():
        setattr(issue, name, value)
    issue.save()
    return issue


def test_the_editors_subject_preheader_and_introduction_are_in_every_rendering(world, settings):
    settings.NEWSLETTER_CLICK_TRACKING = False
    issue = words_issue(
        world, subject="  The week of the dam ", preheader="Water, at last.", intro=INTRO
    )
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    assert group.subject == "The week of the dam"
    assert "<title>The week of the dam</title>" in group.html
    assert ">Water, at last." in group.html and "The valley gets water. And" not in group.html
    assert (
        '<p>A <strong>big</strong> week: read <a href="https://example.org/dam?a=1&amp;b=2">'
        "the dam story</a> first.</p><p>Then <em>the rest</em>.</p>"
    ) in group.html
    # The text part: paragraphs, each link's address after its words, no markup.
    assert (
        "A big week: read the dam story (https://example.org/dam?a=1&b=2) first.\n\n"
        "Then the rest.\n"
    ) in group.text
    assert "<" not in group.text.split("View in your browser")[1].split("-----")[0]
    browser = render.render_browser_html(issue)
    assert "<title>The week of the dam</title>" in browser and "the dam story</a>" in browser
    assert "Water, at last." in browser


def test_empty_words_mean_the_defaults(world):
    issue = words_issue(world)
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    assert group.subject == "Dam agreement signed"
    assert ">The valley gets water. And 1 more story." in group.html
    assert 'class="text intro' not in group.html


def test_the_introduction_is_made_safe_and_its_links_absolute_and_counted(world, settings):
    settings.NEWSLETTER_CLICK_TRACKING = True
    page_link = f'<a linktype="page" id="{world.pk}">our world desk</a>'
    hostile = (
        f"<p>Hi <script>alert(1)</script>{page_link} "
        '<a href="javascript:alert(2)">trap</a> <img src=x onerror="alert(3)">'
        '<span onclick="x">&lt;b&gt;not bold&lt;/b&gt;</span></p>'
    )
    issue = words_issue(world, intro=hostile)
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    intro = group.html.split('class="text intro', 1)[1].split("</td>", 1)[0]
    assert "<script" not in intro and "alert(1)" not in intro
    assert "javascript:" not in intro and "onerror" not in intro and "onclick" not in intro
    assert "<img" not in intro and "<span" not in intro
    assert "&lt;b&gt;not bold&lt;/b&gt;" in intro
    # A page link becomes the page's full address, through the click counter.
    from dateline.digests import clicks

    counted = clicks.click_url(issue.pk, f"{settings.BASE_URL}{world.url}", None)
    assert f'href="{counted.replace("&", "&amp;")}">our world desk</a>' in intro
    # (Wrapped at 72 columns: the long address may start a line of its own.)
    assert f"our world desk ({counted})" in " ".join(group.text.split())
    assert "alert" not in group.text


@pytest.mark.parametrize(
    "subject",
    [
        "Breaking: Varenland's coalition survives a confidence vote by seven votes",
        "Breaking: Ferries return to the Sundmere Islands after four days of gales",
        "Breaking: Drovna's old library reopens after a six-year restoration, über alles",
        "Short",
        "x" * 90,
    ],
)
def test_a_long_subject_starts_on_the_subject_line(subject):
    # Python's folder moves a value that fits on a line of its own to the next line,
    # leaving "Subject:" empty; parsers (Python's, the outbox) then keep the fold's
    # space at the front: " Breaking: …".
    folded = render._header("Subject", subject).decode()
    first, *rest = folded.removesuffix("\r\n").split("\r\n")
    assert first.startswith("Subject: ") and first != "Subject: "
    assert all(len(line) <= 78 for line in rest)
    message = email.message_from_string(folded + "\r\n", policy=email.policy.default)
    assert message["Subject"] == subject
