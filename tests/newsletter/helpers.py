from __future__ import annotations

import re
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from dateline.lib.formstamp import make_live_stamp
from dateline.newsletter.models import (
    ConsentRecord,
    ConsentText,
    Newsletter,
    Subscriber,
    Subscription,
)

LINK = re.compile(r"https?://\S+/newsletter/(confirm|manage|unsubscribe)/[^/\s]+/")


def form_data(email: str, **extra: Any) -> dict[str, Any]:
    """What a person's browser posts: the live stamp fetched as the form loaded, a minute ago."""
    data: dict[str, Any] = {
        "email": email,
        "cadence": "weekly",
        # The box's preselected choice.
        "newsletters": [Newsletter.digest().pk],
        "stamp": make_live_stamp(time.time() - 60),
        "website": "",
        "source": "/world-news/ferry-talks-resume-after-storm/",
    }
    data.update(extra)
    return data


def link_in(text: str, kind: str = "confirm") -> str:
    for match in LINK.finditer(text):
        if match.group(1) == kind:
            return match.group(0)
    raise AssertionError(f"no {kind} link in: {text}")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def editor(client: Client, *codenames: str) -> Client:
    """Logged in as a Wagtail editor, with these extra permissions."""
    user = get_user_model().objects.create_user("ed", "ed@example.org", password=None)
    user.groups.add(Group.objects.get(name="Editors"))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def subscriber(
    email: str,
    status: str = "active",
    *,
    newsletters: list[Newsletter] | None = None,
    **fields: Any,
) -> Subscriber:
    """A subscriber; an active one is on ``newsletters`` (the digest unless given;
    ``newsletters=[]`` for none), as a confirmed signup would leave them."""
    made = Subscriber.objects.create(email=email, status=status, **fields)
    if status == Subscriber.Status.ACTIVE:
        for newsletter in [Newsletter.digest()] if newsletters is None else newsletters:
            subscribe(made, newsletter)
    return made


def subscribe(who: Subscriber, newsletter: Newsletter, **fields: Any) -> Subscription:
    defaults: dict[str, Any] = {"source": "signup", "consent_text": ConsentText.current()}
    defaults.update(fields)
    return Subscription.objects.create(subscriber=who, newsletter=newsletter, **defaults)


def consent(email: str, who: Subscriber | None = None, **fields: Any) -> ConsentRecord:
    defaults: dict[str, Any] = {
        "source": "/world-news/ferry-talks-resume-after-storm/",
        "signup_ip": "198.51.100.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "consent_text": ConsentText.current(),
    }
    defaults.update(fields)
    return ConsentRecord.objects.create(subscriber=who, email=email, **defaults)
