"""An article's thread as readers see it, in a fixed number of queries.

One aggregate gives the counts and one query the page of threads whole, replies
and all (every comment records the top-level comment it hangs under), so 500
comments cost what 5 do. The thread is the same for every reader, so each
process keeps a page of it drawn until the next page-cache generation (Thread.html);
the commenter's own held or editable comments are added only by ``personalise``,
on a page the page cache does not keep.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from dateline.comments.models import Comment
from dateline.comments.posting import comments_open, in_edit_window
from dateline.lib.dates import machine_datetime
from dateline.lib.formstamp import make_stamp
from dateline.newsroom.routing import for_generation

SHOWN = (Comment.Status.APPROVED, Comment.Status.DELETED)
COOKIE = "dateline_comments"
COOKIE_SALT = "dateline.comments.mine"
# The flag on the redirect after posting that asks for the commenter's own view.
POSTED_FLAG = "comment"

APPROVED = Comment.Status.APPROVED.value
DELETED = Comment.Status.DELETED.value
ITEMS_TEMPLATE = "comments/comment_items.html"
# How many pages of comments each process keeps drawn (Thread.html): a page of 500
# comments is some 240 KB.
THREADS_KEPT = 48
# A comment's day, in the site's language (its time follows as H:i).
DAY_FORMAT = "j M Y"


@dataclass(slots=True)
class ShownComment:
    """A comment as the thread shows it: the columns read (``COLUMNS``, in this
    order), then what ``lay_out`` adds for comment_items.html."""

    pk: int
    parent_id: int | None
    depth: int
    name: str
    body_html: str
    status: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    # Set by lay_out. A comment with replies opens their list (has_replies); the last
    # comment of a list closes it and its parent's item, ``closes`` times over.
    deleted: bool = False
    shown_at: str = ""
    machine_at: str = ""
    can_reply: bool = False
    editable: bool = False
    reply_url: str = ""
    report_url: str = ""
    edit_url: str = ""
    delete_url: str = ""
    has_replies: bool = False
    closes: int = 0

    @property
    def closed_lists(self) -> range:
        return range(self.closes)

    # A template tries ``row[name]`` before ``getattr(row, name)``; answering it here
    # spares each look-up the exception a plain object makes it catch.
    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


# The columns the thread reads, in ShownComment's order.
COLUMNS = tuple(f.name for f in fields(ShownComment))[:8]


@dataclass
class Thread:
    article: Any
    count: int
    top_count: int
    number: int
    pages: int
    sort: str
    is_open: bool
    # The page's threads whole, replies and all; read only when the page of comments
    # is drawn afresh (see html). None when nothing is published.
    rows: QuerySet[Any, Any] | None = None
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
    def tree(self) -> tuple[list[ShownComment], dict[int, list[ShownComment]]]:
        """The page's top-level comments in the order shown, and every shown reply
        under its parent's id, oldest first."""
        roots: list[ShownComment] = []
        children: dict[int, list[ShownComment]] = {}
        if self.rows is not None:
            for comment in fetch_comments(self.rows):
                parent = comment.parent_id
                if parent is None:
                    roots.append(comment)
                else:
                    children.setdefault(parent, []).append(comment)
        if self.sort == "newest":
            roots.reverse()
        return roots, children

    @cached_property
    def html(self) -> SafeString:
        """The page of comments as ``<li>`` items (after ``personalise``).

        The same for every reader, so each process keeps it until the next page-cache
        generation, which any comment appearing, changing or going starts
        (signals.py), as it keeps the article itself (newsroom/routing.py): drawing
        500 comments takes some 13 ms of CPU, and a page the page cache cannot answer
        (a reader with a session cookie, a query string of its own) then reads no
        comment. A reader's own view, with Edit and Delete, is drawn afresh.
        """

        def draw() -> SafeString:
            roots, children = self.tree
            return render_comments(roots, children, self.is_open, self.editable)

        if self.editable:
            return draw()
        key = (
            f"thread {self.article.pk} {self.number} {self.sort} {self.is_open} "
            f"{get_language()} {timezone.get_current_timezone_name()}"
        )
        return for_generation(key, draw, most=THREADS_KEPT)


# Stands in for the pk in pk_url: no URL prefix holds it.
_PLACEHOLDER = 918273645546372819


