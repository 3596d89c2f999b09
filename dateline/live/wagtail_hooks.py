"""Live coverage in Wagtail's admin: the posting screen and the button that leads to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import path
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from dateline.live import admin_views
from dateline.live.models import LiveBlogPage


@hooks.register("register_admin_urls")
def live_urls() -> list[Any]:
    return [
        path("live/from-wire/", admin_views.from_wire, name=admin_views.FROM_WIRE_URL),
        path(
            "live/<int:page_id>/", admin_views.PostingView.as_view(), name=admin_views.POSTING_URL
        ),
        path(
            "live/<int:page_id>/posts/<int:post_id>/",
            admin_views.EditPostView.as_view(),
            name=admin_views.EDIT_URL,
        ),
        path(
            "live/<int:page_id>/posts/<int:post_id>/delete/",
            admin_views.DeletePostView.as_view(),
            name="live_delete_post",
        ),
        path(
            "live/<int:page_id>/posts/<int:post_id>/pin/",
            admin_views.toggle_pin,
            name="live_toggle_pin",
        ),
        path(
            "live/<int:page_id>/posts/<int:post_id>/key-event/",
            admin_views.toggle_key_event,
            name="live_toggle_key_event",
        ),
    ]


class LivePostsButton(PageMenuItem):
    label = "Live posts"
    icon_name = "comment"
    url_name = admin_views.POSTING_URL

    def is_shown(self, user: Any) -> bool:
        return self.page.specific_class is LiveBlogPage and bool(
            self.page.permissions_for_user(user).can_edit()
        )


@hooks.register("register_page_header_buttons")
def live_posts_header_button(
    page: Any, user: Any, view_name: str, next_url: str | None = None
) -> Iterator[Any]:
    yield LivePostsButton(page=page, priority=12)


@hooks.register("register_page_listing_buttons")
def live_posts_listing_button(page: Any, user: Any, next_url: str | None = None) -> Iterator[Any]:
    yield LivePostsButton(page=page, priority=12)
