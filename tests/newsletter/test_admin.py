"""The newsletter in Wagtail's admin: /admin/newsletter/..."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dateline.newsletter import admin_data
from dateline.newsletter.models import (
    ConsentRecord,
    ConsentText,
    ErasureRecord,
    Subscriber,
    Suppression,
)
from tests.newsletter.helpers import consent, editor, subscriber

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/newsletter/subscribers/"
SUPPRESSIONS = "/admin/newsletter/suppressions/"
GROWTH = "/admin/newsletter/growth/"
IMPORT = "/admin/newsletter/import/"


def listed(html: str) -> set[str]:
    """The addresses in the listing's table."""
    return set(re.findall(r"([\w.+-]+@example\.org)\s*</a>", html))


def count(html: str, key: str) -> int:
    match = re.search(rf'data-count="{key}">([\d,]+)<', html)
    assert match, key
    return int(match.group(1).replace(",", ""))


# Who gets in


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(SUBSCRIBERS)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_menu_has_the_newsletter_and_its_pages(staff):
    html = staff.get("/admin/").content.decode()
    assert "Newsletter" in html
    for url in (SUBSCRIBERS, GROWTH, SUPPRESSIONS, IMPORT):
        assert url in html


def test_editors_see_no_subscribers_until_given_permission(client):
    subscriber("reader@example.org")
    ed = editor(client)
    assert ed.get(SUBSCRIBERS).status_code == 302
    assert ed.get(GROWTH).status_code == 302
    assert SUBSCRIBERS not in ed.get("/admin/").content.decode()


def test_viewing_does_not_allow_erasing_or_importing(client):
    reader = subscriber("reader@example.org")
    ed = editor(client, "view_subscriber")
    assert "reader@example.org" in ed.get(SUBSCRIBERS).content.decode()
    page = ed.get(f"{SUBSCRIBERS}{reader.pk}/").content.decode()
    assert "Erase this subscriber" not in page
    assert "Unsubscribe and suppress" not in page
    assert ed.post(f"{SUBSCRIBERS}{reader.pk}/erase/").status_code == 302
    assert ed.post(f"{SUBSCRIBERS}{reader.pk}/suppress/").status_code == 302
    assert ed.get(IMPORT).status_code == 302
    assert Subscriber.objects.get().status == "active"


# Listing


@pytest.fixture
def crowd(world, home):
    from tests.factories import make_section

    sport = make_section(home, "Sport")
    subscriber("weekly@example.org")
    twice = subscriber("twice@example.org", cadence="twice_weekly")
    subscriber("worldonly@example.org").sections.add(world)
    subscriber("sportonly@example.org").sections.add(sport)
    subscriber("pending1@example.org", status="pending")
    subscriber("pending2@example.org", status="pending")
    subscriber("gone@example.org", status="unsubscribed")
    return {"world": world, "sport": sport, "twice": twice}


def test_the_listing_counts_subscribers_above_the_list(staff, crowd):
    html = staff.get(SUBSCRIBERS).content.decode()
    assert count(html, "total") == 7
    assert count(html, "active") == 4
    assert count(html, "pending") == 2
    assert count(html, "unsubscribed") == 1
    assert html.index('data-count="total"') < html.index("weekly@example.org")
    assert len(listed(html)) == 7


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", {"pending1@example.org", "pending2@example.org"}),
        ("status=unsubscribed", {"gone@example.org"}),
        ("cadence=twice_weekly", {"twice@example.org"}),
        ("q=only", {"worldonly@example.org", "sportonly@example.org"}),
        ("status=active&q=TWICE", {"twice@example.org"}),
    ],
)
def test_the_listing_filters_and_searches(staff, crowd, query, expected):
    assert listed(staff.get(f"{SUBSCRIBERS}?{query}").content.decode()) == expected
    # The same through the results view the filters refresh without a page load.
    assert listed(staff.get(f"{SUBSCRIBERS}results/?{query}").content.decode()) == expected


def test_the_section_filter_includes_those_who_get_every_section(staff, crowd):
    html = staff.get(f"{SUBSCRIBERS}?section={crowd['world'].pk}&status=active").content.decode()
    assert listed(html) == {"weekly@example.org", "twice@example.org", "worldonly@example.org"}


# One subscriber


