"""Editors and digests: a draft ahead of the slot, pins, drops, order, approval, release."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import override_settings

from dateline.digests import editorial
from dateline.digests.jobs import run_digest_schedule
from dateline.digests.models import Delivery, DigestIssue, DigestStory
from dateline.newsroom.models import ArticlePage
from tests.digests.helpers import reader
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Default slots (migration 0002): weekly on Friday 07:00, twice weekly Tue and Fri 07:00,
# in the site's time zone (UTC in the test settings).
FRIDAY_SLOT = datetime.datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
THURSDAY_EVENING = FRIDAY_SLOT - datetime.timedelta(hours=10)


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def headlines(issue: DigestIssue) -> list[str]:
    return [
        s.article.title
        for s in issue.stories.filter(dropped=False).select_related("article").order_by("position")
    ]


@pytest.fixture
def stories(world):
    made = {}
    with at(THURSDAY_EVENING - datetime.timedelta(hours=20)):
        for title, priority in [
            ("Dam agreement signed", ArticlePage.Priority.TOP),
            ("Glacier survey published", ArticlePage.Priority.NORMAL),
            ("Tram timetable revised", ArticlePage.Priority.MINOR),
        ]:
            made[title] = make_article(
                world, title, standfirst=f"About {title}.", priority=priority
            )
    return made


def weekly_draft() -> DigestIssue:
    return DigestIssue.objects.get(cadence="weekly", status=DigestIssue.Status.DRAFT)


def test_a_draft_appears_before_the_slot_and_nothing_is_sent(stories, mail_server):
    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        made = editorial.prepare_drafts()
    assert {i.cadence for i in made} == {"weekly", "twice_weekly"}
    issue = weekly_draft()
    assert issue.slot_at == FRIDAY_SLOT
    assert headlines(issue)[0] == "Dam agreement signed"
    assert not Delivery.objects.exists()
    assert mail_server.messages == []


def test_the_next_issue_is_a_draft_days_before_its_slot(stories):
    # Wednesday afternoon, the stories an hour old: Friday's issue is there to open.
    with at(FRIDAY_SLOT - datetime.timedelta(hours=41)):
        editorial.prepare_drafts()
    issue = weekly_draft()
    assert issue.slot_at == FRIDAY_SLOT
    assert headlines(issue) == [
        "Dam agreement signed",
        "Glacier survey published",
        "Tram timetable revised",
    ]


def test_a_new_install_skips_the_slot_already_past(
    stories, mail_server, django_capture_on_commit_callbacks
):
    # The first scheduler run comes a minute after Friday's slot: no issue is made for
    # it (none was ever drafted), so nothing is "sent" to nobody while the site boots.
    reader("ana@example.org")
    with (
        at(FRIDAY_SLOT + datetime.timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_digest_schedule()
    assert not DigestIssue.objects.filter(slot_at__lte=FRIDAY_SLOT).exists()
    assert not DigestIssue.objects.exclude(status=DigestIssue.Status.DRAFT).exists()
    assert not Delivery.objects.exists()
    assert mail_server.messages == []
    # The week's stories wait in the drafts of the next slots instead.
    issue = weekly_draft()
    assert issue.slot_at == FRIDAY_SLOT + datetime.timedelta(days=7)
    assert "Dam agreement signed" in headlines(issue)
    twice = DigestIssue.objects.get(cadence="twice_weekly")
    assert twice.slot_at == datetime.datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # Tuesday


def test_a_slot_missed_by_a_running_site_is_still_sent(stories, world, mail_server):
    # The site sent an issue a week ago; its scheduler was down over Friday's slot.
    DigestIssue.objects.create(
        cadence="weekly",
        slot_at=FRIDAY_SLOT - datetime.timedelta(days=7),
        period_start=FRIDAY_SLOT - datetime.timedelta(days=14),
        period_end=FRIDAY_SLOT - datetime.timedelta(days=7),
        status=DigestIssue.Status.SENT,
    )
    with at(FRIDAY_SLOT + datetime.timedelta(hours=1)):
        editorial.prepare_drafts()
        [released] = [i for i in editorial.release_due(hand_to_workers=False)]
    assert (released.cadence, released.slot_at) == ("weekly", FRIDAY_SLOT)


def test_a_slot_added_before_the_drafts_slot_takes_the_draft(stories, world, mail_server):
    from dateline.digests.models import SendSlot

    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    draft = weekly_draft()
    assert draft.slot_at == FRIDAY_SLOT
    # An hour later an editor adds a Thursday slot at that very minute: the next issue
    # goes now, with the same stories, instead of waiting for Friday.
    added = THURSDAY_EVENING + datetime.timedelta(hours=1)
    SendSlot.objects.create(cadence="weekly", weekday=added.weekday(), time=added.time())
    with at(added + datetime.timedelta(seconds=30)):
        [moved] = editorial.follow_schedule()
        [released] = [
            i for i in editorial.release_due(hand_to_workers=False) if i.cadence == "weekly"
        ]
    assert moved.pk == released.pk == draft.pk
    assert released.slot_at == released.period_end == added
    assert "Dam agreement signed" in headlines(released)
    # Friday's slot gets a draft of its own later, from where this issue ended.
    with at(added + datetime.timedelta(minutes=5)):
        make_article(world, "Ferry returns to the island", standfirst="About the ferry.")
        editorial.prepare_drafts()
    friday = weekly_draft()
    assert (friday.slot_at, friday.period_start) == (FRIDAY_SLOT, added)
    assert headlines(friday) == ["Ferry returns to the island"]


def test_a_draft_made_after_a_slot_stays_at_its_own(stories, world):
    with at(FRIDAY_SLOT + datetime.timedelta(minutes=1)):
        editorial.prepare_drafts()
    with at(FRIDAY_SLOT + datetime.timedelta(hours=2)):
        assert editorial.follow_schedule() == []
    assert weekly_draft().slot_at == FRIDAY_SLOT + datetime.timedelta(days=7)


def test_the_scheduler_keeps_the_draft_fresh_and_the_editors_rows(stories, world):
    with at(THURSDAY_EVENING):
        run_digest_schedule()
    issue = weekly_draft()
    before = dict(issue.stories.values_list("article__title", "pk"))
    with at(THURSDAY_EVENING + datetime.timedelta(minutes=5)):
        # Another desk: World has its three places already.
        business = make_section(world.get_parent(), "Business")
        make_article(business, "Harbour bridge reopens", standfirst="Traffic flows again.")
    with at(THURSDAY_EVENING + datetime.timedelta(minutes=6)):
        run_digest_schedule()
    after = dict(issue.stories.values_list("article__title", "pk"))
    assert "Harbour bridge reopens" in after
    # The stories that stayed keep their rows: buttons on a page opened before still work.
    assert {title: after[title] for title in before} == before


def test_editors_choices_survive_the_refresh_at_the_slot(
    stories, world, mail_server, django_capture_on_commit_callbacks
):
    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    entry = {s.article.title: s for s in issue.stories.select_related("article")}
    editorial.set_dropped(entry["Glacier survey published"], True)
    editorial.move(entry["Tram timetable revised"], -5)  # to the top, and so pinned
    assert headlines(issue) == ["Tram timetable revised", "Dam agreement signed"]

    # A story published overnight joins at the slot; the editor's order and drop stand.
    with at(FRIDAY_SLOT - datetime.timedelta(hours=2)):
        make_article(world, "Harbour bridge reopens", standfirst="Traffic flows again.")
    with (
        at(FRIDAY_SLOT + datetime.timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [released] = [i for i in editorial.release_due() if i.cadence == "weekly"]
    released.refresh_from_db()
    assert headlines(released) == [
        "Tram timetable revised",
        "Dam agreement signed",
        "Harbour bridge reopens",
    ]
    assert released.approved_at is not None and released.approved_by is None
    # Handed to the workers (inline in tests): the reader has the mail, without the drop.
    [message] = mail_server.to("ana@example.org")
    body = message.get_body(("plain",)).get_content()
    assert "Tram timetable revised" in body
    assert "Glacier survey published" not in body
    released.refresh_from_db()
    assert released.status == DigestIssue.Status.SENT


def test_pin_keeps_a_story_in_place_and_drop_can_be_undone(stories):
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    entries = list(issue.stories.order_by("position"))
    editorial.set_pinned(entries[2], True)
    editorial.set_dropped(entries[0], True)
    assert len(headlines(issue)) == 2
    editorial.set_dropped(DigestStory.objects.get(pk=entries[0].pk), False)
    editorial.refresh(issue)
    assert len(headlines(issue)) == 3
    assert DigestStory.objects.get(pk=entries[2].pk).pinned


def test_approved_issues_cannot_be_edited(stories, mail_server):
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    editorial.approve(issue, hand_to_workers=False)
    issue.refresh_from_db()
    story = issue.stories.first()
    with pytest.raises(editorial.NotADraft):
        editorial.set_dropped(story, True)
    with pytest.raises(editorial.NotADraft):
        editorial.approve(issue)


def test_everything_dropped_means_nothing_sent(stories, mail_server):
    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    for story in issue.stories.all():
        editorial.set_dropped(story, True)
    with pytest.raises(editorial.NotADraft, match="no story"):
        editorial.approve(issue)
    with at(FRIDAY_SLOT + datetime.timedelta(minutes=1)):
        editorial.release_due()
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.CANCELLED
    assert mail_server.to("ana@example.org") == []


@override_settings(DIGEST_AUTO_APPROVE=False)
def test_without_auto_approval_the_draft_waits_for_an_editor(stories, mail_server):
    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    with at(FRIDAY_SLOT + datetime.timedelta(minutes=1)):
        assert editorial.release_due() == []
    assert weekly_draft().status == DigestIssue.Status.DRAFT
    assert weekly_draft().slot_at == FRIDAY_SLOT
    assert mail_server.messages == []


def test_the_scheduler_job_drafts_releases_and_sends(
    stories, mail_server, django_capture_on_commit_callbacks
):
    business = make_section(stories["Dam agreement signed"].get_parent(), "Business")
    reader("ana@example.org")
    reader("bo@example.org", business)  # chose a section with nothing in it: no mail
    with at(THURSDAY_EVENING):
        run_digest_schedule()
    assert mail_server.messages == []
    with (
        at(FRIDAY_SLOT + datetime.timedelta(seconds=30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_digest_schedule()
        run_digest_schedule()  # again: nothing sent twice
    assert len(mail_server.to("ana@example.org")) == 1
    assert mail_server.to("bo@example.org") == []
    issue = DigestIssue.objects.get(cadence="weekly")
    assert issue.status == DigestIssue.Status.SENT


def test_a_stalled_issue_gets_workers_once(
    stories, mail_server, django_capture_on_commit_callbacks
):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from dateline.digests.tasks import send_issue_task

    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    editorial.approve(issue, hand_to_workers=False)
    # A send task already waits in the queue (the worker is busy): none is added.
    waiting = DBTaskResult.objects.create(
        task_path=send_issue_task.module_path,
        args_kwargs={"args": [issue.pk], "kwargs": {}},
        status="READY",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert editorial.resume_stalled() == []
    assert mail_server.messages == []
    waiting.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert editorial.resume_stalled() == [issue]
    assert len(mail_server.to("ana@example.org")) == 1


# Scheduling and cancelling ------------------------------------------------------------


@pytest.fixture
def boss():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("ines", "ines@example.org", password=None)


@override_settings(DIGEST_AUTO_APPROVE=False)
def test_a_scheduled_issue_goes_at_its_time_whatever_auto_approval_says(
    stories, mail_server, boss, django_capture_on_commit_callbacks
):
    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    send_at = THURSDAY_EVENING + datetime.timedelta(hours=2)
    editorial.schedule(issue, send_at, boss, now=THURSDAY_EVENING)
    issue.refresh_from_db()
    assert (issue.status, issue.slot_at) == (DigestIssue.Status.SCHEDULED, send_at)
    assert issue.approved_by == boss and issue.approved_at is None
    # Not yet: an hour before, the scheduler leaves it alone.
    assert editorial.release_due(send_at - datetime.timedelta(hours=1)) == []
    assert mail_server.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        assert editorial.release_due(send_at + datetime.timedelta(seconds=30)) == [issue]
        assert editorial.release_due(send_at + datetime.timedelta(seconds=60)) == []  # once
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    assert issue.approved_at == send_at + datetime.timedelta(seconds=30)
    assert issue.approved_by == boss
    assert len(mail_server.to("ana@example.org")) == 1


def test_only_a_draft_can_be_scheduled_and_only_for_later(stories, mail_server):
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    for past in (THURSDAY_EVENING, THURSDAY_EVENING - datetime.timedelta(minutes=1)):
        with pytest.raises(ValueError, match="is past"):
            editorial.schedule(issue, past, now=THURSDAY_EVENING)
    assert weekly_draft().status == DigestIssue.Status.DRAFT
    editorial.approve(issue, hand_to_workers=False)
    with pytest.raises(editorial.NotADraft, match="approved"):
        editorial.schedule(issue, FRIDAY_SLOT, now=THURSDAY_EVENING)


def test_a_scheduled_digest_keeps_its_stories_and_the_next_issue_takes_the_new_ones(
    stories, world, mail_server
):
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    editorial.schedule(issue, FRIDAY_SLOT, now=THURSDAY_EVENING)
    assert headlines(issue) == list(stories)
    with at(THURSDAY_EVENING + datetime.timedelta(hours=1)):
        make_article(world, "Late night vote", priority=ArticlePage.Priority.TOP)
        run_digest_schedule()
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SCHEDULED
    assert issue.period_end == THURSDAY_EVENING
    assert "Late night vote" not in headlines(issue)
    # The scheduler's next weekly draft (next Friday) starts where the scheduled one ended.
    with at(FRIDAY_SLOT + datetime.timedelta(minutes=1)):
        run_digest_schedule()
    following = DigestIssue.objects.get(cadence="weekly", status=DigestIssue.Status.DRAFT)
    assert following.period_start == THURSDAY_EVENING
    assert "Late night vote" in headlines(following)


def test_a_cancelled_scheduled_send_goes_to_nobody(stories, mail_server, boss):
    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    editorial.schedule(issue, FRIDAY_SLOT, boss, now=THURSDAY_EVENING)
    editorial.cancel(issue)
    assert issue.status == DigestIssue.Status.CANCELLED
    released = editorial.release_due(FRIDAY_SLOT + datetime.timedelta(minutes=1))
    assert issue not in released  # (the twice-weekly draft goes at its slot)
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.CANCELLED
    assert Delivery.objects.filter(issue=issue).count() == 0
    assert mail_server.messages == []


def test_a_scheduled_alert_is_left_alone_by_the_digest_jobs(mail_server, world):
    from dateline.newsletter.models import Newsletter

    issue = DigestIssue.objects.create(
        kind=DigestIssue.Kind.ALERT,
        newsletter=Newsletter.alerts(),
        slot_at=THURSDAY_EVENING,
        period_start=THURSDAY_EVENING,
        period_end=THURSDAY_EVENING,
    )
    # An alert with no story has nothing to say: scheduling it is refused.
    with pytest.raises(editorial.NotADraft):
        editorial.schedule(issue, FRIDAY_SLOT, now=THURSDAY_EVENING)
    story = make_article(world, "Dam gates opened at dawn", standfirst="The river rises.")
    DigestStory.objects.create(issue=issue, article=story, position=1)
    editorial.schedule(issue, FRIDAY_SLOT, now=THURSDAY_EVENING)
    # The digest's draft jobs leave other kinds alone.
    with at(THURSDAY_EVENING + datetime.timedelta(hours=1)):
        run_digest_schedule()
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SCHEDULED
    assert editorial.release_due(FRIDAY_SLOT, hand_to_workers=False) == [issue]
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.APPROVED and issue.approved_at == FRIDAY_SLOT


def test_an_approved_issue_is_cancelled_until_a_worker_starts_it(stories, mail_server):
    from dateline.digests import engine

    reader("ana@example.org")
    reader("bo@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    editorial.approve(issue, hand_to_workers=False)
    # A worker that read the issue before the cancel: it must not send.
    seen_by_worker = DigestIssue.objects.get(pk=issue.pk)
    assert seen_by_worker.status == DigestIssue.Status.APPROVED
    editorial.cancel(issue)
    assert issue.status == DigestIssue.Status.CANCELLED
    assert Delivery.objects.filter(issue=issue).count() == 0
    assert engine.send_issue(seen_by_worker, "late-worker") in ({}, {"sent": 0})
    assert mail_server.messages == []
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.CANCELLED


def test_a_send_once_started_is_paused_not_cancelled(stories, mail_server):
    from dateline.digests import engine

    reader("ana@example.org")
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    issue = weekly_draft()
    editorial.approve(issue, hand_to_workers=False)
    DigestIssue.objects.filter(pk=issue.pk).update(queueing=True)  # readers still being queued
    with pytest.raises(editorial.NotADraft, match="still queueing"):
        editorial.cancel(issue)
    DigestIssue.objects.filter(pk=issue.pk).update(queueing=False)
    DigestIssue.objects.filter(pk=issue.pk).update(status=DigestIssue.Status.SENDING)
    with pytest.raises(editorial.NotADraft, match="being sent: pause it instead"):
        editorial.cancel(issue)
    engine.send_issue(issue, "worker")
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    with pytest.raises(editorial.NotADraft, match="is sent"):
        editorial.cancel(issue)
    assert len(mail_server.to("ana@example.org")) == 1


def test_a_digest_cannot_be_scheduled_onto_another_digests_slot(stories, mail_server):
    with at(THURSDAY_EVENING):
        editorial.prepare_drafts()
    weekly = weekly_draft()
    twice = DigestIssue.objects.get(cadence="twice_weekly", status=DigestIssue.Status.DRAFT)
    # Another weekly issue already goes on Friday at 07:00.
    DigestIssue.objects.create(
        cadence="weekly",
        slot_at=FRIDAY_SLOT + datetime.timedelta(days=7),
        period_start=FRIDAY_SLOT,
        period_end=FRIDAY_SLOT + datetime.timedelta(days=7),
        status=DigestIssue.Status.CANCELLED,
    )
    with pytest.raises(ValueError, match="another once a week issue goes then"):
        editorial.schedule(weekly, FRIDAY_SLOT + datetime.timedelta(days=7), now=THURSDAY_EVENING)
    assert weekly_draft().status == DigestIssue.Status.DRAFT
    # Another cadence's issue may go at the same time.
    editorial.schedule(twice, FRIDAY_SLOT + datetime.timedelta(days=7), now=THURSDAY_EVENING)
    assert twice.status == DigestIssue.Status.SCHEDULED
