"""The 'view in browser' page of a digest issue, and counted links to its stories."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from dateline.digests import clicks, engagement, issuemail
from dateline.digests.models import DigestIssue
from dateline.digests.render import check_view_token
from dateline.lib.security import INLINE_STYLE_POLICY


def view_issue(request: HttpRequest, issue_id: int, token: str) -> HttpResponse:
    """An issue of any kind as a web page: every section, no reader's links or address."""
    if not check_view_token(issue_id, token):
        raise Http404("No such issue")
    issue = get_object_or_404(
        DigestIssue.objects.exclude(status=DigestIssue.Status.CANCELLED), pk=issue_id
    )
    page = issuemail.browser_html(issue)
    if not page:
        raise Http404("No stories")
    response = HttpResponse(page)
    response["X-Robots-Tag"] = "noindex"
    # Styled inline, as mail is; no script (dateline.lib.security).
    response["Content-Security-Policy"] = INLINE_STYLE_POLICY
    return response


@require_safe
def click(request: HttpRequest, token: str, reader: str = "") -> HttpResponse:
    """A counted link from a digest (dateline.digests.clicks): to its target, or a 404 page."""
    headers = clicks.answer(token, request.method or "", reader)
    if headers is None:
        raise Http404("This link is not one of ours, or it was changed on the way")
    response = HttpResponse(status=303)
    for name, value in headers:
        response[name] = value
    return response


@require_safe
def opened(request: HttpRequest, issue_id: int, signature: str, reader: str = "") -> HttpResponse:
    """The open image (engagement.py): counted when its signature is ours, always an image."""
    engagement.answer_open(issue_id, signature, reader, request.method or "")
    response = HttpResponse(engagement.PIXEL)
    for name, value in engagement.PIXEL_HEADERS:
        response[name] = value
    return response
