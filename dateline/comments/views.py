"""Reader-facing comment views: post, preview, reply, edit, delete, report, mail links."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dateline.comments import posting, tokens
from dateline.comments.models import Comment, CommentReport
from dateline.comments.render import render_markdown
from dateline.comments.templatetags.comments_tags import plural_comments
from dateline.comments.thread import (
    POSTED_FLAG,
    comment_count,
    my_comment_ids,
    my_comments,
    new_stamp,
    remember_comment,
    render_comment,
)
from dateline.lib import ratelimit
from dateline.lib.formstamp import stamp_age
from dateline.lib.http import client_ip, csrf_refusal, is_one_click, json_answer, wants_json

HELD_MESSAGE = "Thank you. Your comment is awaiting moderation and will appear once approved."
POSTED_MESSAGE = "Thank you. Your comment is published."


def _text(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name, "")
    return value if isinstance(value, str) else ""


def foreign_origin(request: HttpRequest) -> bool:
    """A browser says where a POST came from; another site's page must not post for a reader."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    return origin.rstrip("/") not in {
        f"{request.scheme}://{request.get_host()}",
        settings.BASE_URL,
    }


def submission(request: HttpRequest) -> posting.Submission:
    return posting.Submission(
        article_id=_text(request, "article"),
        name=_text(request, "name"),
        email=_text(request, "email"),
        body=_text(request, "body"),
        parent_id=_text(request, "parent") or None,
        notify=bool(_text(request, "notify")),
        stamp=_text(request, "stamp"),
        honeypot=_text(request, "website"),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


@csrf_exempt  # posted from cached pages; defended by the stamp, the checks and Origin
@never_cache
@require_POST
def post(request: HttpRequest) -> HttpResponseBase:
    """The comment form's POST: a redirect to the new comment, or the form with the error."""
    sub = submission(request)
    json_wanted = wants_json(request)
    try:
        if foreign_origin(request):
            raise posting.Refused("Comments can only be posted from this site.", status=403)
        comment = posting.post_comment(sub)
    except posting.Refused as refusal:
        if json_wanted:
            return json_answer(False, refusal.message, status=refusal.status, field=refusal.field)
        return refused_page(request, sub, refusal)

    held = comment.status == Comment.Status.HELD
    response: HttpResponseBase
    if json_wanted:
        response = JsonResponse(
            {
                "ok": True,
                "id": comment.pk,
                "status": comment.status,
                "message": HELD_MESSAGE if held else POSTED_MESSAGE,
                "parent": comment.parent_id,
                "html": render_comment(comment, editable=True),
                # The page shows its published count in two places; a held comment
                # leaves it as it was.
                "count": plural_comments(comment_count(comment.article_id)),
            },
            status=201,
        )
    else:
        # The flag makes this one view of the page the commenter's own: uncached,
        # with their held comment and edit links (see thread.personalise).
        response = HttpResponseRedirect(
            f"{comment.article.url}?{POSTED_FLAG}={comment.pk}#comment-{comment.pk}", status=303
        )
    remember_comment(request, response, comment.pk)
    return response


def refused_page(
    request: HttpRequest, sub: posting.Submission, refusal: posting.Refused
) -> HttpResponse:
    """The form again, as typed, with what to change; nothing was stored."""
    article = None
    with contextlib.suppress(posting.Refused):
        article = posting.find_article(sub.article_id)
    parent = None
    if article is not None and sub.parent_id:
        parent = Comment.objects.filter(
            pk=int(sub.parent_id) if str(sub.parent_id).isdigit() else 0,
            article_id=article.pk,
            status=Comment.Status.APPROVED,
        ).first()
    show_form = article is not None and posting.comments_open(article)
    context = {
        "heading": "Your comment was not posted",
        "article": article,
        "parent": parent,
        "show_form": show_form,
        "error": refusal.message,
        "error_field": refusal.field,
        # The NUL-free text only: what cannot be shown is not shown back either.
        "values": {
            "name": posting._CONTROL.sub("", sub.name)[:80],
            "email": posting._CONTROL.sub("", sub.email)[:254],
            "body": posting._CONTROL.sub("", sub.body)[: settings.COMMENTS_MAX_LENGTH * 2],
            "notify": sub.notify,
        },
        "stamp": new_stamp(),
    }
    return render(request, "comments/post_page.html", context, status=refusal.status)


@never_cache
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form on a page of its own, so replying needs no JavaScript."""
    parent = get_object_or_404(
        Comment.objects.select_related("article"), pk=pk, status=Comment.Status.APPROVED
    )
    article = parent.article
    if not article.live:
        raise Http404("No such comment")
    if not posting.comments_open(article):
        context: dict[str, Any] = {
            "heading": "Comments are closed",
            "article": article,
            "error": "Comments on this story are closed.",
        }
        return render(request, "comments/post_page.html", context, status=403)
    context = {
        "heading": f"Reply to {parent.name}",
        "article": article,
        "parent": parent,
        "show_form": True,
        "stamp": new_stamp(),
        "values": {},
    }
    return render(request, "comments/post_page.html", context)


@csrf_exempt
@never_cache
@require_POST
def preview(request: HttpRequest) -> JsonResponse:
    """The live preview: the comment as it will look, sanitised by the same code."""
    if not ratelimit.allow("comments-preview", client_ip(request) or "?", 600, 3600):
        return json_answer(False, "Too many previews.", status=429)
    try:
        body = posting.clean_body(_text(request, "body"))
    except posting.Refused as refusal:
        return json_answer(False, refusal.message, status=400)
    return JsonResponse({"ok": True, "html": render_markdown(body)})


@never_cache
def mine(request: HttpRequest, article_id: int) -> JsonResponse:
    """The reader's own recent comments on an article, for the script on the cached page."""
    comments = my_comments(request, article_id)
    return JsonResponse(
        {
            "comments": [
                {
                    "id": c.pk,
                    "status": c.status,
                    "editable": posting.in_edit_window(c),
                    "edit_url": reverse("comments:edit", args=[c.pk]),
                    "delete_url": reverse("comments:delete", args=[c.pk]),
                    "html": c.body_html,
                    "parent": c.parent_id,
                    # The whole item, for a page the browser kept from before the post.
                    "item": render_comment(c, editable=posting.in_edit_window(c)),
                    "message": HELD_MESSAGE if c.status == Comment.Status.HELD else "",
                }
                for c in comments
            ]
        }
    )


def own_comment(request: HttpRequest, pk: int) -> Comment:
    """The reader's comment while they may still change it; 404 otherwise."""
    if pk not in my_comment_ids(request):
        raise Http404("You can no longer change this comment")
    comment = Comment.objects.select_related("article").filter(pk=pk).first()
    if comment is None or not posting.in_edit_window(comment):
        raise Http404("You can no longer change this comment")
    return comment


def back_to(comment: Comment) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{comment.article.url}?{POSTED_FLAG}={comment.pk}#comment-{comment.pk}", status=303
    )


