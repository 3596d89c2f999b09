"""The editors' part of a digest: a draft ahead of its slot, their choices, and the release.

Each cadence's next issue is a draft from the moment a story for it is published, so
editors can open it whenever they like; the scheduler refreshes it every run until it
is approved (stories published since join it, the editors' pins and drops stand).
Editors may pin, drop and reorder stories, or approve it at once ("send now"). When
the slot comes, the selection is refreshed once more and, unless
``DIGEST_AUTO_APPROVE`` is off, the issue is approved and sent.

Any issue (a digest, an alert, a written issue) may instead be scheduled for a time
an editor chooses (``schedule``): it is approved then, whatever ``DIGEST_AUTO_APPROVE``
says, and can be cancelled until a worker starts on it (``cancel``).

A slot already past when a cadence has no issue at all (a new install, or the demo
loaded just now) is history: it is skipped, not sent late to nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists
from django.utils import timezone

from dateline.digests import engine
from dateline.digests.models import Delivery, DigestIssue, DigestStory
from dateline.digests.selection import latest_slot, next_slot, select_stories

# Re-exported: callers know these as editorial's.
from dateline.digests.workers import APPROVAL_STALE as APPROVAL_STALE
from dateline.digests.workers import enqueue_sending, resume_stalled
from dateline.newsletter.models import Cadence

Status = DigestIssue.Status


class NotADraft(ValueError):
    """Editors change stories only while the issue is a draft."""


def _previous_end(
    cadence: str, slot_at: datetime.datetime, now: datetime.datetime
) -> datetime.datetime:
    """Where the issue's period starts: the end of the previous one.

    A cadence's first issue carries the week before it was made, however far off its
    slot is, so a new install's first issue is not empty.
    """
    previous = (
        DigestIssue.objects.filter(cadence=cadence, slot_at__lt=slot_at)
        .exclude(status=Status.CANCELLED)
        .order_by("-slot_at")
        .first()
    )
    return previous.period_end if previous else min(slot_at, now) - datetime.timedelta(days=7)


def _slots_to_prepare(now: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
    """Each cadence's next slot, and a slot just missed, that have no issue yet.

    A slot missed while the scheduler was down is still sent late, but only where the
    cadence has issues already: on a new install every past slot is history. So is a
    slot older than the cadence's newest issue.
    """
    slots = []
    for cadence in Cadence.values:
        newest = (
            DigestIssue.objects.filter(cadence=cadence)
            .order_by("-slot_at")
            .values_list("slot_at", flat=True)
            .first()
        )
        due = [next_slot(cadence, now)]
        if newest is not None:
            due.append(latest_slot(cadence, now))
        for slot_at in sorted({s for s in due if s}):
            if newest is not None and slot_at <= newest:
                continue
            slots.append((cadence, slot_at))
    return slots


def follow_schedule(now: datetime.datetime | None = None) -> list[DigestIssue]:
    """Each cadence's next draft moves to a slot that came after the draft was made.

    An editor who adds (or moves) a slot earlier than the draft's means the next issue to
    go then, not at the later slot; a slot already past when the draft was made is
    history and keeps it where it is. Returns the drafts moved.
    """
    now = now or timezone.now()
    moved = []
    for cadence in Cadence.values:
        draft = (
            DigestIssue.objects.filter(cadence=cadence, status=Status.DRAFT, slot_at__gt=now)
            .order_by("slot_at")
            .first()
        )
        missed = latest_slot(cadence, now)
        if draft is None or missed is None or not (draft.created_at < missed < draft.slot_at):
            continue
        if DigestIssue.objects.filter(
            cadence=cadence, slot_at__gte=missed, slot_at__lt=draft.slot_at
        ).exists():
            continue  # the missed slot has its own issue
        try:
            with transaction.atomic():
                changed = DigestIssue.objects.filter(pk=draft.pk, status=Status.DRAFT).update(
                    slot_at=missed, period_end=missed
                )
        except IntegrityError:
            continue  # another scheduler made the missed slot's issue meanwhile
        if changed:
            draft.slot_at = draft.period_end = missed
            moved.append(draft)
    return moved


def prepare_drafts(now: datetime.datetime | None = None) -> list[DigestIssue]:
    """Make the draft of each cadence's next slot, however far off; returns the drafts made.

    Nothing published since the previous issue: no draft yet (a later run makes one
    when a story appears before the slot).
    """
    now = now or timezone.now()
    made = []
    for cadence, slot_at in _slots_to_prepare(now):
        since = _previous_end(cadence, slot_at, now)
        if not select_stories(since, slot_at):
            continue
        try:
            with transaction.atomic():
                issue = DigestIssue.objects.create(
                    cadence=cadence, slot_at=slot_at, period_start=since, period_end=slot_at
                )
        except IntegrityError:
            continue  # another scheduler made it first
        refresh(issue)
        made.append(issue)
    return made


@dataclass
class NextIssue:
    """A cadence's next issue as editors see it: its draft when there is one."""

    cadence: str
    label: str
    slot_at: datetime.datetime | None
    draft: DigestIssue | None
    stories: int


