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