@never_cache
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = own_comment(request, pk)
    until = comment.created_at + datetime.timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    if request.method == "POST":
        body = _text(request, "body")
        try:
            posting.edit_comment(comment, body)
        except posting.Refused as refusal:
            context = {"comment": comment, "body": body, "error": refusal.message, "until": until}
            return render(request, "comments/edit.html", context, status=refusal.status)
        return back_to(comment)
    context = {"comment": comment, "body": comment.body, "until": until}
    return render(request, "comments/edit.html", context)


@never_cache
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = own_comment(request, pk)
    if request.method == "POST":
        posting.delete_comment(comment)
        return HttpResponseRedirect(f"{comment.article.url}#comments", status=303)
    return render(request, "comments/delete.html", {"comment": comment})


REPORTED_MESSAGE = "Thank you. A moderator will look at the comment."


def cross_site(request: HttpRequest) -> bool:
    """A browser's word that another site's page sent this request.

    The Report button is on the cached article page, which is the same for every
    reader and so cannot hold a per-reader CSRF token (rendering one would also set a
    cookie and keep the page out of the cache). Browsers say where a POST came from
    instead: ``Origin`` on every POST, ``Sec-Fetch-Site`` in current ones. A request
    with neither is not from a browser, so there is no visitor to forge it for.
    """
    return foreign_origin(request) or request.headers.get("Sec-Fetch-Site") == "cross-site"


