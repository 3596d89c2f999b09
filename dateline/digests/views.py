"""The 'view in browser' page of a digest issue."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from dateline.digests.models import DigestIssue
from dateline.digests.render import check_view_token, render_browser_html


def view_issue(request: HttpRequest, issue_id: int, token: str) -> HttpResponse:
    """An issue as a web page: every section, and no reader's links or address in it."""
    if not check_view_token(issue_id, token):
        raise Http404("No such issue")
    issue = get_object_or_404(
        DigestIssue.objects.exclude(status=DigestIssue.Status.CANCELLED), pk=issue_id
    )
    page = render_browser_html(issue)
    if not page:
        raise Http404("No stories")
    response = HttpResponse(page)
    response["X-Robots-Tag"] = "noindex"
    return response
