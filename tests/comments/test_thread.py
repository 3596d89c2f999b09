"""The thread on the article page, the section front counts, and what they cost in queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from dateline.comments.models import Comment
from dateline.lib import pagecache
from dateline.newsroom.models import ArticlePage
from tests.comments.helpers import approved

pytestmark = pytest.mark.django_db


def has_class(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def ids_in(response) -> list[int]:
    tree = lxml_html.fromstring(response.content)
    items = tree.xpath(f'//*[@id="comments"]//li[{has_class("comment")}]')
    return [int(li.get("id").split("-")[1]) for li in items]


def test_replies_nest_under_their_parents_and_only_published_ones_show(client, article):
    top = approved(article, "Tomas Brenn")
    reply = approved(article, "Ilse Maren", parent=top)
    approved(article, "Held Reply", parent=top, status=Comment.Status.HELD)
    approved(article, "Spam Reply", parent=reply, status=Comment.Status.SPAM)
    tree = lxml_html.fromstring(client.get(article.url).content)
    [nested] = tree.xpath(f'//*[@id="comment-{top.pk}"]/ol[{has_class("comment-replies")}]/li')
    assert nested.get("id") == f"comment-{reply.pk}"
    text = tree.get_element_by_id("comments").text_content()
    assert "Held Reply" not in text and "Spam Reply" not in text
    assert (
        "Click to comment (2 comments)"
        in tree.xpath(f"//p[{has_class('comment-link')}]")[0].text_content()
    )


def test_no_reply_link_at_the_deepest_level(client, article, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    top = approved(article)
    deep = approved(article, parent=top)
    html = client.get(article.url).content.decode()
    assert f"/comments/{top.pk}/reply/" in html
    assert f"/comments/{deep.pk}/reply/" not in html


def test_sorting_and_pages(client, article, settings):
    settings.COMMENTS_PER_PAGE = 2
    first, second, third = (approved(article, f"Reader {i}") for i in range(3))
    assert ids_in(client.get(article.url)) == [first.pk, second.pk]
    assert ids_in(client.get(article.url + "?page=2")) == [third.pk]
    assert ids_in(client.get(article.url + "?sort=newest")) == [third.pk, second.pk]
    assert client.get(article.url + "?page=3").status_code == 404
    assert client.get(article.url + "?page=x").status_code == 404


def test_a_deleted_comment_keeps_its_replies_in_place(client, article):
    top = approved(article, body="Gone soon.", status=Comment.Status.DELETED)
    reply = approved(article, "Ilse Maren", parent=top)
    alone = approved(article, status=Comment.Status.DELETED)
    html = client.get(article.url).content.decode()
    assert "deleted by its writer" in html
    assert ids_in(client.get(article.url)) == [top.pk, reply.pk]
    assert f"comment-{alone.pk}" not in html


def count_queries(client, url: str) -> int:
    client.get(url)
    pagecache.invalidate()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_big_thread_costs_no_more_queries_than_a_small_one(client, article, settings):
    settings.COMMENTS_PER_PAGE = 500
    top = approved(article)
    approved(article, parent=approved(article, parent=top))
    small = count_queries(client, article.url)
    for i in range(60):
        t = approved(article, f"Top {i}")
        r = approved(article, f"Reply {i}", parent=t)
        approved(article, f"Deep {i}", parent=r)
    assert count_queries(client, article.url) == small


def test_section_fronts_show_counts_in_one_query(client, world, article):
    from tests.factories import make_article

    other = make_article(world, "Harbour pilots agree new rota")
    approved(article)
    approved(article)
    approved(other, status=Comment.Status.HELD)
    tree = lxml_html.fromstring(client.get(world.url).content)
    counts = [a.text_content() for a in tree.xpath(f"//a[{has_class('comment-count')}]")]
    assert counts == ["2 comments"]
    before = count_queries(client, world.url)
    for i in range(5):
        approved(make_article(world, f"Story {i}"))
    assert count_queries(client, world.url) <= before + 1  # paginator growth, not per card


def test_a_closed_thread_is_offered_for_reading_not_commenting(client, article):
    approved(article, "Tomas Brenn")
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=False)
    tree = lxml_html.fromstring(client.get(article.url).content)
    [link] = tree.xpath(f"//p[{has_class('comment-link')}]")
    assert link.text_content() == "Read the comments (1 comment)"
    assert "Comments on this story are closed." in tree.get_element_by_id("comments").text_content()


def test_a_closed_thread_without_comments_has_no_link(client, article):
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=False)
    tree = lxml_html.fromstring(client.get(article.url).content)
    assert tree.xpath(f"//p[{has_class('comment-link')}]") == []
