"""Posting, editing and deleting a comment: every check, then one transaction.

Views and the JSON endpoint call ``post_comment``; it never sends mail or calls
the network itself but enqueues tasks (tasks.py) once the comment is stored.

A check either refuses the comment (``Refused``: a clear message, nothing
stored) or holds it for a moderator (stored with ``hold_reason``). Refusals are
for what a person can fix or must not do again (too long, too many links, a
duplicate, the rate limits, a banned address); holds are for what might be a bot
or a troll but might be a person (posted very fast, a banned word).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dateline.comments.models import Ban, Comment, Commenter
from dateline.comments.render import count_links, render_markdown
from dateline.lib import ratelimit
from dateline.lib.formstamp import stamp_age
from dateline.newsletter.models import Subscriber
from dateline.newsletter.signup import InvalidAddress, normalise_address
from dateline.newsroom.models import ArticlePage

# What the form must never carry: NUL and the other C0 controls but tab and newlines,
# and U+FFFD, which is what Django makes of bytes that were not UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
DUPLICATE_HOURS = 24


class Refused(Exception):
    """The comment is not stored; ``message`` says why, ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass
class Submission:
    """What the form carried, as text, plus who sent it."""

    article_id: Any
    name: str = ""
    email: str = ""
    body: str = ""
    parent_id: Any = None
    notify: bool = False
    stamp: str = ""
    honeypot: str = ""
    ip: str | None = None
    user_agent: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def comments_close_at(article: ArticlePage) -> datetime.datetime | None:
    published = article.date_published
    if published is None:
        return None
    return published + datetime.timedelta(days=settings.COMMENTS_CLOSE_AFTER_DAYS)


def comments_open(article: ArticlePage, now: datetime.datetime | None = None) -> bool:
    if not article.comments_open or not article.live:
        return False
    closes = comments_close_at(article)
    return closes is None or (now or timezone.now()) < closes


def find_article(article_id: Any) -> ArticlePage:
    try:
        pk = int(article_id)
    except (TypeError, ValueError):
        raise Refused("There is no such article.", status=404) from None
    article = ArticlePage.objects.live().filter(pk=pk).first()
    if article is None:
        raise Refused("There is no such article.", status=404)
    return article


def clean_body(body: str) -> str:
    """The comment's text, or Refused with what to change."""
    if _CONTROL.search(body):
        raise Refused("The comment contains characters that cannot be shown.", field="body")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise Refused("Write a comment before posting.", field="body")
    if len(body) > settings.COMMENTS_MAX_LENGTH:
        raise Refused(
            f"Comments are limited to {settings.COMMENTS_MAX_LENGTH:,} characters; "
            f"this one has {len(body):,}.",
            field="body",
        )
    if count_links(body) > settings.COMMENTS_MAX_LINKS:
        raise Refused(
            f"A comment may contain at most {settings.COMMENTS_MAX_LINKS} links.", field="body"
        )
    return body


def clean_name(name: str) -> str:
    if _CONTROL.search(name):
        raise Refused("The name contains characters that cannot be shown.", field="name")
    name = " ".join(name.split())
    if not name:
        raise Refused("Enter the name to show with your comment.", field="name")
    if len(name) > 80:
        raise Refused("Names are limited to 80 characters.", field="name")
    return name


def clean_email(email: str) -> str:
    try:
        return normalise_address(email)
    except InvalidAddress as error:
        raise Refused(str(error), field="email") from None


def banned_word(text: str) -> str | None:
    lowered = text.lower()
    for word in settings.COMMENTS_BANNED_WORDS:
        if re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", lowered):
            return word
    return None


def body_hash(body: str) -> str:
    return hashlib.sha256(" ".join(body.lower().split()).encode("utf-8")).hexdigest()


def is_banned(email: str, ip: str | None) -> bool:
    wanted = Q(kind=Ban.Kind.EMAIL, value=email)
    if ip:
        wanted |= Q(kind=Ban.Kind.IP, value=ip)
    return Ban.active().filter(wanted).exists()


def find_parent(article: ArticlePage, parent_id: Any) -> Comment | None:
    if parent_id in (None, ""):
        return None
    try:
        pk = int(parent_id)
    except (TypeError, ValueError):
        raise Refused("The comment you replied to does not exist.") from None
    parent = Comment.objects.filter(pk=pk, status=Comment.Status.APPROVED).first()
    if parent is None:
        raise Refused("The comment you replied to does not exist.")
    if parent.article_id != article.pk:
        raise Refused("The comment you replied to is on another article.")
    # Past the deepest level a reply joins its parent's level instead of nesting further.
    while parent.depth >= settings.COMMENTS_MAX_DEPTH - 1 and parent.parent_id:
        parent = Comment.objects.get(pk=parent.parent_id)
    return parent


def needs_moderation(commenter: Commenter) -> str:
    """The pre-moderation policy's reason to hold, or '' to publish."""
    policy = settings.COMMENTS_MODERATION
    if policy == "all":
        return "every comment is moderated"
    if policy == "first":
        published = Comment.objects.filter(commenter=commenter, status=Comment.Status.APPROVED)
        if not published.exists():
            return "first comment from this address"
    return ""


