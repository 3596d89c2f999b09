"""An article's thread as readers see it, in a fixed number of queries.

One aggregate gives the counts and one query the page of threads whole, replies
and all (every comment records the top-level comment it hangs under), so 500
comments cost what 5 do. The thread is the same for every reader: the
commenter's own held or editable comments are added only by ``personalise``,
on a page the page cache does not keep.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NotRequired, TypedDict, cast

from django.conf import settings
from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString

from dateline.comments.models import Comment
from dateline.comments.posting import comments_open, in_edit_window
from dateline.lib.dates import machine_datetime
from dateline.lib.formstamp import make_stamp

SHOWN = (Comment.Status.APPROVED, Comment.Status.DELETED)
COOKIE = "dateline_comments"
COOKIE_SALT = "dateline.comments.mine"
# The flag on the redirect after posting that asks for the commenter's own view.
POSTED_FLAG = "comment"
ITEMS_TEMPLATE = "comments/comment_items.html"

APPROVED = Comment.Status.APPROVED.value
DELETED = Comment.Status.DELETED.value


class ShownComment(TypedDict):
    """A comment as the thread shows it: a row of ``values(*COLUMNS)``, then what
    ``lay_out`` adds for comment_items.html.

    Dicts rather than model instances (an instance a row was a third of a long
    thread's render) or other objects: a template tries a key before an attribute,
    and an object costs it an exception a lookup.
    """

    pk: int
    parent_id: int | None
    depth: int
    name: str
    body_html: str
    status: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    # Added by lay_out. A comment with replies opens their list (has_replies); after
    # the last comment of a list, that list and its parent's item close, ``closes``
    # times over (closed_lists, for the template to loop over).
    deleted: NotRequired[bool]
    anchor: NotRequired[str]
    shown_at: NotRequired[str]
    machine_at: NotRequired[str]
    can_reply: NotRequired[bool]
    reply_url: NotRequired[str]
    report_url: NotRequired[str]
    editable: NotRequired[bool]
    edit_url: NotRequired[str]
    delete_url: NotRequired[str]
    has_replies: NotRequired[bool]
    closes: NotRequired[int]
    closed_lists: NotRequired[range]


# The columns the thread reads, as ShownComment names them.
COLUMNS = ("pk", "parent_id", "depth", "name", "body_html", "status", "created_at", "edited_at")


@dataclass
class Thread:
    article: Any
    count: int
    top_count: int
    # The page's top-level comments in the order shown, and every shown reply under
    # its parent's id, oldest first.
    roots: list[ShownComment]
    children: dict[int, list[ShownComment]]
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
    def comments(self) -> list[ShownComment]:
        """The page of comments in order for comment_items.html, laid out once
        (after ``personalise``)."""
        return lay_out(self.roots, self.children, self.is_open, self.editable)


# Stands in for the pk in pk_url: no script prefix holds it.
_PLACEHOLDER = 918273645546372819


def pk_url(name: str) -> Callable[[int], str]:
    """The URL ``name`` takes for any comment's pk, from one reverse(): a reverse()
    (or {% url %}) for every comment was most of a long thread's render (bench/RESULTS.md).
    """
    head, _, tail = escape(reverse(name, args=[_PLACEHOLDER])).partition(str(_PLACEHOLDER))
    return lambda pk: SafeString(f"{head}{pk}{tail}")


def lay_out(
    roots: list[ShownComment],
    children: dict[int, list[ShownComment]],
    is_open: bool,
    editable: Collection[int] = (),
) -> list[ShownComment]:
    """The comments with their replies after each, as comment_items.html draws them.

    A deleted comment is kept as a placeholder only while a published reply hangs
    under it. Times are local and named in the site's language: Django's date_format
    (the date filter's) makes the day once a day, not once a comment. The values made
    here are escaped once a render (the URLs, the day) and otherwise digits, so they
    go out as SafeStrings: escaping each again was a fifth of the template's time.
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
        comment["closes"] = 0  # counted afresh: the same rows may be laid out again
        shown_any = False
        for reply in children.get(comment["pk"], ()):
            shown_any = place(reply) or shown_any
        deleted = comment["status"] == DELETED
        if deleted and not shown_any:
            del placed[mark:]
            return False
        pk = comment["pk"]
        comment["deleted"] = deleted
        comment["anchor"] = SafeString(f"comment-{pk}")
        comment["has_replies"] = shown_any
        if shown_any:
            placed[-1]["closes"] += 1
        if deleted:
            return True
        local = comment["created_at"].astimezone(zone)
        day = local.date()
        if day not in days:
            days[day] = escape(date_format(local, "j M Y"))
        comment["shown_at"] = SafeString(f"{days[day]}, {local:%H:%M}")
        comment["machine_at"] = SafeString(machine_datetime(local))
        # Only a published comment takes replies (a held one shows only to its writer).
        comment["can_reply"] = (
            comment["status"] == APPROVED and is_open and (comment["depth"] < reply_depth)
        )
        comment["reply_url"] = reply_url(pk)
        comment["report_url"] = report_url(pk)
        comment["editable"] = pk in editable
        if comment["editable"]:
            comment["edit_url"] = edit_url(pk)
            comment["delete_url"] = delete_url(pk)
        return True

    for root in roots:
        place(root)
    for comment in placed:
        comment["closed_lists"] = range(comment["closes"])
    return placed


def render_comments(
    roots: list[ShownComment],
    children: dict[int, list[ShownComment]],
    is_open: bool,
    editable: Collection[int] = (),
) -> SafeString:
    """Comments and their replies as nested ``<li>`` items (comment_items.html)."""
    comments = lay_out(roots, children, is_open, editable)
    return render_to_string(ITEMS_TEMPLATE, {"comments": comments})


def render_comment(comment: Comment, editable: bool = False) -> str:
    """One comment on its own (no replies), for the script to put in place."""
    shown = cast(ShownComment, {name: getattr(comment, name) for name in COLUMNS})
    return render_comments([shown], {}, True, {comment.pk} if editable else ()).strip()


def comment_count(article_id: int) -> int:
    return Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED).count()


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
    roots: list[ShownComment] = []
    children: dict[int, list[ShownComment]] = {}
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
            .values(*COLUMNS)
        )
        for comment in cast(QuerySet[Comment, ShownComment], rows):
            parent = comment["parent_id"]
            if parent is None:
                roots.append(comment)
            else:
                children.setdefault(parent, []).append(comment)
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
