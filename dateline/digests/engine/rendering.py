"""The issue's mail, rendered once per group of readers and shared by a run's lanes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db import connection as db_connection

from dateline.digests import issuemail, render
from dateline.digests.engine.claims import Claimed, any_of
from dateline.digests.models import Delivery, DigestIssue, DigestStory

GroupKey = tuple[str, frozenset[int]]  # (sections_key, stories the readers already got)


@dataclass
class RenderCache:
    """The issue's stories, and each group's message once rendered (render.render_group)."""

    issue: DigestIssue
    stories: list[render.Story] | None = None
    earlier: dict[int, frozenset[int]] | None = None
    groups: dict[GroupKey, render.RenderedGroup | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def all_stories(self) -> list[render.Story]:
        with self.lock:
            if self.stories is None:
                self.stories = render.issue_stories(self.issue)
            return self.stories

    def earlier_issues(self) -> dict[int, frozenset[int]]:
        """Earlier issues of this newsletter that carried any of this issue's stories.

        Issue id -> those stories. Only a digest leaves out what readers had: a story
        that went out as an alert is still in the digest, and an alert or a written
        issue goes whole (an editor sending a story again was warned and meant it).
        Asked once a run: after that, finding what a batch of readers already got
        is one look-up by (issue, reader) in the deliveries' unique index.
        """
        if self.issue.kind != DigestIssue.Kind.DIGEST:
            return {}
        stories = [story.article.pk for story in self.all_stories()]
        with self.lock:
            if self.earlier is None:
                rows = (
                    DigestStory.objects.filter(
                        article_id__in=stories,
                        dropped=False,
                        issue__newsletter_id=self.issue.newsletter_id,
                    )
                    .exclude(issue=self.issue)
                    .values_list("issue_id", "article_id")
                )
                found: dict[int, set[int]] = {}
                for issue_id, article_id in rows:
                    found.setdefault(issue_id, set()).add(article_id)
                self.earlier = {k: frozenset(v) for k, v in found.items()}
            return self.earlier

    def group(
        self, key: str, section_ids: frozenset[int] | None, exclude: frozenset[int]
    ) -> render.RenderedGroup | None:
        """The message of readers of sections ``key`` who already got ``exclude``.

        None when no story is left for them.
        """
        stories = self.all_stories()
        with self.lock:
            if (key, exclude) not in self.groups:
                self.groups[(key, exclude)] = issuemail.render_group(
                    self.issue, stories, section_ids, exclude
                )
            return self.groups[(key, exclude)]


def already_received(cache: RenderCache, deliveries: list[Claimed]) -> dict[int, frozenset[int]]:
    """For each reader, this issue's stories that an earlier issue's mail already gave them."""
    earlier = cache.earlier_issues()
    subscriber_ids = [d.subscriber.pk for d in deliveries if d.subscriber is not None]
    if not earlier or not subscriber_ids:
        return {}
    section_of = {story.article.pk: story.section_id for story in cache.all_stories()}
    in_issues, issue_param = any_of("issue_id", list(earlier), "issues")
    of_readers, reader_param = any_of("subscriber_id", subscriber_ids, "readers")
    sql = f"""
        SELECT subscriber_id, sections_key, issue_id FROM {Delivery._meta.db_table}
        WHERE {in_issues} AND {of_readers} AND state = 'sent'
    """  # noqa: S608 - table name from the model, values as parameters
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {**issue_param, **reader_param})
        rows = cursor.fetchall()
    received: dict[int, set[int]] = {}
    for subscriber_id, sections_key, issue_id in rows:
        for article_id in earlier[issue_id]:
            # It was in that mail only if it was in the sections the reader had then.
            if sections_key == "all" or str(section_of[article_id]) in sections_key.split(","):
                received.setdefault(subscriber_id, set()).add(article_id)
    return {k: frozenset(v) for k, v in received.items()}