def next_issues(now: datetime.datetime | None = None) -> list[NextIssue]:
    """Each cadence's earliest draft, or its next slot when no story waits for it yet."""
    now = now or timezone.now()
    drafts = {}
    digest_drafts = DigestIssue.objects.filter(kind=DigestIssue.Kind.DIGEST, status=Status.DRAFT)
    for issue in digest_drafts.order_by("-slot_at"):
        drafts[issue.cadence] = issue  # the earliest wins
    counts = dict(
        DigestStory.objects.filter(issue__in=drafts.values(), dropped=False)
        .values("issue_id")
        .annotate(n=Count("pk"))
        .values_list("issue_id", "n")
    )
    upcoming = []
    for cadence, label in Cadence.choices:
        draft = drafts.get(cadence)
        upcoming.append(
            NextIssue(
                cadence=cadence,
                label=str(label),
                slot_at=draft.slot_at if draft else next_slot(cadence, now),
                draft=draft,
                stories=counts.get(draft.pk, 0) if draft else 0,
            )
        )
    return upcoming


def refresh(issue: DigestIssue) -> int:
    """Choose the draft's stories again, keeping what editors decided; returns how many.

    Pinned stories keep their places; dropped ones stay dropped (and out of the
    mail); the other places go to the best stories published up to now, in rank
    order.
    """
    if issue.status != Status.DRAFT:
        raise NotADraft(f"{issue} is {issue.get_status_display().lower()}")
    if issue.kind == DigestIssue.Kind.EDITED:
        # A written issue's blocks and an alert's story are the editor's, not a selection.
        return len(issue.written.body) if issue.written else 0
    if issue.kind != DigestIssue.Kind.DIGEST:
        return DigestStory.objects.filter(issue=issue, dropped=False).count()
    with transaction.atomic():
        current = {
            s.article_id: s for s in DigestStory.objects.select_for_update().filter(issue=issue)
        }
        kept = sorted((s for s in current.values() if s.pinned), key=lambda s: s.position)
        dropped = {s.article_id for s in current.values() if s.dropped}
        pinned_ids = {s.article_id for s in kept}
        ranked = [
            c
            for c in select_stories(issue.period_start, issue.period_end)
            if c.article.pk not in dropped and c.article.pk not in pinned_ids
        ]
        # Rows of stories still chosen stay (an editor's open page keeps working while
        # the scheduler refreshes the draft); only those that left the selection go.
        ranked_ids = {c.article.pk for c in ranked}
        DigestStory.objects.filter(
            pk__in=[
                s.pk
                for s in current.values()
                if not s.pinned and not s.dropped and s.article_id not in ranked_ids
            ]
        ).delete()
        # Pinned stories hold their positions; the ranked ones fill the gaps in order.
        taken = {s.position for s in kept}
        moved, fresh = [], []
        position = 1
        for candidate in ranked:
            while position in taken:
                position += 1
            row = current.get(candidate.article.pk)
            if row is None:
                fresh.append(
                    DigestStory(
                        issue=issue,
                        article=candidate.article,
                        position=position,
                        score=candidate.score,
                    )
                )
            else:
                row.position, row.score = position, candidate.score
                moved.append(row)
            taken.add(position)
        DigestStory.objects.bulk_update(moved, ["position", "score"])
        DigestStory.objects.bulk_create(fresh)
        _renumber(issue)
    return DigestStory.objects.filter(issue=issue, dropped=False).count()


def _renumber(issue: DigestIssue) -> None:
    """Positions 1..n for the stories in the mail, dropped ones after them."""
    stories = list(DigestStory.objects.filter(issue=issue).order_by("dropped", "position", "pk"))
    for number, story in enumerate(stories, start=1):
        story.position = number
    DigestStory.objects.bulk_update(stories, ["position"])


def _editable(story: DigestStory) -> DigestStory:
    if story.issue.status != Status.DRAFT:
        raise NotADraft(f"{story.issue} is {story.issue.get_status_display().lower()}")
    return story


