"""Digests in the admin: /admin/newsletter/digests/ - preview, choices, send now, progress."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from dateline.digests import editorial
from dateline.digests.models import Delivery, DigestIssue, DigestStory
from dateline.digests.progress import chart_bars, progress
from dateline.newsroom.models import ArticlePage
from tests.digests.helpers import reader
from tests.factories import make_article
from tests.newsletter.helpers import editor

pytestmark = pytest.mark.django_db

DIGESTS = "/admin/newsletter/digests/"


@pytest.fixture
def draft(world) -> DigestIssue:
    make_article(world, "Dam agreement signed", priority=ArticlePage.Priority.TOP)
    make_article(world, "Glacier survey published", standfirst="Ice loss doubled.")
    make_article(world, "Tram timetable revised", standfirst="Buses fill the gaps.")
    now = timezone.now()
    issue = DigestIssue.objects.create(
        cadence="weekly",
        slot_at=now + datetime.timedelta(hours=3),
        period_start=now - datetime.timedelta(days=7),
        period_end=now + datetime.timedelta(hours=3),
    )
    editorial.refresh(issue)
    return issue


def story(issue: DigestIssue, title: str) -> DigestStory:
    return DigestStory.objects.get(issue=issue, article__title=title)


def in_mail(issue: DigestIssue) -> list[str]:
    return list(
        DigestStory.objects.filter(issue=issue, dropped=False)
        .order_by("position")
        .values_list("article__title", flat=True)
    )


def test_the_index_lists_issues_with_their_state(staff, draft):
    page = staff.get(DIGESTS).content.decode()
    assert str(draft) in page
    assert "Draft" in page
    assert f'href="{DIGESTS}{draft.pk}/"' in page


def test_the_index_leads_to_each_cadences_next_issue(staff, draft):
    page = staff.get(DIGESTS).content.decode()
    assert f'<a href="{DIGESTS}{draft.pk}/">Once a week:' in page
    assert "draft with 3 stories" in page
    # No twice-weekly draft yet: an editor can make it now rather than wait.
    assert "Twice a week:" in page
    assert "Draft the next issues now" in page
    response = staff.post(f"{DIGESTS}prepare/", follow=True)
    twice = DigestIssue.objects.get(cadence="twice_weekly")
    assert twice.status == DigestIssue.Status.DRAFT
    assert f"Drafted: {twice}" in response.content.decode()
    assert "Draft the next issues now" not in response.content.decode()


def test_a_story_the_scheduler_took_out_meanwhile_is_explained(staff, draft):
    gone = story(draft, "Glacier survey published").pk
    DigestStory.objects.filter(pk=gone).delete()
    response = staff.post(f"{DIGESTS}{draft.pk}/stories/{gone}/up/", follow=True)
    assert response.status_code == 200
    assert "That story has left the selection" in response.content.decode()


def test_the_issue_page_previews_the_mail_and_lists_its_stories(staff, draft):
    page = staff.get(f"{DIGESTS}{draft.pk}/").content.decode()
    assert "Approve and send now" in page
    assert 'data-story="Dam agreement signed"' in page
    assert f'src="{DIGESTS}{draft.pk}/preview/"' in page
    preview = staff.get(f"{DIGESTS}{draft.pk}/preview/")
    assert preview.status_code == 200
    assert "Glacier survey published" in preview.content.decode()


def test_editors_drop_restore_and_reorder_stories(staff, draft):
    glacier = story(draft, "Glacier survey published")
    response = staff.post(f"{DIGESTS}{draft.pk}/stories/{glacier.pk}/drop/")
    assert response.status_code == 302
    assert "Glacier survey published" not in in_mail(draft)
    preview = staff.get(f"{DIGESTS}{draft.pk}/preview/").content.decode()
    assert "Glacier survey published" not in preview

    staff.post(f"{DIGESTS}{draft.pk}/stories/{glacier.pk}/restore/")
    tram = story(draft, "Tram timetable revised")
    staff.post(f"{DIGESTS}{draft.pk}/stories/{tram.pk}/up/")
    order = in_mail(draft)
    assert order.index("Tram timetable revised") < order.index("Glacier survey published")
    assert story(draft, "Tram timetable revised").pinned


def test_send_now_queues_every_reader_and_the_workers_send(
    staff, draft, mail_server, django_capture_on_commit_callbacks
):
    reader("ana@example.org")
    reader("bo@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{DIGESTS}{draft.pk}/approve/", follow=True)
    assert "2 readers queued" in response.content.decode()
    draft.refresh_from_db()
    assert draft.approved_by is not None and draft.approved_by.username == "boss"
    assert draft.status == DigestIssue.Status.SENT
    assert len(mail_server.messages) == 2
    # An approved issue's stories can no longer change.
    glacier = story(draft, "Glacier survey published")
    response = staff.post(f"{DIGESTS}{draft.pk}/stories/{glacier.pk}/drop/", follow=True)
    assert "Not changed" in response.content.decode()
    assert "Glacier survey published" in in_mail(draft)


def test_progress_while_sending_and_pause_resume(staff, draft):
    for i in range(4):
        reader(f"r{i}@example.org")
    editorial.approve(draft, hand_to_workers=False)
    Delivery.objects.filter(issue=draft, email__in=["r0@example.org", "r1@example.org"]).update(
        state=Delivery.State.SENT, sent_at=timezone.now()
    )
    DigestIssue.objects.filter(pk=draft.pk).update(status=DigestIssue.Status.SENDING)
    figures = staff.get(f"{DIGESTS}{draft.pk}/progress/?format=json").json()
    assert figures["total"] == 4 and figures["done"] == 2 and figures["percent"] == 50
    assert figures["status"] == "sending"
    assert figures["eta_seconds"] is not None
    panel = staff.get(f"{DIGESTS}{draft.pk}/progress/").content.decode()
    assert "data-live=" in panel and "<svg" in panel

    staff.post(f"{DIGESTS}{draft.pk}/pause/")
    draft.refresh_from_db()
    assert draft.status == DigestIssue.Status.PAUSED
    assert "boss" in draft.pause_reason
    staff.post(f"{DIGESTS}{draft.pk}/resume/")
    draft.refresh_from_db()
    assert draft.status == DigestIssue.Status.SENDING


def test_progress_figures_and_chart():
    now = timezone.now().replace(second=0, microsecond=0)
    bars = chart_bars([(now, 10), (now + datetime.timedelta(minutes=1), 5)])
    assert bars[0]["height"] == 30 and bars[1]["height"] == 15
    assert bars[1]["y"] == 15
    assert chart_bars([]) == []


def test_without_permission_nothing_is_shown_or_changed(client, draft):
    ed = editor(client)
    # Wagtail answers an editor without the permission with a redirect to the dashboard.
    refused = ed.get(DIGESTS)
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    glacier = story(draft, "Glacier survey published")
    ed.post(f"{DIGESTS}{draft.pk}/stories/{glacier.pk}/drop/")
    assert "Glacier survey published" in in_mail(draft)


def test_viewers_see_but_cannot_change(client, draft):
    ed = editor(client, "view_digestissue")
    assert ed.get(f"{DIGESTS}{draft.pk}/").status_code == 200
    assert "Approve and send now" not in ed.get(f"{DIGESTS}{draft.pk}/").content.decode()
    ed.post(f"{DIGESTS}{draft.pk}/approve/")
    draft.refresh_from_db()
    assert draft.status == DigestIssue.Status.DRAFT


def test_unknown_issue_or_action_is_refused(staff, draft):
    assert staff.get(f"{DIGESTS}999999/").status_code == 404
    glacier = story(draft, "Glacier survey published")
    assert staff.post(f"{DIGESTS}{draft.pk}/stories/{glacier.pk}/explode/").status_code == 404
    response = staff.post(f"{DIGESTS}{draft.pk}/explode/", follow=True)
    assert "Not done" in response.content.decode()
    assert progress(draft).total == 0


def test_the_index_is_headed_digests(staff: Client) -> None:
    from bs4 import BeautifulSoup

    page = BeautifulSoup(staff.get(DIGESTS).content, "html.parser")
    assert page.select("[data-w-breadcrumbs] li")[-1].get_text(strip=True) == "Digests"


# The editor's words, scheduling, cancelling, progress ---------------------------------


def contentstate(text: str, url: str = "") -> str:
    """What Wagtail's rich text editor posts: one paragraph, its first word bold, a link."""
    import json

    entities = {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url}}}
    block = {
        "key": "k1",
        "type": "unstyled",
        "text": text,
        "depth": 0,
        "inlineStyleRanges": [{"offset": 0, "length": text.index(" "), "style": "BOLD"}],
        "entityRanges": [{"offset": len(text) - 4, "length": 4, "key": 0}] if url else [],
    }
    return json.dumps({"blocks": [block], "entityMap": entities if url else {}})


