"""The thread's template: escaping, nesting, placeholders, links, times, and queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from lxml import html as lxml_html

from dateline.comments.models import Comment
from dateline.comments.thread import ShownComment, build_thread, render_comment, render_comments
from dateline.lib import pagecache
from tests.comments.helpers import approved

HOSTILE_NAMES = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "Tom & Jerry </strong></p><p>",
    "&lt;b&gt; already escaped",
]
WHEN = datetime.datetime(2026, 7, 3, 8, 5, 9, tzinfo=datetime.UTC)


def row(pk: int, parent: int | None = None, **values) -> ShownComment:
    fields = {
        "pk": pk,
        "parent_id": parent,
        "depth": 0,
        "name": f"Reader {pk}",
        "body_html": f"<p>Body {pk}</p>",
        "status": Comment.Status.APPROVED.value,
        "created_at": WHEN,
        "edited_at": None,
    }
    fields.update(values)
    return ShownComment(**fields)


def items(html: str):
    return lxml_html.fragment_fromstring(f"<ol>{html}</ol>")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_is_text_whatever_it_holds(name):
    html = render_comments([row(1, name=name)], {}, True)
    tree = items(html)
    [author] = tree.xpath('//strong[@class="comment-author"]')
    assert author.text_content() == name
    assert not tree.xpath("//script | //img | //*[@onerror or @onmouseover]")
    # Quotes are escaped too, so a name could not leave an attribute either.
    assert '"' not in html.split('class="comment-author">')[1].split("</strong>")[0]


def test_the_stored_body_goes_out_as_stored():
    # body_html is the sanitised HTML render.py stored; the renderer adds nothing to it.
    body = '<p><em>Hi</em> <a href="https://example.org" rel="ugc nofollow noopener">x</a></p>'
    html = render_comments([row(1, body_html=body)], {}, True)
    assert f'<div class="comment-body">{body}</div>' in html


def test_replies_nest_in_order_under_their_parents():
    roots = [row(1), row(4)]
    children = {1: [row(2, 1, depth=1), row(3, 1, depth=1)], 2: [row(5, 2, depth=2)]}
    tree = items(render_comments(roots, children, True))
    assert [li.get("id") for li in tree.xpath("./li")] == ["comment-1", "comment-4"]
    first = tree.xpath('./li[@id="comment-1"]/ol[@class="comment-replies"]/li')
    assert [li.get("id") for li in first] == ["comment-2", "comment-3"]
    assert tree.xpath('//li[@id="comment-2"]/ol/li/@id') == ["comment-5"]
    # No empty reply lists where there are no replies.
    assert not tree.xpath('//li[@id="comment-4"]/ol')


def test_a_deleted_comment_shows_only_while_a_published_reply_hangs_under_it():
    deleted = Comment.Status.DELETED.value
    roots = [row(1, status=deleted), row(2, status=deleted), row(3)]
    children = {
        1: [row(10, 1, depth=1)],
        # A deleted reply under a published comment, with nothing under it: gone too.
        3: [row(30, 3, depth=1, status=deleted)],
        2: [row(20, 2, depth=1, status=deleted)],
    }
    tree = items(render_comments(roots, children, True))
    ids = tree.xpath("//li/@id")
    assert ids == ["comment-1", "comment-10", "comment-3"]
    gone = tree.xpath('//li[@id="comment-1"]/p[@class="comment-gone"]')
    assert gone and "deleted by its writer" in gone[0].text_content()
    # The placeholder shows neither the writer's name nor the words.
    assert not tree.xpath('//li[@id="comment-1"]/p[@class="comment-meta"]')
    assert not tree.xpath('//li[@id="comment-3"]/ol')


def test_reply_links_stop_at_the_deepest_level_and_when_closed(settings):
    settings.COMMENTS_MAX_DEPTH = 3
    roots = [row(1)]
    children = {1: [row(2, 1, depth=1)], 2: [row(3, 2, depth=2)]}
    html = render_comments(roots, children, True)
    assert 'href="/comments/1/reply/" data-reply="1"' in html
    assert 'href="/comments/2/reply/"' in html
    assert "/comments/3/reply/" not in html
    closed = render_comments(roots, children, False)
    assert "/reply/" not in closed
    assert all(f'formaction="/comments/{pk}/report/"' in closed for pk in (1, 2, 3))


def test_edit_and_delete_only_for_the_readers_own():
    html = render_comments([row(1), row(2)], {}, True, frozenset({2}))
    tree = items(html)
    assert not tree.xpath('//li[@id="comment-1"]//a[contains(@href, "/edit/")]')
    assert tree.xpath('//li[@id="comment-2"]//a/@href')[-2:] == [
        "/comments/2/edit/",
        "/comments/2/delete/",
    ]


def test_times_are_local_and_edits_are_marked(settings):
    settings.TIME_ZONE = "Europe/London"
    with timezone.override("Europe/London"):
        html = render_comments([row(1, edited_at=WHEN)], {}, True)
        local = timezone.localtime(WHEN)
    [time] = items(html).xpath("//time")
    assert time.get("datetime") == local.isoformat() == "2026-07-03T09:05:09+01:00"
    assert time.text == date_format(local, "j M Y, H:i") == "3 Jul 2026, 09:05"
    assert "· edited" in html


@pytest.mark.django_db
def test_a_held_comment_on_its_own_has_no_reply_link(article):
    held = approved(article, "<b>Ilse</b>", status=Comment.Status.HELD)
    html = render_comment(held, editable=True)
    assert "/reply/" not in html
    assert f'href="/comments/{held.pk}/edit/"' in html
    assert "&lt;b&gt;Ilse&lt;/b&gt;" in html


def thread_queries(article) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = str(build_thread(article).html)
    return len(queries), html


@pytest.mark.django_db
def test_the_thread_is_two_queries_however_many_comments(article, settings):
    settings.COMMENTS_PER_PAGE = 500
    top = approved(article)
    approved(article, parent=approved(article, parent=top))
    small, _ = thread_queries(article)
    for i in range(40):
        t = approved(article, f"Top {i}")
        r = approved(article, f"Reply {i}", parent=t)
        approved(article, f"Deep {i}", parent=r)
        approved(article, f"Held {i}", parent=r, status=Comment.Status.HELD)
    # As a comment saved outside a test's transaction would (signals.refresh_pages).
    pagecache.invalidate()
    big, html = thread_queries(article)
    # One aggregate for the counts and one for the page of threads with all its replies.
    assert small == big == 2
    assert html.count('class="comment"') == 3 + 40 * 3


@pytest.mark.django_db
def test_a_drawn_thread_is_kept_until_a_comment_appears(
    article, django_capture_on_commit_callbacks
):
    first = approved(article, "Anna")
    drawn, html = thread_queries(article)
    # The same page again reads only the counts; the same markup comes back.
    again, kept = thread_queries(article)
    assert (drawn, again) == (2, 1)
    assert kept == html
    # Newest first is a page of its own.
    assert build_thread(article, sort="newest").html.count('class="comment"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        approved(article, "Bruno", parent=first)
    _, fresh = thread_queries(article)
    assert "Bruno" in fresh and "Bruno" not in html
    # Approving a held comment, editing and deleting one all show at once too.
    held = approved(article, "Cleo", status=Comment.Status.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        held.status = Comment.Status.APPROVED
        held.save()
    assert "Cleo" in thread_queries(article)[1]
    with django_capture_on_commit_callbacks(execute=True):
        held.body_html = "<p>Second thoughts</p>"
        held.save()
    assert "Second thoughts" in thread_queries(article)[1]
    with django_capture_on_commit_callbacks(execute=True):
        held.delete()
    assert "Cleo" not in thread_queries(article)[1]


@pytest.mark.django_db
def test_a_readers_own_view_is_neither_kept_nor_taken_from_the_kept_one(article):
    mine = approved(article, "Dora")
    shared = build_thread(article).html
    own = build_thread(article)
    own.editable = frozenset({mine.pk})
    assert f'href="/comments/{mine.pk}/edit/"' in own.html
    assert "/edit/" not in shared
    assert "/edit/" not in build_thread(article).html


def test_the_deepest_reply_closes_every_list_it_ends_and_rows_lay_out_alike_twice():
    roots = [row(1), row(4)]
    children = {1: [row(2, 1, depth=1)], 2: [row(3, 2, depth=2)]}
    html = render_comments(roots, children, True)
    tree = items(html)
    assert [li.get("id") for li in tree.xpath("./li")] == ["comment-1", "comment-4"]
    assert tree.xpath('./li[@id="comment-1"]/ol/li[@id="comment-2"]/ol/li/@id') == ["comment-3"]
    assert html.count("</ol>") == html.count('<ol class="comment-replies">') == 2
    assert html.count("<li") == html.count("</li>") == 4
    # The same rows again (render_comment's, a test's): not closed twice over.
    assert render_comments(roots, children, True) == html


def test_the_day_is_named_in_the_active_language(settings):
    settings.TIME_ZONE = "UTC"
    march = datetime.datetime(2026, 3, 2, 18, 40, tzinfo=datetime.UTC)
    with timezone.override("UTC"):
        with translation.override("de"):
            german = render_comments([row(1, created_at=march)], {}, True)
        english = render_comments([row(1, created_at=march)], {}, True)
    assert items(german).xpath("//time/text()") == ["2 Mär 2026, 18:40"]
    assert items(english).xpath("//time/text()") == ["2 Mar 2026, 18:40"]
