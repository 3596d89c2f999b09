"""'Send as an alert' and a written issue's 'Preview and send' in Wagtail's admin.

Both pages go the same way: the mail previewed, a test to the editor's own address
through the engine's relay, then "Send to N readers", a confirmation step (with an
optional time to send at) and the issue made and approved (dateline.digests.alerts).
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import Button
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet

from dateline.digests import alerts, engagement, issuemail, render, storykinds
from dateline.digests.admin_views import digests_url
from dateline.digests.engine.relay import POOL, RelayUnavailable, connect
from dateline.digests.models import DigestIssue, WrittenIssue
from dateline.newsletter.models import Newsletter, NewsletterSettings

NAME = "newsletter_sends"


def can_send(user: AbstractBaseUser | AnonymousUser) -> bool:
    """May approve and send issues: the digests' "change" permission (admin_views.can)."""
    policy = policy_registry.get_by_type(DigestIssue)
    return bool(policy.user_has_any_permission(user, ["change"]))


def alert_url(page_id: int) -> str:
    return reverse(f"{NAME}:alert", args=[page_id])


def written_url(pk: int) -> str:
    return reverse(f"{NAME}:written", args=[pk])


def alert_button(page: Page, user: Any) -> Button | None:
    """The page header's "Send as an alert", for live articles and live blogs (any kind
    storykinds registers) and editors who may send."""
    if not page.live or not storykinds.is_story_page(page):
        return None
    if not can_send(user):
        return None
    return Button("Send as an alert", alert_url(page.pk), icon_name="mail", priority=90)


class SendForm(forms.Form):
    subject = forms.CharField(max_length=200, required=False)
    preheader = forms.CharField(
        max_length=200, required=False, help_text="The line mail programs show after the subject"
    )
    send_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: now. In the site's time zone.",
    )
    again = forms.BooleanField(required=False, label="Send it again anyway")


@dataclass(frozen=True)
class _Editor:
    """The editor as a test mail's recipient: links in it lead nowhere (no subscriber)."""

    email: str
    # Each test its own Message-ID (RFC 5322 3.6.4): mail programs hide a repeated one.
    token: str = field(default_factory=lambda: f"test-{secrets.token_hex(8)}")
    issue_id: int = 0
    public_id: str = "test"
    token_key: str = "test"  # noqa: S105 - signs links to no subscriber


def preview_html(group: render.RenderedGroup, address: str) -> str:
    """The mail's HTML as the editor sees it in the preview: their address, dead links."""
    page = engagement.without_readers(group.html.replace(render.HTML_ADDRESS, address))
    return page.replace(render.HTML_MANAGE, "#").replace(render.HTML_UNSUBSCRIBE, "#")


def send_test(group: render.RenderedGroup, address: str) -> None:
    """The message to ``address`` through the relay the engine uses (RelayUnavailable, …)."""
    editor = _Editor(address)
    message = group.message_for(editor, editor)
    connection = connect()
    try:
        connection.sendmail(render.return_path(editor), [address], message)
    except BaseException:
        POOL.discard(connection)
        raise
    POOL.release(connection)