def test_the_editor_writes_the_introduction_and_overrides_subject_and_preheader(staff, draft):
    page = staff.get(f"{DIGESTS}{draft.pk}/").content.decode()
    # Each field says what empty means: today's defaults.
    assert "Empty: the top story&#x27;s headline, “Dam agreement signed”." in page
    assert 'placeholder="Dam agreement signed"' in page
    assert "And 2 more stories." in page
    assert "data-draftail-input" in page or "draftail" in page.lower()
    response = staff.post(
        f"{DIGESTS}{draft.pk}/words/",
        {
            "subject": "The dam, at last",
            "preheader": "",
            "intro": contentstate("Big week: see here", "https://example.org/dam"),
        },
        follow=True,
    )
    assert "Saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.subject == "The dam, at last" and draft.preheader == ""
    assert '<b>Big</b> week: see <a href="https://example.org/dam">here</a>' in draft.intro
    page = response.content.decode()
    assert "Subject: <strong>The dam, at last</strong>" in page
    preview = staff.get(f"{DIGESTS}{draft.pk}/preview/").content.decode()
    assert "<title>The dam, at last</title>" in preview
    assert "<strong>Big</strong> week: see <a href=" in preview
    assert "And 2 more stories." in preview  # the preheader left to its default


def test_the_words_cannot_change_once_the_issue_is_not_a_draft(staff, draft):
    editorial.schedule(draft, timezone.now() + datetime.timedelta(hours=1))
    page = staff.get(f"{DIGESTS}{draft.pk}/").content.decode()
    assert "Save the words" not in page
    assert "(the default)" in page
    response = staff.post(
        f"{DIGESTS}{draft.pk}/words/", {"subject": "Too late", "intro": ""}, follow=True
    )
    assert "Not saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.subject == ""
    # Nor from a hand-made request with HTML where the editor's contents go.
    DigestIssue.objects.filter(pk=draft.pk).update(status=DigestIssue.Status.DRAFT)
    response = staff.post(
        f"{DIGESTS}{draft.pk}/words/", {"intro": "<script>x</script>"}, follow=True
    )
    assert "could not be read" in response.content.decode()


