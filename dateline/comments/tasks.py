"""Comment mail and the spam check, run by the worker, never inside a request."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from dateline.comments.models import Comment, Commenter
from dateline.comments.tokens import list_unsubscribe_headers, unsubscribe_url, verify_url
from dateline.lib.emails import make_message

logger = logging.getLogger(__name__)


def enqueue_safely(job: Any, *args: Any) -> None:
    """Queue a task; a queue that is down costs the mail, not the comment already stored."""
    try:
        job.enqueue(*args)
    except Exception:
        logger.exception("Could not queue %s%r", getattr(job, "name", job), args)


def article_url(comment: Comment) -> str:
    return f"{settings.BASE_URL}{comment.article.url}#{comment.anchor}"


@task()
def send_verification(commenter_id: int) -> bool:
    """Ask an address to confirm it wants reply mail; at most once a day per address."""
    commenter = Commenter.objects.filter(pk=commenter_id, verified_at__isnull=True).first()
    if commenter is None or not commenter.reply_mail:
        return False
    now = timezone.now()
    since = now - datetime.timedelta(days=1)
    claimed = (
        Commenter.objects.filter(pk=commenter_id)
        .filter(Q(verification_sent_at__isnull=True) | Q(verification_sent_at__lt=since))
        .update(verification_sent_at=now)
    )
    if not claimed:
        return False
    make_message(
        "comments/emails/verify",
        {"verify_url": verify_url(commenter), "unsubscribe_url": unsubscribe_url(commenter)},
        commenter.email,
    ).send()
    return True


@task()
def notify_reply(comment_id: int) -> bool:
    """Mail the parent's writer about a published reply, once, if they asked and verified."""
    reply = (
        Comment.objects.select_related("parent__commenter", "article")
        .filter(pk=comment_id, status=Comment.Status.APPROVED, parent__isnull=False)
        .first()
    )
    if reply is None or reply.parent is None:
        return False
    parent = reply.parent
    commenter = parent.commenter
    if (
        commenter is None
        or not parent.notify_replies
        or not commenter.reply_mail
        or commenter.verified_at is None
        or reply.commenter_id == commenter.pk
    ):
        return False
    claimed = Comment.objects.filter(pk=reply.pk, reply_notified_at__isnull=True).update(
        reply_notified_at=timezone.now()
    )
    if not claimed:
        return False
    # The reply's words are shown escaped as text: our mail never carries a stranger's HTML.
    make_message(
        "comments/emails/reply",
        {
            "reply": reply,
            "parent": parent,
            "article_title": reply.article.title,
            "reply_url": article_url(reply),
            "thread_unsubscribe_url": unsubscribe_url(commenter, reply.article_id),
            "all_unsubscribe_url": unsubscribe_url(commenter),
        },
        commenter.email,
        headers=list_unsubscribe_headers(commenter, reply.article_id),
    ).send()
    return True


@task()
def check_spam(comment_id: int) -> str:
    """Ask the Akismet-compatible service about a new comment; spam leaves the thread.

    Off unless COMMENTS_SPAM_CHECK_URL is set. A service that is down or slow
    (COMMENTS_SPAM_CHECK_TIMEOUT) leaves the comment as the other checks left it.
    """
    if not settings.COMMENTS_SPAM_CHECK_URL:
        return "off"
    comment = (
        Comment.objects.select_related("commenter", "article")
        .filter(pk=comment_id, status__in=[Comment.Status.HELD, Comment.Status.APPROVED])
        .first()
    )
    if comment is None:
        return "gone"
    data = {
        "api_key": settings.COMMENTS_SPAM_CHECK_KEY,
        "blog": settings.BASE_URL,
        "user_ip": comment.ip or "",
        "user_agent": comment.user_agent,
        "permalink": f"{settings.BASE_URL}{comment.article.url}",
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.name,
        "comment_author_email": comment.commenter.email if comment.commenter else "",
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.isoformat(),
    }
    try:
        answer = requests.post(
            settings.COMMENTS_SPAM_CHECK_URL,
            data=data,
            timeout=settings.COMMENTS_SPAM_CHECK_TIMEOUT,
        )
        verdict = answer.text.strip().lower()
    except requests.RequestException as error:
        logger.warning("Spam check failed for comment %s: %s", comment_id, error)
        return "error"
    Comment.objects.filter(pk=comment_id).update(spam_checked_at=timezone.now())
    if verdict != "true":
        return "ham"
    comment.status = Comment.Status.SPAM
    comment.hold_reason = "the spam check said spam"
    comment.save(update_fields=["status", "hold_reason"])  # refreshes the page if it showed
    return "spam"


def moderator_emails() -> list[str]:
    if settings.COMMENTS_MODERATOR_EMAILS:
        return list(settings.COMMENTS_MODERATOR_EMAILS)
    users = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    return sorted({user.email for user in users})


def queue_counts() -> dict[str, int]:
    Status = Comment.Status
    return Comment.objects.aggregate(
        held=Count("pk", filter=Q(status=Status.HELD)),
        reported=Count("pk", filter=Q(report_count__gt=0, status=Status.APPROVED)),
        spam=Count("pk", filter=Q(status=Status.SPAM, moderated_at__isnull=True)),
    )


@task()
def send_moderation_summary() -> int:
    """The daily mail to moderators: what waits in the queue. Nothing waiting, no mail."""
    counts = queue_counts()
    if not counts["held"] and not counts["reported"]:
        return 0
    oldest = (
        Comment.objects.filter(status=Comment.Status.HELD)
        .select_related("article")
        .order_by("created_at")[:10]
    )
    sent = 0
    for email in moderator_emails():
        make_message(
            "comments/emails/moderation-summary",
            {
                "counts": counts,
                "oldest": list(oldest),
                "queue_url": f"{settings.BASE_URL}/admin/comments/queue/",
            },
            email,
        ).send()
        sent += 1
    return sent