class SendView(WagtailAdminTemplateMixin, TemplateView):
    """Preview, test, confirm and send; subclasses say what is sent and how it is made."""

    template_name = "digests/admin/send.html"
    header_icon = "mail"
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_send(request.user):
            raise Http404("Not for you")
        return super().dispatch(request, *args, **kwargs)

    # What subclasses give ------------------------------------------------------------
    def newsletter(self) -> Newsletter:
        raise NotImplementedError

    def issue(self, subject: str, preheader: str) -> DigestIssue:
        """An unsaved issue for previews and tests."""
        raise NotImplementedError

    def defaults(self) -> dict[str, str]:
        raise NotImplementedError

    def warnings(self) -> list[str]:
        return []

    def limits(self) -> str:
        """A line on what the newsroom allows, shown before the editor writes anything."""
        return ""

    def stories(self, issue: DigestIssue) -> list[render.Story]:
        return []

    def make(self, form: forms.Form) -> DigestIssue:
        raise NotImplementedError

    # The steps -----------------------------------------------------------------------
    @property
    def user_email(self) -> str:
        """The editor's own address: previews show it, tests go to it."""
        return str(getattr(self.request.user, "email", "") or "")

    def form(self) -> SendForm:
        if self.request.method == "POST":
            return SendForm(self.request.POST)
        return SendForm(initial=self.defaults())

    def group(self, form: SendForm, test: bool = False) -> render.RenderedGroup | None:
        data = form.cleaned_data if form.is_valid() else {}
        defaults = self.defaults()
        subject = data.get("subject") or defaults["subject"]
        if test:
            subject = f"[Test] {subject}"
        issue = self.issue(subject, data.get("preheader") or defaults["preheader"])
        return issuemail.render_group(issue, self.stories(issue), None)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.form()
        group = self.group(form)
        newsletter = self.newsletter()
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        context.update(
            form=form,
            subject=data.get("subject") or self.defaults()["subject"],
            step=kwargs.get("step", "compose"),
            newsletter=newsletter,
            readers=alerts.readers(newsletter),
            preview=preview_html(group, self.user_email) if group else "",
            warnings=self.warnings(),
            limits=self.limits(),
            user_email=self.user_email,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form()
        action = request.POST.get("action", "")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if action == "test":
            self.test(form)
            return self.render_to_response(self.get_context_data(form=form))
        if action == "review":
            return self.render_to_response(self.get_context_data(form=form, step="confirm"))
        if action == "confirm":
            return self.confirm(form)
        return self.render_to_response(self.get_context_data(form=form))

    def test(self, form: SendForm) -> None:
        address = self.user_email
        group = self.group(form, test=True)
        if not address:
            messages.error(self.request, "Your account has no email address to send a test to.")
        elif group is None:
            messages.error(self.request, "Nothing to send: the mail would be empty.")
        else:
            try:
                send_test(group, address)
            except (RelayUnavailable, smtplib.SMTPException, OSError) as error:
                messages.error(self.request, f"The test was not sent: {error}")
            else:
                messages.success(self.request, f"A test is on its way to {address}.")

    def confirm(self, form: SendForm) -> HttpResponse:
        if self.warnings() and not form.cleaned_data["again"]:
            form.add_error("again", "Tick this to send it again.")
            return self.render_to_response(self.get_context_data(form=form, step="confirm"))
        try:
            issue = self.make(form)
            queued = alerts.confirm(issue, user=self.request.user)
        except alerts.Refused as error:
            messages.error(self.request, f"Not sent: {error}.")
            return self.render_to_response(self.get_context_data(form=form, step="confirm"))
        if issue.status == DigestIssue.Status.SCHEDULED:
            when = timezone.localtime(issue.slot_at)
            messages.success(self.request, f"Scheduled for {when:%d %B %Y, %H:%M}.")
        else:
            readers = "reader" if queued == 1 else "readers"
            messages.success(self.request, f"Sending: {queued} {readers} queued.")
        return HttpResponseRedirect(digests_url("issue", issue.pk))


class AlertView(SendView):
    @cached_property
    def article(self) -> Page:
        """The story page as its own type: an article, or a kind storykinds registers."""
        page = get_object_or_404(Page, pk=self.kwargs["page_id"])
        if not storykinds.is_story_page(page):
            raise Http404("Not a story")
        if not page.live:
            raise Http404("Not published")
        return page.specific

    def get_page_title(self) -> str:
        return f"Send as an alert: {self.article.title}"

    def newsletter(self) -> Newsletter:
        return Newsletter.alerts()

    def defaults(self) -> dict[str, str]:
        article = self.article
        return {
            "subject": issuemail.alert_subject(article),
            "preheader": issuemail.alert_preheader(article),
        }

    def issue(self, subject: str, preheader: str) -> DigestIssue:
        return issuemail.unsaved_alert(subject, preheader)

    def stories(self, issue: DigestIssue) -> list[render.Story]:
        return [issuemail.story_card(issue, self.article)]

    def warnings(self) -> list[str]:
        return [
            f"This {storykinds.noun(self.article)} went out as an alert on "
            f"{timezone.localtime(issue.slot_at):%d %B %Y at %H:%M} ({issue.get_status_display()})."
            for issue in alerts.earlier_alerts(self.article)
        ]

    def limits(self) -> str:
        cap = NewsletterSettings.load().alerts_per_day
        sent = alerts.alerts_on_day(timezone.now())
        if sent >= cap:
            return (
                f"Today's limit of {cap} alert{pluralize(cap)} is reached: an alert now "
                "will be refused. Choose a time tomorrow under Send at, or ask for a "
                "higher limit in Settings → Newsletter settings."
            )
        return f"{sent} of {cap} alert{pluralize(cap)} allowed today sent so far."

    def make(self, form: forms.Form) -> DigestIssue:
        data = form.cleaned_data
        defaults = self.defaults()
        return alerts.make_alert(
            self.article,
            # Stored only when changed: the defaults follow the article until it is sent.
            subject=data["subject"] if data["subject"] != defaults["subject"] else "",
            preheader=data["preheader"] if data["preheader"] != defaults["preheader"] else "",
            send_at=data["send_at"],
            user=self.request.user,
        )


class WrittenSendView(SendView):
    @cached_property
    def written(self) -> WrittenIssue:
        return get_object_or_404(
            WrittenIssue.objects.select_related("newsletter"), pk=self.kwargs["pk"]
        )

    def get_page_title(self) -> str:
        return f"Preview and send: {self.written.title}"

    def newsletter(self) -> Newsletter:
        return self.written.newsletter

    def defaults(self) -> dict[str, str]:
        written = self.written
        return {"subject": written.subject, "preheader": written.preheader}

    def issue(self, subject: str, preheader: str) -> DigestIssue:
        return issuemail.unsaved_written(self.written, subject, preheader)

    def make(self, form: forms.Form) -> DigestIssue:
        data = form.cleaned_data
        issue = alerts.make_written_send(
            self.written, send_at=data["send_at"], user=self.request.user
        )
        if data["subject"] or data["preheader"]:
            issue.subject = data["subject"] or issue.subject
            issue.preheader = data["preheader"] or issue.preheader
            issue.save(update_fields=["subject", "preheader"])
        return issue


class SendsViewSet(ViewSet):
    name = NAME
    url_prefix = "newsletter/send"

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("alert/<int:page_id>/", AlertView.as_view(), name="alert"),
            path("written/<int:pk>/", WrittenSendView.as_view(), name="written"),
        ]


class WrittenIndexView(SnippetIndexView):
    def get_list_more_buttons(self, instance: WrittenIssue) -> list[Any]:
        buttons = list(super().get_list_more_buttons(instance))
        if can_send(self.request.user):
            buttons.append(
                MenuItem("Preview and send", written_url(instance.pk), icon_name="mail", priority=5)
            )
        return buttons


class WrittenEditView(SnippetEditView):
    @cached_property
    def header_more_buttons(self) -> list[Any]:
        buttons = list(super().header_more_buttons)
        if can_send(self.request.user):
            buttons.append(
                Button(
                    "Preview and send", written_url(self.object.pk), icon_name="mail", priority=5
                )
            )
        return buttons


class WrittenIssueViewSet(SnippetViewSet):
    """Newsletter issues written from scratch, beside the digests in the Newsletter menu."""

    model = WrittenIssue
    icon = "doc-full"
    menu_label = "Written issues"
    url_prefix = "newsletter/written"
    index_view_class = WrittenIndexView
    edit_view_class = WrittenEditView
    list_display = ["title", "newsletter", "subject", "created_at"]
    search_fields = ["title", "subject"]
