"""Puts the newsletter in Wagtail's admin menu: subscribers, growth, suppression list, import."""

from __future__ import annotations

from wagtail import hooks

from dateline.newsletter.admin_views import NewsletterViewSetGroup


@hooks.register("register_admin_viewset")
def register_newsletter() -> NewsletterViewSetGroup:
    return NewsletterViewSetGroup()
