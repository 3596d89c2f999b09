"""Embargoed wire reports: read from ninjs and NewsML-G2, shown on the desk with their
time, and no story written from one publishes before it lifts."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from dateline.newsroom.models import ArticlePage
from dateline.wire.formats import parse
from dateline.wire.ingest import ingest
from dateline.wire.models import WireItem, WireUse
from tests.factories import make_article
from tests.wire.helpers import make_provider

UTC = datetime.UTC
LIFTS = "2026-12-10T07:00:00Z"
LIFTS_AT = datetime.datetime(2026, 12, 10, 7, 0, tzinfo=UTC)


def ninjs(**item: object) -> bytes:
    return json.dumps(item).encode()


@pytest.mark.parametrize(
    "data",
    [
        ninjs(uri="urn:e:1", headline="Prize goes to a glassmaker", embargoed=LIFTS),
        ninjs(
            uri="urn:e:1",
            standard={"name": "ninjs", "version": "2.1"},
            headlines=[{"role": "main", "value": "Prize goes to a glassmaker"}],
            embargoed=LIFTS,
        ),
        ninjs(
            uri="urn:e:1",
            standard={"name": "ninjs", "version": "3.0"},
            headlines=[{"role": "main", "value": "Prize goes to a glassmaker"}],
            embargoedUntil=LIFTS,
        ),
    ],
    ids=["ninjs-1", "ninjs-2", "ninjs-3"],
)
def test_ninjs_embargo_is_read_in_every_version(data):
    (item,) = parse(data, "ninjs").items
    assert item.embargoed_until == LIFTS_AT


NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:calder:e:1" version="1"
    standard="NewsML-G2" standardversion="2.29">
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <versionCreated>2026-12-09T18:00:00Z</versionCreated>
    {embargo}
    <pubStatus qcode="stat:usable"/>
  </itemMeta>
  <contentMeta><headline>Prize goes to a glassmaker</headline></contentMeta>
</newsItem>"""


def test_newsml_embargo_is_read_from_item_meta():
    data = NEWSML.format(embargo=f"<embargoed>{LIFTS}</embargoed>").encode()
    (item,) = parse(data, "newsml").items
    assert item.embargoed_until == LIFTS_AT
    (plain,) = parse(NEWSML.format(embargo="").encode(), "newsml").items
    assert plain.embargoed_until is None


def test_an_embargo_that_is_not_a_date_keeps_the_item_off_the_desk():
    # Read as "no embargo" it could go out early; the reason says why it was left out.
    data = NEWSML.format(embargo="<embargoed>after the ceremony</embargoed>").encode()
    result = parse(data, "newsml")
    assert result.items == []
    assert "embargo time 'after the ceremony' is not a date" in result.problems[0].reason
    result = parse(ninjs(uri="urn:e:2", headline="x", embargoed="soon"), "ninjs")
    assert result.items == []
    assert result.problems[0].guid == "urn:e:2"


def embargoed_item(until: datetime.datetime) -> WireItem:
    provider = make_provider("Meridian News Agency", format="ninjs")
    data = ninjs(
        uri="urn:meridian:prize",
        headline="Glass prize goes to Orvik maker",
        versioncreated="2026-12-09T18:00:00Z",
        embargoed=until.isoformat(),
        body_html="<p>The Velmar glass prize went to a maker from Orvik.</p>",
    )
    ingest(provider, parse(data, "ninjs"))
    return WireItem.objects.get(guid="urn:meridian:prize")


@pytest.mark.django_db
def test_the_desk_shows_an_embargoed_report_with_its_embargo_time(staff, home):
    until = timezone.now() + datetime.timedelta(days=2)
    item = embargoed_item(until)
    assert item.embargoed_until == until
    page = staff.get("/admin/wire/desk/").content.decode()
    assert "Glass prize goes to Orvik maker" in page
    assert f"Embargoed until {timezone.localtime(item.embargoed_until):%-d %b %Y, %H:%M}" in page


@pytest.mark.django_db
def test_a_lifted_embargo_is_not_shown(staff, home):
    embargoed_item(timezone.now() - datetime.timedelta(hours=1))
    assert "Embargoed until" not in staff.get("/admin/wire/desk/").content.decode()