def test_send_at_then_cancel_with_a_confirmation(staff, draft):
    page = staff.get(f"{DIGESTS}{draft.pk}/").content.decode()
    assert "Send at…" in page and 'type="datetime-local"' in page
    past = timezone.localtime() - datetime.timedelta(hours=1)
    response = staff.post(
        f"{DIGESTS}{draft.pk}/schedule/", {"at": f"{past:%Y-%m-%dT%H:%M}"}, follow=True
    )
    assert "Not done" in response.content.decode() and "is past" in response.content.decode()
    later = (timezone.localtime() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    response = staff.post(
        f"{DIGESTS}{draft.pk}/schedule/", {"at": f"{later:%Y-%m-%dT%H:%M}"}, follow=True
    )
    assert "Scheduled: it goes out" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == DigestIssue.Status.SCHEDULED and draft.slot_at == later
    assert draft.approved_by.username == "boss"
    page = response.content.decode()
    assert "data-scheduled-for" in page and "Approve and send now" not in page

    # The index lists it among the scheduled sends.
    index = staff.get(f"{DIGESTS}?status=scheduled").content.decode()
    assert f'data-issue="{draft.pk}"' in index and "data-scheduled" in index
    assert "The digest" in index and "Digest" in index
    assert f'data-issue="{draft.pk}"' not in staff.get(f"{DIGESTS}?status=draft").content.decode()

    # Cancelling asks first (a page of its own, so no script is needed).
    assert f'href="{DIGESTS}{draft.pk}/cancel/confirm/"' in page
    confirm = staff.get(f"{DIGESTS}{draft.pk}/cancel/confirm/").content.decode()
    assert "Yes, cancel the send" in confirm
    draft.refresh_from_db()
    assert draft.status == DigestIssue.Status.SCHEDULED
    response = staff.post(f"{DIGESTS}{draft.pk}/cancel/", follow=True)
    assert "Cancelled" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == DigestIssue.Status.CANCELLED


def test_viewers_cannot_schedule_cancel_or_write(client, draft):
    ed = editor(client, "view_digestissue")
    ed.post(f"{DIGESTS}{draft.pk}/words/", {"subject": "Mine"})
    ed.post(f"{DIGESTS}{draft.pk}/schedule/", {"at": "2099-01-01T07:00"})
    assert ed.get(f"{DIGESTS}{draft.pk}/cancel/confirm/").status_code in (302, 403)
    draft.refresh_from_db()
    assert (draft.status, draft.subject) == (DigestIssue.Status.DRAFT, "")


def test_progress_shows_each_state_for_an_alert_too(staff):
    from dateline.newsletter.models import Newsletter

    now = timezone.now()
    alert = DigestIssue.objects.create(
        kind=DigestIssue.Kind.ALERT,
        newsletter=Newsletter.alerts(),
        slot_at=now,
        period_start=now,
        period_end=now,
        status=DigestIssue.Status.SENDING,
    )
    State = Delivery.State
    rows = [
        (State.QUEUED, 0, None),
        (State.QUEUED, 0, None),
        (State.SENDING, 0, None),
        (State.QUEUED, 1, now + datetime.timedelta(minutes=1)),  # deferred
        (State.SENT, 1, None),
        (State.SENT, 1, None),
        (State.SENT, 1, None),
        (State.BOUNCED, 1, None),
        (State.FAILED, 5, None),
        (State.FAILED, 5, None),
    ]
    for i, (state, attempts, retry_at) in enumerate(rows):
        subscriber = reader(f"r{i}@example.org")
        Delivery.objects.create(
            issue=alert,
            subscriber=subscriber,
            email=subscriber.email,
            state=state,
            attempts=attempts,
            retry_at=retry_at,
            sent_at=now if state == State.SENT else None,
        )
    figures = staff.get(f"{DIGESTS}{alert.pk}/progress/?format=json").json()
    assert {k: figures[k] for k in ("queued", "sent", "deferred", "bounced", "failed")} == {
        "queued": 3,
        "sent": 3,
        "deferred": 1,
        "bounced": 1,
        "failed": 2,
    }
    panel = staff.get(f"{DIGESTS}{alert.pk}/progress/").content.decode()
    for name, n in [("queued", 3), ("sent", 3), ("deferred", 1), ("bounced", 1), ("failed", 2)]:
        assert f'<td data-figure="{name}">{n}</td>' in panel
    assert 'data-status="sending"' in panel and "data-live=" in panel
    page = staff.get(f"{DIGESTS}{alert.pk}/").content.decode()
    assert "Alert to the readers of Breaking news" in page
    assert "Refresh the selection" not in page and "Subject, preheader" not in page


def test_a_scheduled_issue_is_watched_for_its_start(staff, draft):
    editorial.schedule(draft, timezone.now() + datetime.timedelta(hours=1))
    panel = staff.get(f"{DIGESTS}{draft.pk}/progress/").content.decode()
    assert 'data-status="scheduled"' in panel and 'data-every="30000"' in panel
    assert "nothing is queued yet" in panel


def test_a_subject_too_long_is_explained_on_the_page(staff, draft):
    response = staff.post(f"{DIGESTS}{draft.pk}/words/", {"subject": "x" * 201, "intro": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: please correct the fields below." in page
    assert "Ensure this value has at most 200 characters" in page
    draft.refresh_from_db()
    assert draft.subject == ""
