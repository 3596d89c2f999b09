"""An article's thread as readers see it, in a fixed number of queries.

One aggregate gives the counts and one query the page of threads whole, replies
and all (every comment records the top-level comment it hangs under), so 500
comments cost what 5 do. The thread is the same for every reader: the
commenter's own held or editable comments are added only by ``personalise``,
on a page the page cache does not keep.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from html import escape as html_escape
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from dateline.comments.models import Comment
from dateline.comments.posting import comments_open, in_edit_window
from dateline.lib.dates import machine_datetime
from dateline.lib.formstamp import make_stamp

SHOWN = (Comment.Status.APPROVED, Comment.Status.DELETED)
COOKIE = "dateline_comments"
COOKIE_SALT = "dateline.comments.mine"
# The flag on the redirect after posting that asks for the commenter's own view.
POSTED_FLAG = "comment"

# What the thread shows of a comment, fetched as plain tuples in this order: a model
# instance per row was a third of a big thread's render.
COLUMNS = ("pk", "parent_id", "depth", "name", "body_html", "status", "created_at", "edited_at")
PK, PARENT, DEPTH, NAME, BODY, STATUS, CREATED, EDITED = range(len(COLUMNS))
APPROVED = Comment.Status.APPROVED.value
DELETED = Comment.Status.DELETED.value


@dataclass
class Thread:
    article: Any
    count: int
    top_count: int
    # The page's top-level comments in the order shown, and every shown reply under
    # its parent's id, oldest first.
    roots: list[tuple[Any, ...]]
    children: dict[int, list[tuple[Any, ...]]]
    number: int
    pages: int
    sort: str
    is_open: bool
    stamp: str = ""
    held_mine: list[Comment] = field(default_factory=list)
    # The reader's own comments they may still edit (personalise), given Edit and Delete.
    editable: frozenset[int] = frozenset()

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @cached_property
    def html(self) -> SafeString:
        """The page of comments as ``<li>`` items, built once (after ``personalise``)."""
        html = render_comments(self.roots, self.children, self.is_open, self.editable)
        # Reviewed: render_comments escapes every value a reader typed and body_html was
        # sanitised by render.py when it was stored (see render_comments).
        return mark_safe(html)  # nosec


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def render_comments(
    roots: list[tuple[Any, ...]],
    children: dict[int, list[tuple[Any, ...]]],
    is_open: bool,
    editable: Collection[int] = (),
) -> str:
    """Comments and their replies as nested ``<li>`` items, from rows shaped as COLUMNS.

    Plain Python rather than a template: an ``{% include %}`` per comment cost
    0.2-0.4 ms each, and the recursive one took ~750 ms for 500 comments. Everything
    a reader typed is escaped here: the name with ``html.escape`` (what Django's
    ``escape`` calls, without its per-call lazy-string wrapper). ``body_html`` goes
    out as stored: render.py made it from the Markdown and nh3 cleaned it when the
    comment was posted, edited or imported. Ids are integers and times are formatted
    here, so nothing else needs escaping. A deleted comment is kept as a placeholder
    only while a published reply hangs under it.
    """
    tz = timezone.get_current_timezone()
    reply_depth = settings.COMMENTS_MAX_DEPTH - 1
    parts: list[str] = []
    append = parts.append

    def item(row: tuple[Any, ...]) -> bool:
        # Appends the comment and its replies; False (and nothing appended) when it is
        # a placeholder with nothing published beneath it.
        pk = row[PK]
        mark = len(parts)
        append(f'<li class="comment" id="comment-{pk}">')
        status = row[STATUS]
        shown_here = status != DELETED
        if shown_here:
            local = row[CREATED].astimezone(tz)
            stamp = machine_datetime(local)
            shown = (
                f"{local.day} {MONTHS[local.month - 1]} {local.year}, "
                f"{local.hour:02}:{local.minute:02}"
            )
            append(
                f'<p class="comment-meta"><strong class="comment-author">'
                f"{html_escape(row[NAME])}</strong> "
                f'<a href="#comment-{pk}"><time datetime="{stamp}">{shown}</time></a>'
                f"{' · edited' if row[EDITED] else ''}</p>"
                f'<div class="comment-body">{row[BODY]}</div><p class="comment-actions">'
            )
            # Only a published comment takes replies (a held one shows only to its writer).
            if status == APPROVED and is_open and row[DEPTH] < reply_depth:
                append(
                    f'<a href="/comments/{pk}/reply/" data-reply="{pk}" rel="nofollow">Reply</a> '
                )
            # A button of the thread's one report form (thread.html): a POST, not a link
            # that crawlers follow.
            append(
                f'<button type="submit" form="comment-report" formaction="/comments/{pk}/report/"'
                ' class="comment-report">Report</button>'
            )
            if pk in editable:
                append(f' <a href="/comments/{pk}/edit/">Edit</a>')
                append(f' <a href="/comments/{pk}/delete/">Delete</a>')
            append("</p>")
        else:
            append('<p class="comment-gone">This comment was deleted by its writer.</p>')
        replies = children.get(pk)
        shown_any = False
        if replies:
            before = len(parts)
            append('<ol class="comment-replies">')
            for reply in replies:
                shown_any = item(reply) or shown_any
            if shown_any:
                append("</ol>")
            else:
                del parts[before:]
        if not (shown_here or shown_any):
            del parts[mark:]
            return False
        append("</li>")
        return True

    for root in roots:
        item(root)
    return "".join(parts)


def render_comment(comment: Comment, editable: bool = False) -> str:
    """One comment on its own (no replies), for the script to put in place."""
    row = tuple(getattr(comment, name) for name in COLUMNS)
    return render_comments([row], {}, True, {comment.pk} if editable else ())


def comment_count(article_id: int) -> int:
    return Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED).count()


def fetch_rows(query: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The query's rows (shaped as COLUMNS) as the database driver returns them.

    Django's per-value converters took about 1 ms of the 3 ms that fetching 500 rows
    took (two settings look-ups per datetime), and only ``created_at`` needs one: the
    SQLite driver parses it already, naive in the connection's time zone, which is what
    Django's converter would have made aware; PostgreSQL returns it aware. ``edited_at``
    is only tested for being set.
    """
    connection = connections[query.db]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if fetched and fetched[0][CREATED].tzinfo is None:
        zone = connection.timezone
        return [
            (*row[:CREATED], row[CREATED].replace(tzinfo=zone), *row[EDITED:]) for row in fetched
        ]
    return fetched


