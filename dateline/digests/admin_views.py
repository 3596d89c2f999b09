"""Digests in Wagtail's admin: the issues, a preview, the editors' choices, live progress.

Viewing needs any permission on DigestIssue; changing stories, approving
("send now"), cancelling, pausing and resuming need "change". Every change is a
POST that redirects back to the issue, so the page works without JavaScript; a
small script refreshes the progress panel while an issue is being sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.timezone import get_current_timezone_name, localtime
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry

from dateline.digests import additions, editorial, engine, issuemail, render, richmail, storykinds
from dateline.digests.audience.panel import figures_panel
from dateline.digests.forms import ScheduleForm, WordsForm
from dateline.digests.models import Delivery, DigestIssue, DigestStory, LinkClicks
from dateline.digests.progress import chart_bars, progress

NAME = "digest_issues"
ANY = ["add", "change", "delete", "view"]
Status = DigestIssue.Status
SENDING_STATES = (Status.APPROVED, Status.SENDING, Status.PAUSED)
WORDS = ("subject", "preheader", "intro")


def digests_url(name: str, *args: Any) -> str:
    return reverse(f"{NAME}:{name}", args=args)


def can(request: HttpRequest, *actions: str) -> bool:
    policy = policy_registry.get_by_type(DigestIssue)
    return bool(policy.user_has_any_permission(request.user, list(actions)))


class IssueIndexView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = DigestIssue
    any_permission_required = ANY
    template_name = "digests/admin/index.html"
    page_title = "Digests"
    header_icon = "mail"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        # The header shows the last breadcrumb: without this one it read "Home".
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issues = (
            DigestIssue.objects.select_related("newsletter")
            .annotate(story_count=Count("stories", filter=Q(stories__dropped=False), distinct=True))
            .order_by("-slot_at")
        )
        # ?status=scheduled: the sends editors have set for later, and so on.
        status = self.request.GET.get("status", "")
        if status in Status.values:
            issues = issues.filter(status=status)
        page = Paginator(issues, 30).get_page(self.request.GET.get("p"))
        ids = [i.pk for i in page]
        counts: dict[int, dict[str, int]] = {}
        for row in (
            Delivery.objects.filter(issue_id__in=ids)
            .values("issue_id", "state")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts.setdefault(row["issue_id"], {})[row["state"]] = row["n"]
        for issue in page:
            states = counts.get(issue.pk, {})
            issue.delivery_total = sum(states.values())  # type: ignore[attr-defined]
            issue.delivery_sent = states.get(Delivery.State.SENT, 0)  # type: ignore[attr-defined]
        upcoming = editorial.next_issues()
        context.update(
            page=page,
            issues=page.object_list,
            status=status if status in Status.values else "",
            filters=[("", "All"), (Status.SCHEDULED, "Scheduled"), (Status.DRAFT, "Drafts")],
            next_issues=upcoming,
            # The scheduler drafts them within a minute; the button is for the impatient.
            can_prepare=can(self.request, "change")
            and any(n.draft is None and n.slot_at for n in upcoming),
        )
        return context


class PrepareView(PermissionCheckedMixin, View):
    """Make the next issues' drafts now, rather than at the scheduler's next run."""

    model = DigestIssue
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        made = editorial.prepare_drafts()
        if made:
            messages.success(request, f"Drafted: {', '.join(str(i) for i in made)}.")
        else:
            messages.info(request, "No new draft: no story was published for one yet.")
        return HttpResponseRedirect(digests_url("index"))


class IssueMixin(PermissionCheckedMixin):
    model = DigestIssue
    kwargs: dict[str, Any]

    @cached_property
    def issue(self) -> DigestIssue:
        return get_object_or_404(DigestIssue, pk=self.kwargs["pk"])


class IssueView(IssueMixin, WagtailAdminTemplateMixin, TemplateView):
    any_permission_required = ANY
    template_name = "digests/admin/issue.html"
    header_icon = "mail"

    def get_page_title(self) -> str:
        return str(self.issue)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": digests_url("index"), "label": "Digests"},
            {"url": "", "label": str(self.issue)},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = self.issue
        stories = list(
            DigestStory.objects.filter(issue=issue)
            .select_related("article")
            .order_by("dropped", "position")
        )
        # Clicks per story, all readers together (dateline.digests.clicks).
        per_story: dict[int, int] = {}
        for story_id, n in LinkClicks.objects.filter(issue=issue).values_list("story_id", "clicks"):
            if story_id is not None:
                per_story[story_id] = per_story.get(story_id, 0) + n
        for story in stories:
            story.clicks = per_story.get(story.article_id, 0)  # type: ignore[attr-defined]
            kind = storykinds.kind_of(story.article)  # "Live" beside a live blog's title
            story.label = kind.label if kind else ""  # type: ignore[attr-defined]
        editable = issue.status == Status.DRAFT and can(self.request, "change")
        defaults = default_words(issue)
        if "words_form" not in context and defaults:
            context["words_form"] = WordsForm(instance=issue, defaults=defaults)
        context.update(
            issue=issue,
            defaults=defaults,
            subject=" ".join(issue.subject.split()) or (defaults[0] if defaults else ""),
            preheader=issue.preheader.strip() or (defaults[1] if defaults else ""),
            intro=richmail.mail_html(issue.intro, lambda url: url),
            schedule_form=ScheduleForm(),
            time_zone=get_current_timezone_name(),
            media=WordsForm().media,
            in_mail=[s for s in stories if not s.dropped],
            dropped=[s for s in stories if s.dropped],
            editable=editable,
            # "Add a live blog": pages of the kinds storykinds registers, for a draft digest.
            addable=additions.addable(issue)
            if editable and issue.kind == DigestIssue.Kind.DIGEST
            else [],
            can_change=can(self.request, "change"),
            progress_panel=progress_panel(issue),
            # Sent, deferred, bounced, unsubscribed, clicked: a template of its own.
            figures_panel=figures_panel(issue),
            preview_url=digests_url("preview", issue.pk),
            view_url=render.view_url(issue),
        )
        return context


def default_words(issue: DigestIssue) -> tuple[str, str] | None:
    """A digest's subject and preheader when the editor leaves them empty (None: no story)."""
    if issue.kind != DigestIssue.Kind.DIGEST:
        return None
    entries = list(
        DigestStory.objects.filter(issue=issue, dropped=False)
        .select_related("article")
        .order_by("position")
    )
    pages = storykinds.specific_pages(e.article for e in entries[:1])  # the top story's words
    stories = [
        render.Story(
            article=pages.get(e.article_id, e.article), section_id=None, section_title="", url=""
        )
        for e in entries
    ]
    return render.default_words(stories) if stories else None


