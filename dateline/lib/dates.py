"""Dates as machines read them: one format for every date Dateline prints for software.

HTML's ``<time datetime>`` allows at most three digits of a second, and W3C
datetimes (sitemaps), Open Graph and schema.org all read ISO 8601; Python's
``isoformat()`` and Django's ``date:"c"`` print six digits. Every machine-readable
date goes through ``machine_datetime`` (the ``iso8601`` template filter in
newsroom_tags), to the second and with the site's UTC offset.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def machine_datetime(value: datetime.date | datetime.datetime | None) -> str:
    """e.g. 2026-11-03T10:15:00+00:00, in the site's time zone; a date as 2026-11-03."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
