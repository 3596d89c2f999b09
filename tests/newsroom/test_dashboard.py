"""The admin dashboard, /admin/: the newsroom's panels, each leading to its screen."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from dateline.digests import editorial
from dateline.digests.models import DigestIssue
from dateline.newsletter.models import ConsentRecord
from dateline.newsroom.models import PageViewDay
from dateline.wire.models import StoryCluster
from tests.comments.helpers import held
from tests.factories import make_article
from tests.newsletter.helpers import consent, editor, subscriber

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/"


def panel(html: str, key: str) -> str:
    """The text of one of our panels, tags and extra spaces removed."""
    match = re.search(rf'data-dashboard-panel="{key}">(.*?)</section>', html, re.S)
    assert match, f"no {key} panel on the dashboard"
    text = " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
    return re.sub(r" ([,.;])", r"\1", text)


def links(html: str, key: str) -> list[str]:
    match = re.search(rf'data-dashboard-panel="{key}">(.*?)</section>', html, re.S)
    assert match
    return re.findall(r'href="([^"]+)"', match.group(1))


def test_most_read_today_and_this_week_from_the_counted_views(staff, world):
    today = timezone.localdate()
    dam = make_article(world, "Dam agreement signed")
    glacier = make_article(world, "Glacier survey published")
    PageViewDay.objects.create(page=dam, day=today, views=12)
    PageViewDay.objects.create(page=glacier, day=today, views=3)
    PageViewDay.objects.create(page=glacier, day=today - datetime.timedelta(days=3), views=40)
    PageViewDay.objects.create(page=dam, day=today - datetime.timedelta(days=9), views=500)
    html = staff.get(DASHBOARD).content.decode()
    text = panel(html, "most-read")
    today_part, week_part = text.split("This week")
    assert today_part.index("Dam agreement signed (12 views)") < today_part.index(
        "Glacier survey published (3 views)"
    )
    # The week leaves out the 500 views of nine days ago.
    assert week_part.index("Glacier survey published (43 views)") < week_part.index(
        "Dam agreement signed (12 views)"
    )
    assert f"/admin/pages/{dam.pk}/edit/" in links(html, "most-read")
    screen = links(html, "most-read")[-1]
    assert screen == "/admin/reports/most-read/"
    page = staff.get(screen).content.decode()
    assert "The last 30 days" in page and "Dam agreement signed" in page


def test_comments_waiting_with_their_count(staff, world):
    article = make_article(world, "Dam agreement signed")
    held(article, name="Ilse Maren", body="Waiting.")
    held(article, name="Tomas Brenn", email="tomas@example.org", body="Also waiting.")
    html = staff.get(DASHBOARD).content.decode()
    text = panel(html, "comments")
    assert "2 awaiting moderation" in text
    assert "Ilse Maren on “Dam agreement signed”" in text
    assert "/admin/comments/queue/" in links(html, "comments")


def test_the_next_digest_with_its_slot_and_story_count(staff, world):
    make_article(world, "Dam agreement signed", standfirst="The valley gets water.")
    make_article(world, "Glacier survey published", standfirst="Ice loss doubled.")
    [issue] = [i for i in editorial.prepare_drafts() if i.cadence == "weekly"]
    html = staff.get(DASHBOARD).content.decode()
    text = panel(html, "digests")
    slot = timezone.localtime(issue.slot_at)
    assert f"Once a week: {slot:%A} {slot.day} {slot:%B, %H:%M}, 2 stories so far" in text
    assert f"/admin/newsletter/digests/{issue.pk}/" in links(html, "digests")
    assert DigestIssue.objects.count() == 2


def test_new_wire_clusters(staff):
    StoryCluster.objects.create(headline="Storm closes the northern pass")
    StoryCluster.objects.create(
        headline="Old news", created_at=timezone.now() - datetime.timedelta(days=3)
    )
    html = staff.get(DASHBOARD).content.decode()
    text = panel(html, "wire")
    assert "1 new event in the last 24 hours" in text
    assert "Storm closes the northern pass" in text and "Old news" not in text
    assert "/admin/wire/desk/" in links(html, "wire")


def test_subscriber_growth_this_week(staff):
    now = timezone.now()
    for n in range(3):
        who = subscriber(f"new{n}@example.org")
        consent(who.email, who, confirmed_at=now - datetime.timedelta(days=n))
    gone = subscriber("gone@example.org", status="unsubscribed")
    consent(
        gone.email,
        gone,
        signup_at=now - datetime.timedelta(days=30),
        confirmed_at=now - datetime.timedelta(days=30),
        withdrawn_at=now - datetime.timedelta(days=1),
    )
    assert ConsentRecord.objects.count() == 4
    html = staff.get(DASHBOARD).content.decode()
    text = panel(html, "newsletter")
    assert "+2 in the last 7 days: 3 confirmed, 1 left, 3 signed up." in text
    assert "3 active subscribers in all" in text
    assert "/admin/newsletter/growth/" in links(html, "newsletter")


def test_editors_see_only_the_panels_they_may_open(client, world):
    html = editor(client).get(DASHBOARD).content.decode()
    assert 'data-dashboard-panel="most-read"' in html
    assert 'data-dashboard-panel="comments"' not in html
    assert 'data-dashboard-panel="newsletter"' not in html
    assert 'data-dashboard-panel="digests"' not in html