def progress_panel(issue: DigestIssue) -> str:
    if issue.status == Status.DRAFT:
        return ""
    figures = progress(issue)
    if issue.status == Status.CANCELLED and not figures.total:
        return ""  # cancelled before anyone was queued
    scheduled = issue.status == Status.SCHEDULED
    return render_to_string(
        "digests/admin/progress.html",
        {
            "issue": issue,
            "progress": figures,
            "bars": chart_bars(figures.per_minute),
            # A scheduled issue is watched for its start, less often.
            "live": issue.status in SENDING_STATES or scheduled,
            "every": 30_000 if scheduled else 3_000,
            "progress_url": digests_url("progress", issue.pk),
        },
    )


class ProgressView(IssueMixin, View):
    """The progress panel as HTML (for the page's script) or JSON (for scripts of one's own)."""

    any_permission_required = ANY

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.issue
        if request.GET.get("format") == "json":
            return JsonResponse({"status": issue.status, **progress(issue).as_json()})
        return HttpResponse(progress_panel(issue))


class WordsView(IssueView):
    """Save the editor's subject, preheader and introduction (drafts only)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.issue
        if not can(request, "change"):
            raise PermissionDenied
        defaults = default_words(issue) or ("", "")
        try:
            form = WordsForm(request.POST, instance=issue, defaults=defaults)
            valid = form.is_valid()
        except ValueError:  # not the rich text editor's contents: a hand-made request
            messages.error(request, "Not saved: the introduction could not be read.")
            return HttpResponseRedirect(digests_url("issue", pk))
        if not valid:
            messages.error(request, "Not saved: please correct the fields below.")
            return self.render_to_response(self.get_context_data(words_form=form))
        try:
            editorial.set_words(issue, **{f: form.cleaned_data[f] for f in WORDS})
        except editorial.NotADraft as error:
            messages.error(request, f"Not saved: {error}.")
        else:
            messages.success(request, "Saved: the preview shows the mail with your words.")
        return HttpResponseRedirect(digests_url("issue", pk))


class CancelView(IssueMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks before cancelling a send that is scheduled or approved (the button posts)."""

    permission_required = "change"
    template_name = "digests/admin/cancel.html"
    header_icon = "mail"

    def get_page_title(self) -> str:
        return f"Cancel {self.issue}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "issue": self.issue}


