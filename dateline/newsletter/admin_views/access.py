"""Who may see the newsletter's admin pages, and their URLs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from wagtail.admin.menu import MenuItem
from wagtail.permissions import policy_registry

from dateline.newsletter.models import Subscriber

SUBSCRIBERS = "newsletter_subscribers"
ANY = ["add", "change", "delete", "view"]


def subscribers_url(name: str, *args: Any) -> str:
    return reverse(f"{SUBSCRIBERS}:{name}", args=args)


def can(request: HttpRequest, *actions: str) -> bool:
    """Whether the user has any of these permissions on Subscriber."""
    policy = policy_registry.get_by_type(Subscriber)
    return bool(policy.user_has_any_permission(request.user, list(actions)))


def menu_item_for(actions: list[str]) -> type[MenuItem]:
    """A menu item shown only to users with one of these Subscriber permissions."""

    def is_shown(self: MenuItem, request: HttpRequest) -> bool:
        return can(request, *actions)

    return type("NewsletterMenuItem", (MenuItem,), {"is_shown": is_shown})
