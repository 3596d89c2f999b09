from __future__ import annotations

from typing import Any

from dateline.wire.models import Provider


def make_provider(name: str = "Northwind Press", **kwargs: Any) -> Provider:
    defaults: dict[str, Any] = {"short_name": name.split()[0], "format": "rss"}
    defaults.update(kwargs)
    return Provider.objects.create(name=name, **defaults)