def set_pinned(story: DigestStory, pinned: bool) -> None:
    _editable(story)
    DigestStory.objects.filter(pk=story.pk).update(pinned=pinned, dropped=False)


def set_dropped(story: DigestStory, dropped: bool) -> None:
    _editable(story)
    DigestStory.objects.filter(pk=story.pk).update(dropped=dropped, pinned=False)
    _renumber(story.issue)


def move(story: DigestStory, offset: int) -> None:
    """Move a story up (negative) or down among the stories in the mail; it becomes pinned."""
    _editable(story)
    order = list(
        DigestStory.objects.filter(issue=story.issue, dropped=False).order_by("position", "pk")
    )
    index = next(i for i, s in enumerate(order) if s.pk == story.pk)
    target = max(0, min(len(order) - 1, index + offset))
    moved = order.pop(index)
    order.insert(target, moved)
    # An editor who placed a story means it to stay there when the draft is refreshed.
    moved.pinned = True
    for number, item in enumerate(order, start=1):
        item.position = number
    DigestStory.objects.bulk_update(order, ["position", "pinned"])
    _renumber(story.issue)


def approve(
    issue: DigestIssue,
    user: Any = None,
    now: datetime.datetime | None = None,
    *,
    hand_to_workers: bool = True,
) -> int:
    """Let the issue go: queue its deliveries and hand it to the workers; returns readers queued.

    ``hand_to_workers=False`` is for ``send-digests``, which sends in its own process.
    A scheduled issue (an alert or a written issue set for later) is approved the same.
    """
    if issue.status not in (Status.DRAFT, Status.SCHEDULED):
        raise NotADraft(f"{issue} is {issue.get_status_display().lower()}")
    if issue.kind == DigestIssue.Kind.EDITED:
        if issue.written is None or not issue.written.body:
            raise NotADraft(f"{issue} has nothing written to send")
    elif not _has_stories(issue):
        raise NotADraft(f"{issue} has no story left to send")
    DigestIssue.objects.filter(pk=issue.pk).update(
        approved_at=now or timezone.now(), approved_by=user if user and user.pk else None
    )
    # The workers start on the first chunk of readers while the rest are queued.
    return engine.approve(
        issue, on_first_chunk=(lambda: enqueue_sending(issue)) if hand_to_workers else None
    )


def _draft(issue: DigestIssue) -> None:
    if issue.status != Status.DRAFT:
        raise NotADraft(f"{issue} is {issue.get_status_display().lower()}")


def _has_stories(issue: DigestIssue) -> bool:
    """A digest and an alert need a story in the mail; a written issue carries its own."""
    if issue.kind == DigestIssue.Kind.EDITED:
        return issue.written is not None and bool(issue.written.body)
    return DigestStory.objects.filter(issue=issue, dropped=False).exists()


def set_words(issue: DigestIssue, subject: str, preheader: str, intro: str) -> None:
    """The editor's subject, preheader and introduction (empty: the defaults); drafts only."""
    changed = DigestIssue.objects.filter(pk=issue.pk, status=Status.DRAFT).update(
        subject=subject, preheader=preheader, intro=intro
    )
    if not changed:
        issue.refresh_from_db(fields=["status"])
        raise NotADraft(f"{issue} is {issue.get_status_display().lower()}")
    issue.subject, issue.preheader, issue.intro = subject, preheader, intro


def schedule(
    issue: DigestIssue,
    at: datetime.datetime,
    user: Any = None,
    now: datetime.datetime | None = None,
) -> None:
    """Confirm a draft (any kind) for sending at ``at``: release_due approves it then.

    A digest keeps the stories it has now (the scheduler no longer refreshes it), so
    its period ends now and what is published meanwhile goes to the next issue.
    """
    now = now or timezone.now()
    if at <= now:
        when, then = timezone.localtime(at), timezone.localtime(now)
        raise ValueError(f"{when:%Y-%m-%d %H:%M} is past: choose a time after {then:%H:%M}")
    _draft(issue)
    if not _has_stories(issue):
        raise NotADraft(f"{issue} has no story left to send")
    fields: dict[str, Any] = {
        "status": Status.SCHEDULED,
        "slot_at": at,
        "approved_by": user if user and user.pk else None,
    }
    if issue.kind == DigestIssue.Kind.DIGEST:
        fields["period_end"] = min(issue.period_end, now)
    try:
        with transaction.atomic():
            changed = DigestIssue.objects.filter(pk=issue.pk, status=Status.DRAFT).update(**fields)
    except IntegrityError:
        raise ValueError(f"another {issue.get_cadence_display().lower()} issue goes then") from None
    if not changed:
        issue.refresh_from_db(fields=["status"])
        _draft(issue)
    for name, value in fields.items():
        setattr(issue, name, value)


