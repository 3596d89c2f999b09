"""An article's thread as readers see it, in a fixed number of queries.

One aggregate gives the counts, one query the page of top-level comments and one
all their replies (every comment records the top-level comment it hangs under),
so 500 comments cost what 5 do. The thread is the same for every reader: the
commenter's own held or editable comments are added only by ``personalise``,
on a page the page cache does not keep.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dateline.comments.models import Comment
from dateline.comments.posting import comments_open, in_edit_window
from dateline.lib.formstamp import make_stamp

SHOWN = (Comment.Status.APPROVED, Comment.Status.DELETED)
COOKIE = "dateline_comments"
COOKIE_SALT = "dateline.comments.mine"
# The flag on the redirect after posting that asks for the commenter's own view.
POSTED_FLAG = "comment"


class Row:
    """What the thread shows of a comment: plain values, no model instance per row.

    Building 500 Comment instances was a third of a big thread's render.
    """

    FIELDS = ("pk", "parent_id", "depth", "name", "body_html", "status", "created_at", "edited_at")
    __slots__ = FIELDS
    pk: int
    parent_id: int | None
    depth: int
    name: str
    body_html: str
    status: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None

    def __init__(self, *values: Any) -> None:
        for name, value in zip(self.FIELDS, values, strict=True):
            setattr(self, name, value)


@dataclass
class Node:
    # A Row, or a Comment where one is at hand (the JSON answer to a post).
    comment: Any
    replies: list[Node] = field(default_factory=list)
    mine: bool = False
    editable: bool = False

    @property
    def can_reply(self) -> bool:
        return (
            self.comment.status == Comment.Status.APPROVED
            and self.comment.depth < settings.COMMENTS_MAX_DEPTH - 1
        )

    @property
    def has_visible(self) -> bool:
        return self.comment.status == Comment.Status.APPROVED or any(
            r.has_visible for r in self.replies
        )


@dataclass
class Thread:
    article: Any
    count: int
    top_count: int
    nodes: list[Node]
    number: int
    pages: int
    sort: str
    is_open: bool
    stamp: str = ""
    held_mine: list[Comment] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def other_sort(self) -> str:
        return "newest" if self.sort == "oldest" else "oldest"

    @property
    def html(self) -> SafeString:
        # Names are escaped and bodies were sanitised when stored (render_node).
        return mark_safe("".join(render_node(n, self.is_open) for n in self.nodes))  # nosec


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _when(moment: Any) -> tuple[str, str]:
    local = moment.astimezone(timezone.get_current_timezone())
    shown = f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local.hour:02}:{local.minute:02}"
    return local.isoformat(), shown


def render_node(node: Node, is_open: bool) -> str:
    """One comment and its replies as HTML.

    Built in Python rather than a recursive template include: a 500-comment thread
    took ~750 ms through Django templates and takes a few ms this way. Every value
    from a reader is escaped here; ``body_html`` was sanitised by render.py.
    """
    parts: list[str] = []
    _render_into(parts, node, is_open)
    return "".join(parts)


def _render_into(parts: list[str], node: Node, is_open: bool) -> None:
    c = node.comment
    pk = c.pk
    parts.append(f'<li class="comment" id="comment-{pk}">')
    if c.status == Comment.Status.DELETED:
        parts.append('<p class="comment-gone">This comment was deleted by its writer.</p>')
    else:
        iso, shown = _when(c.created_at)
        edited = " · edited" if c.edited_at else ""
        parts.append(
            f'<p class="comment-meta"><strong class="comment-author">{escape(c.name)}</strong> '
            f'<a href="#comment-{pk}"><time datetime="{iso}">{shown}</time></a>{edited}</p>'
            f'<div class="comment-body">{c.body_html}</div><p class="comment-actions">'
        )
        if node.can_reply and is_open:
            parts.append(
                f'<a href="/comments/{pk}/reply/" data-reply="{pk}" rel="nofollow">Reply</a> '
            )
        parts.append(f'<a href="/comments/{pk}/report/" rel="nofollow">Report</a>')
        if node.editable:
            parts.append(f' <a href="/comments/{pk}/edit/">Edit</a>')
            parts.append(f' <a href="/comments/{pk}/delete/">Delete</a>')
        parts.append("</p>")
    if node.replies:
        parts.append('<ol class="comment-replies">')
        for reply in node.replies:
            _render_into(parts, reply, is_open)
        parts.append("</ol>")
    parts.append("</li>")


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
    # Deleted top-level comments come along only to hold their replies; pages are
    # counted in published ones, so a page may hold a few placeholders more.
    top = [
        Row(*values)
        for values in Comment.objects.filter(
            article_id=article.pk, parent__isnull=True, status__in=SHOWN
        )
        .order_by(*order)
        .values_list(*Row.FIELDS)[(number - 1) * per_page : number * per_page]
    ]
    nodes = {c.pk: Node(c) for c in top}
    if top:
        replies = (
            Comment.objects.filter(thread_id__in=list(nodes), status__in=SHOWN)
            .exclude(parent__isnull=True)
            .order_by("created_at", "pk")
            .values_list(*Row.FIELDS)
        )
        for values in replies:
            reply = Row(*values)
            nodes[reply.pk] = Node(reply)
        for node in list(nodes.values()):
            parent_id = node.comment.parent_id
            if parent_id is not None and parent_id in nodes:
                nodes[parent_id].replies.append(node)
    roots = [nodes[c.pk] for c in top]
    return Thread(
        article=article,
        count=counts["count"],
        top_count=counts["top"],
        nodes=[n for n in roots if n.has_visible],
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
    by_id = {c.pk: c for c in mine}

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if node.comment.pk in by_id:
                node.mine = True
                node.editable = in_edit_window(by_id[node.comment.pk])
            walk(node.replies)

    walk(thread.nodes)
    thread.held_mine = [c for c in mine if c.status == Comment.Status.HELD]


def new_stamp() -> str:
    return make_stamp()
