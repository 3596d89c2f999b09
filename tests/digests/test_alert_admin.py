"""'Send as an alert' and written issues in the admin: preview, test, confirm, cap, schedule."""

from __future__ import annotations

import datetime
import html

import pytest
from django.utils import timezone
from wagtail.rich_text import RichText

from dateline.digests.models import Delivery, DigestIssue, WrittenIssue
from dateline.newsletter.models import Newsletter, NewsletterSettings
from tests.digests.helpers import reader
from tests.factories import make_article
from tests.newsletter.helpers import editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(world):
    return make_article(
        world, "Dam agreement signed", standfirst="Both sides signed at dawn.", photo=True
    )


@pytest.fixture
def two_readers():
    alerts = Newsletter.alerts()
    reader("ana@example.org", newsletters=[alerts])
    reader("bo@example.org", cadence="twice_weekly", newsletters=[alerts])
    reader("cy@example.org")  # the digest only


def alert_page(article) -> str:
    return f"/admin/newsletter/send/alert/{article.pk}/"


def page(response) -> str:
    return html.unescape(response.content.decode())


def fields(**extra) -> dict[str, str]:
    return {"subject": "Breaking: Dam agreement signed", "preheader": "Signed.", **extra}


def alerts() -> list[DigestIssue]:
    return list(DigestIssue.objects.filter(kind=DigestIssue.Kind.ALERT))


def test_the_button_is_on_live_articles_for_those_who_may_send(staff, client, world, article):
    edit = f"/admin/pages/{article.pk}/edit/"
    assert alert_page(article) in staff.get(edit).content.decode()
    draft = make_article(world, "Not yet", publish=False)
    assert alert_page(draft) not in staff.get(f"/admin/pages/{draft.pk}/edit/").content.decode()
    assert "/send/alert/" not in staff.get(f"/admin/pages/{world.pk}/edit/").content.decode()


def test_editors_without_the_send_permission_see_no_button_and_cannot_send(client, article):
    ed = editor(client, "view_digestissue")
    assert alert_page(article) not in ed.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert ed.get(alert_page(article)).status_code == 404
    ed.post(alert_page(article), fields(action="confirm"))
    assert alerts() == []


def test_the_page_prefills_the_defaults_and_previews_the_mail(staff, article, two_readers):
    text = page(staff.get(alert_page(article)))
    assert 'value="Breaking: Dam agreement signed"' in text
    assert 'value="Both sides signed at dawn."' in text
    assert "Send to 2 readers" in text
    assert "srcdoc=" in text and "Read the story" in text and "Dam agreement signed" in text


def test_a_test_goes_to_the_editor_through_the_relay(staff, article, two_readers, mail_server):
    staff.post(alert_page(article), fields(subject="Dam deal", action="test"))
    [message] = mail_server.messages
    assert message["To"] == "boss@example.org"
    assert message["Subject"] == "[Test] Dam deal"
    assert "Dam agreement signed" in mail_server.html(message)
    assert alerts() == []


def test_each_test_mail_has_its_own_message_id(staff, article, two_readers, mail_server):
    # RFC 5322 3.6.4: a Message-ID names one message; mail programs drop or thread a
    # second message under an id they have seen, so a second test would not show.
    staff.post(alert_page(article), fields(action="test"))
    staff.post(alert_page(article), fields(action="test"))
    first, second = mail_server.messages
    assert first["Message-ID"] != second["Message-ID"]


def test_one_reader_is_one_reader(staff, article, django_capture_on_commit_callbacks):
    reader("ana@example.org", newsletters=[Newsletter.alerts()])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(alert_page(article), fields(action="confirm"), follow=True)
    assert "Sending: 1 reader queued." in page(response)