@pytest.mark.django_db
class TestPublishing:
    @pytest.fixture
    def story(self, world):
        self.until = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
        item = embargoed_item(self.until)
        article = make_article(world, "Glass prize", publish=False)
        WireUse.objects.create(article=article, item=item)
        return article

    def post(self, client, article, go_live: datetime.datetime | None):
        from wagtail.test.utils.form_data import (
            inline_formset,
            nested_form_data,
            rich_text,
            streamfield,
        )

        data = nested_form_data(
            {
                "title": article.title,
                "slug": article.slug,
                "standfirst": "A maker from Orvik wins.",
                "article_authors": inline_formset(
                    [{"author": article.authors[0].pk}] if article.authors else []
                ),
                "dateline_place": "",
                "priority": 2,
                "lead_image": "",
                "body": streamfield([("paragraph", rich_text("<p>The prize went to Orvik.</p>"))]),
                "sources": inline_formset([]),
                "corrections": inline_formset([]),
                "tags": "",
                "comments_open": "on",
                "go_live_at": timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M")
                if go_live
                else "",
                "action-publish": "1",
            }
        )
        return client.post(f"/admin/pages/{article.pk}/edit/", data, follow=True)

    def test_a_story_from_an_embargoed_report_cannot_publish_now(self, staff, story):
        page = self.post(staff, story, None).content.decode()
        assert "uses a wire report embargoed until" in page
        article = ArticlePage.objects.get(pk=story.pk)
        assert not article.live and not article.go_live_at

    def test_nor_be_scheduled_before_the_embargo(self, staff, story):
        page = self.post(staff, story, self.until - datetime.timedelta(hours=1)).content.decode()
        assert "uses a wire report embargoed until" in page
        assert not ArticlePage.objects.get(pk=story.pk).go_live_at

    def test_it_may_be_scheduled_for_the_embargo_time(self, staff, story):
        page = self.post(staff, story, self.until).content.decode()
        assert "uses a wire report embargoed until" not in page
        article = ArticlePage.objects.get(pk=story.pk)
        assert not article.live
        assert article.scheduled_revision.approved_go_live_at == self.until

    def test_once_the_embargo_lifts_it_publishes(self, staff, story):
        WireItem.objects.update(embargoed_until=timezone.now() - datetime.timedelta(minutes=1))
        self.post(staff, story, None)
        assert ArticlePage.objects.get(pk=story.pk).live


@pytest.mark.django_db
def test_write_story_copies_the_embargo_to_the_drafts_go_live_time(staff, world):
    until = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
    item = embargoed_item(until)
    response = staff.post("/admin/wire/desk/write/", {"item": item.pk, "section": world.pk})
    assert response.status_code == 302
    article = ArticlePage.objects.get()
    assert not article.live
    assert article.go_live_at == until
    # The editor opens with it filled in, so publishing schedules the story for then.
    edit = staff.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert timezone.localtime(until).strftime("%Y-%m-%d %H:%M") in edit


@pytest.mark.django_db
def test_write_story_from_a_lifted_embargo_sets_no_go_live_time(staff, world):
    item = embargoed_item(timezone.now() - datetime.timedelta(hours=1))
    staff.post("/admin/wire/desk/write/", {"item": item.pk, "section": world.pk})
    assert ArticlePage.objects.get().go_live_at is None


@pytest.mark.django_db
class TestEveryPublishPath:
    """Paths without the editor's form: they schedule for the embargo, never publish early."""

    @pytest.fixture
    def story(self, world):
        self.until = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
        article = make_article(world, "Glass prize", publish=False)
        WireUse.objects.create(article=article, item=embargoed_item(self.until))
        return article

    def test_a_revision_published_in_code_waits_for_the_embargo(self, story):
        story.save_revision().publish()
        article = ArticlePage.objects.get(pk=story.pk)
        assert not article.live
        assert article.scheduled_revision.approved_go_live_at == self.until

    def test_a_later_go_live_time_stands(self, story):
        later = self.until + datetime.timedelta(hours=3)
        story.go_live_at = later
        story.save_revision().publish()
        assert ArticlePage.objects.get(pk=story.pk).scheduled_revision.approved_go_live_at == later

    def test_the_bulk_publish_action_waits_for_the_embargo(self, staff, story):
        story.save_revision()
        url = f"/admin/bulk/wagtailcore/page/publish/?id={story.pk}"
        assert staff.get(url).status_code == 200
        response = staff.post(url, {"include_descendants": ""})
        assert response.status_code == 302
        article = ArticlePage.objects.get(pk=story.pk)
        assert not article.live
        assert article.scheduled_revision.approved_go_live_at == self.until

    def test_a_story_without_an_embargo_publishes_at_once(self, world):
        article = make_article(world, "Ferry timetable", publish=False)
        article.save_revision().publish()
        assert ArticlePage.objects.get(pk=article.pk).live
