"""The comment moderation queue and the ban list in Wagtail's admin.

Access follows Django model permissions on Comment (Wagtail's group settings show
them): the queue needs "change" on comments, the ban list the permissions on Ban.
Superusers have them all, editors none until given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry

from dateline.comments import moderation
from dateline.comments.models import Ban, Comment
from dateline.comments.tasks import queue_counts

QUEUE = "comments_queue"
TABS = {
    "held": "Awaiting moderation",
    "reported": "Reported",
    "spam": "Spam",
}
BAN_DAYS = [("1", "a day"), ("7", "a week"), ("30", "30 days"), ("", "until lifted")]


def queue_items(tab: str) -> QuerySet[Comment]:
    comments = Comment.objects.select_related("article", "commenter", "parent")
    if tab == "reported":
        return comments.filter(report_count__gt=0, status=Comment.Status.APPROVED).order_by(
            "-report_count", "created_at"
        )
    if tab == "spam":
        return comments.filter(status=Comment.Status.SPAM).order_by("-created_at")
    return comments.filter(status=Comment.Status.HELD).order_by("created_at")


def can_moderate(request: HttpRequest) -> bool:
    policy = policy_registry.get_by_type(Comment)
    return bool(policy.user_has_permission(request.user, "change"))


class QueueView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Held, reported and spam comments: approve, reject, spam or ban one, or the ticked ones."""

    model = Comment
    permission_required = "change"
    template_name = "comments/admin/queue.html"
    page_title = "Comment moderation"
    header_icon = "comment"
    per_page = 50

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": "Comment moderation"}]

    def tab(self) -> str:
        tab = self.request.GET.get("tab", "held")
        return tab if tab in TABS else "held"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tab = self.tab()
        paginator = Paginator(queue_items(tab), self.per_page)
        page = paginator.get_page(self.request.GET.get("p"))
        counts = queue_counts()
        url = reverse(f"{QUEUE}:index")
        context.update(
            tab=tab,
            tabs=[(key, label, counts[key], f"{url}?tab={key}") for key, label in TABS.items()],
            comments=page,
            ban_days=BAN_DAYS,
            action_url=f"{url}?tab={tab}",
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        back = HttpResponseRedirect(f"{reverse(f'{QUEUE}:index')}?tab={self.tab()}")
        # A row's own button ("approve:12") acts on that comment alone, whatever is ticked.
        row_action, _, row_id = request.POST.get("row", "").partition(":")
        if row_id.isdigit():
            ids, action = [int(row_id)], row_action
        else:
            ids = [int(i) for i in request.POST.getlist("comment") if i.isdigit()]
            action = request.POST.get("action", "")
        if not ids:
            messages.error(request, "Tick at least one comment first.")
            return back
        if action in ("approve", "reject", "spam"):
            done = {"approve": moderation.approve, "reject": moderation.reject}.get(
                action, moderation.mark_spam
            )(ids)
            verb = {"approve": "Approved", "reject": "Rejected", "spam": "Marked as spam"}[action]
            messages.success(request, f"{verb}: {done} comment{'s' if done != 1 else ''}.")
        elif action in ("ban", "ban-email", "ban-ip"):
            days_text = request.POST.get("days", "")
            if days_text not in {value for value, _ in BAN_DAYS}:
                messages.error(request, "Choose how long the ban lasts.")
                return back
            chosen = list(Comment.objects.filter(pk__in=ids).select_related("commenter"))
            if action == "ban-ip" or (action == "ban" and not any(c.commenter for c in chosen)):
                values = [c.ip for c in chosen if c.ip]
                kind = Ban.Kind.IP
            else:
                values = [c.commenter.email for c in chosen if c.commenter]
                kind = Ban.Kind.EMAIL
            done = moderation.ban(kind, values, int(days_text) if days_text else None)
            # Banning is about the sender: their waiting comments go as spam with it.
            moderation.mark_spam(ids)
            noun = {Ban.Kind.EMAIL: ("address", "addresses"), Ban.Kind.IP: ("IP", "IPs")}[kind]
            messages.success(
                request, f"Banned {done} {noun[done != 1]}; their comments went as spam."
            )
        else:
            messages.error(request, "Choose what to do with the ticked comments.")
        return back


class ModerationPanel(Component):
    """Dashboard: how many comments wait for a moderator, and the oldest of them."""

    name = "comments_waiting"
    template_name = "comments/admin/dashboard_panel.html"
    order = 60

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "counts": queue_counts(),
            "oldest": list(queue_items("held")[:5]),
            "queue_url": reverse(f"{QUEUE}:index"),
        }


class QueueMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_moderate(request)


class QueueViewSet(ViewSet):
    name = QUEUE
    url_prefix = "comments/queue"
    icon = "comment"
    menu_label = "Moderation queue"
    menu_item_class = QueueMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [path("", QueueView.as_view(), name="index")]


class BanViewSet(ModelViewSet):
    model = Ban
    name = "comments_bans"
    url_prefix = "comments/bans"
    icon = "cross"
    menu_label = "Bans"
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    form_fields = ["kind", "value", "expires_at", "note"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        "value",
        "kind",
        "note",
        DateColumn("expires_at", label="Until", sort_key="expires_at"),
        DateColumn("created_at", label="Since", sort_key="created_at"),
    ]


class CommentsViewSetGroup(ViewSetGroup):
    menu_label = "Comments"
    menu_icon = "comment"
    menu_order = 460
    items = (QueueViewSet, BanViewSet)
