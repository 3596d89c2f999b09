from __future__ import annotations

from typing import Any

from dateline.wire.models import Provider

ADD_PROVIDER = "/admin/wire/providers/new/"


def make_provider(name: str = "Northwind Press", **kwargs: Any) -> Provider:
    defaults: dict[str, Any] = {"short_name": name.split()[0], "format": "rss"}
    defaults.update(kwargs)
    return Provider.objects.create(name=name, **defaults)


def provider_form(**overrides):
    """What the admin's form for a new provider posts: an HTTP feed of RSS."""
    data = {
        "name": "Northwind Press",
        "short_name": "NP",
        "transport": "http",
        "format": "rss",
        "url": "https://wire.northwind.example/feed.rss",
        "folder": "",
        "read_at": "Northwind wire",
        "poll_interval": "300",
        "active": "on",
    }
    data.update(overrides)
    return data
