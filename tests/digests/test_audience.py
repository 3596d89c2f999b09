"""The numbers: an issue's figures and the Audience area, checked against data made here."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone
from lxml import etree

from dateline.digests.audience import data
from dateline.digests.figures import issue_figures
from dateline.digests.models import Bounce, Delivery, DigestIssue, IssueOpens, LinkClicks
from dateline.newsletter.models import (
    ConsentText,
    Newsletter,
    NewsletterSettings,
    Subscriber,
    Subscription,
)
from dateline.newsroom.models import PageViewDay
from tests.digests.helpers import make_issue
from tests.factories import make_article
from tests.newsletter.helpers import editor

pytestmark = pytest.mark.django_db

AUDIENCE = "/admin/audience/"
State = Delivery.State


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def stories(world):
    """Three stories and their views: today, 3, 20 and 40 days ago."""
    dam = make_article(world, "Dam agreement signed")
    glacier = make_article(world, "Glacier survey published")
    # A headline a spreadsheet would take for a formula.
    tram = make_article(world, "=HYPERLINK(1) tram timetable")
    for article, ago, views in (
        (dam, 0, 5),
        (glacier, 0, 3),
        (glacier, 3, 10),
        (tram, 3, 1),
        (tram, 20, 50),
        (dam, 40, 100),
    ):
        PageViewDay.objects.create(page=article, day=days_ago(ago), views=views)
    return dam, glacier, tram


def sent_issue(articles) -> DigestIssue:
    """An issue sent to ten readers, with every outcome a delivery can have."""
    issue = make_issue(articles)
    issue.status = DigestIssue.Status.SENT
    issue.save()
    states = [State.SENT] * 5 + [State.QUEUED, State.QUEUED, State.BOUNCED]
    states += [State.SKIPPED, State.FAILED]
    made = []
    for i, state in enumerate(states):
        made.append(
            Delivery.objects.create(
                issue=issue,
                email=f"r{i}@example.org",
                state=state,
                attempts=1 if i == 5 else 0,  # the first queued one was refused for now
            )
        )
    # Two soft reports about one mail count once; a complaint about another.
    for _ in range(2):
        Bounce.objects.create(delivery=made[0], email=made[0].email, kind="soft", source="dsn")
    Bounce.objects.create(delivery=made[1], email=made[1].email, kind="complaint", source="arf")
    Bounce.objects.create(delivery=made[7], email=made[7].email, kind="hard", source="dsn")
    # A soft report about the hard-bounced mail is not a second bounce.
    Bounce.objects.create(delivery=made[7], email=made[7].email, kind="soft", source="dsn")
    dam = articles[0]
    LinkClicks.objects.create(issue=issue, url="https://x.test/dam/", story=dam, clicks=4)
    LinkClicks.objects.create(issue=issue, url="https://x.test/dam/#photo", story=dam, clicks=2)
    LinkClicks.objects.create(issue=issue, url="https://x.test/about/", clicks=1)
    leaver = Subscriber.objects.create(email="gone@example.org", status="active")
    Subscription.objects.create(
        subscriber=leaver,
        newsletter=Newsletter.digest(),
        source="signup",
        consent_text=ConsentText.current(),
        joined_at=timezone.now() - datetime.timedelta(days=10),
        left_at=timezone.now(),
        left_issue_id=issue.pk,
    )
    return issue


def test_an_issues_figures_count_each_outcome_once(stories):
    issue = sent_issue(list(stories))
    figures = issue_figures(issue)
    assert (figures.recipients, figures.delivered, figures.deferred) == (9, 5, 1)
    assert (figures.bounced_hard, figures.bounced_soft, figures.complaints) == (1, 1, 1)
    assert (figures.unsubscribes, figures.clicks, figures.failed) == (1, 7, 1)
    assert figures.bounce_percent == "33.3%"  # 2 of the 6 mails that left us
    assert figures.click_percent == "140.0%"
    assert [(s.title, s.clicks) for s in figures.stories] == [("Dam agreement signed", 6)]
    assert [link.clicks for link in figures.links] == [4, 2, 1]


def figure(html: str, name: str) -> str:
    tree = etree.HTML(html)
    [row] = tree.xpath(f"//tr[@data-figure='{name}']")
    return row.xpath("./td")[0].text


def test_the_issue_page_shows_the_figures_panel(client, stories):
    issue = sent_issue(list(stories))
    IssueOpens.objects.create(issue=issue, opens=3)
    html = editor(client, "view_digestissue").get(f"/admin/newsletter/digests/{issue.pk}/")
    html = html.content.decode()
    expected = {
        "recipients": "9",
        "delivered": "5",
        "deferred": "1",
        "bounced_hard": "1",
        "bounced_soft": "1",
        "complaints": "1",
        "unsubscribes": "1",
        "clicks": "7",
        "opens": "3",  # shown once there are any, tracking on or not
    }
    assert {name: figure(html, name) for name in expected} == expected
    assert "who clicked is not recorded" in html
    assert "data-consent-warning" not in html
    response = client.get(f"{AUDIENCE}issues/{issue.pk}/figures.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Delivered", "5"] in rows and ["Dam agreement signed", "6"] in rows
    assert ["https://x.test/about/", "", "1"] in rows


def test_a_draft_has_no_figures_panel(client, world):
    issue = make_issue([make_article(world, "Dam agreement signed")])
    html = editor(client, "view_digestissue").get(f"/admin/newsletter/digests/{issue.pk}/")
    assert b"data-issue-figures" not in html.content


def test_engagement_on_with_a_silent_consent_text_warns_on_the_issue_page(client, stories):
    issue = sent_issue(list(stories))
    settings = NewsletterSettings.load()
    settings.reader_engagement = True
    settings.save()
    viewer = editor(client, "view_digestissue")
    html = viewer.get(f"/admin/newsletter/digests/{issue.pk}/").content.decode()
    assert "data-consent-warning" in html
    assert figure(html, "readers_clicked") == "0"
    ConsentText.objects.create(
        version=ConsentText.current().version + 1,
        text="Send me the newsletter. You may record which links I click in it.",
    )
    html = viewer.get(f"/admin/newsletter/digests/{issue.pk}/").content.decode()
    assert "data-consent-warning" not in html


def test_the_consent_check_reads_sentences_not_words():
    from dateline.digests.audience.panel import consent_mentions_engagement
    from dateline.newsletter.models import DEFAULT_CONSENT_TEXT

    assert not consent_mentions_engagement(DEFAULT_CONSENT_TEXT)
    assert consent_mentions_engagement("We record which links you click in each issue.")
    assert consent_mentions_engagement("Reader engagement is measured per reader.")


def test_most_read_for_today_7_and_30_days(stories):
    def titles(days: int) -> list[tuple[str, int]]:
        return [(r.article.title, r.views) for r in data.top_stories(days)]

    assert titles(1) == [("Dam agreement signed", 5), ("Glacier survey published", 3)]
    assert titles(7) == [
        ("Glacier survey published", 13),
        ("Dam agreement signed", 5),
        ("=HYPERLINK(1) tram timetable", 1),
    ]
    assert titles(30)[0] == ("=HYPERLINK(1) tram timetable", 51)


def test_the_audience_page_lists_the_most_read_and_leads_to_an_article(client, stories):
    dam = stories[0]
    viewer = editor(client, "view_digestissue")
    html = viewer.get(f"{AUDIENCE}?days=30").content.decode()
    tree = etree.HTML(html)
    rows = tree.xpath("//table[@data-most-read]/tbody/tr/@data-story")
    assert rows == [
        "=HYPERLINK(1) tram timetable",
        "Glacier survey published",
        "Dam agreement signed",
    ]
    assert tree.xpath("//a[@aria-current='true']/text()")[0] == "30 days"
    assert f'href="{AUDIENCE}articles/{dam.pk}/"' in html

    page = viewer.get(f"{AUDIENCE}articles/{dam.pk}/?days=90").content.decode()
    tree = etree.HTML(page)
    assert tree.xpath("//tr[@data-day='total']/td/text()") == ["105"]
    assert tree.xpath(f"//tr[@data-day='{days_ago(40):%Y-%m-%d}']/td/text()") == ["100"]
    [svg] = tree.xpath("//svg[@data-chart='article-views']")
    assert svg.get("role") == "img"
    assert "105 views in all." in svg.xpath("./desc/text()")[0]
    assert len(svg.xpath("./polyline")[0].get("points").split()) == 90

    response = viewer.get(f"{AUDIENCE}articles/{dam.pk}/views.csv?days=7")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["day", "views"] and len(rows) == 8
    assert rows[-1] == [timezone.localdate().isoformat(), "5"]


def test_csv_cells_a_spreadsheet_would_run_are_quoted(client, stories):
    response = editor(client, "view_digestissue").get(f"{AUDIENCE}most-read.csv?days=30")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["rank", "headline", "url", "views"]
    assert rows[1][1] == "'=HYPERLINK(1) tram timetable"
    assert rows[1][3] == "51"


def subscription(newsletter: Newsletter, email: str, joined: int, left: int | None = None):
    now = timezone.now()
    who, _ = Subscriber.objects.get_or_create(email=email, defaults={"status": "active"})
    return Subscription.objects.create(
        subscriber=who,
        newsletter=newsletter,
        source="signup",
        consent_text=ConsentText.current(),
        joined_at=now - datetime.timedelta(days=joined),
        left_at=None if left is None else now - datetime.timedelta(days=left),
    )


def test_growth_per_newsletter_joins_and_leaves_per_day(client):
    digest, alerts = Newsletter.digest(), Newsletter.alerts()
    science = Newsletter.objects.create(name="Science weekly", slug="science", position=5)
    subscription(digest, "a@example.org", joined=0)
    subscription(digest, "b@example.org", joined=0)
    subscription(digest, "c@example.org", joined=10, left=0)
    subscription(alerts, "a@example.org", joined=1)
    subscription(science, "d@example.org", joined=2, left=1)
    subscription(science, "e@example.org", joined=200)  # before the chart: not counted

    growth = data.growth(7)
    by_name = {n.newsletter.name: n for n in growth.newsletters}
    assert (by_name["The digest"].joins[-1], by_name["The digest"].leaves[-1]) == (2, 1)
    assert by_name["Breaking news"].joins[-2:] == [1, 0]
    assert (by_name["Science weekly"].joined, by_name["Science weekly"].left) == (1, 1)

    viewer = editor(client, "view_digestissue")
    tree = etree.HTML(viewer.get(f"{AUDIENCE}?span=7").content)
    for chart_id in ("growth-joins", "growth-leaves"):
        [svg] = tree.xpath(f"//svg[@data-chart='{chart_id}']")
        assert svg.get("role") == "img" and svg.xpath("./title/text()")
        # One line a newsletter, told apart by dashes as well as colour.
        lines = svg.xpath("./polyline")
        assert len(lines) == 3
        assert len({line.get("stroke-dasharray") for line in lines}) == 3
    today = tree.xpath(f"//table[@data-growth]//tr[@data-day='{timezone.localdate():%Y-%m-%d}']")
    assert today[0].xpath("./td/text()") == ["2", "1", "0", "0", "0", "0"]

    response = viewer.get(f"{AUDIENCE}growth.csv?days=7")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["day", "The digest: joined", "The digest: left"]
    assert len(rows) == 8


def test_issues_side_by_side(client, stories):
    issue = sent_issue(list(stories))
    make_issue([stories[1]], days_ago=3)  # a draft: not in the comparison
    viewer = editor(client, "view_digestissue")
    tree = etree.HTML(viewer.get(AUDIENCE).content)
    [row] = tree.xpath("//table[@data-issues]/tbody/tr")
    assert row.get("data-issue") == str(issue.pk)
    assert row.xpath("./td/text()") == ["The digest", "9", "5", "33.3%", "1", "7", "140.0%"]
    [svg] = tree.xpath("//svg[@data-chart='issue-click-rates']")
    assert len(svg.xpath("./rect")) == 1

    rows = list(
        csv.reader(io.StringIO(viewer.get(f"{AUDIENCE}issues.csv").content.decode("utf-8-sig")))
    )
    assert rows[1][4:] == ["9", "5", "33.3%", "1", "7", "140.0%"]


def test_only_people_who_may_see_the_digests_see_the_audience(client, stories):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    nobody = get_user_model().objects.create_user("nobody", password=None)
    nobody.user_permissions.add(*Permission.objects.filter(codename="access_admin"))
    client.force_login(nobody)
    for url in (AUDIENCE, f"{AUDIENCE}most-read.csv", f"{AUDIENCE}issues.csv"):
        assert client.get(url).status_code in (302, 403)
    html = editor(client, "view_digestissue").get("/admin/").content.decode()
    assert f'"{AUDIENCE}"' in html  # the menu, drawn from JSON by the admin's script
