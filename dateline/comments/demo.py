"""Readers' comments for the demo: a few threads, one with replies, and one held comment.

So a newcomer sees a discussion, replies and Markdown as readers write it straight
after `make run`. The commenters, like everything in the demo, are invented, and
their addresses are on example.org. Each has a published comment, so under the
default moderation policy ("first") their next comment publishes at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from dateline.comments.models import Comment, Commenter
from dateline.comments.render import render_markdown
from dateline.comments.signals import one_refresh
from dateline.newsroom.models import ArticlePage


@dataclass(frozen=True)
class DemoComment:
    name: str
    email: str
    body: str
    # How long after the story (or the comment it answers) it was written.
    after: datetime.timedelta
    replies: tuple[DemoComment, ...] = field(default=())


def _minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


GRETA = ("Greta Sollen", "greta.sollen@example.org")
AUREL = ("Aurel Donn", "aurel.donn@example.org")
MAREN = ("Maren Obi", "maren.obi@example.org")
TOMAS = ("Tomas Brenn", "tomas.brenn@example.org")

# Keyed by the headline of the event the story was written from (stories.py).
THREADS: dict[str, tuple[DemoComment, ...]] = {
    "Halvik residents told to boil water after floods swamp treatment plant": (
        DemoComment(
            *GRETA,
            "We heard about the boil notice from a neighbour, not from the water company. "
            "Their text alerts only reach people who signed up for them.",
            _minutes(50),
            replies=(
                DemoComment(
                    *AUREL,
                    "Same on our street. The council's page had it an hour later, though, "
                    "with the six distribution points on a map.",
                    _minutes(25),
                    replies=(
                        DemoComment(
                            *GRETA,
                            "Fair enough, I found the map this morning. The queue at the "
                            "library point was *gone* by eight.",
                            _minutes(90),
                        ),
                    ),
                ),
                DemoComment(
                    *TOMAS,
                    "The company does post notices on its site too, for anyone without a phone.",
                    _minutes(70),
                ),
            ),
        ),
        DemoComment(
            *MAREN,
            "The upgrade was put off last year to save money. What the council should "
            "publish before it debates bringing it forward:\n\n"
            "- what this week has cost the city\n"
            "- what the upgrade would have cost\n"
            "- when the plant was last inspected",
            _minutes(140),
        ),
    ),
    "Ferries return to the Sundmere Islands after four days of gales": (
        DemoComment(
            *TOMAS,
            "Two ferries for 14,000 people was never enough. Good to read the council is at "
            "least talking about a third.",
            _minutes(95),
        ),
    ),
    "Flooding cuts output at Kelvoria's biggest copper mine by a quarter": (
        DemoComment(
            *AUREL,
            "A quarter of the output for five weeks. I wonder how much of that shows up in "
            "the price of copper wire here by spring.",
            _minutes(200),
        ),
    ),
}


def add_comments(now: datetime.datetime | None = None) -> int:
    """Publish the demo threads under the stories they belong to; returns how many."""
    now = now or timezone.now()
    added = 0
    with one_refresh():
        for headline, thread in THREADS.items():
            article = (
                ArticlePage.objects.live()
                .filter(title=headline)
                .order_by("published_at", "pk")
                .first()
            )
            if article is None:  # a demo of fewer stories than there are threads
                continue
            start = article.published_at or now
            for comment in thread:
                added += _add(article, comment, None, start, now)
    return added


def _add(
    article: ArticlePage,
    spec: DemoComment,
    parent: Comment | None,
    since: datetime.datetime,
    now: datetime.datetime,
) -> int:
    commenter, _ = Commenter.objects.get_or_create(email=spec.email)
    written = min(since + spec.after, now)
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        thread_id=parent.thread_id if parent else None,
        commenter=commenter,
        name=spec.name,
        body=spec.body,
        body_html=render_markdown(spec.body),
        status=Comment.Status.APPROVED,
        created_at=written,
        moderated_at=written,
    )
    if parent is None:
        # A top-level comment is its own thread.
        Comment.objects.filter(pk=comment.pk).update(thread_id=comment.pk)
        comment.thread_id = comment.pk
    return 1 + sum(_add(article, reply, comment, written, now) for reply in spec.replies)


HELD_COMMENT_NAME = "Oskar Lind"
HELD_COMMENT = (
    "Does the **new timetable** also cover the night crossings? The notice at the "
    "harbour only lists the day boats."
)


def hold_a_comment() -> None:
    """One comment waiting for moderation, so the queue can be tried right after `make run`."""
    article = ArticlePage.objects.live().order_by("-published_at").first()
    if article is None or Comment.objects.filter(status=Comment.Status.HELD).exists():
        return
    commenter, _ = Commenter.objects.get_or_create(email="oskar.lind@example.org")
    comment = Comment.objects.create(
        article=article,
        commenter=commenter,
        name=HELD_COMMENT_NAME,
        body=HELD_COMMENT,
        body_html=render_markdown(HELD_COMMENT),
        status=Comment.Status.HELD,
        hold_reason="first comment from this address",
    )
    # A top-level comment is its own thread (models.Comment.thread).
    Comment.objects.filter(pk=comment.pk).update(thread_id=comment.pk)