def test_review_shows_the_count_and_newsletter_then_confirm_sends(
    staff, article, two_readers, mail_server, django_capture_on_commit_callbacks
):
    text = page(staff.post(alert_page(article), fields(action="review")))
    assert "Send to 2 readers of Breaking news?" in text and "Confirm" in text
    assert alerts() == []
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(alert_page(article), fields(action="confirm"), follow=True)
    assert "Sending: 2 readers queued" in page(response)
    [issue] = alerts()
    assert issue.newsletter == Newsletter.alerts() and issue.cadence == ""
    assert [s.article_id for s in issue.stories.all()] == [article.pk]
    assert issue.approved_by is not None and issue.approved_by.username == "boss"
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    assert {m["To"] for m in mail_server.messages} == {"ana@example.org", "bo@example.org"}
    assert {m["Subject"] for m in mail_server.messages} == {"Breaking: Dam agreement signed"}


def test_an_edited_subject_is_kept_on_the_issue(staff, article, two_readers):
    staff.post(alert_page(article), fields(subject="Dam deal done", action="confirm"))
    [issue] = alerts()
    assert issue.subject == "Dam deal done" and issue.preheader == "Signed."


def test_send_at_schedules_it_and_nothing_is_queued(staff, article, two_readers):
    later = timezone.localtime() + datetime.timedelta(hours=3)
    response = staff.post(
        alert_page(article),
        fields(action="confirm", send_at=later.strftime("%Y-%m-%dT%H:%M")),
        follow=True,
    )
    [issue] = alerts()
    assert issue.status == DigestIssue.Status.SCHEDULED
    assert issue.slot_at == later.replace(second=0, microsecond=0)
    assert not Delivery.objects.filter(issue=issue).exists()
    assert "Scheduled for" in page(response)


def test_a_time_already_past_is_refused(staff, article, two_readers):
    earlier = timezone.localtime() - datetime.timedelta(hours=1)
    text = page(
        staff.post(
            alert_page(article),
            fields(action="confirm", send_at=earlier.strftime("%Y-%m-%dT%H:%M")),
        )
    )
    assert "has passed" in text and alerts() == []


def test_the_daily_cap_refuses_with_a_message_and_makes_nothing(staff, world, two_readers):
    settings = NewsletterSettings.load()
    settings.alerts_per_day = 2
    settings.save()
    stories = [make_article(world, f"Story {i}") for i in range(3)]
    for story in stories[:2]:
        staff.post(alert_page(story), fields(action="confirm"))
    assert len(alerts()) == 2
    text = page(staff.post(alert_page(stories[2]), fields(action="confirm"), follow=True))
    assert "The day's limit of 2 alerts is reached" in text
    assert len(alerts()) == 2


def test_the_page_says_how_many_alerts_are_left_before_anything_is_written(
    staff, world, two_readers
):
    settings = NewsletterSettings.load()
    settings.alerts_per_day = 1
    settings.save()
    first, second = make_article(world, "Story one"), make_article(world, "Story two")
    assert "0 of 1 alert allowed today sent so far." in page(staff.get(alert_page(first)))
    staff.post(alert_page(first), fields(action="confirm"))
    text = page(staff.get(alert_page(second)))
    assert "Today's limit of 1 alert is reached: an alert now will be refused." in text


def test_the_cap_counts_scheduled_alerts_on_their_own_day(staff, world, two_readers):
    settings = NewsletterSettings.load()
    settings.alerts_per_day = 1
    settings.save()
    day_after = timezone.localdate() + datetime.timedelta(days=1)
    tomorrow = f"{day_after:%Y-%m-%d}T12:00"
    staff.post(alert_page(make_article(world, "One")), fields(action="confirm", send_at=tomorrow))
    # Today is still free: the scheduled one counts for tomorrow.
    staff.post(alert_page(make_article(world, "Two")), fields(action="confirm"))
    assert len(alerts()) == 2
    text = page(
        staff.post(
            alert_page(make_article(world, "Three")),
            fields(action="confirm", send_at=f"{day_after:%Y-%m-%d}T23:30"),
            follow=True,
        )
    )
    assert "limit of 1 alert is reached" in text and len(alerts()) == 2
    # A cancelled alert frees its place.
    DigestIssue.objects.filter(kind="alert", status="scheduled").update(status="cancelled")
    staff.post(alert_page(make_article(world, "Four")), fields(action="confirm", send_at=tomorrow))
    assert len(alerts()) == 3