def build_thread(article: Any, page: Any = 1, sort: str = "oldest") -> Thread:
    sort = sort if sort in ("oldest", "newest") else "oldest"
    counts = Comment.objects.filter(article_id=article.pk).aggregate(
        count=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
        top=Count("pk", filter=Q(status=Comment.Status.APPROVED, parent__isnull=True)),
    )
    per_page = settings.COMMENTS_PER_PAGE
    pages = max(1, math.ceil(counts["top"] / per_page))
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        raise Http404("No such page of comments") from None
    if not 1 <= number <= pages:
        raise Http404("No such page of comments")
    order = ("created_at", "pk") if sort == "oldest" else ("-created_at", "-pk")
    roots: list[tuple[Any, ...]] = []
    children: dict[int, list[tuple[Any, ...]]] = {}
    # With nothing published there is nothing to show: a placeholder shows only above a
    # published reply.
    if counts["count"]:
        # Deleted top-level comments come along only to hold their replies; pages are
        # counted in published ones, so a page may hold a few placeholders more.
        start = (number - 1) * per_page
        page_of_threads = (
            Comment.objects.filter(article_id=article.pk, parent__isnull=True, status__in=SHOWN)
            .order_by(*order)
            .values("pk")[start : start + per_page]
        )
        # The page's threads whole in one query: every comment records the top-level
        # comment it hangs under (itself, for a top-level one).
        rows = (
            Comment.objects.filter(thread_id__in=page_of_threads, status__in=SHOWN)
            .order_by("created_at", "pk")
            .values_list(*COLUMNS)
        )
        for row in fetch_rows(rows):
            parent = row[PARENT]
            if parent is None:
                roots.append(row)
            else:
                children.setdefault(parent, []).append(row)
        if sort == "newest":
            roots.reverse()
    return Thread(
        article=article,
        count=counts["count"],
        top_count=counts["top"],
        roots=roots,
        children=children,
        number=number,
        pages=pages,
        sort=sort,
        is_open=comments_open(article),
    )


# The commenter's own comments: a signed cookie lists what they posted lately ----------


def my_comment_ids(request: HttpRequest) -> list[int]:
    raw = request.COOKIES.get(COOKIE, "")
    if not raw:
        return []
    try:
        ids = signing.loads(raw, salt=COOKIE_SALT, max_age=settings.COMMENTS_EDIT_MINUTES * 60 + 60)
    except signing.BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_comment(request: HttpRequest, response: HttpResponseBase, comment_id: int) -> None:
    ids = [comment_id, *(i for i in my_comment_ids(request) if i != comment_id)][:20]
    response.set_cookie(
        COOKIE,
        signing.dumps(ids, salt=COOKIE_SALT),
        max_age=settings.COMMENTS_EDIT_MINUTES * 60,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    # Tells the page's script there is something to ask /comments/mine/ about; it
    # holds nothing itself.
    response.set_cookie(
        "dateline_commented",
        "1",
        max_age=settings.COMMENTS_EDIT_MINUTES * 60,
        samesite="Lax",
        secure=request.is_secure(),
    )


def my_comments(request: HttpRequest, article_id: int) -> list[Comment]:
    """This reader's recent comments on the article that they may still edit or see held."""
    ids = my_comment_ids(request)
    if not ids:
        return []
    found = Comment.objects.filter(
        pk__in=ids,
        article_id=article_id,
        status__in=[Comment.Status.HELD, Comment.Status.APPROVED],
    ).order_by("created_at")
    return [c for c in found if in_edit_window(c) or c.status == Comment.Status.HELD]


def personalise(thread: Thread, request: HttpRequest) -> None:
    """Mark the reader's own comments and list their held ones; the page becomes private."""
    mine = my_comments(request, thread.article.pk)
    if not mine:
        return
    request.dateline_personal = True  # type: ignore[attr-defined]
    thread.editable = frozenset(c.pk for c in mine if in_edit_window(c))
    thread.held_mine = [c for c in mine if c.status == Comment.Status.HELD]


def new_stamp() -> str:
    return make_stamp()
