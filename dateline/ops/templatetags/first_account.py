"""The sign-in page of a site with no account yet tells the operator how to make one."""

from __future__ import annotations

from django import template
from django.contrib.auth import get_user_model

register = template.Library()


@register.simple_tag
def no_accounts_yet() -> bool:
    return not get_user_model().objects.exists()
