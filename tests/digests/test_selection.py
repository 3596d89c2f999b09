"""Choosing the important stories for a digest, and when each issue is due."""

from __future__ import annotations

import datetime

import pytest

from dateline.digests.models import DigestIssue, SendSlot
from dateline.digests.selection import create_due_issue, latest_slot, select_stories
from dateline.newsroom.models import ArticlePage, PageViewDay
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday


def hours_ago(hours: float) -> datetime.datetime:
    return NOW - datetime.timedelta(hours=hours)


def titles(chosen) -> list[str]:
    return [c.article.title for c in chosen]


def test_priority_outranks_recency(world):
    make_article(
        world, "Council approves bus lane", standfirst="Cyclists object.", published_at=hours_ago(1)
    )
    make_article(
        world,
        "Dam agreement signed",
        published_at=hours_ago(60),
        priority=ArticlePage.Priority.TOP,
    )
    chosen = select_stories(hours_ago(24 * 7), NOW)
    assert titles(chosen)[0] == "Dam agreement signed"


def test_readers_interest_lifts_a_story(world):
    quiet = make_article(
        world,
        "Tram timetable revised",
        standfirst="Buses fill the gaps.",
        published_at=hours_ago(5),
    )
    read = make_article(
        world, "Glacier survey published", standfirst="Ice loss doubled.", published_at=hours_ago(6)
    )
    PageViewDay.objects.create(page=read, day=NOW.date(), views=5000)
    chosen = select_stories(hours_ago(24 * 7), NOW)
    assert titles(chosen)[:2] == [read.title, quiet.title]


def test_one_section_cannot_fill_the_mail(home, world):
    business = make_section(home, "Business")
    stories = [
        ("Ferry fares rise", "Operators blame fuel."),
        ("Tariff talks stall", "Negotiators leave Halvik."),
        ("Schools reopen", "Pupils return after floods."),
        ("Bridge inspection ordered", "Cracks found in pillars."),
        ("Election date set", "Voters go to polls in March."),
        ("Harvest beats forecast", "Rain arrived just in time."),
    ]
    for i, (title, standfirst) in enumerate(stories):
        make_article(world, title, standfirst=standfirst, published_at=hours_ago(i + 1))
    make_article(
        business, "Wheat prices fall", standfirst="Mills cut orders.", published_at=hours_ago(30)
    )
    chosen = select_stories(hours_ago(24 * 7), NOW, per_section=3)
    assert len([c for c in chosen if c.article.title != "Wheat prices fall"]) == 3
    assert "Wheat prices fall" in titles(chosen)


def test_two_reports_of_one_event_collapse_to_the_better(world):
    make_article(
        world,
        "Storm closes Port Calder harbour",
        standfirst="Gales shut the harbour and cancelled every ferry.",
        published_at=hours_ago(2),
        priority=ArticlePage.Priority.TOP,
    )
    make_article(
        world,
        "Port Calder harbour closed by storm",
        standfirst="Gales shut the harbour and cancelled ferries.",
        published_at=hours_ago(3),
    )
    chosen = select_stories(hours_ago(24 * 7), NOW)
    assert titles(chosen) == ["Storm closes Port Calder harbour"]


def test_only_stories_of_the_period_are_chosen(world):
    make_article(world, "Old news", published_at=hours_ago(24 * 10))
    make_article(world, "Fresh news", standfirst="Just in.", published_at=hours_ago(2))
    assert titles(select_stories(hours_ago(24 * 7), NOW)) == ["Fresh news"]


def test_the_default_slots_are_tuesday_and_friday_at_seven():
    slots = {(s.cadence, s.weekday, s.time.hour) for s in SendSlot.objects.all()}
    assert slots == {("twice_weekly", 1, 7), ("twice_weekly", 4, 7), ("weekly", 4, 7)}


def test_the_latest_slot_of_each_cadence():
    friday_noon = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    thursday = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    friday_seven = datetime.datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # London is on GMT
    tuesday_seven = datetime.datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert latest_slot("twice_weekly", friday_noon) == friday_seven
    assert latest_slot("twice_weekly", thursday) == tuesday_seven
    assert latest_slot("weekly", thursday) == datetime.datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def test_slots_keep_local_time_across_a_daylight_saving_change(settings):
    settings.TIME_ZONE = "Europe/London"
    # Summer time ended on Sunday 25 October 2026: 07:00 was 06:00 UTC before, 07:00 after.
    before = latest_slot("weekly", datetime.datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    after = latest_slot("weekly", datetime.datetime(2026, 10, 30, 12, 0, tzinfo=UTC))
    assert before == datetime.datetime(2026, 10, 23, 6, 0, tzinfo=UTC)
    assert after == datetime.datetime(2026, 10, 30, 7, 0, tzinfo=UTC)


def test_an_issue_is_made_once_per_slot(world):
    make_article(world, "Fresh news", published_at=hours_ago(10))  # before Friday 07:00
    issue = create_due_issue("weekly", NOW)
    assert issue is not None
    assert [s.article.title for s in issue.stories.all()] == ["Fresh news"]
    assert create_due_issue("weekly", NOW) is None
    assert DigestIssue.objects.count() == 1


def test_nothing_published_means_no_issue(world):
    make_article(world, "Old news", published_at=hours_ago(24 * 10))
    assert create_due_issue("weekly", NOW) is None
    assert not DigestIssue.objects.exists()


def test_the_next_issue_starts_where_the_last_one_ended(world):
    make_article(world, "Monday story", published_at=datetime.datetime(2026, 11, 23, 9, tzinfo=UTC))
    first = create_due_issue("twice_weekly", datetime.datetime(2026, 11, 24, 8, tzinfo=UTC))
    make_article(
        world, "Wednesday story", published_at=datetime.datetime(2026, 11, 25, 9, tzinfo=UTC)
    )
    second = create_due_issue("twice_weekly", NOW)
    assert first is not None and second is not None
    assert second.period_start == first.period_end
    assert [s.article.title for s in second.stories.all()] == ["Wednesday story"]
