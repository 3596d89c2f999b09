"""An editor's additions to a draft digest: a page of a registered kind (storykinds.py).

Selection picks articles only; a live blog joins a digest because an editor adds it,
pinned like any story an editor placed, so refreshing the selection keeps it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from wagtail.models import Page

from dateline.digests import editorial
from dateline.digests.models import DigestIssue, DigestStory
from dateline.digests.storykinds import KINDS, StoryKind, kind_of


def addable(issue: DigestIssue) -> list[tuple[StoryKind, list[Page]]]:
    """Each registered kind's pages an editor may add to the draft, less those in it."""
    taken = set(DigestStory.objects.filter(issue=issue).values_list("article_id", flat=True))
    made = []
    for kind in KINDS.values():
        pages = [p for p in kind.choices(issue.period_start) if p.pk not in taken]
        if pages:
            made.append((kind, pages))
    return made


class NotAddable(ValueError):
    """Not added: the message says why."""


def add_to_draft(issue: DigestIssue, page: Page) -> DigestStory:
    """Add a registered kind's page to a draft digest, last and pinned (an editor's choice).

    Pinned, so refreshing the selection keeps it; already there but dropped, it is
    restored and pinned.
    """
    if kind_of(page) is None or not page.live:
        raise NotAddable(f"“{page.title}” is not published, or not a page a digest can carry")
    with transaction.atomic():
        # The issue's row, held: an editor approving it meanwhile waits, then sees it.
        status = (
            DigestIssue.objects.select_for_update()
            .filter(pk=issue.pk, kind=DigestIssue.Kind.DIGEST)
            .values_list("status", flat=True)
            .first()
        )
        if status != DigestIssue.Status.DRAFT:
            raise NotAddable(f"{issue} is not a draft digest")
        story = DigestStory.objects.filter(issue=issue, article_id=page.pk).first()
        last = DigestStory.objects.filter(issue=issue, dropped=False).aggregate(n=Max("position"))
        position = (last["n"] or 0) + 1
        if story is None:
            story = DigestStory.objects.create(
                issue=issue, article_id=page.pk, position=position, pinned=True
            )
        else:
            story.position, story.pinned, story.dropped = position, True, False
            story.save(update_fields=["position", "pinned", "dropped"])
        editorial._renumber(issue)
    return story