def cancel(issue: DigestIssue) -> None:
    """Nobody gets the issue: a draft, a scheduled one, or an approved one not yet started.

    An approved issue is cancellable until a worker takes it (states.start_sending
    moves it to sending before claiming any delivery): the status changes only from
    approved, in one UPDATE, so either the worker or the cancel wins, and a worker that
    lost sees the status before its first claim and stops. Its deliveries, none of them
    tried, are deleted. While readers are still being queued it waits (a moment).
    """
    waiting = [Status.DRAFT, Status.SCHEDULED]
    if DigestIssue.objects.filter(pk=issue.pk, status__in=waiting).update(status=Status.CANCELLED):
        issue.status = Status.CANCELLED
        return
    with transaction.atomic():
        untried = [engine.State.QUEUED, engine.State.SUPPRESSED]
        started = Delivery.objects.filter(issue=issue).exclude(state__in=untried)
        changed = (
            DigestIssue.objects.filter(pk=issue.pk, status=Status.APPROVED, queueing=False)
            .exclude(Exists(started))
            .update(status=Status.CANCELLED)
        )
        if changed:
            Delivery.objects.filter(issue=issue).delete()
    issue.refresh_from_db(fields=["status", "queueing"])
    if issue.status == Status.CANCELLED:
        return
    if issue.status == Status.APPROVED and issue.queueing:
        raise NotADraft(f"{issue} is still queueing its readers: try again in a moment")
    if issue.status in (Status.APPROVED, Status.SENDING):
        raise NotADraft(f"{issue} is being sent: pause it instead")
    raise NotADraft(f"{issue} is {issue.get_status_display().lower()}")


def _release_scheduled(issue: DigestIssue, now: datetime.datetime, hand_to_workers: bool) -> bool:
    """Approve a scheduled issue whose time has come; False if it was cancelled meanwhile.

    It becomes approved and ``queueing`` in one UPDATE from scheduled, so only one
    scheduler releases it, and if this one dies before the readers are queued the
    issue is an approval that died midway: resume_stalled finishes it.
    """
    released = DigestIssue.objects.filter(pk=issue.pk, status=Status.SCHEDULED).update(
        status=Status.APPROVED, queueing=True, approved_at=now
    )
    if not released:
        return False
    issue.status, issue.queueing, issue.approved_at = Status.APPROVED, True, now
    engine.approve(
        issue, on_first_chunk=(lambda: enqueue_sending(issue)) if hand_to_workers else None
    )
    return True


def release_due(
    now: datetime.datetime | None = None, *, hand_to_workers: bool = True
) -> list[DigestIssue]:
    """Send what is due: scheduled issues at their time (an editor chose it), and digest
    drafts at their slot, refreshed once more, if auto-approval is on."""
    now = now or timezone.now()
    released: list[DigestIssue] = [
        issue
        for issue in DigestIssue.objects.filter(status=Status.SCHEDULED, slot_at__lte=now)
        if _release_scheduled(issue, now, hand_to_workers)
    ]
    if not settings.DIGEST_AUTO_APPROVE:
        return released
    for issue in DigestIssue.objects.filter(
        kind=DigestIssue.Kind.DIGEST, status=Status.DRAFT, slot_at__lte=now
    ):
        if refresh(issue) == 0:
            cancel(issue)  # everything was dropped or unpublished: nothing is sent
            continue
        approve(issue, now=now, hand_to_workers=hand_to_workers)
        released.append(issue)
    return released


def refresh_drafts(now: datetime.datetime | None = None, skip: Iterable[DigestIssue] = ()) -> int:
    """Refresh every draft whose slot is still ahead (release_due does those due); how many."""
    now = now or timezone.now()
    drafts = list(
        DigestIssue.objects.filter(
            kind=DigestIssue.Kind.DIGEST, status=Status.DRAFT, slot_at__gt=now
        ).exclude(pk__in=[i.pk for i in skip])
    )
    for issue in drafts:
        try:
            refresh(issue)
        except NotADraft:
            continue  # an editor approved or cancelled it meanwhile
    return len(drafts)


def run_schedule(now: datetime.datetime | None = None) -> None:
    """The scheduler's digest job: drafts ahead of slots, kept fresh, released at slots."""
    now = now or timezone.now()
    follow_schedule(now)
    made = prepare_drafts(now)
    # The drafts just made were chosen a moment ago; the others see what was published since.
    refresh_drafts(now, skip=made)
    release_due(now)
    resume_stalled(now)