class PreviewView(IssueMixin, View):
    """The mail as readers of every section would see it, shown in a sandboxed frame."""

    any_permission_required = ANY

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        html = issuemail.browser_html(self.issue)
        response = HttpResponse(html or "<p>No story is left in this issue.</p>")
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


# What each story button does; anything else in the URL is refused with a 404.
STORY_ACTIONS: dict[str, Callable[[DigestStory], None]] = {
    "pin": lambda s: editorial.set_pinned(s, True),
    "unpin": lambda s: editorial.set_pinned(s, False),
    "drop": lambda s: editorial.set_dropped(s, True),
    "restore": lambda s: editorial.set_dropped(s, False),
    "up": lambda s: editorial.move(s, -1),
    "down": lambda s: editorial.move(s, 1),
}


class StoryActionView(IssueMixin, View):
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, story_pk: int, action: str) -> HttpResponse:
        if action not in STORY_ACTIONS:
            raise Http404("No such change")
        story = DigestStory.objects.filter(pk=story_pk, issue=self.issue).first()
        if story is None:
            # The scheduler refreshed the draft while the page was open.
            messages.warning(request, "That story has left the selection; here is the draft now.")
            return HttpResponseRedirect(digests_url("issue", pk))
        try:
            STORY_ACTIONS[action](story)
        except editorial.NotADraft as error:
            messages.error(request, f"Not changed: {error}.")
        return HttpResponseRedirect(f"{digests_url('issue', pk)}#story-{story.pk}")


class IssueActionView(IssueMixin, View):
    """Send now, refresh the selection, cancel, pause or resume."""

    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        issue = self.issue
        try:
            message = self.act(request, issue, action)
        except (editorial.NotADraft, ValueError) as error:  # additions.NotAddable too
            messages.error(request, f"Not done: {error}.")
        else:
            messages.success(request, message)
        return HttpResponseRedirect(digests_url("issue", pk))

    def act(self, request: HttpRequest, issue: DigestIssue, action: str) -> str:
        if action == "approve":
            queued = editorial.approve(issue, user=request.user)
            readers = "reader" if queued == 1 else "readers"
            return f"Approved: {queued} {readers} queued, the workers are sending it."
        if action == "add":
            page = Page.objects.filter(pk=request.POST.get("page") or 0).first()
            if page is None:
                raise ValueError("choose a page to add")
            additions.add_to_draft(issue, page)
            return f"Added and pinned: “{page.title}”."
        if action == "refresh":
            count = editorial.refresh(issue)
            return f"Selection refreshed: {count} stories in the mail."
        if action == "cancel":
            editorial.cancel(issue)
            return "Cancelled: this issue will not be sent."
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise ValueError("give a date and a time to send at")
            editorial.schedule(issue, form.cleaned_data["at"], user=request.user)
            return f"Scheduled: it goes out {localtime(issue.slot_at):%A %d %B %Y at %H:%M}."
        if action == "pause":
            engine.pause(issue, f"paused by {request.user}")
            return "Paused: no more messages go out until you resume."
        if action == "resume":
            engine.resume(issue)
            editorial.enqueue_sending(issue)
            return "Resumed: the workers are sending again."
        raise ValueError(f"unknown action {action!r}")


class NextDigestPanel(Component):
    """Dashboard: each cadence's next issue, its slot and how many stories it has so far."""

    name = "next_digest"
    template_name = "digests/admin/dashboard_panel.html"
    order = 70

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"next_issues": editorial.next_issues(), "index_url": digests_url("index")}


class DigestMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can(request, *ANY)


class DigestViewSet(ViewSet):
    name = NAME
    url_prefix = "newsletter/digests"
    icon = "mail"
    menu_label = "Digests"
    menu_item_class = DigestMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", IssueIndexView.as_view(), name="index"),
            path("prepare/", PrepareView.as_view(), name="prepare"),
            path("<int:pk>/", IssueView.as_view(), name="issue"),
            path("<int:pk>/preview/", PreviewView.as_view(), name="preview"),
            path("<int:pk>/progress/", ProgressView.as_view(), name="progress"),
            path("<int:pk>/words/", WordsView.as_view(), name="words"),
            path("<int:pk>/cancel/confirm/", CancelView.as_view(), name="cancel"),
            path(
                "<int:pk>/stories/<int:story_pk>/<str:action>/",
                StoryActionView.as_view(),
                name="story_action",
            ),
            path("<int:pk>/<str:action>/", IssueActionView.as_view(), name="issue_action"),
        ]
