"""The wire desk in Wagtail's admin, as an editor uses it in a real browser.

Three agencies' feeds (our own fixtures) are ingested into the live server's database:
the desk must list the story clusters newest first, each with its reports (latest
first), their agencies and times, and "Write story" on a cluster must open a draft in
the chosen section with the reports beside the editor, after which the desk links the
cluster to that story.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Newsroom

DESK = "/admin/wire/desk/"
PASSWORD = "wire-desk-browser-test"  # a test account in a throwaway database
FERRY = "Talks to end Port Calder ferry strike set for Wednesday"


@pytest.fixture
def wire_desk(newsroom: Newsroom) -> Newsroom:
    from django.contrib.auth import get_user_model

    from dateline.wire.formats import parse
    from dateline.wire.ingest import ingest
    from tests.wire.conftest import fixture
    from tests.wire.helpers import make_provider

    get_user_model().objects.create_superuser("deskchief", "desk@example.org", PASSWORD)
    for name, short, fmt, file in [
        ("Northwind Press", "NP", "rss", "northwind.rss"),
        ("Meridian News Agency", "MNA", "ninjs", "meridian.json"),
        ("Calder Press Service", "CPS", "newsml", "calder.xml"),
    ]:
        provider = make_provider(name, short_name=short, format=fmt, read_at=f"{name} wire")
        ingest(provider, parse(fixture(file), fmt))
    return newsroom


def sign_in(page: Page) -> None:
    page.goto(f"/admin/login/?next={DESK}")
    page.get_by_label("Username").fill("deskchief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(re.escape(DESK) + "$"))


def shown_time(text: str) -> tuple[int, int, int, int]:
    """(month, day, hour, minute) of a desk time such as "16 Nov, 08:20"."""
    match = re.search(r"(\d{1,2}) (\w{3})(?: \d{4})?, (\d{2}):(\d{2})", text)
    assert match, f"no time in {text!r}"
    day, month, hour, minute = match.groups()
    return (
        datetime.datetime.strptime(month, "%b").month,
        int(day),
        int(hour),
        int(minute),
    )


def test_the_desk_lists_clusters_newest_first_with_reports_agencies_and_times(
    new_page: Callable[..., Page], wire_desk: Newsroom
) -> None:
    page = new_page()
    sign_in(page)
    expect(page.get_by_role("heading", name="Wire desk")).to_be_visible()

    clusters = page.locator("section[data-cluster]")
    expect(clusters).to_have_count(3)
    # A cluster is headed by its first report. The quota vote came without a date and
    # was stamped on arrival: it is the newest; the ferry strike (16 Nov, up to 12:00)
    # comes before the flood warning (16 Nov, morning).
    expect(clusters.locator("h2")).to_have_text(
        [
            "Velmar parliament backs smaller fishing quotas",
            "Ferry crews walk out in Port Calder over unpaid night shifts",
            re.compile("^Flood warning for Besk"),
        ]
    )
    # Each cluster's summary gives its latest time; they go down the page.
    latest = [
        shown_time(summary.split("latest", 1)[1])
        for summary in clusters.locator("h2 + p").all_inner_texts()
    ]
    assert latest == sorted(latest, reverse=True)

    ferry = page.locator("section[data-cluster]", has_text=FERRY)
    expect(ferry.locator("h2 + p")).to_contain_text(
        "from Calder Press Service, Meridian News Agency, Northwind Press"
    )
    rows = ferry.locator("tbody tr")
    expect(rows).to_have_count(3)
    agencies = [cell.strip() for cell in rows.locator("td:nth-child(2)").all_inner_texts()]
    assert sorted(agencies) == ["Calder Press Service", "Meridian News Agency", "Northwind Press"]
    times = [shown_time(t) for t in rows.locator("td:nth-child(3)").all_inner_texts()]
    assert times == sorted(times, reverse=True)  # the latest report first
    expect(rows.first).to_contain_text(FERRY)
    expect(rows.filter(has_text="strands Port Calder commuters")).to_contain_text("16 Nov, 08:20")
    expect(rows.locator("td:nth-child(4)")).to_have_text(["New", "New", "New"])
    # An agency's report links to its own page, and never opens our admin to it.
    link = rows.get_by_role("link", name=re.compile("Ferry crews walk out"))
    expect(link).to_have_attribute("href", "https://wire.northwind.example/stories/ferry-strike")
    expect(link).to_have_attribute("rel", re.compile("noopener"))


def test_write_story_from_a_cluster_opens_a_draft_and_the_desk_links_it(
    new_page: Callable[..., Page], wire_desk: Newsroom, settings: Any
) -> None:
    from dateline.newsroom.models import ArticlePage

    page = new_page()
    sign_in(page)
    ferry = page.locator("section[data-cluster]", has_text=FERRY)
    ferry.get_by_label("Section").select_option(label="Europe")
    ferry.get_by_role("button", name="Write story", exact=True).click()

    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.get_by_text("Draft created from the wire")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value(FERRY)
    # The reports are beside the editor for reference, every agency's.
    copy = page.locator("[data-wire-copy]")
    expect(copy).to_contain_text("The transport ministry agreed")
    for agency in ("Calder Press Service", "Meridian News Agency", "Northwind Press"):
        expect(copy).to_contain_text(agency)

    article = ArticlePage.objects.get(title=FERRY)
    assert not article.live
    assert article.get_parent().title == "Europe"
    assert sorted(article.sources.values_list("outlet", flat=True)) == [
        "Calder Press Service",
        "Meridian News Agency",
        "Northwind Press",
    ]

    page.goto(DESK)
    ferry = page.locator("section[data-cluster]", has_text=FERRY)
    written = ferry.get_by_role("link", name=FERRY)
    expect(written).to_have_attribute("href", f"/admin/pages/{article.pk}/edit/")
    # The other clusters have no story yet.
    expect(page.get_by_text("Stories written from it")).to_have_count(1)