def pk_url(name: str) -> Callable[[int], SafeString]:
    """The URL ``name`` takes for any comment's pk, from one ``reverse()``: a reverse
    (or ``{% url %}``) for every comment was most of a long thread's render."""
    head, _, tail = escape(reverse(name, args=[_PLACEHOLDER])).partition(str(_PLACEHOLDER))
    return lambda pk: SafeString(f"{head}{pk}{tail}")  # nosec B703 - escaped above; pk an int


def lay_out(
    roots: list[ShownComment],
    children: dict[int, list[ShownComment]],
    is_open: bool,
    editable: Collection[int] = (),
) -> list[ShownComment]:
    """The comments with their replies after each, as comment_items.html draws them.

    One flat list for one loop: an ``{% include %}`` a comment cost 0.2-0.4 ms each
    and a recursive one ~750 ms for 500. A deleted comment is kept as a placeholder
    only while a published reply hangs under it. Times are local and the day is
    named in the site's language by ``date_format`` (the date filter's function),
    once a day rather than once a comment. What is made here is digits, a URL from
    ``reverse`` or a day name, each escaped once, so it goes out as a SafeString.
    """
    reply_depth = settings.COMMENTS_MAX_DEPTH - 1
    zone = timezone.get_current_timezone()
    reply_url, report_url, edit_url, delete_url = (
        pk_url(f"comments:{name}") for name in ("reply", "report", "edit", "delete")
    )
    days: dict[datetime.date, str] = {}
    placed: list[ShownComment] = []

    def place(comment: ShownComment) -> bool:
        # False, with nothing placed, for a placeholder with nothing published beneath.
        mark = len(placed)
        placed.append(comment)
        comment.closes = 0  # counted afresh: the same rows may be laid out again
        shown_any = False
        for reply in children.get(comment.pk, ()):
            shown_any = place(reply) or shown_any
        deleted = comment.status == DELETED
        if deleted and not shown_any:
            del placed[mark:]
            return False
        comment.deleted = deleted
        comment.has_replies = shown_any
        if shown_any:
            placed[-1].closes += 1
        if deleted:
            return True
        pk = comment.pk
        local = comment.created_at.astimezone(zone)
        day = local.date()
        if day not in days:
            days[day] = escape(date_format(local, DAY_FORMAT))
        # Escaped once a day, not once a comment; the rest are digits.
        comment.shown_at = SafeString(f"{days[day]}, {local:%H:%M}")  # nosec B703
        comment.machine_at = SafeString(machine_datetime(local))  # nosec B703
        # Only a published comment takes replies (a held one shows only to its writer).
        comment.can_reply = comment.status == APPROVED and is_open and comment.depth < reply_depth
        comment.reply_url = reply_url(pk)
        comment.report_url = report_url(pk)
        comment.editable = pk in editable
        if comment.editable:
            comment.edit_url = edit_url(pk)
            comment.delete_url = delete_url(pk)
        return True

    for root in roots:
        place(root)
    return placed


def render_comments(
    roots: list[ShownComment],
    children: dict[int, list[ShownComment]],
    is_open: bool,
    editable: Collection[int] = (),
) -> SafeString:
    """Comments and their replies as nested ``<li>`` items (comment_items.html)."""
    comments = lay_out(roots, children, is_open, editable)
    if not comments:
        return SafeString("")
    return render_to_string(ITEMS_TEMPLATE, {"comments": comments})


def render_comment(comment: Comment, editable: bool = False) -> str:
    """One comment on its own (no replies), for the script to put in place."""
    shown = ShownComment(*(getattr(comment, name) for name in COLUMNS))
    return render_comments([shown], {}, True, {comment.pk} if editable else ())


def comment_count(article_id: int) -> int:
    return Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED).count()


def fetch_comments(query: QuerySet[Any, Any]) -> list[ShownComment]:
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
        shown = [ShownComment(*row) for row in cursor.fetchall()]
    if shown and shown[0].created_at.tzinfo is None:
        zone = connection.timezone
        for comment in shown:
            comment.created_at = comment.created_at.replace(tzinfo=zone)
    return shown


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
    rows = None
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
    return Thread(
        article=article,
        count=counts["count"],
        top_count=counts["top"],
        number=number,
        pages=pages,
        sort=sort,
        is_open=comments_open(article),
        rows=rows,
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
