"""machine_datetime: the one format for dates printed for software (dateline/lib/dates.py)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from dateline.lib.dates import machine_datetime

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "dateline" / "templates"


def test_it_drops_the_fraction_of_a_second_html_cannot_take():
    value = datetime.datetime(2026, 12, 5, 22, 27, 37, 708300, tzinfo=datetime.UTC)
    assert machine_datetime(value) == "2026-12-05T22:27:37+00:00"


def test_it_prints_the_sites_offset(settings):
    settings.TIME_ZONE = "Europe/London"
    value = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
    with timezone.override(ZoneInfo("Europe/London")):
        assert machine_datetime(value) == "2026-07-01T10:00:00+01:00"


def test_dates_and_nothing():
    assert machine_datetime(datetime.date(2026, 11, 3)) == "2026-11-03"
    assert machine_datetime(None) == ""


def test_no_template_prints_a_machine_date_another_way():
    # date:"c" prints microseconds; every template uses the iso8601 filter instead.
    other_way = re.compile(r"""\|date:(["'])[cU]\1|isoformat""")
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.is_file() and other_way.search(path.read_text())
    ]
    assert offenders == []