def post_comment(sub: Submission) -> Comment:
    """Store a comment that passed every check, approved or held; or raise Refused."""
    article = find_article(sub.article_id)
    if not comments_open(article):
        raise Refused("Comments on this story are closed.", status=403)
    if sub.honeypot:
        # Only bots fill the hidden field; a person never sees it.
        raise Refused("Your comment could not be posted.")
    age = stamp_age(sub.stamp)
    if age is None or age > settings.COMMENTS_MAX_FORM_AGE:
        raise Refused("This form is too old. Reload the page and post your comment again.")
    name = clean_name(sub.name)
    email = clean_email(sub.email)
    body = clean_body(sub.body)
    parent = find_parent(article, sub.parent_id)
    if is_banned(email, sub.ip):
        raise Refused("Comments from this address are not accepted.", status=403)
    if not ratelimit.allow(
        "comments-ip", sub.ip or "?", settings.COMMENTS_PER_IP_PER_HOUR, 3600
    ) or not ratelimit.allow(
        "comments-address", email, settings.COMMENTS_PER_ADDRESS_PER_HOUR, 3600
    ):
        raise Refused(
            "You have posted a lot of comments in the last hour. Please wait and try again.",
            status=429,
        )
    digest = body_hash(body)
    since = timezone.now() - datetime.timedelta(hours=DUPLICATE_HOURS)
    same_sender = Q(commenter__email=email) | (Q(ip=sub.ip) if sub.ip else Q(pk__in=[]))
    if (
        Comment.objects.filter(article=article, body_hash=digest, created_at__gte=since)
        .filter(same_sender)
        .exclude(status=Comment.Status.DELETED)
        .exists()
    ):
        raise Refused("You have already posted this comment.", field="body")

    hold = ""
    if age < settings.COMMENTS_MIN_FORM_SECONDS:
        hold = "posted within seconds of the page loading"
    elif word := banned_word(f"{name}\n{body}"):
        hold = f"contains a banned word ({word})"

    with transaction.atomic():
        commenter, _ = Commenter.objects.get_or_create(email=email)
        if commenter.verified_at is None and is_newsletter_reader(email):
            commenter.verified_at = timezone.now()
            commenter.save(update_fields=["verified_at"])
        hold = hold or needs_moderation(commenter)
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            thread_id=parent.thread_id if parent else None,
            commenter=commenter,
            name=name,
            body=body,
            body_html=render_markdown(body),
            status=Comment.Status.HELD if hold else Comment.Status.APPROVED,
            hold_reason=hold,
            notify_replies=sub.notify,
            ip=sub.ip,
            user_agent=sub.user_agent[:300],
            body_hash=digest,
        )
        if parent is None:
            Comment.objects.filter(pk=comment.pk).update(thread_id=comment.pk)
            comment.thread_id = comment.pk
        # Only tasks with something to do: with the database queue each is a stored row.
        tell_parent = bool(
            parent and parent.notify_replies and comment.status == Comment.Status.APPROVED
        )
        verify = sub.notify and commenter.verified_at is None
        transaction.on_commit(
            lambda: after_posting(comment.pk, commenter.pk, verify=verify, tell_parent=tell_parent)
        )
    return comment


def is_newsletter_reader(email: str) -> bool:
    """The newsletter confirmed this address already: no second confirmation needed."""
    # Subscribers are stored lower-cased (newsletter.signup.subscriber_address).
    return Subscriber.objects.filter(email=email.lower(), status=Subscriber.Status.ACTIVE).exists()


def after_posting(comment_id: int, commenter_id: int, *, verify: bool, tell_parent: bool) -> None:
    from dateline.comments import tasks

    if settings.COMMENTS_SPAM_CHECK_URL:
        tasks.enqueue_safely(tasks.check_spam, comment_id)
    if tell_parent:
        tasks.enqueue_safely(tasks.notify_reply, comment_id)
    if verify:
        tasks.enqueue_safely(tasks.send_verification, commenter_id)


# The commenter's own edits ---------------------------------------------------------


def in_edit_window(comment: Comment, now: datetime.datetime | None = None) -> bool:
    limit = datetime.timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    return comment.status in (Comment.Status.HELD, Comment.Status.APPROVED) and (
        (now or timezone.now()) - comment.created_at <= limit
    )


def edit_comment(comment: Comment, body: str) -> Comment:
    body = clean_body(body)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.body_hash = body_hash(body)
    comment.edited_at = timezone.now()
    fields = ["body", "body_html", "body_hash", "edited_at"]
    if comment.status == Comment.Status.APPROVED and (word := banned_word(body)):
        comment.status = Comment.Status.HELD
        comment.hold_reason = f"edited to contain a banned word ({word})"
        fields += ["status", "hold_reason"]
    comment.save(update_fields=fields)
    return comment


def delete_comment(comment: Comment) -> None:
    """The writer's delete: the words go; a placeholder keeps any replies in place."""
    comment.status = Comment.Status.DELETED
    comment.body = ""
    comment.body_html = ""
    comment.edited_at = timezone.now()
    comment.save(update_fields=["status", "body", "body_html", "edited_at"])
