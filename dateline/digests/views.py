"""The 'view in browser' page of a digest issue, and counted links to its stories."""

from __future__ import annotations

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from dateline.digests.models import DigestIssue, DigestStory
from dateline.digests.render import check_click_token, check_view_token, render_browser_html
from dateline.lib.security import INLINE_STYLE_POLICY


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
    # Styled inline, as mail is; no script (dateline.lib.security).
    response["Content-Security-Policy"] = INLINE_STYLE_POLICY
    return response


@never_cache
def click(request: HttpRequest, story_id: int, token: str) -> HttpResponse:
    """Count a click on a story of a digest and go to it. Nothing about the reader is kept."""
    if not check_click_token(story_id, token):
        raise Http404("No such link")
    story = get_object_or_404(DigestStory.objects.select_related("article"), pk=story_id)
    url = story.article.full_url
    if not url or not story.article.live:
        raise Http404("The story is no longer published")
    # HEAD is what link checkers and some mail scanners send: not a reader.
    if request.method == "GET":
        DigestStory.objects.filter(pk=story.pk).update(clicks=F("clicks") + 1)
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
