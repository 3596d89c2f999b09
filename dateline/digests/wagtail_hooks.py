"""The Newsletter menu and the digests' dashboard panel in Wagtail's admin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from dateline.digests.admin_sends import SendsViewSet, WrittenIssueViewSet, alert_button
from dateline.digests.admin_views import ANY, DigestViewSet, NextDigestPanel, can
from dateline.digests.audience.views import AudienceViewSet
from dateline.newsletter.admin_views import (
    GrowthViewSet,
    ImportViewSet,
    SubscriberViewSet,
    SuppressionViewSet,
)


class NewsletterViewSetGroup(ViewSetGroup):
    menu_label = "Newsletter"
    menu_icon = "mail"
    menu_order = 450
    # Digests are their own app, but editors look for them under the newsletter; the
    # menu is put together here because digests may import the newsletter, not back.
    items = (
        SubscriberViewSet,
        DigestViewSet,
        WrittenIssueViewSet,
        GrowthViewSet,
        SuppressionViewSet,
        ImportViewSet,
    )


@hooks.register("register_admin_viewset")
def register_newsletter() -> NewsletterViewSetGroup:
    return NewsletterViewSetGroup()


@hooks.register("register_admin_viewset")
def register_sends() -> SendsViewSet:
    return SendsViewSet()


@hooks.register("register_page_header_buttons")
def send_as_alert(page: Any, user: Any, view_name: str, next_url: str | None = None) -> Any:
    button = alert_button(page, user)
    if button is not None:
        yield button


@hooks.register("construct_homepage_panels")
def next_digest_panel(request: HttpRequest, panels: list[Any]) -> None:
    if can(request, *ANY):
        panels.append(NextDigestPanel())


@hooks.register("register_admin_viewset")
def register_audience() -> AudienceViewSet:
    return AudienceViewSet()