def test_the_subscriber_page_shows_the_whole_consent_history(staff):
    now = timezone.now()
    reader = subscriber("reader@example.org", confirmed_at=now)
    consent(
        "reader@example.org",
        reader,
        status="superseded",
        signup_at=now - datetime.timedelta(days=3),
        source="/about/newsletter-box/",
        consent_text=ConsentText.objects.create(version=2, text="Send me the news."),
    )
    consent(
        "reader@example.org",
        reader,
        status="withdrawn",
        signup_at=now - datetime.timedelta(days=2),
        confirmed_at=now - datetime.timedelta(days=2),
        confirmed_ip="203.0.113.44",
        withdrawn_at=now - datetime.timedelta(days=1),
        withdrawn_how="unsubscribe page",
    )
    consent("new-address@example.org", reader, purpose="change_address", signup_ip="192.0.2.5")
    consent("stranger@example.org", None)
    html = staff.get(f"{SUBSCRIBERS}{reader.pk}/").content.decode()
    assert html.count("data-consent=") == 3
    for text in (
        "198.51.100.7",
        "Firefox/140.0",
        "/world-news/ferry-talks-resume-after-storm/",
        "/about/newsletter-box/",
        "v2",
        "203.0.113.44",
        "unsubscribe page",
        "Not needed: another request was confirmed or withdrawn",
        "Change of address to new-address@example.org",
    ):
        assert text in html, text
    assert "stranger@example.org" not in html
    assert f"{SUBSCRIBERS}{reader.pk}/data.json" in html
    assert f"{SUBSCRIBERS}{reader.pk}/erase/" in html


def test_a_missing_subscriber_is_not_found(staff):
    assert staff.get(f"{SUBSCRIBERS}999/").status_code == 404