def test_an_article_sent_before_asks_for_a_second_confirmation(staff, article, two_readers):
    staff.post(alert_page(article), fields(action="confirm"))
    text = page(staff.get(alert_page(article)))
    assert "This article went out as an alert on" in text
    text = page(staff.post(alert_page(article), fields(action="confirm")))
    assert "Tick this to send it again" in text and len(alerts()) == 1
    staff.post(alert_page(article), fields(action="confirm", again="on"))
    assert len(alerts()) == 2


# Written issues ----------------------------------------------------------------------


@pytest.fixture
def written(article):
    return WrittenIssue.objects.create(
        title="Harbour week",
        newsletter=Newsletter.digest(),
        subject="The harbour, this week",
        preheader="Ferries and tides",
        body=[
            ("paragraph", RichText("<p>Hello from the harbour desk.</p>")),
            ("story", {"story": article, "note": ""}),
        ],
    )


def test_written_issues_are_snippets_with_preview_and_send(staff, written):
    listing = staff.get("/admin/newsletter/written/")
    assert listing.status_code == 200
    assert f"/admin/newsletter/send/written/{written.pk}/" in listing.content.decode()
    edit = staff.get(f"/admin/newsletter/written/edit/{written.pk}/")
    assert f"/admin/newsletter/send/written/{written.pk}/" in edit.content.decode()
    assert "Written issues" in staff.get("/admin/").content.decode()


def test_a_written_issue_to_the_digest_goes_to_every_digest_reader(
    staff, written, mail_server, django_capture_on_commit_callbacks
):
    reader("ana@example.org")
    reader("bo@example.org", cadence="twice_weekly")
    url = f"/admin/newsletter/send/written/{written.pk}/"
    text = page(staff.get(url))
    assert 'value="The harbour, this week"' in text and "Hello from the harbour desk." in text
    staff.post(url, {"subject": "", "preheader": "", "action": "test"})
    [test] = mail_server.messages
    assert test["Subject"] == "[Test] The harbour, this week"
    assert "Send to 2 readers of The digest?" in page(
        staff.post(url, {"subject": "", "preheader": "", "action": "review"})
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"subject": "", "preheader": "", "action": "confirm"})
    [issue] = DigestIssue.objects.filter(kind=DigestIssue.Kind.EDITED)
    assert issue.written == written and issue.newsletter == Newsletter.digest()
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    sent = [m for m in mail_server.messages if m["Subject"] == "The harbour, this week"]
    assert {m["To"] for m in sent} == {"ana@example.org", "bo@example.org"}


def test_a_written_issue_can_be_scheduled(staff, written):
    later = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    staff.post(
        f"/admin/newsletter/send/written/{written.pk}/",
        {"subject": "", "preheader": "", "send_at": later, "action": "confirm"},
    )
    [issue] = DigestIssue.objects.filter(kind=DigestIssue.Kind.EDITED)
    assert issue.status == DigestIssue.Status.SCHEDULED


def test_a_written_issues_page_does_not_say_it_has_no_story(
    staff, written, mail_server, django_capture_on_commit_callbacks
):
    # Its stories are blocks of its body, not the digest's selection: "No story is in
    # the mail ... or the issue is not sent" was shown above an issue that was sent.
    reader("ana@example.org")
    url = f"/admin/newsletter/send/written/{written.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"subject": "", "preheader": "", "action": "confirm"})
    [issue] = DigestIssue.objects.filter(kind=DigestIssue.Kind.EDITED)
    text = page(staff.get(f"/admin/newsletter/digests/{issue.pk}/"))
    assert "No story is in the mail" not in text
    assert "The stories are in the written issue's body" in text