@csrf_exempt  # posted from the cached page: defended by cross_site and the form stamp
@never_cache
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the comment and a button; the POST files the report for the moderators.

    The thread's Report buttons post here too, from one small form on the article
    page that carries its signed stamp; with JavaScript the answer is JSON.
    """
    comment = get_object_or_404(
        Comment.objects.select_related("article"), pk=pk, status=Comment.Status.APPROVED
    )
    if request.method == "POST":
        age = stamp_age(_text(request, "stamp"))
        if cross_site(request) or age is None or age > settings.COMMENTS_MAX_FORM_AGE:
            message = "This report could not be sent. Reload the page and try again."
            if wants_json(request):
                return json_answer(False, message, status=403)
            context = {"comment": comment, "error": message, "stamp": new_stamp()}
            return render(request, "comments/report.html", context, status=403)
        ip = client_ip(request)
        # One report per network per comment counts; more would only inflate the queue.
        if ratelimit.allow(f"comments-report-{pk}", ip or "?", 1, 86400):
            with transaction.atomic():
                CommentReport.objects.create(
                    comment=comment, reason=_text(request, "reason")[:300], ip=ip
                )
                Comment.objects.filter(pk=pk).update(report_count=F("report_count") + 1)
        if wants_json(request):
            return json_answer(True, REPORTED_MESSAGE)
        return render(request, "comments/report.html", {"comment": comment, "done": True})
    return render(request, "comments/report.html", {"comment": comment, "stamp": new_stamp()})


# Links in mail ------------------------------------------------------------------------


def _commenter(token: str, purpose: str) -> Any:
    commenter = tokens.commenter_for_token(token, purpose)
    if commenter is None:
        raise Http404("This link is not valid")
    return commenter


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); the POST verifies the address."""
    commenter = _commenter(token, tokens.VERIFY)
    if request.method == "POST":
        if commenter.verified_at is None:
            commenter.verified_at = timezone.now()
            commenter.reply_mail = True
            commenter.save(update_fields=["verified_at", "reply_mail"])
        context = {
            "heading": "Address confirmed",
            "message": "We will email you when someone replies to your comments.",
        }
        return render(request, "comments/mail_link.html", context)
    context = {
        "heading": "Confirm your address",
        "message": f"Send reply mail to {commenter.email}?",
        "button": "Yes, email me about replies",
    }
    return render(request, "comments/mail_link.html", context)


@csrf_exempt
@never_cache
def unsubscribe(
    request: HttpRequest, token: str, article_id: int | None = None
) -> HttpResponseBase:
    """Stop reply mail for one thread (with an article id) or for good.

    GET shows a button; its POST and the RFC 8058 one-click POST (no cookies, so
    no CSRF token) make the change.
    """
    commenter = _commenter(token, tokens.UNSUBSCRIBE)
    scope = "this thread" if article_id is not None else "any thread"
    if request.method == "POST":
        one_click = is_one_click(request)
        if not one_click:
            refused = csrf_refusal(request)
            if refused is not None:
                return refused
        if article_id is not None:
            Comment.objects.filter(commenter=commenter, article_id=article_id).update(
                notify_replies=False
            )
        else:
            commenter.reply_mail = False
            commenter.save(update_fields=["reply_mail"])
        if one_click:
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        context = {
            "heading": "No more reply mail",
            "message": f"We will not email you about replies in {scope}.",
        }
        return render(request, "comments/mail_link.html", context)
    context = {
        "heading": "Stop reply mail",
        "message": f"Stop emails to {commenter.email} about replies in {scope}?",
        "button": "Stop these emails",
    }
    return render(request, "comments/mail_link.html", context)