def test_suppressing_unsubscribes_and_files_the_address_as_manual(staff):
    reader = subscriber("reader@example.org")
    record = consent("reader@example.org", reader, status="confirmed")
    response = staff.post(f"{SUBSCRIBERS}{reader.pk}/suppress/", {"note": "asked by phone"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.status == "unsubscribed" and reader.unsubscribed_at
    record.refresh_from_db()
    assert (record.status, record.withdrawn_how) == ("withdrawn", "staff")
    suppression = Suppression.objects.get(email="reader@example.org")
    assert (suppression.reason, suppression.note) == ("manual", "asked by phone")
    assert "Added by staff" in staff.get(f"{SUBSCRIBERS}{reader.pk}/").content.decode()


def test_actions_need_a_post_with_the_csrf_token():
    reader = subscriber("reader@example.org")
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(boss)
    assert strict.get(f"{SUBSCRIBERS}{reader.pk}/suppress/").status_code == 405
    assert strict.post(f"{SUBSCRIBERS}{reader.pk}/suppress/").status_code == 403
    assert strict.post(f"{SUBSCRIBERS}{reader.pk}/erase/").status_code == 403
    assert Subscriber.objects.get().status == "active"


def test_the_data_export_is_a_json_download(staff, world):
    reader = subscriber("reader@example.org")
    reader.sections.add(world)
    consent("reader@example.org", reader, status="confirmed")
    response = staff.get(f"{SUBSCRIBERS}{reader.pk}/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="subscriber-{reader.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["email"] == "reader@example.org"
    assert data["sections"] == ["World News"]
    assert data["consent_records"][0]["signup_ip"] == "198.51.100.7"


def everything_stored() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_erasure_asks_first_then_leaves_no_personal_data(staff):
    reader = subscriber("reader@example.org")
    consent("reader@example.org", reader, status="confirmed", signup_ip="198.51.100.99")
    staff.post(f"{SUBSCRIBERS}{reader.pk}/suppress/")
    Suppression.objects.filter(email="reader@example.org").update(reason="unsubscribed")
    subscriber("other@example.org")

    page = staff.get(f"{SUBSCRIBERS}{reader.pk}/erase/")
    assert page.status_code == 200
    assert "Yes, erase" in page.content.decode()
    assert Subscriber.objects.filter(pk=reader.pk).exists()

    response = staff.post(f"{SUBSCRIBERS}{reader.pk}/erase/")
    assert response.status_code == 302
    assert response["Location"] == SUBSCRIBERS
    stored = everything_stored()
    assert "reader@example.org" not in stored
    assert "198.51.100.99" not in stored
    assert "other@example.org" in stored
    assert ErasureRecord.objects.get().count == 1
    staff.post(f"{SUBSCRIBERS}{Subscriber.objects.get().pk}/erase/")
    assert ErasureRecord.objects.get().count == 2
    assert "erased" in staff.get(SUBSCRIBERS).content.decode()


def test_erasure_keeps_a_suppression_staff_added_but_no_log_of_the_rest(staff):
    reader = subscriber("reader@example.org")
    staff.post(f"{SUPPRESSIONS}new/", {"email": "reader@example.org", "reason": "complaint"})
    staff.post(f"{SUBSCRIBERS}{reader.pk}/erase/")
    assert not Subscriber.objects.exists()
    assert Suppression.objects.get().reason == "complaint"


def test_a_suppression_removed_before_erasure_leaves_no_trace_in_the_log(staff):
    reader = subscriber("reader@example.org")
    staff.post(f"{SUPPRESSIONS}new/", {"email": "reader@example.org", "reason": "manual"})
    suppression = Suppression.objects.get()
    staff.post(f"{SUPPRESSIONS}delete/{suppression.pk}/")
    assert not Suppression.objects.exists()
    staff.post(f"{SUBSCRIBERS}{reader.pk}/erase/")
    assert "reader@example.org" not in everything_stored()


# Growth


@time_machine.travel(datetime.datetime(2026, 7, 15, 11, 0, tzinfo=datetime.UTC), tick=False)
def test_the_growth_page_counts_signups_confirmations_and_unsubscribes(
    staff, django_assert_num_queries
):
    now = timezone.now()

    def ago(days: float, hours: float = 0) -> datetime.datetime:
        return now - datetime.timedelta(days=days, hours=hours)

    confirmed = {"status": "confirmed"}
    consent("a@example.org", signup_at=ago(10), confirmed_at=ago(10, -1), **confirmed)
    # b asked twice the same day and never confirmed: one signup.
    consent("b@example.org", signup_at=ago(10), status="superseded")
    consent("b@example.org", signup_at=ago(10, -2), status="expired")
    consent(
        "c@example.org",
        signup_at=ago(5),
        confirmed_at=ago(4),
        withdrawn_at=ago(2),
        status="withdrawn",
    )
    # Asked today: its link still works, so the rate leaves it out.
    consent("d@example.org", signup_at=ago(0, 1))
    # Imported on the operator's word: a signup and a confirmation, not in the rate.
    consent(
        "e@example.org",
        signup_at=ago(20),
        confirmed_at=ago(20),
        source="import: fair.csv: prior consent: signed up at the book fair",
        signup_ip=None,
        **confirmed,
    )
    consent("f@example.org", signup_at=ago(100), confirmed_at=ago(100), **confirmed)
    consent("g@example.org", signup_at=ago(3), purpose="change_address", **confirmed)

    with django_assert_num_queries(4):
        growth = admin_data.growth(90)
    assert growth.totals == {"signups": 5, "confirmations": 3, "unsubscribes": 1}
    assert (growth.asked, growth.confirmed) == (3, 2)

    html = staff.get(GROWTH).content.decode()
    today = timezone.localdate()

    def row(days: int) -> list[int]:
        day = (today - datetime.timedelta(days=days)).isoformat()
        match = re.search(rf'data-day="{day}">.*?</tr>', html, re.S)
        assert match, day
        return [int(n) for n in re.findall(r"<td>(\d+)</td>", match.group(0))]

    assert row(10) == [2, 1, 0]
    assert row(5) == [1, 0, 0]
    assert row(4) == [0, 1, 0]
    assert row(2) == [0, 0, 1]
    assert row(0) == [1, 0, 0]
    assert row(20) == [1, 1, 0]
    assert row(89) == [0, 0, 0]
    assert f'data-day="{(today - datetime.timedelta(days=90)).isoformat()}"' not in html
    total = re.search(r'data-day="total">.*?</tr>', html, re.S)
    assert total and re.findall(r"<td>(\d+)</td>", total.group(0)) == ["5", "3", "1"]
    assert 'data-confirmation-rate="67"' in html

    start = html.index('<svg class="line-chart"')
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<polyline") == 3
    assert "5 signups, 3 confirmations and 1 unsubscribes" in svg
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_growth_page_says_when_nothing_counts_yet(staff):
    html = staff.get(GROWTH).content.decode()
    assert 'data-confirmation-rate="none"' in html
    assert html.count("<polyline") == 3


# CSV in the admin


def test_the_csv_download_follows_the_status_filter(staff, world):
    subscriber("active@example.org").sections.add(world)
    subscriber("pending@example.org", status="pending")
    response = staff.get(f"{SUBSCRIBERS}export.csv?status=active")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffemail,status,cadence,sections,created_at,confirmed_at\r\n")
    assert "active@example.org,active,weekly,world-news," in text
    assert "pending@example.org" not in text
    listing = staff.get(f"{SUBSCRIBERS}?status=active").content.decode()
    assert f"{SUBSCRIBERS}export.csv?status=active" in listing


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_csv_upload_with_prior_consent_makes_good_rows_active(staff, world, mail_server):
    Suppression.objects.create(email="gone@example.org", reason="complaint")
    csv_text = (
        "email,cadence,sections\n"
        "one@example.org,weekly,world-news\n"
        "not an address,,\n"
        "gone@example.org,,\n"
        "two@example.org,twice_weekly,\n"
    )
    response = staff.post(
        IMPORT,
        {
            "file": upload("fair.csv", csv_text),
            "cadence": "weekly",
            "has_prior_consent": "on",
            "prior_consent": "signed up on paper at the 2025 book fair",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Imported fair.csv" in html
    assert "line 3: not an address" in html
    assert "line 4: gone@example.org: on the suppression list (complaint)" in html
    assert set(Subscriber.objects.values_list("email", "status")) == {
        ("one@example.org", "active"),
        ("two@example.org", "active"),
    }
    assert list(Subscriber.objects.get(email="one@example.org").sections.all()) == [
        world.specific_class.objects.get(pk=world.pk)
    ]
    record = ConsentRecord.objects.get(email="two@example.org")
    assert (
        record.source == "import: fair.csv: prior consent: signed up on paper at the 2025 book fair"
    )
    assert mail_server.messages == []


def test_a_csv_upload_without_prior_consent_mails_a_confirmation(staff, mail_server):
    response = staff.post(
        IMPORT, {"file": upload("list.csv", "email\nnew@example.org\n"), "cadence": "weekly"}
    )
    assert "Sent a confirmation mail" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"
    (mail,) = mail_server.to("new@example.org")
    assert "/newsletter/confirm/" in mail_server.text(mail)


def test_a_csv_upload_explains_what_is_wrong_with_the_file(staff):
    response = staff.post(
        IMPORT, {"file": upload("list.csv", "name,city\nAda,Leeds\n"), "cadence": "weekly"}
    )
    assert response.status_code == 200
    assert "No email column" in response.content.decode()
    prior_without_words = staff.post(
        IMPORT,
        {
            "file": upload("list.csv", "email\nx@example.org\n"),
            "cadence": "weekly",
            "has_prior_consent": "on",
        },
    )
    assert "Say how and when these people agreed" in prior_without_words.content.decode()
    assert not Subscriber.objects.exists()


# Suppression list


def test_the_suppression_list_shows_reasons_and_takes_new_addresses(staff):
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
    reader = subscriber("reader@example.org")
    html = staff.get(SUPPRESSIONS).content.decode()
    assert "bounced@example.org" in html and "Hard bounce" in html
    assert "Suppression list" in html

    response = staff.post(
        f"{SUPPRESSIONS}new/",
        {"email": " Reader@EXAMPLE.org ", "reason": "manual", "note": "asked at the front desk"},
    )
    assert response.status_code == 302
    added = Suppression.objects.get(email="reader@example.org")
    assert (added.reason, added.note) == ("manual", "asked at the front desk")
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"

    again = staff.post(f"{SUPPRESSIONS}new/", {"email": "Reader@EXAMPLE.org", "reason": "manual"})
    assert again.status_code == 200
    assert "already on the suppression list" in again.content.decode().replace("\n", " ")


def test_a_suppression_can_be_removed(staff):
    suppression = Suppression.objects.create(email="x@example.org", reason="manual")
    assert staff.get(f"{SUPPRESSIONS}delete/{suppression.pk}/").status_code == 200
    assert staff.post(f"{SUPPRESSIONS}delete/{suppression.pk}/").status_code == 302
    assert not Suppression.objects.exists()
