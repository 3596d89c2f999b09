"""Each Audience table as a CSV file, safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (a headline or link starting with "=",
"+", "-" or "@") is quoted as the subscriber export does it (admin_data.spreadsheet_safe);
numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from dateline.digests.audience import data
from dateline.digests.figures import COLUMNS, IssueFigures, percent
from dateline.digests.models import DigestIssue
from dateline.newsletter.admin_data import spreadsheet_safe
from dateline.newsroom.readership import Read

Cell = str | int | float | datetime.date | None
Row = Sequence[Any]  # of Cell


def _cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return value


def csv_response(name: str, rows: Iterable[Row]) -> HttpResponse:
    """A download named ``name``-<today>.csv; UTF-8 with a BOM, which Excel needs."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def most_read_rows(reads: list[Read], base_url: str) -> list[Row]:
    return [
        ["rank", "headline", "url", "views"],
        *(
            [i, read.article.title, f"{base_url}{read.article.url or ''}", read.views]
            for i, read in enumerate(reads, start=1)
        ),
    ]


def article_rows(views: data.ArticleViews) -> list[Row]:
    return [["day", "views"], *([day, n] for day, n in views.rows)]


def growth_rows(growth: data.Growth) -> list[Row]:
    header: list[Cell] = ["day"]
    for item in growth.newsletters:
        header += [f"{item.newsletter.name}: joined", f"{item.newsletter.name}: left"]
    rows: list[Row] = [header]
    for day, pairs in growth.rows:
        rows.append([day, *(n for pair in pairs for n in pair)])
    return rows


ISSUE_HEADER = [
    "issue",
    "newsletter",
    "kind",
    "sent for",
    "recipients",
    "delivered",
    "bounce rate",
    "unsubscribes",
    "clicks",
    "click rate",
]


def issue_rows(rows: list[data.IssueRow]) -> list[Row]:
    return [
        ISSUE_HEADER,
        *(
            [
                str(row.issue),
                row.issue.newsletter.name,
                row.issue.get_kind_display(),
                timezone.localtime(row.issue.slot_at).strftime("%Y-%m-%d %H:%M"),
                row.figures.recipients,
                row.figures.delivered,
                percent(row.figures.bounce_rate),
                row.figures.unsubscribes,
                row.figures.clicks,
                percent(row.figures.click_rate),
            ]
            for row in rows
        ),
    ]


def figures_rows(issue: DigestIssue, figures: IssueFigures) -> list[Row]:
    """One issue: its figures, then its clicks per story and per link."""
    rows: list[Row] = [["issue", str(issue)], [], ["figure", "count"]]
    rows += [[label, getattr(figures, name)] for name, label in COLUMNS]
    rows += [[], ["story", "clicks"], *([s.title, s.clicks] for s in figures.stories)]
    rows += [[], ["link", "story", "clicks"]]
    rows += [[link.url, link.story_title, link.clicks] for link in figures.links]
    return rows
